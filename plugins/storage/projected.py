"""Kubernetes ``secret`` and ``configMap`` volumes, as CSI drivers of their own.

The drivers are ``secret.volumes.podkit.dev`` and ``configmap.volumes.podkit.dev``.

NodePublishVolume mounts a tmpfs at the target (secrets never touch disk) and
writes the projected keys there with the kubelet's atomic writer layout
(:mod:`podkit.plugins.storage._atomic_writer`). The data arrives as CSI
passes it:

- **secret**: ``secrets`` is the Secret's ``data``, each value base64-encoded
  as in the Secret's JSON (:func:`secret_data` encodes a ``Mapping[str, bytes]``).
- **configMap**: ``volume_context["podkit.dev/data"]`` is the ConfigMap's
  ``data`` as a JSON object of strings, ``volume_context["podkit.dev/binaryData"]``
  its ``binaryData``, a JSON object of base64 strings (:func:`configmap_volume_context`).

Both take ``podkit.dev/items``, ``podkit.dev/defaultMode`` and
``podkit.dev/optional`` (see :mod:`podkit.plugins.storage._payload`). CSI has no
update RPC: as the kubelet does, publish again at the same target with the new
data; the files are swapped all at once. Readonly publications are a read-only
tmpfs, made writable only for the time of an update.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Final, final

import podkit
from podkit.errors import InvalidArgumentError
from podkit.plugins.storage import _atomic_writer, _mount, _payload
from podkit.plugins.storage._node_plugin import DEFAULT_STATE_ROOT, NodePlugin

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Iterator, Mapping

    from podkit.plugins.storage._atomic_writer import Payload

SECRET_DRIVER: Final = "secret.volumes.podkit.dev"  # noqa: S105 -- a name, no password
CONFIGMAP_DRIVER: Final = "configmap.volumes.podkit.dev"
DATA: Final = f"{_payload.PREFIX}data"
BINARY_DATA: Final = f"{_payload.PREFIX}binaryData"
#: The tmpfs of one volume: two copies of the largest Secret or ConfigMap
#: (1 MiB) during an update, one page per small file, with room to spare.
DEFAULT_TMPFS_SIZE: Final = 16 << 20
_TMPFS_FLAGS: Final = _mount.MS_NOSUID | _mount.MS_NODEV


def _decode(values: Mapping[str, str], field: str, action: str) -> dict[str, bytes]:
    decoded = {}
    for key, value in values.items():
        try:
            decoded[key] = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            msg = f"failed to {action}: {field}[{key!r}] is not base64"
            raise InvalidArgumentError(msg) from None
    return decoded


def secret_data(data: Mapping[str, bytes]) -> dict[str, str]:
    """The ``secrets`` argument for a Secret's data: each value base64-encoded."""
    return {key: base64.b64encode(value).decode() for key, value in data.items()}


def configmap_volume_context(
    data: Mapping[str, str], binary_data: Mapping[str, bytes] | None = None
) -> dict[str, str]:
    """The ``volume_context`` entries that carry a ConfigMap's data."""
    context = {DATA: json.dumps(dict(data), sort_keys=True)}
    if binary_data:
        context[BINARY_DATA] = json.dumps(secret_data(binary_data), sort_keys=True)
    return context


def projection_context(
    items: Iterable[tuple[str, str, int | None]] = (),
    *,
    default_mode: int | None = None,
    optional: bool = False,
) -> dict[str, str]:
    """The ``volume_context`` entries of the options: items (key, path, mode) and the rest."""
    context = {_payload.OPTIONAL: "true" if optional else "false"}
    if items := list(items):
        entries = [{"key": k, "path": p} | ({} if m is None else {"mode": m}) for k, p, m in items]
        context[_payload.ITEMS] = json.dumps(entries)
    if default_mode is not None:
        context[_payload.DEFAULT_MODE] = str(default_mode)
    return context


class _Projected(NodePlugin["Payload"]):
    """What the two plugins share: a tmpfs at the target, written by the atomic writer."""

    def __init__(self, state_dir: str | os.PathLike[str], *, node_id: str, tmpfs_size: int) -> None:
        super().__init__(state_dir, node_id=node_id)
        self.tmpfs_size: Final = tmpfs_size

    def data(
        self, volume_context: Mapping[str, str], secrets: Mapping[str, str], action: str
    ) -> dict[str, bytes]:
        """The object's keys and values."""
        raise NotImplementedError

    #: ``podkit.dev/`` keys besides the projection options.
    KNOWN: frozenset[str] = frozenset()

    def parse(
        self, volume_id: str, volume_context: Mapping[str, str], secrets: Mapping[str, str]
    ) -> tuple[str, Payload]:
        """The payload; nothing of it identifies the volume: new data is an update."""
        action = f"publish {self.KIND} {volume_id!r}"
        data = self.data(volume_context, secrets, action)
        return "", _payload.make_payload(data, volume_context, action, known=self.KNOWN)

    def mount(self, volume_id: str, target: str, spec: Payload, flags: int) -> None:  # noqa: ARG002
        """Mount a tmpfs at ``target`` and write the payload; read-only after, if asked."""
        _mount.mount_tmpfs(target, size=self.tmpfs_size, mode=0o755)
        with contextlib.ExitStack() as undo:
            undo.callback(_mount.unmount, target)
            _atomic_writer.write(Path(target), spec)
            if flags:
                _mount.remount(target, flags=_TMPFS_FLAGS | flags, bind_mount=True)
            undo.pop_all()

    def update(self, target: str, spec: Payload, flags: int) -> None:
        """Write the new payload (unchanged data writes nothing)."""
        with self._writable(target, flags):
            _atomic_writer.write(Path(target), spec)

    @contextlib.contextmanager
    def _writable(self, target: str, flags: int) -> Iterator[None]:
        if not flags:
            yield
            return
        _mount.remount(target, flags=_TMPFS_FLAGS, bind_mount=True)
        try:
            yield
        finally:
            _mount.remount(target, flags=_TMPFS_FLAGS | flags, bind_mount=True)


@final
@podkit.answers_for(SECRET_DRIVER)
class SecretVolumes(_Projected):
    """Kubernetes ``secret`` volumes; the Secret's data comes in ``secrets``, base64-encoded.

    :param state_dir: where the plugin records its publications (never a secret).
    :param node_id: the node's id for NodeGetInfo; the host name by default.
    :param tmpfs_size: the size of each volume's tmpfs, in bytes.

    .. versionadded:: 0.1
    """

    DRIVER = SECRET_DRIVER
    KIND = "secret volume"

    def __init__(
        self,
        state_dir: str | os.PathLike[str] = DEFAULT_STATE_ROOT / "secret",
        *,
        node_id: str = "",
        tmpfs_size: int = DEFAULT_TMPFS_SIZE,
    ) -> None:
        super().__init__(state_dir, node_id=node_id, tmpfs_size=tmpfs_size)

    def data(
        self,
        volume_context: Mapping[str, str],  # noqa: ARG002 -- the data is in secrets
        secrets: Mapping[str, str],
        action: str,
    ) -> dict[str, bytes]:
        """The Secret's data, decoded from ``secrets``."""
        return _decode(secrets, "secrets", action)


@final
@podkit.answers_for(CONFIGMAP_DRIVER)
class ConfigMapVolumes(_Projected):
    """Kubernetes ``configMap`` volumes; the data comes in ``volume_context`` as JSON.

    :param state_dir: where the plugin records its publications.
    :param node_id: the node's id for NodeGetInfo; the host name by default.
    :param tmpfs_size: the size of each volume's tmpfs, in bytes.

    .. versionadded:: 0.1
    """

    DRIVER = CONFIGMAP_DRIVER
    KIND = "configMap volume"
    KNOWN = frozenset({DATA, BINARY_DATA})

    def __init__(
        self,
        state_dir: str | os.PathLike[str] = DEFAULT_STATE_ROOT / "configmap",
        *,
        node_id: str = "",
        tmpfs_size: int = DEFAULT_TMPFS_SIZE,
    ) -> None:
        super().__init__(state_dir, node_id=node_id, tmpfs_size=tmpfs_size)

    def data(
        self,
        volume_context: Mapping[str, str],
        secrets: Mapping[str, str],  # noqa: ARG002 -- a ConfigMap has none
        action: str,
    ) -> dict[str, bytes]:
        """``data`` (text) and ``binaryData`` (base64) from ``volume_context``."""
        text = _json_object(volume_context, DATA, action)
        binary = _decode(_json_object(volume_context, BINARY_DATA, action), BINARY_DATA, action)
        if both := sorted(text.keys() & binary.keys()):
            msg = f"failed to {action}: keys {both!r} are in both data and binaryData"
            raise InvalidArgumentError(msg)
        return {key: value.encode() for key, value in text.items()} | binary


def _json_object(context: Mapping[str, str], key: str, action: str) -> dict[str, str]:
    if key not in context:
        return {}
    try:
        value = json.loads(context[key])
    except ValueError as exc:
        msg = f"failed to {action}: {key} is not JSON: {exc}"
        raise InvalidArgumentError(msg) from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        msg = f"failed to {action}: {key} must be a JSON object of strings"
        raise InvalidArgumentError(msg)
    return value


__all__ = [
    "BINARY_DATA",
    "CONFIGMAP_DRIVER",
    "DATA",
    "DEFAULT_TMPFS_SIZE",
    "SECRET_DRIVER",
    "ConfigMapVolumes",
    "SecretVolumes",
    "configmap_volume_context",
    "projection_context",
    "secret_data",
]

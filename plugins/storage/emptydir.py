"""Kubernetes ``emptyDir`` volumes as the CSI driver ``emptydir.volumes.podkit.dev``.

A pod's emptyDir is born empty at NodePublishVolume and its data is removed
when its last publication goes (NodeUnpublishVolume): it is ephemeral.
``volume_context`` carries the volume source's fields::

    {"medium": "Memory", "sizeLimit": "64Mi"}

On the default medium the data is a directory under the plugin's state dir
(``sizeLimit`` is accepted and, as with the kubelet, not a filesystem limit:
the kubelet enforces it by eviction). With ``medium: Memory`` the data is a
tmpfs of ``size=sizeLimit`` (without one, the tmpfs default: half of RAM), so
writing beyond the limit fails with ENOSPC. Either way the target is a bind
mount of the data directory, so every publication of one ``volume_id`` shares
the data, as the containers of a pod share an emptyDir.
"""

from __future__ import annotations

import contextlib
import shutil
from typing import TYPE_CHECKING, Final, final

import attrs

import podkit
from podkit.errors import InvalidArgumentError
from podkit.models.kube import Quantity, StorageMedium
from podkit.plugins.storage import _mount
from podkit.plugins.storage._node_plugin import DEFAULT_STATE_ROOT, NodePlugin

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping
    from pathlib import Path

#: The CSI driver name.
DRIVER: Final = "emptydir.volumes.podkit.dev"
_KUBELET_PREFIX: Final = "csi.storage.k8s.io/"


@attrs.frozen
class _Spec:
    medium: StorageMedium
    #: Bytes; 0 for no limit.
    size_limit: int


def _parse(volume_context: Mapping[str, str], action: str) -> _Spec:
    known = {"medium", "sizeLimit"}
    if stray := sorted(
        k for k in volume_context if k not in known and not k.startswith(_KUBELET_PREFIX)
    ):
        msg = f"failed to {action}: unknown volume_context keys {stray!r}"
        raise InvalidArgumentError(msg)
    try:
        medium = StorageMedium(volume_context.get("medium", ""))
    except ValueError:
        msg = f'failed to {action}: unknown medium {volume_context["medium"]!r} ("" or Memory)'
        raise InvalidArgumentError(msg) from None
    text = volume_context.get("sizeLimit", "")
    try:
        size = Quantity.parse(text).value if text else 0
    except InvalidArgumentError as exc:
        msg = f"failed to {action}: sizeLimit: {exc}"
        raise InvalidArgumentError(msg) from None
    if size < 0:
        msg = f"failed to {action}: sizeLimit {text!r} must not be negative"
        raise InvalidArgumentError(msg)
    return _Spec(medium, size)


@final
@podkit.answers_for(DRIVER)
class EmptyDirVolumes(NodePlugin["_Spec"]):
    """Kubernetes ``emptyDir`` volumes: on disk, or on a size-limited tmpfs.

    :param state_dir: where the plugin records its publications and keeps the
        volumes' data (``volumes/<volume_id>``).
    :param node_id: the node's id for NodeGetInfo; the host name by default.

    .. versionadded:: 0.1
    """

    DRIVER = DRIVER
    KIND = "emptyDir volume"

    def __init__(
        self,
        state_dir: str | os.PathLike[str] = DEFAULT_STATE_ROOT / "emptydir",
        *,
        node_id: str = "",
    ) -> None:
        super().__init__(state_dir, node_id=node_id)

    def data_dir(self, volume_id: str) -> Path:
        """Where the data of ``volume_id`` lives."""
        return self.state_dir / "volumes" / volume_id

    def parse(
        self,
        volume_id: str,
        volume_context: Mapping[str, str],
        secrets: Mapping[str, str],  # noqa: ARG002 -- an emptyDir has none
    ) -> tuple[str, _Spec]:
        """Validate ``medium`` and ``sizeLimit``; the two identify the volume."""
        action = f"publish {self.KIND} {volume_id!r}"
        if "/" in volume_id or volume_id in {".", ".."}:
            msg = f"failed to {action}: volume_id must be a file name"
            raise InvalidArgumentError(msg)
        spec = _parse(volume_context, action)
        return f"{spec.medium.value}:{spec.size_limit}", spec

    def mount(self, volume_id: str, target: str, spec: _Spec, flags: int) -> None:
        """Make (or reuse) the data directory, then bind-mount it at ``target``."""
        data = self.data_dir(volume_id)
        with contextlib.ExitStack() as undo:
            if not data.is_dir():
                data.mkdir(parents=True)
                undo.callback(shutil.rmtree, data, ignore_errors=True)
                data.chmod(0o777)  # as the kubelet's emptyDir: any container user may write
            if spec.medium is StorageMedium.MEMORY and not _mount.is_mount_point(str(data)):
                size = spec.size_limit or None
                _mount.mount_tmpfs(str(data), size=size, mode=0o777)
                undo.callback(_mount.unmount, str(data))
            _mount.bind(str(data), target, flags=flags)
            undo.pop_all()

    def release(self, volume_id: str, target: str) -> None:  # noqa: ARG002
        """Remove the data once no publication of ``volume_id`` is left."""
        if any(r["volume_id"] == volume_id for r in self.publications.values()):
            return
        data = self.data_dir(volume_id)
        _mount.unmount(str(data))
        shutil.rmtree(data, ignore_errors=True)
        with contextlib.suppress(OSError):
            data.parent.rmdir()


__all__ = ["DRIVER", "EmptyDirVolumes"]

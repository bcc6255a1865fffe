"""Kubernetes ``hostPath`` volumes as the CSI driver ``hostpath.volumes.podkit.dev``.

NodePublishVolume bind-mounts a file or directory of the node at the target,
after the type check the kubelet makes (pkg/volume/hostpath, ``checkType``):
``volume_context`` carries the volume source's fields::

    {"path": "/var/log", "type": "DirectoryOrCreate"}

``type`` is one of ``""`` (no check), ``DirectoryOrCreate``, ``Directory``,
``FileOrCreate``, ``File``, ``Socket``, ``CharDevice``, ``BlockDevice``. A path
that must exist and does not raises NotFoundError; one of another type,
FailedPreconditionError. The ``*OrCreate`` types create what is missing, as the
kubelet does (a directory 0755 with its parents; a file 0644 in an existing
directory). A file, socket or device is mounted on a file created at the
target; a directory on a directory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Final, final

import attrs

import podkit
from podkit.errors import FailedPreconditionError, InvalidArgumentError, NotFoundError
from podkit.plugins.storage import _mount
from podkit.plugins.storage._node_plugin import DEFAULT_STATE_ROOT, NodePlugin

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

#: The CSI driver name.
DRIVER: Final = "hostpath.volumes.podkit.dev"
_KUBELET_PREFIX: Final = "csi.storage.k8s.io/"
#: What each type requires of the file's mode, and its name in messages.
_CHECKS: Final[dict[str, tuple[Callable[[int], bool], str]]] = {
    "DirectoryOrCreate": (stat.S_ISDIR, "a directory"),
    "Directory": (stat.S_ISDIR, "a directory"),
    "FileOrCreate": (stat.S_ISREG, "a file"),
    "File": (stat.S_ISREG, "a file"),
    "Socket": (stat.S_ISSOCK, "a socket"),
    "CharDevice": (stat.S_ISCHR, "a character device"),
    "BlockDevice": (stat.S_ISBLK, "a block device"),
}


@attrs.frozen
class _Spec:
    path: str
    type: str
    #: Whether ``path`` is a directory (else a file, socket or device), once checked.
    directory: bool = True


def _parse(volume_context: Mapping[str, str], action: str) -> _Spec:
    if stray := sorted(
        k for k in volume_context if k not in {"path", "type"} and not k.startswith(_KUBELET_PREFIX)
    ):
        msg = f"failed to {action}: unknown volume_context keys {stray!r}"
        raise InvalidArgumentError(msg)
    path, kind = volume_context.get("path", ""), volume_context.get("type", "")
    if not path.startswith("/") or ".." in path.split("/"):
        msg = f"failed to {action}: volume_context path {path!r} must be absolute, without '..'"
        raise InvalidArgumentError(msg)
    if kind and kind not in _CHECKS:
        msg = f"failed to {action}: unknown hostPath type {kind!r} (one of {sorted(_CHECKS)})"
        raise InvalidArgumentError(msg)
    return _Spec(os.path.normpath(path), kind)


def _create(spec: _Spec) -> None:
    if spec.type == "DirectoryOrCreate":
        Path(spec.path).mkdir(0o755, parents=True, exist_ok=True)
    elif spec.type == "FileOrCreate":
        if not Path(spec.path).parent.is_dir():
            msg = f"hostPath type check failed: parent of {spec.path!r} is not a directory"
            raise NotFoundError(msg)
        os.close(os.open(spec.path, os.O_CREAT | os.O_WRONLY, 0o644))


def _check_type(spec: _Spec) -> os.stat_result | None:
    """Make the kubelet's check of ``spec.type`` (creating for ``*OrCreate``)."""
    if not spec.type:
        return None
    if not os.path.lexists(spec.path):
        _create(spec)
    test, name = _CHECKS[spec.type]
    try:
        st = Path(spec.path).stat()
    except FileNotFoundError:
        msg = f"hostPath type check failed: {spec.path} is not {name}: it does not exist"
        raise NotFoundError(msg) from None
    if not test(st.st_mode):
        msg = f"hostPath type check failed: {spec.path} is not {name}"
        raise FailedPreconditionError(msg)
    return st


@final
@podkit.answers_for(DRIVER)
class HostPathVolumes(NodePlugin["_Spec"]):
    """Kubernetes ``hostPath`` volumes: type check, then a bind mount at the target.

    :param state_dir: where the plugin records its publications.
    :param node_id: the node's id for NodeGetInfo; the host name by default.

    .. versionadded:: 0.1
    """

    DRIVER = DRIVER
    KIND = "hostPath volume"

    def __init__(
        self,
        state_dir: str | os.PathLike[str] = DEFAULT_STATE_ROOT / "hostpath-volumes",
        *,
        node_id: str = "",
    ) -> None:
        super().__init__(state_dir, node_id=node_id)

    def parse(
        self,
        volume_id: str,
        volume_context: Mapping[str, str],
        secrets: Mapping[str, str],  # noqa: ARG002 -- a hostPath has none
    ) -> tuple[str, _Spec]:
        """Validate ``path`` and ``type``; the two identify the volume."""
        spec = _parse(volume_context, f"publish {self.KIND} {volume_id!r}")
        st = _check_type(spec)
        is_dir = Path(spec.path).is_dir() if st is None else stat.S_ISDIR(st.st_mode)
        return f"{spec.type}:{spec.path}", attrs.evolve(spec, directory=is_dir)

    def is_directory(self, spec: _Spec) -> bool:
        """A directory, unless ``path`` is something else (a file, a socket, a device)."""
        return bool(spec.directory)

    def mount(self, volume_id: str, target: str, spec: _Spec, flags: int) -> None:  # noqa: ARG002
        """Bind-mount ``path`` at ``target``, with ``flags`` (read-only...)."""
        _mount.bind(spec.path, target, flags=flags)


__all__ = ["DRIVER", "HostPathVolumes"]

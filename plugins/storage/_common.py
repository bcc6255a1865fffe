"""What every storage plugin of this package checks and does the same way.

Required fields, volume capabilities (these plugins serve mounted
filesystems on one node), the digest that tells two publishes apart, and the
target directory that NodePublishVolume creates and NodeUnpublishVolume
removes ("The SP MUST delete the file or directory it created at this path").
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Final

from podkit.errors import FailedPreconditionError, InvalidArgumentError
from podkit.models.storage import AccessMode, MountVolume
from podkit.plugins.storage import _mount

if TYPE_CHECKING:
    from podkit.models.storage import VolumeCapability

#: The version every plugin of this package reports.
VENDOR_VERSION: Final = "0.1.0"
#: Access modes in which a volume may be published at several paths of the node
#: (the hookspec's "shared" modes that a single-node plugin can honour).
SHARED_MODES: Final = frozenset({AccessMode.SINGLE_NODE_MULTI_WRITER})
#: The access modes of a volume that lives on one node.
SINGLE_NODE_MODES: Final = frozenset(
    {
        AccessMode.SINGLE_NODE_WRITER,
        AccessMode.SINGLE_NODE_READER_ONLY,
        AccessMode.SINGLE_NODE_SINGLE_WRITER,
        AccessMode.SINGLE_NODE_MULTI_WRITER,
    }
)
_READ_ONLY_MODES: Final = frozenset({AccessMode.SINGLE_NODE_READER_ONLY})


def require(value: str, field: str, action: str) -> None:
    """Raise InvalidArgumentError when a required field is empty ("Missing required field")."""
    if not value:
        msg = f"failed to {action}: {field} is required"
        raise InvalidArgumentError(msg)


def unsupported_reason(capability: VolumeCapability) -> str:
    """Why a capability cannot be served, or ``""`` when it can."""
    access = capability.access_type
    if not isinstance(access, MountVolume):
        return "block access is not supported: volumes are directories"
    # fs_type is not checked: a directory has the filesystem of its host, and as
    # in the upstream hostpath driver a requested type (often a default "ext4")
    # is not refused. Mount flags "MAY contain sensitive information": not echoed.
    if stray := [f for f in access.mount_flags if f not in _mount.FLAG_OPTIONS]:
        return f"{len(stray)} mount flag(s) not supported (only {sorted(_mount.FLAG_OPTIONS)})"
    if access.volume_mount_group:
        return "volume_mount_group is not supported"
    if capability.access_mode not in SINGLE_NODE_MODES:
        return f"access mode {capability.access_mode.name} is not supported: single node only"
    return ""


def check_capability(capability: VolumeCapability, action: str) -> None:
    """Raise FailedPreconditionError for a capability we cannot serve ("Exceeds capabilities")."""
    if reason := unsupported_reason(capability):
        msg = f"failed to {action}: {reason}"
        raise FailedPreconditionError(msg)


def mount_flags(capability: VolumeCapability, *, readonly: bool) -> int:
    """The flags of the bind remount for a (checked) capability and ``readonly``."""
    access = capability.access_type
    flags = _mount.MS_RDONLY if readonly or capability.access_mode in _READ_ONLY_MODES else 0
    if isinstance(access, MountVolume):
        for option in access.mount_flags:
            flags |= _mount.FLAG_OPTIONS[option]
    return flags


def publish_digest(capability: VolumeCapability, *, readonly: bool, extra: str = "") -> str:
    """A digest of the arguments two publishes must share to be "the same".

    Mount flags may be sensitive (csi.proto), so only their digest is kept.
    """
    access = capability.access_type
    fields = {
        "access_mode": capability.access_mode.name,
        "block": not isinstance(access, MountVolume),
        "readonly": readonly,
        "extra": extra,
    }
    if isinstance(access, MountVolume):
        fields |= {
            "fs_type": access.fs_type,
            "mount_flags": list(access.mount_flags),
            "group": access.volume_mount_group,
        }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def ensure_target(target_path: str, action: str, *, directory: bool = True) -> bool:
    """Create ``target_path``, a directory or an empty file; return whether it was created.

    Its parent must exist (the caller creates it, CSI "NodePublishVolume").
    """
    target = Path(target_path)
    if not target.parent.is_dir():
        msg = f"failed to {action}: parent of target_path {target_path!r} does not exist"
        raise FailedPreconditionError(msg)
    try:
        if directory:
            target.mkdir(0o750)
        else:
            target.touch(0o640, exist_ok=False)
    except FileExistsError:
        if target.is_dir() != directory or target.is_symlink():
            kind = "a directory" if directory else "a file"
            msg = f"failed to {action}: target_path {target_path!r} exists and is not {kind}"
            raise FailedPreconditionError(msg) from None
        return False
    return True


def remove_target(target_path: str) -> None:
    """Unmount ``target_path`` and remove it (directory or file); missing is success."""
    _mount.unmount(target_path)
    target = Path(target_path)
    with contextlib.suppress(FileNotFoundError):
        if target.is_dir() and not target.is_symlink():
            target.rmdir()
        else:
            target.unlink()


__all__ = [
    "SHARED_MODES",
    "SINGLE_NODE_MODES",
    "VENDOR_VERSION",
    "check_capability",
    "ensure_target",
    "mount_flags",
    "publish_digest",
    "remove_target",
    "require",
    "unsupported_reason",
]

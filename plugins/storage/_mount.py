"""Mounts for the storage plugins: mount(2) and umount2(2) through ctypes, and mountinfo.

Every mount syscall of the storage plugins goes through this module, so that
errno is mapped to :mod:`podkit.errors` in one place (as the network plugins
map netlink errors in one module). ``/proc/self/mountinfo`` (proc(5)) tells
what is mounted where.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
from pathlib import Path
from typing import Final

import attrs

from podkit.errors import (
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    PodkitError,
    ResourceExhaustedError,
)

# <sys/mount.h>
MS_RDONLY: Final = 0x1
MS_NOSUID: Final = 0x2
MS_NODEV: Final = 0x4
MS_NOEXEC: Final = 0x8
MS_REMOUNT: Final = 0x20
MS_NOATIME: Final = 0x400
MS_NODIRATIME: Final = 0x800
MS_BIND: Final = 0x1000
MS_REC: Final = 0x4000
MS_PRIVATE: Final = 1 << 18
MS_RELATIME: Final = 1 << 21
MNT_DETACH: Final = 0x2
UMOUNT_NOFOLLOW: Final = 0x8

#: The mount options a MountVolume's ``mount_flags`` may carry, as flags of a
#: bind remount.
FLAG_OPTIONS: Final = {
    "ro": MS_RDONLY,
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
}
_MOUNTINFO: Final = Path("/proc/self/mountinfo")
#: The most mounts stacked on one path that :func:`unmount` takes off.
_MAX_STACKED: Final = 64
_ERRORS: Final[dict[int, type[PodkitError]]] = {
    errno.ENOENT: NotFoundError,
    errno.ENOTDIR: FailedPreconditionError,
    errno.EBUSY: FailedPreconditionError,
    errno.EINVAL: InvalidArgumentError,
    errno.EPERM: PermissionDeniedError,
    errno.EACCES: PermissionDeniedError,
    errno.ENOSPC: ResourceExhaustedError,
    errno.ENOMEM: ResourceExhaustedError,
}

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_libc.mount.argtypes = (
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_char_p,
)
_libc.umount2.argtypes = (ctypes.c_char_p, ctypes.c_int)


def _fail(verb: str, target: str, err: int) -> PodkitError:
    cls = _ERRORS.get(err, InternalError)
    return cls(f"failed to {verb} {target!r}: {os.strerror(err)} ({errno.errorcode.get(err)})")


def mount(source: str, target: str, fstype: str, flags: int, data: str = "") -> None:
    """Call the mount syscall; raise the :mod:`podkit.errors` class that fits errno."""
    result = _libc.mount(
        source.encode(), target.encode(), fstype.encode() or None, flags, data.encode() or None
    )
    if result != 0:
        verb = f"mount {source!r} ({fstype or 'bind'}) on"
        raise _fail(verb, target, ctypes.get_errno())


def bind(source: str, target: str, *, flags: int = 0) -> None:
    """Bind-mount ``source`` at ``target``, private, then apply ``flags`` (e.g. MS_RDONLY).

    A bind mount ignores flags other than MS_REC: they take a remount
    (mount(2), "Creating a bind mount"), hence MS_RDONLY|MS_BIND|MS_REMOUNT.
    On failure after the first step, the bind mount is undone.
    """
    mount(source, target, "", MS_BIND)
    try:
        mount("", target, "", MS_PRIVATE)
        if flags:
            mount("", target, "", MS_BIND | MS_REMOUNT | _kept_flags(target) | flags)
    except PodkitError:
        unmount(target)
        raise


def _kept_flags(target: str) -> int:
    # A bind remount sets the mount's flags to exactly those given: keep the
    # nosuid/nodev/noexec the bind mount inherited from its source, or a
    # read-only remount would lift them (the kernel keeps the atime flags).
    entry = find_mount(target)
    options = entry.options if entry else frozenset()
    return sum(FLAG_OPTIONS[o] for o in ("nosuid", "nodev", "noexec") if o in options)


def mount_tmpfs(target: str, *, size: int | None, mode: int = 0o755) -> None:
    """Mount a private tmpfs of ``size`` bytes (None: the default) at ``target`` (nosuid, nodev)."""
    options = f"mode={mode:o}" + (f",size={size}" if size else "")
    mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options)
    try:
        mount("", target, "", MS_PRIVATE)
    except PodkitError:
        unmount(target)
        raise


def remount(target: str, *, flags: int, bind_mount: bool) -> None:
    """Change the flags of the mount at ``target`` (e.g. to or from read-only)."""
    mount("", target, "", MS_REMOUNT | (MS_BIND if bind_mount else 0) | flags)


def unmount(target: str) -> None:
    """Unmount ``target`` lazily (MNT_DETACH); not mounted, or missing, is success."""
    for _ in range(_MAX_STACKED):  # stacked mounts: take them all
        if not is_mount_point(target):
            return
        if _libc.umount2(target.encode(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0:
            err = ctypes.get_errno()
            if err in {errno.EINVAL, errno.ENOENT}:  # raced: not a mount point any more
                return
            verb = "unmount"
            raise _fail(verb, target, err)
    msg = f"failed to unmount {target!r}: still mounted after {_MAX_STACKED} unmounts"
    raise InternalError(msg)


@attrs.frozen(kw_only=True)
class MountEntry:
    """One line of ``/proc/self/mountinfo``: the fields the plugins use."""

    root: str
    mount_point: str
    options: frozenset[str]
    fstype: str
    source: str
    super_options: frozenset[str]

    @property
    def read_only(self) -> bool:
        """Whether the mount (not its filesystem) is read-only."""
        return "ro" in self.options


def _unescape(field: str) -> str:
    # proc(5): space, tab, newline and backslash are escaped as octal (\040...).
    return field.encode().decode("unicode_escape").encode("latin-1").decode()


def _parse(line: str) -> MountEntry:
    fields, _, tail = line.partition(" - ")
    head = fields.split()
    fstype, source, super_options = [*tail.split(), ""][:3]
    return MountEntry(
        root=_unescape(head[3]),
        mount_point=_unescape(head[4]),
        options=frozenset(head[5].split(",")),
        fstype=fstype,
        source=_unescape(source),
        super_options=frozenset(super_options.split(",")),
    )


def mounts() -> list[MountEntry]:
    """The mounts of this process's mount namespace, in mount order."""
    return [_parse(line) for line in _MOUNTINFO.read_text().splitlines() if line]


def find_mount(path: str) -> MountEntry | None:
    """The topmost mount at ``path`` exactly, or ``None`` when nothing is mounted there."""
    real = os.path.realpath(path)
    found = [m for m in mounts() if m.mount_point == real]
    return found[-1] if found else None


def is_mount_point(path: str) -> bool:
    """Whether something is mounted at ``path``."""
    return find_mount(path) is not None


__all__ = [
    "FLAG_OPTIONS",
    "MNT_DETACH",
    "MS_BIND",
    "MS_NOATIME",
    "MS_NODEV",
    "MS_NODIRATIME",
    "MS_NOEXEC",
    "MS_NOSUID",
    "MS_PRIVATE",
    "MS_RDONLY",
    "MS_REC",
    "MS_RELATIME",
    "MS_REMOUNT",
    "UMOUNT_NOFOLLOW",
    "MountEntry",
    "bind",
    "find_mount",
    "is_mount_point",
    "mount",
    "mount_tmpfs",
    "remount",
    "unmount",
]

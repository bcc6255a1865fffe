"""The Linux system calls a container is made of, through ctypes, in one place.

Python's :mod:`os` has no ``unshare``, ``setns``, ``mount``, ``umount2``,
``pivot_root``, ``capset`` or ``prctl``; this module binds them from libc (or
``syscall(2)`` where glibc has no wrapper) and turns a failure into
:class:`OSError` with the errno, as :mod:`os` does. It imports only the
standard library, so that the small per-container monitor process stays small.
"""

from __future__ import annotations

import ctypes
import os
from typing import Final

_libc: Final = ctypes.CDLL(None, use_errno=True)
#: prctl(2): set the calling thread's name.
PR_SET_NAME: Final = 15

# sched.h: namespace flags for unshare(2) and setns(2).
CLONE_NEWNS: Final = 0x00020000
CLONE_NEWUTS: Final = 0x04000000
CLONE_NEWIPC: Final = 0x08000000
CLONE_NEWNET: Final = 0x40000000
CLONE_NEWPID: Final = 0x20000000
CLONE_NEWCGROUP: Final = 0x02000000

# sys/mount.h: mount(2) flags.
MS_RDONLY: Final = 1
MS_NOSUID: Final = 2
MS_NODEV: Final = 4
MS_NOEXEC: Final = 8
MS_REMOUNT: Final = 32
MS_BIND: Final = 4096
MS_REC: Final = 16384
MS_PRIVATE: Final = 1 << 18
MS_SLAVE: Final = 1 << 19
MS_SHARED: Final = 1 << 20
MNT_DETACH: Final = 2

# linux/prctl.h.
PR_SET_PDEATHSIG: Final = 1
PR_SET_KEEPCAPS: Final = 8
PR_CAPBSET_DROP: Final = 24
PR_SET_NO_NEW_PRIVS: Final = 38
PR_CAP_AMBIENT: Final = 47
PR_CAP_AMBIENT_RAISE: Final = 2

# linux/capability.h: _LINUX_CAPABILITY_VERSION_3, two 32-bit words per set.
_CAP_VERSION_3: Final = 0x20080522

# asm/unistd.h: calls without a glibc wrapper, per architecture.
_SYSCALLS: Final = {
    "x86_64": {"pivot_root": 155, "capget": 125, "capset": 126},
    "aarch64": {"pivot_root": 41, "capget": 90, "capset": 91},
}
_NUMBERS: Final = _SYSCALLS.get(os.uname().machine, _SYSCALLS["x86_64"])


def _check(result: int, what: str, *args: object) -> int:
    if result < 0:
        errno = ctypes.get_errno()
        detail = " ".join(str(a) for a in args if a is not None)
        raise OSError(errno, f"{what}({detail}): {os.strerror(errno)}")
    return result


def _bytes(value: str | os.PathLike[str] | None) -> bytes | None:
    return None if value is None else os.fsencode(value)


def unshare(flags: int) -> None:
    """Move the calling thread into new namespaces (``unshare(2)``)."""
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare", hex(flags))


def setns(fd: int, nstype: int = 0) -> None:
    """Join the namespace that ``fd`` (an ``/proc/<pid>/ns/*`` file) refers to."""
    _check(_libc.setns(ctypes.c_int(fd), ctypes.c_int(nstype)), "setns", fd, hex(nstype))


def setns_path(path: str | os.PathLike[str], nstype: int = 0) -> None:
    """Join the namespace a file refers to (a bind-mounted ns file or ``/proc/<pid>/ns/*``)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        setns(fd, nstype)
    finally:
        os.close(fd)


def mount(
    source: str | os.PathLike[str] | None,
    target: str | os.PathLike[str],
    fstype: str | None = None,
    flags: int = 0,
    data: str | None = None,
) -> None:
    """Mount a file system or make a bind mount (``mount(2)``)."""
    result = _libc.mount(
        _bytes(source),
        _bytes(target),
        _bytes(fstype),
        ctypes.c_ulong(flags),
        _bytes(data),
    )
    _check(result, "mount", source, target, fstype, hex(flags))


def umount2(target: str | os.PathLike[str], flags: int = 0) -> None:
    """Unmount ``target`` (``umount2(2)``)."""
    _check(_libc.umount2(_bytes(target), ctypes.c_int(flags)), "umount2", target)


def pivot_root(new_root: str | os.PathLike[str], put_old: str | os.PathLike[str]) -> None:
    """Change the root mount of the calling process's mount namespace."""
    number = ctypes.c_long(_NUMBERS["pivot_root"])
    _check(_libc.syscall(number, _bytes(new_root), _bytes(put_old)), "pivot_root", new_root)


def prctl(option: int, arg2: int = 0, arg3: int = 0) -> int:
    """Call ``prctl(2)`` with up to two arguments."""
    args = (ctypes.c_ulong(arg2), ctypes.c_ulong(arg3), ctypes.c_ulong(0), ctypes.c_ulong(0))
    return _check(_libc.prctl(ctypes.c_int(option), *args), "prctl", option, arg2)


def name_process(name: bytes) -> None:
    """Set the name ``ps`` shows (``comm``, 15 bytes at most; ``PR_SET_NAME``); never fails."""
    buffer = ctypes.create_string_buffer(name[:15])
    try:
        prctl(PR_SET_NAME, ctypes.addressof(buffer))
    except OSError:
        return


def sethostname(name: str) -> None:
    """Set the hostname of the calling thread's UTS namespace."""
    raw = name.encode()
    _check(_libc.sethostname(raw, ctypes.c_size_t(len(raw))), "sethostname", name)


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    )


def capset(effective: int, permitted: int, inheritable: int) -> None:
    """Set the calling thread's capability sets, as 64-bit masks (``capset(2)``)."""
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    for word in (0, 1):
        shift = 32 * word
        data[word].effective = (effective >> shift) & 0xFFFFFFFF
        data[word].permitted = (permitted >> shift) & 0xFFFFFFFF
        data[word].inheritable = (inheritable >> shift) & 0xFFFFFFFF
    number = ctypes.c_long(_NUMBERS["capset"])
    _check(_libc.syscall(number, ctypes.byref(header), data), "capset", hex(effective))


def capget() -> tuple[int, int, int]:
    """Return the calling thread's effective, permitted and inheritable sets."""
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    number = ctypes.c_long(_NUMBERS["capget"])
    _check(_libc.syscall(number, ctypes.byref(header), data), "capget")
    eff = data[0].effective | (data[1].effective << 32)
    prm = data[0].permitted | (data[1].permitted << 32)
    inh = data[0].inheritable | (data[1].inheritable << 32)
    return eff, prm, inh


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


_PR_SET_SECCOMP: Final = 22
_SECCOMP_MODE_FILTER: Final = 2
_BPF_INSTRUCTION: Final = 8


def load_seccomp(program: bytes) -> None:
    """Install a seccomp BPF filter on the calling thread (``PR_SET_SECCOMP``).

    It needs ``no_new_privs`` set or ``CAP_SYS_ADMIN``; it lasts across ``execve``.
    """
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // _BPF_INSTRUCTION, ctypes.addressof(buffer))
    result = _libc.prctl(
        ctypes.c_int(_PR_SET_SECCOMP),
        ctypes.c_ulong(_SECCOMP_MODE_FILTER),
        ctypes.c_void_p(ctypes.addressof(fprog)),
        ctypes.c_ulong(0),
        ctypes.c_ulong(0),
    )
    _check(result, "prctl(PR_SET_SECCOMP)", len(program))


__all__ = [
    "CLONE_NEWCGROUP",
    "CLONE_NEWIPC",
    "CLONE_NEWNET",
    "CLONE_NEWNS",
    "CLONE_NEWPID",
    "CLONE_NEWUTS",
    "MNT_DETACH",
    "MS_BIND",
    "MS_NODEV",
    "MS_NOEXEC",
    "MS_NOSUID",
    "MS_PRIVATE",
    "MS_RDONLY",
    "MS_REC",
    "MS_REMOUNT",
    "MS_SHARED",
    "MS_SLAVE",
    "PR_CAPBSET_DROP",
    "PR_CAP_AMBIENT",
    "PR_CAP_AMBIENT_RAISE",
    "PR_SET_KEEPCAPS",
    "PR_SET_NAME",
    "PR_SET_NO_NEW_PRIVS",
    "PR_SET_PDEATHSIG",
    "capget",
    "capset",
    "load_seccomp",
    "mount",
    "name_process",
    "pivot_root",
    "prctl",
    "sethostname",
    "setns",
    "setns_path",
    "umount2",
    "unshare",
]

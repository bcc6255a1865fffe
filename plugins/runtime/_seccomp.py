"""seccomp: a container's profile, compiled to the BPF program its init loads before ``execve``.

CRI's ``security_context.seccomp`` names the profile: ``RuntimeDefault``
(:data:`RUNTIME_DEFAULT`, this runtime's own), ``Localhost`` (a JSON profile
on the node, in the OCI runtime-spec ``linux.seccomp`` form or Docker's, with
``includes``/``excludes`` by capability and architecture), ``Unconfined`` or
none (no filter). A privileged container gets none, as with containerd.

The plugin compiles the profile with libseccomp (through ctypes; the
library, ``libseccomp2``, is what runc and crun use too) into a BPF program
at CreateContainer, once per distinct profile and capability set, and puts
it in the launch spec; the init (:mod:`._init`) and every ExecSync process
(:mod:`._nsexec`) load it with one ``prctl`` just before ``execve``, so the
start path pays no compilation.

:data:`RUNTIME_DEFAULT` allows every system call but those that a container
without the matching capability has no business making (loading kernel
modules, ``kexec``, ``reboot``, the system clock, swap, the kernel keyring,
``bpf``, ``perf_event_open``, mounts and new namespaces, ``ptrace``-like
access to other processes' memory...): they fail with ``EPERM``, and
``clone3``, whose flags no filter can read, with ``ENOSYS`` so that the C
library falls back to ``clone``. Each group is allowed again when the
container has its capability (``CAP_SYS_ADMIN`` for mounts and namespaces,
and so on), as Docker's default profile does.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import ctypes.util
import errno
import functools
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from podkit import errors
from podkit.models.runtime import ProfileType
from podkit.plugins.runtime._process import CAPABILITIES

if TYPE_CHECKING:
    from podkit.models.runtime import SecurityProfile

_CLONE_NAMESPACE_FLAGS: Final = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
)
#: System calls the default profile refuses unless the container has the capability.
_GATED: Final = (
    (
        "CAP_SYS_ADMIN",
        (
            "mount",
            "umount",
            "umount2",
            "pivot_root",
            "unshare",
            "setns",
            "quotactl",
            "lookup_dcookie",
            "fanotify_init",
            "fsopen",
            "fsconfig",
            "fsmount",
            "fspick",
            "move_mount",
            "open_tree",
            "mount_setattr",
            "swapon",
            "swapoff",
            "vm86",
            "vm86old",
            "nfsservctl",
        ),
    ),
    ("CAP_DAC_READ_SEARCH", ("open_by_handle_at", "name_to_handle_at")),
    (
        "CAP_SYS_MODULE",
        ("init_module", "finit_module", "delete_module", "create_module", "query_module"),
    ),
    ("CAP_SYS_BOOT", ("reboot", "kexec_load", "kexec_file_load")),
    ("CAP_SYS_TIME", ("settimeofday", "stime", "clock_settime", "clock_adjtime")),
    ("CAP_SYS_RAWIO", ("iopl", "ioperm")),
    ("CAP_SYS_PACCT", ("acct",)),
    ("CAP_SYSLOG", ("syslog",)),
    ("CAP_SYS_PTRACE", ("process_vm_readv", "process_vm_writev", "kcmp", "userfaultfd")),
    ("CAP_SYS_NICE", ("mbind", "set_mempolicy", "move_pages", "migrate_pages")),
    ("CAP_BPF", ("bpf",)),
    ("CAP_PERFMON", ("perf_event_open",)),
)
#: Refused whatever the capabilities: obsolete or kernel-global.
_ALWAYS_REFUSED: Final = (
    "add_key",
    "request_key",
    "keyctl",
    "uselib",
    "ustat",
    "sysfs",
    "_sysctl",
    "get_kernel_syms",
)


def _runtime_default() -> dict[str, Any]:
    """The default profile, in the Docker form (``includes``/``excludes`` by capability)."""
    rules: list[dict[str, Any]] = [
        {"names": list(_ALWAYS_REFUSED), "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EPERM},
        {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.ENOSYS},
    ]
    for cap, names in _GATED:
        rules.append(
            {
                "names": list(names),
                "action": "SCMP_ACT_ERRNO",
                "errnoRet": errno.EPERM,
                "excludes": {"caps": [cap]},
            }
        )
    # clone(2) making a namespace: its flags are argument 0 (x86 and arm64 alike).
    rules.extend(
        {
            "names": ["clone"],
            "action": "SCMP_ACT_ERRNO",
            "errnoRet": errno.EPERM,
            "args": [{"index": 0, "value": flag, "valueTwo": flag, "op": "SCMP_CMP_MASKED_EQ"}],
            "excludes": {"caps": ["CAP_SYS_ADMIN"]},
        }
        for flag in _CLONE_NAMESPACE_FLAGS
    )
    return {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": rules}


RUNTIME_DEFAULT: Final = _runtime_default()
_RUNTIME_DEFAULT_JSON: Final = json.dumps(RUNTIME_DEFAULT, sort_keys=True)

_ACT_KILL_PROCESS: Final = 0x80000000
_ACT_KILL_THREAD: Final = 0x00000000
_ACT_TRAP: Final = 0x00030000
_ACT_ERRNO: Final = 0x00050000
_ACT_TRACE: Final = 0x7FF00000
_ACT_LOG: Final = 0x7FFC0000
_ACT_ALLOW: Final = 0x7FFF0000
_OPS: Final = {
    "SCMP_CMP_NE": 1,
    "SCMP_CMP_LT": 2,
    "SCMP_CMP_LE": 3,
    "SCMP_CMP_EQ": 4,
    "SCMP_CMP_GE": 5,
    "SCMP_CMP_GT": 6,
    "SCMP_CMP_MASKED_EQ": 7,
}
_NR_ERROR: Final = -1
_MAX_ARGS: Final = 6


class _ArgCmp(ctypes.Structure):
    _fields_ = (
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    )


@functools.cache
def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError as exc:
        msg = f"seccomp profiles need libseccomp (apt-get install libseccomp2): {exc}"
        raise errors.FailedPreconditionError(msg) from exc
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = (ctypes.c_uint32,)
    lib.seccomp_release.argtypes = (ctypes.c_void_p,)
    lib.seccomp_arch_resolve_name.restype = ctypes.c_uint32
    lib.seccomp_arch_resolve_name.argtypes = (ctypes.c_char_p,)
    lib.seccomp_arch_add.argtypes = (ctypes.c_void_p, ctypes.c_uint32)
    lib.seccomp_syscall_resolve_name.argtypes = (ctypes.c_char_p,)
    lib.seccomp_rule_add_array.argtypes = (
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    )
    lib.seccomp_export_bpf.argtypes = (ctypes.c_void_p, ctypes.c_int)
    return lib


def _invalid(where: str, why: str) -> errors.InvalidArgumentError:
    return errors.InvalidArgumentError(f"invalid seccomp profile {where}: {why}")


def _action(name: object, errno_ret: object, where: str) -> int:
    value = 0 if errno_ret is None else errno_ret
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 0xFFFF:  # noqa: PLR2004
        raise _invalid(where, f"errnoRet {errno_ret!r} is not an errno")
    actions = {
        "SCMP_ACT_KILL": _ACT_KILL_THREAD,
        "SCMP_ACT_KILL_THREAD": _ACT_KILL_THREAD,
        "SCMP_ACT_KILL_PROCESS": _ACT_KILL_PROCESS,
        "SCMP_ACT_TRAP": _ACT_TRAP,
        "SCMP_ACT_ERRNO": _ACT_ERRNO | (value or errno.EPERM),
        "SCMP_ACT_TRACE": _ACT_TRACE | (value or errno.EPERM),
        "SCMP_ACT_LOG": _ACT_LOG,
        "SCMP_ACT_ALLOW": _ACT_ALLOW,
    }
    if name not in actions:
        known = ", ".join(actions)
        raise _invalid(where, f"action {name!r} is not one of {known}")
    return actions[name]


def _capability_number(name: object) -> int | None:
    bare = name.upper().removeprefix("CAP_") if isinstance(name, str) else ""
    return CAPABILITIES.index(bare) if bare in CAPABILITIES else None


def _condition(condition: object, where: str) -> tuple[list[int | None], list[str]]:
    """The capability numbers (``None``: unknown) and arches of ``includes``/``excludes``."""
    if condition is None:
        return [], []
    if not isinstance(condition, dict):
        raise _invalid(where, "includes/excludes must be an object")
    caps = [_capability_number(cap) for cap in condition.get("caps") or ()]
    return caps, [str(arch) for arch in condition.get("arches") or ()]


def _matches(condition: object, caps: int, arches: frozenset[str], where: str) -> bool:
    """Whether an ``includes`` condition holds (every capability, one of the arches)."""
    needed, listed = _condition(condition, where)
    has_all = all(number is not None and caps & (1 << number) for number in needed)
    return has_all and (not listed or not arches.isdisjoint(listed))


def _excluded(condition: object, caps: int, arches: frozenset[str], where: str) -> bool:
    """Whether an ``excludes`` condition holds (any capability, any of the arches)."""
    listed_caps, listed = _condition(condition, where)
    has_any = any(number is not None and caps & (1 << number) for number in listed_caps)
    return has_any or not arches.isdisjoint(listed)


def _arg_array(args: object, where: str) -> ctypes.Array[_ArgCmp]:
    if not isinstance(args, list) or len(args) > _MAX_ARGS:
        raise _invalid(where, "args must be a list of at most six comparisons")
    array = (_ArgCmp * max(len(args), 1))()
    for i, arg in enumerate(args):
        if not isinstance(arg, dict) or arg.get("op") not in _OPS:
            raise _invalid(where, f"args[{i}] needs an op, one of {', '.join(_OPS)}")
        try:
            array[i] = _ArgCmp(
                int(arg.get("index", 0)),
                _OPS[arg["op"]],
                int(arg.get("value", 0)),
                int(arg.get("valueTwo", 0)),
            )
        except (TypeError, ValueError, OverflowError) as exc:
            raise _invalid(where, f"args[{i}]: {exc}") from exc
    return array


def _native_arches() -> frozenset[str]:
    """The names of this machine's architecture in profiles: Go's (Docker's) and libseccomp's."""
    machine = os.uname().machine
    go_name = {"x86_64": "amd64", "aarch64": "arm64", "i686": "386"}.get(machine, machine)
    return frozenset({machine, go_name, f"SCMP_ARCH_{machine.upper()}"})


def compile_profile(profile: dict[str, Any], caps: int) -> bytes:
    """The BPF program of ``profile`` for a process with capabilities ``caps``.

    :raises podkit.errors.InvalidArgumentError: the profile is malformed.
    """
    return _compile(json.dumps(profile, sort_keys=True), caps)


@functools.lru_cache(maxsize=64)
def _compile(profile_json: str, caps: int) -> bytes:
    profile = json.loads(profile_json)
    lib = _library()
    default = _action(profile.get("defaultAction"), profile.get("defaultErrnoRet"), "defaultAction")
    ctx = lib.seccomp_init(default)
    if not ctx:
        where = "defaultAction"
        raise _invalid(where, "libseccomp refused it")
    try:
        arches = _native_arches()
        for name in _architectures(profile):
            token = lib.seccomp_arch_resolve_name(name.removeprefix("SCMP_ARCH_").lower().encode())
            if token and lib.seccomp_arch_add(ctx, token) not in {0, -errno.EEXIST}:
                where = "architectures"
                raise _invalid(where, f"libseccomp refused {name}")
        for i, rule in enumerate(profile.get("syscalls") or ()):
            where = f"syscalls[{i}]"
            _add_rule(lib, ctx, rule, default=default, caps=caps, arches=arches, where=where)
        return _export(lib, ctx)
    finally:
        lib.seccomp_release(ctx)


def _architectures(profile: dict[str, Any]) -> list[str]:
    names = [a for a in profile.get("architectures") or () if isinstance(a, str)]
    for entry in profile.get("archMap") or ():  # Docker's form
        if isinstance(entry, dict):
            names.append(str(entry.get("architecture", "")))
            names.extend(str(a) for a in entry.get("subArchitectures") or ())
    return [n for n in names if n]


def _add_rule(  # noqa: PLR0913 - one rule of a profile and its context
    lib: ctypes.CDLL,
    ctx: int,
    rule: object,
    *,
    default: int,
    caps: int,
    arches: frozenset[str],
    where: str,
) -> None:
    if not isinstance(rule, dict):
        raise _invalid(where, "a rule must be an object")
    if not _matches(rule.get("includes"), caps, arches, where) or _excluded(
        rule.get("excludes"), caps, arches, where
    ):
        return
    action = _action(rule.get("action"), rule.get("errnoRet"), where)
    if action == default:
        return  # libseccomp refuses a rule that changes nothing
    names = rule.get("names") or ([rule["name"]] if rule.get("name") else [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise _invalid(where, "names must be a list of system call names")
    args = _arg_array(rule.get("args") or [], where)
    count = len(rule.get("args") or [])
    for name in names:
        number = lib.seccomp_syscall_resolve_name(name.encode())
        if number == _NR_ERROR:
            continue  # not a system call of this kernel's architectures: as runc does
        result = lib.seccomp_rule_add_array(ctx, action, number, count, args)
        if result < 0:
            raise _invalid(where, f"libseccomp refused the rule for {name}: {os.strerror(-result)}")


def _export(lib: ctypes.CDLL, ctx: int) -> bytes:
    read_end, write_end = os.pipe2(os.O_CLOEXEC)
    try:
        # A program is at most 4096 instructions of 8 bytes: it fits the pipe.
        with contextlib.suppress(OSError):
            os.set_blocking(write_end, False)
        result = lib.seccomp_export_bpf(ctx, write_end)
        os.close(write_end)
        write_end = -1
        if result < 0:
            msg = f"failed to compile the seccomp profile: {os.strerror(-result)}"
            raise errors.InternalError(msg)
        chunks = []
        while chunk := os.read(read_end, 65536):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)


def _load_localhost(path: str) -> dict[str, Any]:
    if not Path(path).is_absolute():
        raise _invalid(repr(path), "localhost_ref must be an absolute path on the node")
    try:
        profile = json.loads(Path(path).read_bytes())
    except FileNotFoundError as exc:
        raise _invalid(repr(path), "no such file") from exc
    except (OSError, ValueError) as exc:
        raise _invalid(repr(path), str(exc)) from exc
    if not isinstance(profile, dict):
        raise _invalid(repr(path), "not a JSON object")
    return profile


def program_for(profile: SecurityProfile | None, caps: int, *, privileged: bool) -> str:
    """The base64 BPF program a container's processes load; ``""`` for none.

    :param caps: the container's capability set (bits by capability number).
    :raises podkit.errors.InvalidArgumentError: a Localhost profile is missing or malformed.
    """
    if privileged or profile is None or profile.profile_type is ProfileType.UNCONFINED:
        return ""
    if profile.profile_type is ProfileType.LOCALHOST:
        chosen = json.dumps(_load_localhost(profile.localhost_ref), sort_keys=True)
    else:
        chosen = _RUNTIME_DEFAULT_JSON  # its cache key, made once
    return base64.b64encode(_compile(chosen, caps)).decode()


__all__ = ["RUNTIME_DEFAULT", "compile_profile", "program_for"]

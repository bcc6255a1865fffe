"""The container's first process, from fork to ``execve``: what runc's init does.

The monitor forks this after it entered (or unshared) the PID namespace, so
the process is PID 1 of a new namespace or a member of the pod's. It joins
the container's cgroup first, so that everything after is accounted (itself
on cgroup v1; on v2 the monitor moves it while it builds the root), then
the sandbox's network, IPC and UTS namespaces, unshares a mount namespace,
builds the root file system (overlayfs, ``/proc``, a minimal ``/dev``,
``/sys``, the sandbox's DNS files, the configured mounts), pivots into it,
drops privileges (user, groups, capabilities, ``no_new_privs``) and execs
the command. A failure is written to the error pipe, which the monitor
reads; success closes the pipe (close-on-exec). The spec is the JSON that
:mod:`._spec` wrote. Standard library and ctypes only.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import os
import signal
import stat
from typing import Any, Final, NoReturn

from podkit.plugins.runtime import _syscalls as sc

# The init works on ``str`` paths, which go to the syscalls as they are and
# cost nothing to build before every exec: os.path, not pathlib, on purpose.
# ruff: noqa: PTH102, PTH103, PTH110, PTH112, PTH114, PTH115, PTH118, PTH120, PTH211

_NOSUID_NODEV_NOEXEC: Final = sc.MS_NOSUID | sc.MS_NODEV | sc.MS_NOEXEC
#: The character devices of a container's ``/dev`` (devices.txt numbers), as runc's defaults.
_DEVICES: Final = {
    "null": (1, 3),
    "zero": (1, 5),
    "full": (1, 7),
    "random": (1, 8),
    "urandom": (1, 9),
    "tty": (5, 0),
}
_DEV_LINKS: Final = (
    ("fd", "/proc/self/fd"),
    ("stdin", "/proc/self/fd/0"),
    ("stdout", "/proc/self/fd/1"),
    ("stderr", "/proc/self/fd/2"),
    ("ptmx", "pts/ptmx"),
    ("core", "/proc/kcore"),
)
_PROPAGATION: Final = {
    "private": sc.MS_REC | sc.MS_PRIVATE,
    "rslave": sc.MS_REC | sc.MS_SLAVE,
    "rshared": sc.MS_REC | sc.MS_SHARED,
}
_ETC_FILES: Final = ("hostname", "hosts", "resolv.conf")
#: What the monitor writes to the init once the init is in the container's cgroup.
CGROUPS_JOINED: Final = b"j"


def secure_join(root: str, path: str) -> str:
    """Resolve ``path`` inside ``root``, following symlinks without leaving ``root``."""
    parts = [p for p in path.split("/") if p not in {"", "."}]
    resolved: list[str] = []
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        candidate = os.path.join(root, *resolved, part)
        if os.path.islink(candidate):
            hops += 1
            if hops > 40:  # noqa: PLR2004 - the kernel's MAXSYMLINKS
                raise OSError(errno.ELOOP, f"too many symlinks in {path}")
            target = os.readlink(candidate)
            if target.startswith("/"):
                resolved = []
            parts = [p for p in target.split("/") if p not in {"", "."}] + parts
            continue
        resolved.append(part)
    return os.path.join(root, *resolved)


def _ensure(target: str, *, directory: bool) -> None:
    if os.path.lexists(target):
        return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if directory:
        os.mkdir(target, 0o755)
    else:
        with open(target, "a"):  # noqa: PTH123 - creates an empty file to mount over
            pass


def _bind(source: str, target: str, *, flags: int = 0, readonly: bool = False) -> None:
    _ensure(target, directory=os.path.isdir(source))
    sc.mount(source, target, None, sc.MS_BIND | sc.MS_REC)
    if readonly or flags:
        remount = sc.MS_BIND | sc.MS_REMOUNT | flags | (sc.MS_RDONLY if readonly else 0)
        sc.mount(None, target, None, remount)


def _mount_rootfs(spec: dict[str, Any]) -> str:
    rootfs = spec["rootfs"]
    target = rootfs["target"]
    lower = ":".join(rootfs["lower"])
    data = f"lowerdir={lower},upperdir={rootfs['upper']},workdir={rootfs['work']}"
    sc.mount("overlay", target, "overlay", 0, data)
    return str(target)


def _device(dev: str, name: str, major: int, minor: int) -> None:
    # A node of its own (no mount), as runc makes them outside a user
    # namespace; a bind mount of the node's where mknod is refused.
    target = f"{dev}/{name}"
    try:
        os.mknod(target, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    except PermissionError:
        _bind(f"/dev/{name}", target)
        return
    os.chmod(target, 0o666)  # noqa: PTH101, S103 - whatever the umask; as on the node


def _mount_dev(root: str) -> None:
    dev = secure_join(root, "/dev")
    _ensure(dev, directory=True)
    sc.mount("tmpfs", dev, "tmpfs", sc.MS_NOSUID, "mode=755,size=65536k")
    for name, (major, minor) in _DEVICES.items():
        _device(dev, name, major, minor)
    for name, target in _DEV_LINKS:
        os.symlink(target, f"{dev}/{name}")
    os.mkdir(f"{dev}/pts", 0o755)
    options = "newinstance,ptmxmode=0666,mode=0620,gid=5"
    sc.mount("devpts", f"{dev}/pts", "devpts", sc.MS_NOSUID | sc.MS_NOEXEC, options)
    os.mkdir(f"{dev}/shm", 0o1777)
    sc.mount("shm", f"{dev}/shm", "tmpfs", _NOSUID_NODEV_NOEXEC, "mode=1777,size=65536k")
    os.mkdir(f"{dev}/mqueue", 0o755)
    with contextlib.suppress(OSError):
        sc.mount("mqueue", f"{dev}/mqueue", "mqueue", _NOSUID_NODEV_NOEXEC)


def _mount_kernel_files(root: str, *, privileged: bool) -> None:
    proc = secure_join(root, "/proc")
    _ensure(proc, directory=True)
    sc.mount("proc", proc, "proc", _NOSUID_NODEV_NOEXEC)
    _mount_dev(root)
    sys_dir = secure_join(root, "/sys")
    _ensure(sys_dir, directory=True)
    readonly = 0 if privileged else sc.MS_RDONLY
    sc.mount("sysfs", sys_dir, "sysfs", _NOSUID_NODEV_NOEXEC | readonly)


def _mount_configured(root: str, spec: dict[str, Any]) -> None:
    taken = {m["destination"].rstrip("/") for m in spec["mounts"]}
    for name in _ETC_FILES:
        source = spec["etc"].get(name)
        if source and f"/etc/{name}" not in taken:
            _bind(source, secure_join(root, f"/etc/{name}"))
    for mount in spec["mounts"]:
        target = secure_join(root, mount["destination"])
        _bind(mount["source"], target, readonly=mount["readonly"])
        sc.mount(None, target, None, _PROPAGATION[mount["propagation"]])


def _pivot(root: str) -> None:
    # runc's pivotRoot: pivot_root(".", ".") stacks the old root under the
    # new one; detach it, leaving only the container's mounts.
    old = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    os.chdir(root)
    sc.pivot_root(".", ".")
    os.fchdir(old)
    os.close(old)
    sc.mount(None, ".", None, sc.MS_REC | sc.MS_SLAVE)
    sc.umount2(".", sc.MNT_DETACH)
    os.chdir("/")


def _mask(spec: dict[str, Any]) -> None:
    for path in spec["masked_paths"]:
        if not os.path.lexists(path):
            continue
        if os.path.isdir(path):
            sc.mount("tmpfs", path, "tmpfs", sc.MS_RDONLY)
        else:
            sc.mount("/dev/null", path, None, sc.MS_BIND)
    for path in spec["readonly_paths"]:
        if os.path.lexists(path):
            sc.mount(path, path, None, sc.MS_BIND | sc.MS_REC)
            sc.mount(None, path, None, sc.MS_BIND | sc.MS_REMOUNT | sc.MS_RDONLY | sc.MS_REC)


def _set_oom_score_adj(value: int | None) -> None:
    if value is None:
        return
    # Lowering it needs CAP_SYS_RESOURCE, which the agent may lack: keep the
    # inherited value then rather than failing the container.
    with contextlib.suppress(PermissionError), open("/proc/self/oom_score_adj", "w") as f:  # noqa: PTH123
        f.write(str(value))


_last_cap: list[int] = []


def cap_last_cap() -> int:
    """The highest capability number the kernel knows (read once per process)."""
    if not _last_cap:
        fd = os.open("/proc/sys/kernel/cap_last_cap", os.O_RDONLY | os.O_CLOEXEC)
        try:
            _last_cap.append(int(os.read(fd, 32)))
        finally:
            os.close(fd)
    return _last_cap[0]


def drop_privileges(process: dict[str, Any]) -> None:
    """Become the process's user with its capabilities; its seccomp filter comes with it.

    The filter is loaded while the process may (``CAP_SYS_ADMIN``) unless it
    asked for ``no_new_privs``, which allows it after; in both cases it
    filters everything from there to the command, ``execve`` included.
    """
    program = base64.b64decode(process["seccomp"]) if process.get("seccomp") else b""
    if program and not process["no_new_privs"]:
        sc.load_seccomp(program)
    _drop(process)
    if program and process["no_new_privs"]:
        sc.load_seccomp(program)


def _drop(process: dict[str, Any]) -> None:
    caps = int(process["capabilities"])
    last = cap_last_cap()
    for cap in range(last + 1):
        if not caps & (1 << cap):
            sc.prctl(sc.PR_CAPBSET_DROP, cap)
    sc.prctl(sc.PR_SET_KEEPCAPS, 1)
    os.setgroups(process["groups"])
    os.setgid(process["gid"])
    os.setuid(process["uid"])
    sc.prctl(sc.PR_SET_KEEPCAPS, 0)
    _, permitted, _ = sc.capget()
    caps &= permitted
    sc.capset(caps, caps, caps)
    for cap in range(last + 1):
        if int(process["ambient"]) & caps & (1 << cap):
            sc.prctl(sc.PR_CAP_AMBIENT, sc.PR_CAP_AMBIENT_RAISE, cap)
    if process["no_new_privs"]:
        sc.prctl(sc.PR_SET_NO_NEW_PRIVS, 1)


def split_cgroup_files(procs_files: list[str]) -> tuple[list[str], list[str]]:
    """The ``tasks`` files beside ``procs_files`` (cgroup v1), and those without one (v2)."""
    tasks: list[str] = []
    procs: list[str] = []
    for path in procs_files:
        sibling = os.path.join(os.path.dirname(path), "tasks")
        if os.path.exists(sibling):
            tasks.append(sibling)
        else:
            procs.append(path)
    return tasks, procs


def join_cgroups_self(tasks_files: list[str]) -> None:
    """Move the calling process, which must be single-threaded, into v1 cgroups.

    It writes ``0`` (itself) to each ``tasks`` file: a thread that moves
    itself does not take the global ``cgroup_threadgroup_rwsem`` (Linux 6.0,
    "cgroup: Optimize single thread migration"), whose write side waits for an
    RCU grace period (5-15 ms on this machine's VM, the longest step of a start)
    when no other migration happened just before. Only the thread moves, so
    the process must have no other thread: the monitor's child has none.
    """
    for path in tasks_files:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
        try:
            os.write(fd, b"0")
        finally:
            os.close(fd)


def join_cgroups(pid: int, procs_files: list[str]) -> None:
    """Move process ``pid`` into cgroups by their ``cgroup.procs`` (cgroup v2).

    The monitor does it for the init, while the init builds the root: the move
    takes ``cgroup_threadgroup_rwsem``, and the first move after a quiet while
    waits for an RCU grace period, several milliseconds that the init's mounts
    hide (runc's parent process does the same for ``runc init``). On cgroup v1
    the init moves itself, faster (:func:`join_cgroups_self`).
    """
    data = str(pid).encode()
    for procs in procs_files:
        fd = os.open(procs, os.O_WRONLY | os.O_CLOEXEC)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def _await_cgroups(go_fd: int) -> None:
    # Nothing of the command may run outside its cgroup: wait for the monitor.
    joined = os.read(go_fd, 1)
    os.close(go_fd)
    if joined != CGROUPS_JOINED:
        msg = "the monitor did not put the process into its cgroup"
        raise OSError(errno.EIO, msg)


def _enter(spec: dict[str, Any]) -> None:
    namespaces = spec["namespaces"]
    for name, flag in (
        ("net", sc.CLONE_NEWNET),
        ("ipc", sc.CLONE_NEWIPC),
        ("uts", sc.CLONE_NEWUTS),
    ):
        if namespaces.get(name):
            sc.setns_path(namespaces[name], flag)
    sc.unshare(sc.CLONE_NEWNS)
    sc.mount(None, "/", None, sc.MS_REC | sc.MS_SLAVE)


def _build_root(spec: dict[str, Any]) -> None:
    root = _mount_rootfs(spec)
    _mount_kernel_files(root, privileged=spec["privileged"])
    _mount_configured(root, spec)
    _pivot(root)
    _mask(spec)
    process = spec["process"]
    cwd = process["cwd"]
    os.makedirs(cwd, exist_ok=True)
    if spec["rootfs"]["readonly"]:
        sc.mount(None, "/", None, sc.MS_BIND | sc.MS_REMOUNT | sc.MS_RDONLY)
    os.chdir(cwd)


def reset_signals() -> None:
    """Give the command default signal dispositions and an empty mask, as runc does.

    Ignored signals survive ``execve``: the monitor ignores SIGTERM, SIGINT,
    SIGHUP and SIGPIPE, and Python ignores SIGXFSZ, so without this a shell
    entrypoint could not trap SIGTERM (POSIX forbids trapping what was
    ignored at start) and StopContainer would always end in SIGKILL.
    """
    for signum in signal.valid_signals():
        if signum in {signal.SIGKILL, signal.SIGSTOP}:
            continue
        # Python knows every disposition (read at start-up, or set since).
        with contextlib.suppress(OSError, ValueError):
            if signal.getsignal(signum) != signal.SIG_DFL:
                signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def run(
    spec: dict[str, Any],
    error_fd: int,
    go_fd: int,
    cgroup_tasks: list[str],
    *,
    signals_reset: bool = False,
) -> NoReturn:
    """Become the container's process; on failure report to ``error_fd`` and exit 127.

    The process first joins the cgroup v1 hierarchies of ``cgroup_tasks``
    itself (:func:`join_cgroups_self`). ``go_fd`` says when the monitor has
    put it into the others (cgroup v2, :func:`join_cgroups`); the command is
    exec'd only then. The process
    leads a session of its own: a signal to the group of the monitor, or of
    the zygote that forked it in advance, does not reach the container.
    ``signals_reset``: :func:`reset_signals` was called already (an init
    forked in advance does it while it waits).
    """
    try:
        os.setsid()
        join_cgroups_self(cgroup_tasks)
        _enter(spec)
        _build_root(spec)
        process = spec["process"]
        _set_oom_score_adj(process.get("oom_score_adj"))
        drop_privileges(process)
        env = dict(item.split("=", 1) for item in process["env"])
        _await_cgroups(go_fd)
        if not signals_reset:
            reset_signals()
        os.execvpe(process["args"][0], process["args"], env)  # noqa: S606 - the container's command
    except BaseException as exc:  # noqa: BLE001 - reported to the monitor, then exit
        message = str(exc) or type(exc).__name__
        if isinstance(exc, FileNotFoundError) and exc.filename is None:
            message = f"executable {spec['process']['args'][0]!r} not found: {exc.strerror}"
        with contextlib.suppress(OSError):
            os.write(error_fd, message.encode(errors="replace"))
    os._exit(127)


__all__ = [
    "CGROUPS_JOINED",
    "drop_privileges",
    "join_cgroups",
    "join_cgroups_self",
    "run",
    "secure_join",
    "split_cgroup_files",
]

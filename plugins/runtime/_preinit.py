"""A container init forked in advance: the spare monitor's child, waiting for its container.

Forking the container's first process used to be the longest step of
StartContainer after the zygote's: the monitor forked it on request, and the
child of a Python process starts slowly (the fork copies the page tables,
and the child's first steps fault in copy-on-write pages, 1.5-3 ms on this
machine's VM before the child ran a line of the init). The spare monitor
(:mod:`._zygote`) now forks it while it waits for a request: a process that
is PID 1 of a new PID namespace (the Kubernetes default, a container's own
namespace), its stdout and stderr already pipes, blocked on a pipe for the
directory of its container. On StartContainer the spare writes the
directory as soon as it has checked the request, and the init goes straight
to building the root (:mod:`._init`) while the spare becomes its monitor; a
container that joins another PID namespace (the pod's, a target's, the
node's) gets a fresh fork as before, and the waiting init is discarded.

The waiting init exits when the pipe closes without a directory: when the
spare becomes something else (an exec, a pod's PID namespace init), quits,
or dies with the zygote. Standard library only.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any, Final, NoReturn

from podkit.plugins.runtime import _init
from podkit.plugins.runtime import _syscalls as sc

_NAME: Final = b"podkit-preinit"
_READ: Final = 4096
_START_FAILED: Final = 127
#: A launch spec (:mod:`._spec`) of the usual shape, to parse while waiting (warm-ups).
SAMPLE_SPEC: Final = json.dumps(
    {
        "rootfs": {"lower": ["/l/1", "/l/2"], "upper": "/u", "work": "/w", "target": "/t"},
        "namespaces": {"net": "/n/net", "ipc": "/n/ipc", "uts": "/n/uts", "new_pid": True},
        "cgroup_procs": [f"/nonexistent/{c}/cgroup.procs" for c in ("cpu", "memory", "pids")],
        "oom_file": "/nonexistent/memory.oom_control",
        "mounts": [],
        "etc": {"hostname": "/s/hostname", "hosts": "/s/hosts", "resolv.conf": "/s/resolv"},
        "privileged": False,
        "masked_paths": ["/proc/acpi", "/proc/kcore", "/sys/firmware"],
        "readonly_paths": ["/proc/bus", "/proc/sys"],
        "log_path": "/l/0.log",
        "process": {
            "args": ["/bin/true"],
            "env": ["PATH=/usr/bin:/bin", "HOSTNAME=pod"],
            "cwd": "/",
            "uid": 0,
            "gid": 0,
            "groups": [],
            "capabilities": 0,
            "ambient": 0,
            "no_new_privs": False,
            "oom_score_adj": None,
        },
    }
)


class PreInit:
    """The parent's side of a waiting init: its PID and the pipes to it."""

    def __init__(  # noqa: PLR0913 - the pipes, one by one
        self, pid: int, *, job_w: int, out_r: int, err_r: int, sync_r: int, go_w: int
    ) -> None:
        self.pid = pid
        #: Where the directory of the container goes; closed after.
        self.job_w = job_w
        #: The container's stdout and stderr, read by the monitor.
        self.out_r = out_r
        self.err_r = err_r
        #: Closes at the init's exec, or brings its error (:func:`._init.run`).
        self.sync_r = sync_r
        #: Says that the init is in its cgroups (:data:`._init.CGROUPS_JOINED`).
        self.go_w = go_w

    def start(self, directory: str) -> None:
        """Send the init the directory of its container: it starts building the root."""
        try:
            os.write(self.job_w, directory.encode())
        finally:
            os.close(self.job_w)
            self.job_w = -1

    def discard(self) -> None:
        """Close every pipe: the waiting init reads no directory and exits."""
        for fd in (self.job_w, self.out_r, self.err_r, self.sync_r, self.go_w):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.job_w = self.out_r = self.err_r = self.sync_r = self.go_w = -1

    def wait_gone(self) -> None:
        """Wait for a discarded init to exit (it is reaped by the kernel or by us)."""
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def fork() -> PreInit | None:
    """Fork an init into a new PID namespace; ``None`` when the kernel refuses.

    The caller's own children go to its PID namespace again afterwards: only
    this child is in the new one.
    """
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    sync_r, sync_w = os.pipe2(os.O_CLOEXEC)
    go_r, go_w = os.pipe2(os.O_CLOEXEC)
    job_r, job_w = os.pipe2(os.O_CLOEXEC)
    child_ends = (out_w, err_w, sync_w, go_r, job_r)
    parent_ends = (out_r, err_r, sync_r, go_w, job_w)
    try:
        sc.unshare(sc.CLONE_NEWPID)
        pid = os.fork()
    except OSError:
        pid = -1
    if pid == 0:
        try:
            for fd in parent_ends:
                os.close(fd)
            _wait(job_r, out_w, err_w, sync_w, go_r)
        finally:  # never back into the spare's code
            os._exit(_START_FAILED)
    try:
        sc.setns_path("/proc/self/ns/pid", sc.CLONE_NEWPID)
    except OSError:
        os._exit(1)  # our children would land in a stale namespace: the zygote forks a new spare
    for fd in child_ends if pid > 0 else (*child_ends, *parent_ends):
        os.close(fd)
    if pid < 0:
        return None
    return PreInit(pid, job_w=job_w, out_r=out_r, err_r=err_r, sync_r=sync_r, go_w=go_w)


def _warm_up() -> None:
    """Take, while waiting, copy-on-write faults that the init's first steps would take.

    A fork shares every page with its parent; the first write to one (a
    reference count, an allocation) copies it, a few microseconds each, and
    the init takes hundreds between the spec and the exec. Going once through
    the harmless part of that path (a spec's parse, path joins, a ctypes
    call, the kernel's last capability) copies many of those pages before a
    container waits for them.
    """
    with contextlib.suppress(Exception):
        spec = json.loads(SAMPLE_SPEC)
        _init.split_cgroup_files(spec["cgroup_procs"])
        _init.secure_join("/", "/proc/self/../dev")
        env = dict(item.split("=", 1) for item in spec["process"]["env"])
        os.get_exec_path(env)
        sc.capget()
        _init.cap_last_cap()


def _wait(job_r: int, out_w: int, err_w: int, sync_w: int, go_r: int) -> NoReturn:
    """The child: stdio to the pipes, then wait for a directory and become its init."""
    sc.name_process(_NAME)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    for fd in (null, out_w, err_w):
        os.close(fd)
    _close_all_but((job_r, sync_w, go_r))  # the spare's socket and pipes are not ours
    _warm_up()
    # The command's dispositions and mask, now rather than between its root and its exec.
    _init.reset_signals()
    chunks = []
    while chunk := os.read(job_r, _READ):
        chunks.append(chunk)
    os.close(job_r)
    if not chunks:  # discarded
        os._exit(0)
    directory = b"".join(chunks).decode()
    try:
        spec = _read_spec(directory)
        tasks, _ = _init.split_cgroup_files(spec["cgroup_procs"])
    except BaseException as exc:  # noqa: BLE001 - reported to the monitor, then exit
        with contextlib.suppress(OSError):
            os.write(sync_w, (str(exc) or type(exc).__name__).encode(errors="replace"))
        os._exit(_START_FAILED)
    _init.run(spec, sync_w, go_r, tasks, signals_reset=True)


def _close_all_but(keep: tuple[int, ...]) -> None:
    """Close every descriptor above stderr but ``keep``."""
    low = 3
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, os.sysconf("SC_OPEN_MAX"))


def _read_spec(directory: str) -> dict[str, Any]:
    with open(os.path.join(directory, "spec.json"), "rb") as file:  # noqa: PTH118, PTH123
        spec: dict[str, Any] = json.loads(file.read())
    if not spec["namespaces"].get("new_pid"):
        msg = "the container does not ask for a PID namespace of its own"
        raise OSError(msg)
    return spec


__all__ = ["SAMPLE_SPEC", "PreInit", "fork"]

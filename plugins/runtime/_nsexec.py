"""Run one command inside a running container: the process side of ExecSync.

A fresh interpreter per exec cost ~40 ms of every ExecSync (the kubelet's exec
probes, ``podkit exec``); so the zygote's spare (:mod:`._zygote`), which is a
single-threaded fork of an interpreter that has this module loaded, becomes the
exec's process: :func:`serve`. It joins the container's cgroup, then its IPC,
UTS, network, PID and mount namespaces (those of the container's init,
``/proc/<pid>/ns/*``; a setns of a mount namespace needs a single-threaded
process, hence no thread of the agent), and forks: the child, in the
container's PID namespace and in a process group of its own, drops privileges
as the container's process did and execs the command, its stdout and stderr
the agent's pipes (passed with the request). The parent waits and writes, on
the zygote's connection, one JSON line::

    {"exit_code": <int>, "error": "<why the exec failed, or empty>"}
    {"failed": "<why the command could not be started>"}

Anything the agent sends (or its close) before the command exits means the
deadline passed: the parent kills the command's process group (the command
and its children), reaps it and answers. Standard library and ctypes only.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import sys
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeGuard

from podkit.plugins.runtime import _init
from podkit.plugins.runtime import _syscalls as sc

if TYPE_CHECKING:
    import socket

    from podkit.plugins.runtime._handoff import Handoff

_NAMESPACES: Final = (
    ("ipc", sc.CLONE_NEWIPC),
    ("uts", sc.CLONE_NEWUTS),
    ("net", sc.CLONE_NEWNET),
    ("pid", sc.CLONE_NEWPID),
    ("mnt", sc.CLONE_NEWNS),
)
_READ: Final = 65536
_CGROUP_ROOT: Final = "/sys/fs/cgroup/"
_EXEC_FAILED: Final = 127


def valid(request: object) -> TypeGuard[dict[str, Any]]:
    """Whether ``request`` is an exec request as the agent makes them."""
    if not isinstance(request, dict):
        return False
    args, procs = request.get("args"), request.get("cgroup_procs")
    return (
        isinstance(request.get("pid"), int)
        and isinstance(request.get("process"), dict)
        and isinstance(args, list)
        and bool(args)
        and all(isinstance(arg, str) for arg in args)
        and isinstance(procs, list)
        and all(isinstance(p, str) and p.startswith(_CGROUP_ROOT) for p in procs)
    )


def _enter(request: dict[str, Any]) -> None:
    tasks, procs_files = _init.split_cgroup_files(request["cgroup_procs"])
    with contextlib.suppress(OSError):
        _init.join_cgroups_self(tasks)  # cgroup v1: no wait for an RCU grace period
    for procs in procs_files:
        with contextlib.suppress(OSError), open(procs, "w") as f:  # noqa: PTH123
            f.write("0")
    pid = request["pid"]
    fds = [
        (os.open(f"/proc/{pid}/ns/{name}", os.O_RDONLY | os.O_CLOEXEC), flag)
        for name, flag in _NAMESPACES
    ]
    for fd, flag in fds:
        # Joining the namespace one already is in is fine (the node's IPC...).
        sc.setns(fd, flag)
        os.close(fd)


def _child(request: dict[str, Any], out_fd: int, err_fd: int, report_fd: int) -> NoReturn:
    process = request["process"]
    try:
        os.setpgid(0, 0)  # the timeout kills this group: the command and its children
        os.dup2(out_fd, 1)
        os.dup2(err_fd, 2)
        for fd in {out_fd, err_fd} - {1, 2}:  # received without close-on-exec
            os.close(fd)
        os.chdir(process["cwd"])
        _init.drop_privileges(process)
        env = dict(item.split("=", 1) for item in process["env"])
        _init.reset_signals()
        os.execvpe(request["args"][0], request["args"], env)  # noqa: S606
    except BaseException as exc:  # noqa: BLE001 - reported, then exit
        with contextlib.suppress(OSError):
            os.write(report_fd, f"{request['args'][0]!r}: {exc}".encode(errors="replace"))
    os._exit(_EXEC_FAILED)


def _fork_command(request: dict[str, Any], out_fd: int, err_fd: int) -> tuple[int, int]:
    """Fork the command; its PID and the pipe that closes at its exec (or brings why not)."""
    report_r, report_w = os.pipe2(os.O_CLOEXEC)
    pid = os.fork()
    if pid == 0:
        os.close(report_r)
        _child(request, out_fd, err_fd, report_w)
    os.close(report_w)
    with contextlib.suppress(OSError):  # the child did it already, or exec'd
        os.setpgid(pid, pid)
    return pid, report_r


def _wait(pid: int, conn: socket.socket) -> int:
    """Wait for the command; kill its group first if the agent gives up. Its exit code."""
    pidfd = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([pidfd, conn.fileno()], [], [])
        if pidfd not in ready:  # the deadline passed: the agent wrote or hung up
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    finally:
        os.close(pidfd)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, _READ):
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks)


def _answer(conn: socket.socket, message: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps(message).encode() + b"\n")


def serve(
    request: dict[str, Any], out_fd: int, err_fd: int, conn: socket.socket, handoff: Handoff
) -> NoReturn:
    """Run the command of ``request`` (a child of the zygote); answer on ``conn``; exit.

    ``handoff`` tells the zygote that its spare was taken, once the command is forked.
    """
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the zygote's children reap themselves
    sc.name_process(b"podkit-exec")
    try:
        _enter(request)
        pid, report_r = _fork_command(request, out_fd, err_fd)
    except BaseException as exc:  # noqa: BLE001 - the agent reads it from the answer
        _answer(conn, {"failed": f"{exc}"})
        handoff.tell()
        os._exit(1)
    # The command runs (a probe may run for long): the zygote forks the next spare.
    handoff.tell()
    os.close(out_fd)
    os.close(err_fd)
    code = _wait(pid, conn)
    failure = _read_all(report_r).decode(errors="replace")
    _answer(conn, {"exit_code": code, "error": failure})
    os._exit(0)


if __name__ == "__main__":
    # An agent of older code, upgraded under it, runs this module as a
    # program: fail the exec loudly rather than run nothing and "succeed".
    sys.stderr.write("podkit: the runtime changed under this agent; restart the agent\n")
    sys.exit(126)

__all__ = ["serve", "valid"]

"""Run one command inside a running container: the process side of ExecSync.

``python -m podkit.plugins.runtime._nsexec <json>`` joins the container's
cgroup, then its IPC, UTS, network, PID and mount namespaces (those of the
container's init, ``/proc/<pid>/ns/*``), and forks: the child is in the
container's PID namespace, drops privileges as the container's process did,
and execs the command; the parent waits and exits with the child's status.
The setns of a mount namespace needs a single-threaded process, hence a
process of its own rather than a thread of the agent. An exec that fails is
reported on the descriptor the agent passes (close-on-exec success), apart from the
command's own output. Standard library and ctypes only.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from typing import Any, Final

from podkit.plugins.runtime import _init
from podkit.plugins.runtime import _syscalls as sc

_NAMESPACES: Final = (
    ("ipc", sc.CLONE_NEWIPC),
    ("uts", sc.CLONE_NEWUTS),
    ("net", sc.CLONE_NEWNET),
    ("pid", sc.CLONE_NEWPID),
    ("mnt", sc.CLONE_NEWNS),
)


def _enter(request: dict[str, Any]) -> None:
    for procs in request["cgroup_procs"]:
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


def _child(request: dict[str, Any], report_fd: int) -> None:
    process = request["process"]
    try:
        os.chdir(process["cwd"])
        _init.drop_privileges(process)
        env = dict(item.split("=", 1) for item in process["env"])
        _init.reset_signals()
        os.execvpe(request["args"][0], request["args"], env)  # noqa: S606
    except BaseException as exc:  # noqa: BLE001 - reported, then exit
        with contextlib.suppress(OSError):
            os.write(report_fd, f"{request['args'][0]!r}: {exc}".encode(errors="replace"))
    os._exit(127)


def main() -> None:
    """Enter, fork, wait; exit with the command's status."""
    request = json.loads(sys.argv[1])
    report_fd = request["report_fd"]
    os.set_inheritable(report_fd, False)  # noqa: FBT003 - os has no keyword for it
    _enter(request)
    pid = os.fork()
    if pid == 0:
        _child(request, report_fd)
    os.close(report_fd)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    sys.stdout.flush()
    os._exit(128 - code if code < 0 else code)


if __name__ == "__main__":
    main()

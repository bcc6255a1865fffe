"""The init of a pod's shared PID namespace: it holds the namespace and reaps orphans.

For a pod with ``pid: POD`` the plugin asks the monitor zygote
(:mod:`._zygote`, ``{"podinit": true}``) rather than start an interpreter
(~80 ms): its spare, a fork of the zygote, runs :func:`serve`: it unshares a
PID namespace, forks the init (PID 1 in it), answers the init's PID (as the
node sees it) on the zygote's connection and exits. The init keeps no file
open, ignores the signals a PID 1 ignores anyway, and waits for children
forever; SIGKILL from the plugin ends it and every process of the namespace
with it. Standard library and ctypes only, to stay small.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from typing import TYPE_CHECKING, NoReturn

from podkit.plugins.runtime import _syscalls

if TYPE_CHECKING:
    import socket

    from podkit.plugins.runtime._handoff import Handoff


def _reap_forever() -> None:
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    while True:
        signal.sigwait({signal.SIGCHLD})
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass


def serve(conn: socket.socket, handoff: Handoff) -> NoReturn:
    """Unshare, fork the init, answer its PID on ``conn`` and exit (a child of the zygote).

    ``handoff`` tells the zygote, after the answer, that its spare was taken.
    """
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the zygote's children reap themselves
    answer: dict[str, object]
    # Named before the fork, so the init is "podkit-pidns" from its first
    # moment (this process exits after the answer anyway).
    _syscalls.name_process(b"podkit-pidns")
    ready_r, ready_w = os.pipe2(os.O_CLOEXEC)
    try:
        _syscalls.unshare(_syscalls.CLONE_NEWPID)
        pid = os.fork()
    except OSError as exc:
        answer = {"error": f"the PID namespace init did not start: {exc}"}
    else:
        if pid == 0:
            _init()
        # Answered once the init holds nothing of ours (it closes every
        # descriptor, this pipe's too, before it waits for orphans).
        os.close(ready_w)
        os.read(ready_r, 1)
        answer = {"pid": pid}
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps(answer).encode() + b"\n")
    handoff.tell()
    os._exit(0)


def _init() -> NoReturn:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.chdir("/")
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # the ready pipe too: the answer goes
    _reap_forever()
    os._exit(0)  # never reached: the init waits until it is killed


__all__ = ["serve"]

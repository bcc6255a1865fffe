"""The init of a pod's shared PID namespace: it holds the namespace and reaps orphans.

Run as ``python -m podkit.plugins.runtime._podinit`` by the plugin for a pod
with ``pid: POD``. The first process unshares a PID namespace, forks the init
(PID 1 in it), prints the init's PID (as the node sees it) and exits. The init
keeps no file open, ignores the signals a PID 1 ignores anyway, and waits for
children forever; SIGKILL from the plugin ends it and every process of the
namespace with it. Standard library and ctypes only, to stay small.
"""

from __future__ import annotations

import os
import signal
import sys

from podkit.plugins.runtime import _syscalls


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


def main() -> None:
    """Unshare, fork the init, print its PID."""
    _syscalls.unshare(_syscalls.CLONE_NEWPID)
    pid = os.fork()
    if pid:
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()
        os._exit(0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, 1024)
    os.chdir("/")
    _reap_forever()


if __name__ == "__main__":
    main()

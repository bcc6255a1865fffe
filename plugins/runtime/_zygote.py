"""The monitor zygote: one long-lived process that forks a monitor per container.

A fresh interpreter per container costs ~80 ms of StartContainer and ~8 MiB
PSS per running container. The zygote pays for the interpreter once: the
plugin starts it on the first StartContainer (:mod:`._spawner`), it imports
the monitor, hides its objects from the garbage collector (``gc.freeze()``,
so that collections do not write to shared pages) and then forks one
monitor per request, in about a millisecond, sharing its pages
copy-on-write with every monitor. ExecSync's process (:mod:`._nsexec`) and
a shared PID namespace's init (:mod:`._podinit`) come from it too: no
interpreter starts per exec either.

It keeps one spare monitor forked in advance (:class:`Zygote`), so that a
start waits for no fork of the zygote. It is single-threaded, because the plugin's
host is not and ``fork(2)`` in a threaded process may copy a lock held by
another thread; it has its own session, so that a SIGKILL of the agent (or
of its process group) leaves it, like the monitors; and it listens on a
unix socket,
``<state dir>/zygote-<code version>.sock`` (mode 0600 in the plugin's
root-only state dir), accepting only root peers (``SO_PEERCRED``) and only
container directories of its own state dir. One JSON line per connection,
answered by the spare::

    {"start": "<state dir>/containers/<id>", "new_pid": true}
        -> the monitor's first report, written by the monitor itself; with
           "new_pid" (a PID namespace of its own) the init the spare forked
           in advance (:mod:`._preinit`) becomes the container's
    {"exec": {<pid, cgroup_procs, args, process>}}, with stdout and stderr (SCM_RIGHTS)
        -> the command's exit (:mod:`._nsexec`), when it exited
    {"podinit": true}
        -> {"pid": <the init of a new PID namespace>} (:mod:`._podinit`)
    {"quit": true}
        -> the socket is removed, then ``{}`` and the zygote exits

Monitors are its children, reaped by the kernel (``SIGCHLD`` ignored); they
do not depend on it: a quit, or the zygote's death, leaves them running (the
spare, which is no monitor yet, dies with the zygote).
Standard library and the monitor's modules only.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import select
import signal
import socket
import struct
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn

from podkit.plugins.runtime import _monitor, _nsexec, _podinit, _preinit
from podkit.plugins.runtime import _syscalls as sc
from podkit.plugins.runtime._handoff import Handoff

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

_PEERCRED: Final = struct.Struct("3i")
_REQUEST_TIMEOUT: Final = 5.0
_MAX_REQUEST: Final = 1 << 20
_READ: Final = 65536
_MAX_FDS: Final = 4
_BACKLOG: Final = 128
_RETRY_FORK: Final = 0.1
_TAKEN: Final = b"s"
_TAKEN_BY_START: Final = b"m"
_QUIT: Final = b"q"


def _receive(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """The request, and the descriptors sent with it (an exec's stdout and stderr)."""
    data, fds = b"", []
    try:
        while b"\n" not in data and len(data) < _MAX_REQUEST:
            chunk, received, _, _ = socket.recv_fds(conn, _READ, _MAX_FDS)
            fds.extend(received)
            if not chunk:
                break
            data += chunk
    except BaseException:
        _close_all(fds)
        raise
    try:
        request = json.loads(data)
    except ValueError:
        return {}, fds
    return (request if isinstance(request, dict) else {}), fds


def _close_all(fds: list[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)


def _reply(conn: socket.socket, message: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps(message).encode() + b"\n")


def _peer_is_root(conn: socket.socket) -> bool:
    _, uid, _ = _PEERCRED.unpack(
        conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEERCRED.size)
    )
    return bool(uid == 0)


class Zygote:
    """Keeps one spare monitor waiting on the socket, and forks the next when it is taken.

    The spare is forked *before* a request comes: it accepts the connection
    itself and becomes the monitor on the spot, so a start waits for no fork
    of the zygote (about a millisecond on a virtual machine). It tells the
    zygote on a pipe that it was taken by a start (``m``) or another request
    (``s``), once its work is under way or another request waits
    (:mod:`._handoff`), or that a quit came (``q``); it dies with the zygote
    while it is a spare (``PR_SET_PDEATHSIG``). The spare in turn forks the
    container's init in advance (:mod:`._preinit`), unless the last spare
    served no start or a request waits already.
    """

    def __init__(self, listener: socket.socket, path: Path, inode: int) -> None:
        self.listener = listener
        self.path = path
        self.inode = inode
        self.containers = (path.parent / "containers").resolve()
        self.zygote_pid = os.getpid()
        #: Whether the next spare forks a container init in advance: after a
        #: start, not after an exec (probes come in runs, and an exec
        #: discards the waiting init: a fork and a warm-up for nothing).
        self.preinit_wanted = True
        #: Set in a spare that becomes a monitor.
        self.became_monitor = False

    def _owns_path(self) -> bool:
        try:
            return self.path.stat().st_ino == self.inode
        except OSError:
            return False

    def serve(self) -> NoReturn:
        """Keep a spare until one of them takes a quit."""
        taken_r, taken_w = os.pipe2(os.O_CLOEXEC)
        while True:
            try:
                spare = os.fork()
            except OSError:  # EAGAIN, ENOMEM: try again in a moment
                select.select([], [], [], _RETRY_FORK)
                continue
            if spare == 0:
                os.close(taken_r)
                self._spare(taken_w)
            pidfd = os.pidfd_open(spare)
            # Either the spare says what became of it, or it died (killed).
            ready, _, _ = select.select([taken_r, pidfd], [], [])
            os.close(pidfd)
            if taken_r in ready:
                taken = os.read(taken_r, 1)
                if taken == _QUIT:
                    os._exit(0)
                self.preinit_wanted = taken == _TAKEN_BY_START

    def _spare(self, taken_fd: int) -> NoReturn:
        """Wait for a request; answer it, or become the monitor it asks for."""
        sc.prctl(sc.PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != self.zygote_pid:  # the zygote died before the prctl
            os._exit(0)
        sc.name_process(b"podkit-spare")
        # Before the warm-up: the fork makes our pages copy-on-write again.
        # Not when a request waits already (many containers at once): it
        # would wait for the fork, and a fresh fork serves it as well.
        wanted = self.preinit_wanted and not _pending(self.listener)
        preinit = _preinit.fork() if wanted else None
        if not _pending(self.listener):  # else the request takes those faults as soon
            self._warm_up()
        while True:
            conn, _ = self.listener.accept()
            job = self._handle(conn, taken_fd, preinit)
            if job is not None:
                sc.prctl(sc.PR_SET_PDEATHSIG, 0)  # a monitor (an exec) outlives the zygote
                message = _TAKEN_BY_START if self.became_monitor else _TAKEN
                handoff = Handoff(taken_fd, message, self.listener)
                if _pending(self.listener):
                    handoff.tell()  # another request waits: the zygote forks its spare now
                job(handoff)

    def _warm_up(self) -> None:
        """Take, while idle, the copy-on-write faults that a request's first steps would take.

        A fresh fork shares every page with the zygote; the first write to
        one (a reference count, say) copies it. Going once through what a
        request does (a socket read, JSON, a spec, paths, pipes) moves about half a
        millisecond of such faults off StartContainer's path, in pages the
        monitor would have copied anyway.
        """
        with contextlib.suppress(Exception):
            one, other = socket.socketpair()
            with one, other:
                one.sendall(json.dumps({"start": str(self.containers / "warm-up")}).encode())
                one.shutdown(socket.SHUT_WR)
                _receive(other)
            Path(self.containers / "warm-up").resolve().parent.is_absolute()
            json.loads(_preinit.SAMPLE_SPEC)  # the monitor parses the container's spec
            read_end, write_end = os.pipe2(os.O_CLOEXEC)
            os.close(read_end)
            os.close(write_end)

    def _handle(
        self, conn: socket.socket, taken_fd: int, preinit: _preinit.PreInit | None
    ) -> Callable[[Handoff], NoReturn] | None:
        """Answer one connection; what to become (a monitor, an exec), else ``None``.

        What it becomes tells the zygote that the spare was taken (:mod:`._handoff`).
        """
        if not _peer_is_root(conn):
            conn.close()
            return None
        conn.settimeout(_REQUEST_TIMEOUT)
        try:
            request, fds = _receive(conn)
        except OSError:
            conn.close()
            return None
        if "exec" in request:
            return _exec_job(conn, request["exec"], fds, preinit)
        _close_all(fds)
        if request.get("podinit"):
            conn.settimeout(None)
            _discard(preinit, wait=False)
            return lambda handoff: _podinit.serve(conn, handoff)
        if request.get("quit"):
            if self._owns_path():
                self.path.unlink()
            # Before the zygote hears it: its exit kills this spare (PDEATHSIG).
            _discard(preinit, wait=True)
            with contextlib.suppress(OSError):
                os.write(taken_fd, _QUIT)
            _reply(conn, {})
            os._exit(0)
        directory = Path(str(request.get("start", "")))
        if not directory.is_absolute() or directory.resolve().parent != self.containers:
            _reply(conn, {"error": f"the zygote refuses directory {str(directory)!r}"})
            conn.close()
            return None
        conn.settimeout(None)
        if request.get("new_pid") is not True:  # the init joins another PID namespace
            _discard(preinit, wait=True)
            preinit = None
        elif preinit is not None:
            preinit.start(str(directory))  # first: the init builds the root meanwhile
        self.became_monitor = True
        return lambda handoff: _monitor.forked(directory, conn.detach(), preinit, handoff)


def _pending(listener: socket.socket) -> bool:
    """Whether a connection waits to be accepted."""
    return bool(select.select([listener], [], [], 0)[0])


def _discard(preinit: _preinit.PreInit | None, *, wait: bool) -> None:
    """Let the waiting init go; ``wait``: until it is gone (no zombie left to a monitor)."""
    if preinit is not None:
        preinit.discard()
        if wait:
            preinit.wait_gone()


def _exec_job(
    conn: socket.socket, request: object, fds: list[int], preinit: _preinit.PreInit | None
) -> Callable[[Handoff], NoReturn] | None:
    """An exec (:mod:`._nsexec`) to become, when the request and its stdout and stderr are."""
    if len(fds) != len(("stdout", "stderr")) or not _nsexec.valid(request):
        _close_all(fds)
        _reply(conn, {"failed": "the zygote refuses a malformed exec request"})
        conn.close()
        return None
    conn.settimeout(None)
    _discard(preinit, wait=False)
    command, (out_fd, err_fd) = request, fds
    return lambda handoff: _nsexec.serve(command, out_fd, err_fd, conn, handoff)


@contextlib.contextmanager
def socket_address(path: Path) -> Iterator[str]:
    """A name of ``path`` short enough for ``sun_path`` (108 bytes), whatever its length.

    The socket is reached through an ``O_PATH`` descriptor of its directory:
    ``/proc/self/fd/<fd>/<name>``.
    """
    fd = os.open(path.parent, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield f"/proc/self/fd/{fd}/{path.name}"
    finally:
        os.close(fd)


def _bind(path: Path) -> tuple[socket.socket, int]:
    """Listen on ``path``; :class:`FileExistsError` when another zygote has it."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.unlink(missing_ok=True)
    try:
        with socket_address(temporary) as address:
            listener.bind(address)
        temporary.chmod(0o600)
        listener.listen(_BACKLOG)
        inode = temporary.stat().st_ino
        # link(2) fails when the name is taken: two zygotes never share it.
        os.link(temporary, path)
    except BaseException:
        listener.close()
        raise
    finally:
        temporary.unlink(missing_ok=True)
    return listener, inode


def main() -> None:
    """Bind, fork the zygote, print its PID and exit (the zygote is nobody's child)."""
    _monitor.ignore_signals()
    path = Path(sys.argv[1])
    try:
        listener, inode = _bind(path)
    except FileExistsError:
        sys.stdout.write(json.dumps({"exists": True}) + "\n")
        return
    pid = os.fork()
    if pid:
        sys.stdout.write(json.dumps({"pid": pid}) + "\n")
        sys.stdout.flush()
        os._exit(0)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    os.chdir("/")
    sc.name_process(b"podkit-zygote")
    _monitor.reap_children_automatically()
    gc.collect()
    gc.freeze()
    Zygote(listener, path, inode).serve()


if __name__ == "__main__":
    main()

__all__ = ["Zygote", "main", "socket_address"]

"""The plugin's side of the monitor zygote: find it, start it, ask it, retire it.

StartContainer asks the zygote (:mod:`._zygote`) of the state dir for a
monitor, ExecSync for an exec's process. The zygote is found by its socket,
whose name carries a hash of the code it runs (:func:`code_version`), so a
plugin never gets a monitor of older code: after an upgrade the new plugin
starts a zygote of its own and tells the old ones to quit. A socket nobody
listens on (its zygote was killed) is removed and a new zygote started. A
zygote survives the agent (own session), so a restarted plugin finds it again;
and the plugin retires it when the runtime has no container left
(:meth:`MonitorSpawner.retire`), so nothing of the runtime stays on the node,
not even an idle process.

A start and a quit never cross: both send under one lock, and the zygote
answers its connections in order, so a start sent before a quit is served
and one sent after it starts a new zygote.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from podkit import statefiles
from podkit.plugins.runtime._zygote import socket_address

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

_MODULES: Final = (
    "_zygote",
    "_monitor",
    "_preinit",
    "_handoff",
    "_atomicfile",
    "_nsexec",
    "_podinit",
    "_init",
    "_logs",
    "_proc",
    "_syscalls",
)
_LAUNCH_TIMEOUT: Final = 30.0
_REPORT_TIMEOUT: Final = 60.0
_QUIT_TIMEOUT: Final = 5.0
_READ: Final = 65536


def code_version() -> str:
    """A hash of the interpreter and the source files the zygote runs."""
    digest = hashlib.sha256(sys.executable.encode())
    here = Path(__file__).parent
    for path in (*(here / f"{name}.py" for name in _MODULES), Path(statefiles.__file__)):
        with contextlib.suppress(OSError):
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _read_reply(conn: socket.socket, timeout: float) -> bytes:
    """Read until the peer closes (or ``timeout``); return the first line."""
    data = b""
    deadline = time.monotonic() + timeout
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([conn], [], [], remaining)[0]:
            break
        chunk = conn.recv(_READ)
        if not chunk:
            break
        data += chunk
    return data.partition(b"\n")[0]


@contextlib.contextmanager
def _connected(path: Path) -> Iterator[socket.socket]:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        _connect(conn, path)
        yield conn
    finally:
        conn.close()


def _connect(conn: socket.socket, path: Path) -> None:
    with socket_address(path) as address:
        conn.connect(address)


def _quit(path: Path) -> None:
    """Ask the zygote at ``path`` to quit; remove the socket if nobody listens."""
    try:
        with _connected(path) as conn:
            conn.sendall(b'{"quit": true}\n')
            _read_reply(conn, _QUIT_TIMEOUT)
    except FileNotFoundError:
        return
    except OSError:
        path.unlink(missing_ok=True)


class MonitorSpawner:
    """Starts monitors through the zygote of ``state_dir``."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.socket_path = state_dir / f"zygote-{code_version()}.sock"
        self._lock = threading.Lock()

    def start(self, directory: Path, *, new_pid: bool) -> dict[str, Any]:
        """Have a monitor start the container of ``directory``; return its report.

        :param new_pid: the container gets a PID namespace of its own: the
            monitor hands it to the init its spare forked in advance (:mod:`._preinit`).
        """
        with self.send({"start": str(directory), "new_pid": new_pid}) as conn:
            line = _read_reply(conn, _REPORT_TIMEOUT)
        try:
            report = json.loads(line)
        except ValueError:
            return {"error": f"the monitor gave no report (see {directory / 'monitor.log'})"}
        return report if isinstance(report, dict) else {"error": "bad monitor report"}

    def send(self, request: dict[str, Any], fds: Sequence[int] = ()) -> socket.socket:
        """Send ``request`` (and ``fds``) to the zygote's spare; the connection, to read.

        :raises OSError: no zygote could be reached or started.
        """
        data = json.dumps(request).encode() + b"\n"
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with self._lock:
                self._connect(conn)
                sent = socket.send_fds(conn, [data], list(fds)) if fds else 0
                conn.sendall(data[sent:])
        except BaseException:
            conn.close()
            raise
        return conn

    def start_pid_init(self) -> int:
        """Have the zygote start the init of a new PID namespace (:mod:`._podinit`); its PID.

        :raises OSError: it did not start.
        """
        with self.send({"podinit": True}) as conn:
            line = _read_reply(conn, _LAUNCH_TIMEOUT)
        try:
            answer = json.loads(line)
        except ValueError:
            answer = {}
        pid = answer.get("pid") if isinstance(answer, dict) else None
        if not isinstance(pid, int) or pid <= 0:
            why = answer.get("error") if isinstance(answer, dict) else None
            raise OSError(errno.ECHILD, why or "the PID namespace init did not start")
        return pid

    def _connect(self, conn: socket.socket) -> None:
        try:
            _connect(conn, self.socket_path)
        except ConnectionRefusedError:  # its zygote is gone
            self.socket_path.unlink(missing_ok=True)
        except FileNotFoundError:
            pass
        else:
            return
        self._launch()
        _connect(conn, self.socket_path)

    def _launch(self) -> None:
        for path in self.state_dir.glob("zygote-*.sock"):
            if path != self.socket_path:
                _quit(path)  # a zygote of other code
        self.state_dir.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(  # noqa: S603 - our own module, no shell
            [sys.executable, "-m", "podkit.plugins.runtime._zygote", str(self.socket_path)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            start_new_session=True,
            timeout=_LAUNCH_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            msg = f"the monitor zygote did not start: {done.stderr.decode(errors='replace')}"
            raise OSError(msg)

    def retire(self) -> None:
        """Have every zygote of the state dir quit (the runtime has no container left)."""
        with self._lock:
            for path in self.state_dir.glob("zygote-*.sock"):
                _quit(path)


__all__ = ["MonitorSpawner", "code_version"]

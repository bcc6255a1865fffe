"""The CNI agent: podkit network plugins served to ``podkit-cni`` over a unix socket.

``podkit serve cni`` runs :class:`CniAgent`: the plugins are loaded (and
their modules imported) once, and every connection is one CNI call from a thin
``podkit-cni`` (:mod:`podkit.wire.cni._thin`, which describes the wire),
answered in a thread of its own by the same dispatcher the exec'd
``podkit-cni`` runs (:func:`podkit.wire.cni._exec.run`): the same result
JSON, error JSON and exit codes.

Only root may call: the socket is created with mode 0600, and each
connection's peer credentials (``SO_PEERCRED``) are checked, so a socket
made reachable by mistake still refuses other users, with the SPEC's
error JSON.
"""

from __future__ import annotations

import io
import logging
import os
import select
import socket
import struct
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final, final

from podkit import cnijson
from podkit.errors import PermissionDeniedError
from podkit.wire._sockets import clear_stale_socket
from podkit.wire.cni import _exec, _thin

if TYPE_CHECKING:
    from podkit.pluginmanager import PluginManager

_LOG: Final = logging.getLogger("podkit.wire.cni.agent")
#: The largest request accepted (a configuration with its prevResult is a few KiB).
MAX_REQUEST: Final = 16 << 20
#: Seconds a client may take to send its request.
READ_TIMEOUT: Final = 30.0
_UCRED: Final = struct.Struct("3i")  # struct ucred: pid, uid, gid


def peer_uid(sock: socket.socket) -> int:
    """Return the user id of the process at the other end of a unix socket."""
    _pid, uid, _gid = _UCRED.unpack(
        sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _UCRED.size)
    )
    return int(uid)


def _read_request(conn: socket.socket) -> bytes:
    chunks, size = [], 0
    while chunk := conn.recv(65536):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_REQUEST:
            msg = f"request larger than {MAX_REQUEST} bytes"
            raise ValueError(msg)
    return b"".join(chunks)


@final
class CniAgent:
    """Serve CNI calls on ``socket_path`` with the plugins of ``manager``, until :meth:`stop`.

    :param manager: the loaded plugins; every call goes to it.
    :param socket_path: the unix socket, created with mode 0600; a stale
        socket file (nobody listening) is replaced.
    :param allowed_uids: the user ids that may call (root only by default).
    :param listener: a listening unix socket to serve on instead of binding
        ``socket_path`` (one systemd passed: its file is systemd's, and
        stays when the agent stops).
    :raises podkit.AlreadyExistsError: an agent serves ``socket_path``.
    :raises podkit.FailedPreconditionError: ``socket_path`` is not a socket.
    """

    def __init__(
        self,
        manager: PluginManager,
        socket_path: Path,
        *,
        allowed_uids: frozenset[int] = frozenset({0}),
        listener: socket.socket | None = None,
    ) -> None:
        """Bind the socket and start accepting calls in a background thread."""
        self.manager = manager
        self.socket_path = Path(socket_path)
        self.allowed_uids = allowed_uids
        self._calls: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self._owns_socket_file = listener is None
        self._listener = self._bind() if listener is None else listener
        self._listener.setblocking(False)  # noqa: FBT003 - the socket API
        self._wake_read, self._wake_write = os.pipe()
        self._accepting = threading.Thread(target=self._accept, name="podkit-cni-agent")
        self._accepting.start()

    def _bind(self) -> socket.socket:
        self.socket_path.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
        clear_stale_socket(self.socket_path, "CNI")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # the socket is born 0600, never reachable by others
        try:
            listener.bind(str(self.socket_path))
        finally:
            os.umask(old)
        listener.listen(128)
        return listener

    def _accept(self) -> None:
        # Woken by the pipe, not by shutting the listener down: a socket systemd
        # passed is shared with systemd, and must go on listening for the next start.
        while True:
            ready, _, _ = select.select([self._listener.fileno(), self._wake_read], [], [])
            if self._wake_read in ready:
                return
            try:
                conn, _ = self._listener.accept()
            except BlockingIOError:  # the caller gave up before we accepted
                continue
            except OSError:  # the listener was closed: stop
                return
            conn.setblocking(True)  # noqa: FBT003 - the socket API
            thread = threading.Thread(
                target=self._serve, args=(conn,), name="podkit-cni-call", daemon=True
            )
            with self._lock:
                self._calls.add(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            with conn:
                conn.settimeout(READ_TIMEOUT)
                reply = self._answer(conn)
                if reply is not None:
                    conn.sendall(reply)
        except (OSError, ValueError) as exc:
            _LOG.warning("a call's connection failed: %s", exc)
        finally:
            with self._lock:
                self._calls.discard(threading.current_thread())

    def _answer(self, conn: socket.socket) -> bytes | None:
        # Read the request even from a caller about to be refused: closing a socket
        # with unread data resets the connection, and the refusal would be lost.
        request = _read_request(conn)
        uid = peer_uid(conn)
        if uid not in self.allowed_uids:
            _LOG.warning("refused a call from uid %d", uid)
            error = PermissionDeniedError(f"the podkit CNI agent serves root only, not uid {uid}")
            return _thin.encode_reply(1, _error_json(error))
        if not request:  # a probe: connected and closed
            return None
        try:
            argv0, environ, stdin = _thin.decode_request(request)
        except ValueError as exc:
            _LOG.warning("a bad request: %s", exc)
            return _thin.encode_reply(1, _error_json(exc))
        conn.settimeout(None)
        return self.call(argv0, environ, stdin)

    def call(self, argv0: str, environ: dict[str, str], stdin: bytes) -> bytes:
        """Run one CNI call as ``podkit-cni`` would; return the encoded reply."""
        start = time.perf_counter()
        out = io.StringIO()
        code = _exec.run(
            [argv0],
            getenv=environ.get,
            stdin=io.StringIO(stdin.decode("utf-8", "replace")),
            stdout=out,
            manager=self._manager,
        )
        _LOG.debug(
            "%s %s %s: exit %d in %.1f ms",
            environ.get("CNI_COMMAND", "?"),
            argv0,
            environ.get("CNI_CONTAINERID", ""),
            code,
            (time.perf_counter() - start) * 1e3,
        )
        return _thin.encode_reply(code, out.getvalue().encode())

    def _manager(self, _cni_type: str) -> PluginManager:
        return self.manager

    def stop(self, grace: float) -> None:
        """Stop accepting; give calls in flight ``grace`` seconds; remove the socket it made."""
        os.write(self._wake_write, b"x")
        self._accepting.join()
        self._listener.close()
        os.close(self._wake_read)
        os.close(self._wake_write)
        deadline = time.monotonic() + grace
        with self._lock:
            calls = list(self._calls)
        for thread in calls:
            thread.join(max(0.0, deadline - time.monotonic()))
        if self._owns_socket_file:
            self.socket_path.unlink(missing_ok=True)


def _error_json(error: BaseException) -> bytes:
    import json  # noqa: PLC0415 - already loaded by cnijson; kept local for clarity

    return json.dumps(cnijson.encode_error(error)).encode() + b"\n"


__all__ = ["MAX_REQUEST", "CniAgent", "peer_uid"]

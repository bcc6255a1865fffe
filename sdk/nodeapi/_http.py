"""The little HTTP/1.1 the node API needs, on asyncio streams: requests in, JSON and chunks out.

One request per connection (``Connection: close``), a body by
``Content-Length``, JSON answers, and chunked transfer for logs that are
followed. The standard library's ``http.server`` is thread-based and
blocking; this runs in the node's own event loop instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
from typing import TYPE_CHECKING, Any, Final, final
from urllib.parse import parse_qs, unquote, urlsplit

from podkit.errors import InvalidArgumentError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from http import HTTPStatus

#: Requests larger than this are refused (a manifest, an exec command).
MAX_BODY: Final = 4 * 1024 * 1024
_HEADER_LIMIT: Final = 64 * 1024
_CREDENTIALS: Final = struct.Struct("3i")  # struct ucred: pid, uid, gid
#: The head of a chunked response (a log).
CHUNKED_HEAD: Final = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
)
#: The end of a chunked response.
LAST_CHUNK: Final = b"0\r\n\r\n"

Json = dict[str, object]


@final
class Request:
    """One HTTP request: method, path (decoded), query (last value of each key), body."""

    def __init__(self, method: str, target: str, body: bytes) -> None:
        url = urlsplit(target)
        self.method = method
        self.path = unquote(url.path).rstrip("/")
        self.query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.body = body

    def flag(self, name: str) -> bool:
        """Whether the query sets ``name`` (``true``, ``1``, ``yes``)."""
        return self.query.get(name, "").lower() in {"1", "true", "yes"}


def peer_uid(sock: socket.socket) -> int:
    """The uid of the process at the other end of a unix socket (``SO_PEERCRED``)."""
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _CREDENTIALS.size)
    return int(_CREDENTIALS.unpack(raw)[1])


async def read_request(reader: asyncio.StreamReader) -> Request:
    """Read a request's head and body.

    :raises podkit.errors.InvalidArgumentError: too large, or a bad ``Content-Length``.
    """
    head = await reader.readuntil(b"\r\n\r\n")
    if len(head) > _HEADER_LIMIT:
        msg = "request header too large"
        raise InvalidArgumentError(msg)
    lines = head.decode("latin-1").split("\r\n")
    method, target, *_ = [*lines[0].split(" "), "", ""]
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    try:
        length = int(headers.get("content-length", "0") or "0")
    except ValueError:
        msg = f"Content-Length: not a number: {headers['content-length']!r}"
        raise InvalidArgumentError(msg) from None
    if length > MAX_BODY:
        msg = f"request body of {length} bytes is larger than {MAX_BODY}"
        raise InvalidArgumentError(msg)
    body = await reader.readexactly(length) if length else b""
    return Request(method, target, body)


async def respond(writer: asyncio.StreamWriter, status: HTTPStatus, obj: object) -> None:
    """Send ``obj`` as a JSON response, and the connection's end."""
    body = json.dumps(obj, indent=1).encode() + b"\n"
    head = (
        f"HTTP/1.1 {status.value} {status.phrase}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()


async def chunk(writer: asyncio.StreamWriter, line: str) -> None:
    """Send one line as one chunk of a chunked response."""
    data = (line + "\n").encode()
    writer.write(b"%x\r\n%s\r\n" % (len(data), data))
    await writer.drain()


async def stream_lines(
    lines: AsyncIterator[str], writer: asyncio.StreamWriter, gone: asyncio.Future[bytes]
) -> None:
    """Send ``lines`` as chunks until they end or the client is ``gone``."""
    while True:
        following = asyncio.ensure_future(anext(lines, None))
        waiting: list[asyncio.Future[Any]] = [following, gone]
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if not following.done():
            following.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await following
            return
        line = following.result()
        if line is None:
            return
        await chunk(writer, line)


def status_success(namespace: str, name: str) -> Json:
    """The ``Status`` of a deletion done."""
    return {
        "apiVersion": "v1",
        "kind": "Status",
        "status": "Success",
        "details": {"name": name, "namespace": namespace, "kind": "pods"},
    }


__all__ = [
    "CHUNKED_HEAD",
    "LAST_CHUNK",
    "MAX_BODY",
    "Request",
    "chunk",
    "peer_uid",
    "read_request",
    "respond",
    "status_success",
    "stream_lines",
]

"""Container output in the CRI log format, as the kubelet reads it.

Each line of the container's stdout or stderr becomes one line of the log
file: ``<RFC3339Nano time> <stdout|stderr> <F|P> <content>`` (CRI
``pkg/kubelet/kuberuntime/logs``). ``F`` marks a full line; a line longer
than :data:`MAX_LINE` is cut into ``P`` (partial) pieces ending with an
``F`` one, and what remains when the stream closes is written as ``F``, as
containerd's ``redirectLogs`` does. Standard library only: the monitor
process writes the log.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Final

#: containerd's default ``max_container_log_line_size``.
MAX_LINE: Final = 16 * 1024
STREAMS: Final = ("stdout", "stderr")


def timestamp() -> bytes:
    """The current time as RFC 3339 with nanoseconds, in UTC."""
    seconds, nanos = divmod(time.time_ns(), 1_000_000_000)
    moment = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{moment}.{nanos:09d}Z".encode()


class CriLog:
    """A container's log file; ``path`` ``""`` discards the output."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._fd = -1
        self._pending = dict.fromkeys(STREAMS, b"")
        self.reopen()

    def reopen(self) -> None:
        """Close the file and open the path again (after the kubelet rotated it)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if self._path:
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC
            self._fd = os.open(self._path, flags, 0o640)

    def _emit(self, stream: str, tag: bytes, content: bytes) -> None:
        if self._fd >= 0:
            record = b"%s %s %s %s\n" % (timestamp(), stream.encode(), tag, content)
            os.write(self._fd, record)

    def write(self, stream: str, data: bytes) -> None:
        """Add output of ``stream``; complete lines are written at once."""
        buffer = self._pending[stream] + data
        *lines, rest = buffer.split(b"\n")
        for line in lines:
            self._emit_long(stream, line)
        while len(rest) > MAX_LINE:
            self._emit(stream, b"P", rest[:MAX_LINE])
            rest = rest[MAX_LINE:]
        self._pending[stream] = rest

    def _emit_long(self, stream: str, line: bytes) -> None:
        while len(line) > MAX_LINE:
            self._emit(stream, b"P", line[:MAX_LINE])
            line = line[MAX_LINE:]
        self._emit(stream, b"F", line)

    def close_stream(self, stream: str) -> None:
        """Write what remains of ``stream`` as a full line (its end came without newline)."""
        rest, self._pending[stream] = self._pending[stream], b""
        if rest:
            self._emit(stream, b"F", rest)

    def close(self) -> None:
        """Flush every stream and close the file."""
        for stream in STREAMS:
            self.close_stream(stream)
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


__all__ = ["MAX_LINE", "STREAMS", "CriLog", "timestamp"]

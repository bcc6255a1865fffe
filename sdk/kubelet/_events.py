"""A pod's events on disk, so that ``describe`` still tells what happened after a restart.

Kubernetes keeps events in the API server (for an hour by default); a lone
node keeps each pod's last events itself, under ``<state_dir>/desired``::

    desired/events/<uid>.jsonl   one {"time", "type", "reason", "message"} per line

A line is appended per event (``O_APPEND``, one ``write``), and the file is
rewritten with its newest ``limit`` lines (atomically) once it holds twice
that many. Events are for people: they are not fsynced, and a line cut by
a crash is skipped when read. The file goes with the pod's record
(:meth:`podkit.kubelet._store.NodeStore.forget_pod`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from typing import TYPE_CHECKING, Final, final

from podkit import statefiles
from podkit.kubelet._status import PodEvent

if TYPE_CHECKING:
    from pathlib import Path

LOGGER: Final = logging.getLogger("podkit.kubelet")
SUFFIX: Final = ".jsonl"


def _line(event: PodEvent) -> bytes:
    body = {
        "time": event.time.isoformat(),
        "type": event.type,
        "reason": event.reason,
        "message": event.message,
    }
    return json.dumps(body).encode() + b"\n"


def _event(line: bytes) -> PodEvent | None:
    try:
        body = json.loads(line)
        return PodEvent(
            time=dt.datetime.fromisoformat(body["time"]),
            type=str(body["type"]),
            reason=str(body["reason"]),
            message=str(body["message"]),
        )
    except (ValueError, KeyError, TypeError):
        return None  # a line cut by a crash, or not ours


@final
class EventLog:
    """The events of every pod of a node, one file per pod uid under ``directory``.

    :param limit: how many events a pod keeps (the node's ``max_events``).
    """

    def __init__(self, directory: Path, limit: int) -> None:
        self.directory = directory
        self.limit = limit
        self._lines: dict[str, int] = {}
        self._lock = threading.Lock()

    def _path(self, uid: str) -> Path:
        return self.directory / f"{uid}{SUFFIX}"

    def append(self, uid: str, event: PodEvent) -> None:
        """Keep ``event``; a failure to write is logged, never raised (events are advice)."""
        try:
            with self._lock:
                self._append(uid, event)
        except OSError as exc:
            LOGGER.warning("failed to keep an event of pod %s: %s", uid, exc)

    def _append(self, uid: str, event: PodEvent) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self._path(uid)
        line = _line(event)
        count = self._lines.get(uid)
        if count is None:  # the first write since the node started: look at what is there
            try:
                present = path.read_bytes()
            except FileNotFoundError:
                present = b""
            count = len(present.splitlines())
            if present and not present.endswith(b"\n"):
                line = b"\n" + line  # end the line a crash cut, or this one is lost with it
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
        count += 1
        if count >= 2 * self.limit:
            kept = path.read_bytes().splitlines(keepends=True)[-self.limit :]
            statefiles.write_bytes(path, b"".join(kept), durable=False)
            count = len(kept)
        self._lines[uid] = count

    def load(self, uid: str) -> list[PodEvent]:
        """The newest ``limit`` events kept for ``uid``, oldest first."""
        try:
            lines = self._path(uid).read_bytes().splitlines()
        except FileNotFoundError:
            return []
        events = [event for event in map(_event, lines) if event is not None]
        return events[-self.limit :]

    def forget(self, uid: str) -> None:
        """Drop a pod's events (a missing file is fine)."""
        with self._lock:
            self._path(uid).unlink(missing_ok=True)
            self._lines.pop(uid, None)


__all__ = ["SUFFIX", "EventLog"]

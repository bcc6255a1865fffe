"""Following a container's log as it grows, across the container's restarts.

``kubectl logs -f`` keeps reading a container's CRI log file as the runtime
appends to it. Each run of a container writes its own file
(``<container>/<restart count>.log``), so following a container that
restarts means finishing one run's file and going on with the next. The
follow ends when the pod is gone, or when the container's last run has
ended (:func:`log_position`) and its file is read to the end.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.kubelet._convert import container_log_path
from podkit.kubelet._status import TERMINAL_PHASES, ContainerStateTerminated
from podkit.models.kube import RestartPolicy

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable
    from pathlib import Path

    from podkit.kubelet._status import PodStatus
    from podkit.models.kube import Pod

#: Seconds between two looks at a log file that has no new data.
POLL_INTERVAL: Final = 0.2
_FIELDS: Final = 4
_CHUNK: Final = 65536


@final
@attrs.frozen(kw_only=True)
class LogPosition:
    """Where a followed container is: its current run's log file, and whether it ended."""

    #: The run (the restart count) whose file :attr:`path` is.
    run: int
    path: Path
    #: No more output will come: the pod has Succeeded or Failed.
    ended: bool = False


@final
class CriLineReader:
    """Turns pieces of a CRI log file into lines of text, as they arrive.

    Like :func:`podkit.kubelet._logs.parse_cri_log`, but incremental: a torn
    last line waits for the rest of it, and ``P`` (partial) pieces wait for
    the piece that ends their line.
    """

    def __init__(self) -> None:
        self._buffer = b""
        self._pending: dict[str, str] = {}

    def feed(self, data: bytes) -> list[str]:
        """The lines completed by ``data`` (without their newlines)."""
        self._buffer += data
        *complete, self._buffer = self._buffer.split(b"\n")
        lines = []
        for raw in complete:
            parts = raw.decode(errors="replace").split(" ", _FIELDS - 1)
            if len(parts) < _FIELDS - 1:
                continue
            stream, tag = parts[1], parts[2]
            content = parts[3] if len(parts) == _FIELDS else ""
            if tag == "P":
                self._pending[stream] = self._pending.get(stream, "") + content
                continue
            lines.append(self._pending.pop(stream, "") + content)
        return lines

    def flush(self) -> list[str]:
        """What is left at the end of a file: partial lines, as lines."""
        rest = list(self._pending.values())
        self._pending.clear()
        self._buffer = b""
        return rest


def log_position(pod: Pod, status: PodStatus, container: str, logs_dir: Path) -> LogPosition:
    """Where a container of a running pod logs now, and whether it will log again.

    A run has ended for good when its pod has (Succeeded or Failed), or when
    the container exited and its pod's ``restartPolicy`` will not run it
    again: an init container that succeeded, a container that exited under
    ``Never``, or exited 0 under ``OnFailure``.
    """
    current = status.container(container)
    state = current.state
    init = any(c.name == container for c in pod.spec.init_containers)
    policy = pod.spec.restart_policy
    final_exit = isinstance(state, ContainerStateTerminated) and (
        policy is RestartPolicy.NEVER
        or (state.exit_code == 0 and (init or policy is RestartPolicy.ON_FAILURE))
    )
    run = current.restart_count
    return LogPosition(
        run=run,
        path=logs_dir / container_log_path(container, run),
        ended=final_exit or status.phase in TERMINAL_PHASES,
    )


def _read_from(path: Path, offset: int) -> bytes:
    try:
        with path.open("rb") as file:
            file.seek(offset)
            return file.read(_CHUNK)
    except FileNotFoundError:
        return b""


@final
class _LogFile:
    """One run's log file, read from where the last read stopped."""

    def __init__(self, position: LogPosition) -> None:
        self.run = position.run
        self.path = position.path
        self.offset = 0
        self.reader = CriLineReader()

    async def read(self) -> list[str]:
        """The lines written since the last read."""
        lines = []
        while data := await asyncio.to_thread(_read_from, self.path, self.offset):
            self.offset += len(data)
            lines += self.reader.feed(data)
        return lines

    async def read_to_end(self) -> list[str]:
        """The lines left, the run having ended: partial ones too."""
        return [*await self.read(), *self.reader.flush()]


async def follow_log(
    locate: Callable[[], LogPosition | None], *, poll: float = POLL_INTERVAL
) -> AsyncIterator[str]:
    """Yield the lines of a container's log as they are written, run after run.

    :param locate: where the container is now; ``None`` once its pod is gone
        (the follow ends there).
    :param poll: seconds between two looks when there is nothing new.
    """
    position = locate()
    if position is None:
        return
    log = _LogFile(position)
    while True:
        for line in await log.read():
            yield line
        position = locate()
        if position is None:
            return
        if position.run != log.run:  # the run ended: its file to the end, then the next run's
            for line in await log.read_to_end():
                yield line
            log = _LogFile(position)
        elif position.ended:
            for line in await log.read_to_end():
                yield line
            return
        else:
            await asyncio.sleep(poll)


__all__ = ["POLL_INTERVAL", "CriLineReader", "LogPosition", "follow_log", "log_position"]

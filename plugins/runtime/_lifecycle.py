"""A container's state as its files tell it, and the signals that end it.

The plugin does not keep a container's state in memory: the monitor writes
``started.json`` and ``exit.json`` and the plugin reads them (with the
process's start time to rule out a reused PID), so the answer is the same
before and after the agent restarts. Stopping signals the container's init
through a pidfd and waits for the monitor to record the exit.
"""

from __future__ import annotations

import signal
import time
from typing import TYPE_CHECKING, Any, Final

import attrs

from podkit.models.runtime import ContainerState, Signal
from podkit.plugins.runtime import _proc, _records

if TYPE_CHECKING:
    from pathlib import Path

#: What a container whose exit was never recorded reports (containerd's
#: ``unknownExitCode``).
UNKNOWN_EXIT_CODE: Final = 255
_MONITOR_GRACE: Final = 2.0
_KILL_WAIT: Final = 10.0


@attrs.frozen(kw_only=True)
class Observed:
    """What the files say about one container."""

    state: ContainerState
    started_at: int = 0
    finished_at: int = 0
    exit_code: int = 0
    reason: str = ""
    message: str = ""
    #: The init's PID and start time, while it runs.
    pid: int = 0
    pid_start: int = 0
    monitor_pid: int = 0
    monitor_start: int = 0


def _int(data: dict[str, Any], key: str) -> int:
    value = data.get(key, 0)
    return value if isinstance(value, int) else 0


def observe(directory: Path) -> Observed:
    """Read the state of the container whose records are in ``directory``."""
    started = _records.read_json(directory / _records.STARTED_FILE) or {}
    exited = _records.read_json(directory / _records.EXIT_FILE)
    if exited is None and started:
        pid, pid_start = _int(started, "pid"), _int(started, "pid_start")
        monitor, monitor_start = _int(started, "monitor_pid"), _int(started, "monitor_start")
        if _proc.is_alive(pid, pid_start):
            return Observed(
                state=ContainerState.CONTAINER_RUNNING,
                started_at=_int(started, "started_at"),
                pid=pid,
                pid_start=pid_start,
                monitor_pid=monitor,
                monitor_start=monitor_start,
            )
        # The init is gone: its monitor records the exit in a moment, unless
        # it died too (then the exit status is lost).
        _proc.wait_exit(monitor, monitor_start, _MONITOR_GRACE)
        exited = _records.read_json(directory / _records.EXIT_FILE)
        if exited is None:
            exited = {
                "exit_code": UNKNOWN_EXIT_CODE,
                "reason": "Unknown",
                "message": "the container's exit status was lost with its monitor",
            }
    if exited is None:
        return Observed(state=ContainerState.CONTAINER_CREATED)
    return Observed(
        state=ContainerState.CONTAINER_EXITED,
        started_at=_int(started, "started_at"),
        finished_at=_int(exited, "finished_at") or time.time_ns(),
        exit_code=_int(exited, "exit_code"),
        reason=str(exited.get("reason", "")),
        message=str(exited.get("message", "")),
    )


def stop_signal(configured: Signal, image_signal: str) -> int:
    """The signal StopContainer sends first: the config's, the image's, or SIGTERM."""
    if configured is not Signal.SIGNAL_RUNTIME_DEFAULT:
        name = configured.value.removeprefix("SIGNAL_")
    else:
        name = image_signal.upper() or "SIGTERM"
        if not name.startswith("SIG"):
            name = f"SIG{name}"
    if name.startswith("SIGRTMINPLUS"):
        return signal.SIGRTMIN + int(name.removeprefix("SIGRTMINPLUS"))
    if name.startswith("SIGRTMAXMINUS"):
        return signal.SIGRTMAX - int(name.removeprefix("SIGRTMAXMINUS"))
    found = getattr(signal, name, None)
    if isinstance(found, int):
        return found
    if name.isdigit():
        return int(name)
    return signal.SIGTERM


def terminate(observed: Observed, signum: int, timeout: float) -> bool:
    """Signal the init, SIGKILL it after ``timeout``; ``True`` once it is gone."""
    pid, start = observed.pid, observed.pid_start
    signalled = timeout > 0 and _proc.send_signal(pid, start, signum)
    if signalled and _proc.wait_exit(pid, start, timeout):
        return True
    _proc.send_signal(pid, start, signal.SIGKILL)
    return _proc.wait_exit(pid, start, _KILL_WAIT)


def wait_recorded(directory: Path, observed: Observed) -> None:
    """Wait for the monitor to write ``exit.json`` (or to be gone)."""
    _proc.wait_for(
        lambda: (
            (directory / _records.EXIT_FILE).exists()
            or not _proc.is_alive(observed.monitor_pid, observed.monitor_start)
        ),
        _KILL_WAIT,
    )


__all__ = ["UNKNOWN_EXIT_CODE", "Observed", "observe", "stop_signal", "terminate", "wait_recorded"]

"""Processes the plugin did not fork: identify them safely and wait for them.

The plugin finds its containers' processes again after a restart by PID, and
a PID may have been reused meanwhile; the start time in ``/proc/<pid>/stat``
(field 22, in clock ticks since boot) tells the original process from a new
one with the same number. Such processes are not the plugin's children, so
waiting for one goes through a pidfd (``pidfd_open(2)``), which becomes
readable when the process exits. Standard library only: the monitor uses it.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

# proc(5): starttime is field 22; fields after the ")" of comm start at 3.
_STARTTIME_AFTER_COMM = 22 - 3


def start_time(pid: int) -> int | None:
    """The start time of ``pid`` in clock ticks since boot; ``None`` if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":  # a zombie has exited already
        return None
    return int(fields[_STARTTIME_AFTER_COMM])


def is_alive(pid: int, started: int) -> bool:
    """Whether the process ``pid`` that started at ``started`` still runs."""
    return pid > 0 and start_time(pid) == started


def open_pidfd(pid: int, started: int) -> int | None:
    """A pidfd of the process, or ``None`` when it is gone (or its PID was reused)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return None
    if start_time(pid) != started:
        os.close(fd)
        return None
    return fd


def wait_exit(pid: int, started: int, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for the process to exit; ``True`` once it has."""
    fd = open_pidfd(pid, started)
    if fd is None:
        return True
    try:
        readable, _, _ = select.select([fd], [], [], max(timeout, 0))
        return bool(readable)
    finally:
        os.close(fd)


def send_signal(pid: int, started: int, signum: int) -> bool:
    """Signal the process through a pidfd, so a reused PID is never hit; ``False`` if gone."""
    fd = open_pidfd(pid, started)
    if fd is None:
        return False
    try:
        signal.pidfd_send_signal(fd, signum)
    except ProcessLookupError:
        return False
    finally:
        os.close(fd)
    return True


def wait_for(predicate: Callable[[], bool], timeout: float, interval: float = 0.01) -> bool:
    """Poll ``predicate()`` until true or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError):
            if predicate():
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


__all__ = ["is_alive", "open_pidfd", "send_signal", "start_time", "wait_exit", "wait_for"]

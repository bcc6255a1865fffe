"""Safety nets for tests and benchmarks of runtimes: what a failed run left, removed.

A test that fails half-way (or a runtime with a bug) can leave processes
in cgroups and mounts under its temporary folder; the next test, and the
leak checker, should not pay for it. :func:`sweep_cgroups` kills what runs
in the cgroups under some top directories and removes them, deepest
first; :func:`sweep_mounts` detaches every mount under a folder, deepest
first. Neither raises: they run at teardown, after the test's own clean-up.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable

_MNT_DETACH: Final = 2
#: Seconds a cgroup's killed processes get to leave it.
_EXIT_WAIT: Final = 5.0
_LIBC: Final = ctypes.CDLL(None, use_errno=True)


def sweep_cgroups(tops: Iterable[Path]) -> None:
    """Kill the processes in every cgroup under each of ``tops``, and remove those cgroups.

    A top's parent goes too when it is left empty (``…/podkit``, shared by
    runs, stays while another holds something in it).

    .. versionadded:: 0.1
    """
    for top in tops:
        if not top.exists():
            continue
        for directory, _, _ in sorted(os.walk(top), key=lambda entry: -len(entry[0])):
            _empty(Path(directory))
            with contextlib.suppress(OSError):
                Path(directory).rmdir()
        with contextlib.suppress(OSError):
            top.parent.rmdir()


def _empty(cgroup: Path) -> None:
    """Kill what runs in ``cgroup`` and wait (a little) until it has left."""
    deadline = time.monotonic() + _EXIT_WAIT
    while True:
        try:
            pids = (cgroup / "cgroup.procs").read_text().split()
        except OSError:
            return
        if not pids or time.monotonic() > deadline:
            return
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(int(pid), signal.SIGKILL)
        time.sleep(0.01)


def _unescape(field: str) -> str:
    """A mountinfo path: spaces, tabs, newlines and backslashes come octal-escaped."""
    return field.encode().decode("unicode_escape") if "\\" in field else field


def sweep_mounts(under: Path) -> None:
    """Detach every mount at or below ``under`` (``umount -l``), deepest first.

    .. versionadded:: 0.1
    """
    root = str(under)
    lines = Path("/proc/self/mountinfo").read_text().splitlines()
    points = [_unescape(line.split()[4]) for line in lines]
    mine = [p for p in points if p == root or p.startswith(root.rstrip("/") + "/")]
    for point in sorted(mine, key=len, reverse=True):
        _LIBC.umount2(os.fsencode(point), _MNT_DETACH)  # gone already: no matter


__all__ = ["sweep_cgroups", "sweep_mounts"]

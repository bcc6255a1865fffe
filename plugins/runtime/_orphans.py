"""Clean up what an agent killed in the middle of RunPodSandbox or CreateContainer left.

A sandbox or container is recorded last, once everything it needs exists;
an agent killed before that leaves a directory without a record, perhaps
with namespace bind mounts or a PID-namespace init. A new plugin instance
removes such directories when it is constructed, so that nothing is leaked
after a restart (DESIGN.md, "No leaks, ever"). Cgroups of such containers
go with their sandbox's cgroup, which is removed recursively; so is the cgroup
of a sandbox killed between creating its cgroup and writing its record.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from podkit.plugins.runtime import _namespaces, _records

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from podkit.plugins.runtime._records import Layout


def _unrecorded(parent: Path, recorded: Iterable[str]) -> list[Path]:
    if not parent.is_dir():
        return []
    known = set(recorded)
    return [d for d in parent.iterdir() if d.is_dir() and d.name not in known]


def _kill_pid_namespace(ns_file: Path) -> None:
    """SIGKILL the processes of the PID namespace ``ns_file`` is bound to."""
    try:
        inode = ns_file.stat().st_ino
    except OSError:
        return
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "ns" / "pid").stat().st_ino == inode:
                    os.kill(int(entry.name), signal.SIGKILL)


def _remove_cut_writes(directory: Path) -> None:
    """Remove the temporary files of atomic writes that a kill cut short."""
    if directory.is_dir():
        for path in directory.glob(".*.tmp"):
            path.unlink(missing_ok=True)


def collect(
    layout: Layout,
    sandboxes: Iterable[str],
    containers: Iterable[str],
    keep_leases: Callable[[set[str]], None],
    remove_sandbox_cgroup: Callable[[str], None],
) -> None:
    """Remove the sandbox and container directories that have no record, and their leases."""
    containers = set(containers)
    for directory in _unrecorded(layout.state / "containers", containers):
        _records.remove_tree(layout.layer_dir(directory.name))
        _records.remove_tree(directory)
    for directory in _unrecorded(layout.root / "containers", containers):
        _records.remove_tree(directory)
    keep_leases(containers)
    _remove_cut_writes(layout.state)
    for directory in _unrecorded(layout.state / "sandboxes", sandboxes):
        ns_dir = directory / "ns"
        _kill_pid_namespace(ns_dir / "pid")
        names = ("net", "ipc", "uts", "pid")
        _namespaces.release_namespaces([str(ns_dir / name) for name in names])
        remove_sandbox_cgroup(directory.name)
        _records.remove_tree(directory)


__all__ = ["collect"]

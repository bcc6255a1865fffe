"""Container cgroups on cgroup v1 (one directory per controller) or v2 (one tree).

A container's limits are files in its cgroup: the plugin makes the directory
and writes the limits when the container is created, the container's init
joins it (writing ``0``, "the writer itself", to ``cgroup.procs``) before it
runs anything, and the plugin reads usage and OOM kills from it and removes
it with the container. Which flavour the node has is read from
``/proc/self/mountinfo``: cgroup2 mounted on ``/sys/fs/cgroup`` means v2 (the
unified mode), cgroup v1 hierarchies otherwise. Nothing here imports
podkit's models: the monitor process uses it too.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from pathlib import Path
from typing import Final

CGROUP_ROOT: Final = Path("/sys/fs/cgroup")
#: The v1 controllers a container joins (the others stay the node's).
V1_CONTROLLERS: Final = ("cpu", "cpuacct", "cpuset", "memory", "pids", "freezer")
_V2_CONTROLLERS: Final = ("cpu", "cpuset", "memory", "pids")
_RMDIR_TRIES: Final = 50
_CPUSET_FILES: Final = ("cpuset.cpus", "cpuset.mems")


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _stat_value(text: str, key: str) -> int | None:
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == key and value.strip().lstrip("-").isdigit():
            return int(value)
    return None


def _clone_children(directory: Path) -> None:
    """Have the kernel copy cpuset's cpus and mems into new children of ``directory``."""
    with contextlib.suppress(OSError):
        (directory / "cgroup.clone_children").write_text("1")


def shares_to_weight(shares: int) -> int:
    """Convert cgroup v1 ``cpu.shares`` to v2 ``cpu.weight`` (as runc does)."""
    return 1 + ((shares - 2) * 9999) // 262142


class Cgroups:
    """The node's cgroup hierarchies: v1 mountpoints per controller, or one v2 root.

    :param v1: controller name to the mountpoint of its hierarchy.
    :param v2: the root of the unified hierarchy (``None`` on v1).
    """

    def __init__(self, *, v1: dict[str, Path] | None = None, v2: Path | None = None) -> None:
        self.v1 = dict(v1 or {})
        self.v2 = v2

    @classmethod
    def detect(cls) -> Cgroups:
        """Read the node's cgroup mounts from ``/proc/self/mountinfo``."""
        v1: dict[str, Path] = {}
        for line in _read(Path("/proc/self/mountinfo")).splitlines():
            left, _, right = line.partition(" - ")
            fields, tail = left.split(), right.split()
            if len(tail) < 3 or len(fields) < 5:  # noqa: PLR2004 - proc(5)'s fields
                continue
            mountpoint = Path(fields[4])
            if tail[0] == "cgroup2" and mountpoint == CGROUP_ROOT:
                return cls(v2=CGROUP_ROOT)
            if tail[0] == "cgroup":
                for option in tail[2].split(","):
                    if option in V1_CONTROLLERS:
                        v1.setdefault(option, mountpoint)
        return cls(v1=v1)

    @property
    def version(self) -> int:
        """1 or 2."""
        return 2 if self.v2 is not None else 1

    def dirs(self, rel: str) -> list[Path]:
        """The directories of cgroup ``rel`` (one per v1 hierarchy, or one on v2)."""
        if self.v2 is not None:
            return [self.v2 / rel]
        return [mountpoint / rel for mountpoint in dict.fromkeys(self.v1.values())]

    def procs_files(self, rel: str) -> list[str]:
        """The ``cgroup.procs`` files a process writes ``0`` to in order to join ``rel``."""
        return [str(d / "cgroup.procs") for d in self.dirs(rel)]

    def path(self, rel: str, controller: str, name: str) -> Path | None:
        """The file ``name`` of ``controller`` in ``rel``; ``None`` if the node lacks it."""
        if self.v2 is not None:
            return self.v2 / rel / name
        mountpoint = self.v1.get(controller)
        return None if mountpoint is None else mountpoint / rel / name

    def create(self, rel: str) -> None:
        """Make cgroup ``rel`` and its parents (idempotent)."""
        if self.v2 is not None:
            self._create_v2(rel)
            return
        parents_made = False
        for directory in self.dirs(rel):
            try:
                os.mkdir(directory)  # noqa: PTH102 - the parent is there: one syscall
            except FileNotFoundError:
                directory.mkdir(parents=True, exist_ok=True)
                parents_made = True
            except FileExistsError:
                parents_made = True  # idempotent call: check the whole chain
        cpuset = self.v1.get("cpuset")
        if cpuset is not None:
            self._fill_cpuset(cpuset, rel, leaf_only=not parents_made)

    def _fill_cpuset(self, mountpoint: Path, rel: str, *, leaf_only: bool) -> None:
        # v1 cpuset: a cgroup takes no task until cpus and mems are set; copy
        # them down from the parent, as runc does. The kernel does it at mkdir
        # under a parent with ``cgroup.clone_children`` set, which children
        # inherit: set on every level filled here, it spares a sandbox (whose
        # parent is the plugin's cgroup parent) and a container (whose parent
        # is its sandbox's) the copying, four reads and three writes, ~0.5 ms.
        # ``leaf_only`` when the parent was there already; but it may be
        # another thread's, still unfilled: then the whole chain is filled
        # from the root down.
        parts = Path(rel).parts
        leaf = mountpoint.joinpath(*parts)
        if leaf_only:
            if _read(leaf / _CPUSET_FILES[0]).strip():
                return  # filled by the kernel (clone_children)
            parent = leaf.parent
            values = {name: _read(parent / name).strip() for name in _CPUSET_FILES}
            if all(values.values()):
                for name, value in values.items():
                    if not _read(leaf / name).strip():
                        (leaf / name).write_text(value)
                _clone_children(leaf)
                _clone_children(parent)  # made by older code: the next sibling is copied
                return
        path = mountpoint
        for part in parts:
            parent, path = path, path / part
            for name in _CPUSET_FILES:
                if not _read(path / name).strip():
                    (path / name).write_text(_read(parent / name).strip() or "\n")
            _clone_children(path)

    def _create_v2(self, rel: str) -> None:
        assert self.v2 is not None  # noqa: S101 - only called on v2
        path = self.v2
        for part in Path(rel).parts:
            available = set(_read(path / "cgroup.controllers").split())
            wanted = [f"+{c}" for c in _V2_CONTROLLERS if c in available]
            if wanted:
                with contextlib.suppress(OSError):
                    (path / "cgroup.subtree_control").write_text(" ".join(wanted))
            path /= part
            path.mkdir(exist_ok=True)

    def write(self, rel: str, controller: str, name: str, value: str) -> None:
        """Write one limit; a controller the node lacks is skipped."""
        path = self.path(rel, controller, name)
        if path is not None and path.exists():
            path.write_text(value)

    def read(self, rel: str, controller: str, name: str) -> str:
        """Read one file, ``""`` when it is missing."""
        path = self.path(rel, controller, name)
        return "" if path is None else _read(path)

    def pids(self, rel: str) -> set[int]:
        """The processes in cgroup ``rel``, in the node's PID namespace."""
        found: set[int] = set()
        for directory in self.dirs(rel):
            found.update(int(p) for p in _read(directory / "cgroup.procs").split())
        return found

    def kill_all(self, rel: str, timeout: float = 5.0) -> None:
        """SIGKILL every process of ``rel`` until none is left (or ``timeout``)."""
        deadline = time.monotonic() + timeout
        while (pids := self.pids(rel)) and time.monotonic() < deadline:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def oom_file(self, rel: str) -> Path | None:
        """The file whose ``oom_kill`` line counts the OOM kills in ``rel``."""
        name = "memory.events" if self.v2 is not None else "memory.oom_control"
        return self.path(rel, "memory", name)

    def oom_kills(self, rel: str) -> int:
        """How many processes the OOM killer killed in ``rel``."""
        path = self.oom_file(rel)
        return 0 if path is None else _stat_value(_read(path), "oom_kill") or 0

    def remove(self, rel: str, *, parents: int = 0) -> None:
        """Remove cgroup ``rel`` (gone already is fine), then up to ``parents`` empty parents."""
        for directory in self.dirs(rel):
            # Children first: a container cgroup left by an interrupted create.
            if directory.is_dir():
                for child, _, _ in sorted(os.walk(directory), key=lambda e: -len(e[0])):
                    _rmdir(Path(child))
            parent = directory
            for _ in range(parents):
                parent = parent.parent
                with contextlib.suppress(OSError):
                    parent.rmdir()


def _rmdir(directory: Path) -> None:
    # A cgroup whose last task just died may be busy for a moment (EBUSY).
    for _ in range(_RMDIR_TRIES):
        try:
            directory.rmdir()
        except FileNotFoundError:
            return
        except OSError as exc:
            if exc.errno != errno.EBUSY:
                raise
            time.sleep(0.02)
        else:
            return
    directory.rmdir()


__all__ = ["CGROUP_ROOT", "V1_CONTROLLERS", "Cgroups", "shares_to_weight"]

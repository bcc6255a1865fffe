"""ContainerStats, UpdateContainerResources and ReopenContainerLog.

Usage comes from the container's cgroup (CPU time, memory working set) and
its overlayfs upper directory (the writable layer). New limits are written
to the cgroup and the record; if the kernel refuses one, the previous limits
are written back (api.proto: "If runtime fails to transactionally update
the requested resources, an error is returned"). Log reopening is a SIGUSR1
to the container's monitor.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final

import attrs

from podkit import errors
from podkit.models.runtime import (
    ContainerAttributes,
    ContainerState,
    ContainerStats,
    CpuUsage,
    FilesystemIdentifier,
    FilesystemUsage,
    LinuxContainerResources,
    MemoryUsage,
)
from podkit.plugins.runtime import _limits, _proc, _records

if TYPE_CHECKING:
    from podkit.models.runtime import ContainerStatsFilter
    from podkit.plugins.runtime._containers import Containers
    from podkit.plugins.runtime._records import ContainerRecord

_REOPEN_WAIT: Final = 5.0


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def _stat(text: str, key: str) -> int:
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == key and value.strip().isdigit():
            return int(value)
    return 0


def _cpu(containers: Containers, record: ContainerRecord, now: int) -> CpuUsage:
    cgroups = containers.cgroups
    if cgroups.version == 2:  # noqa: PLR2004
        usec = _stat(cgroups.read(record.cgroup, "cpu", "cpu.stat"), "usage_usec")
        return CpuUsage(timestamp=now, usage_core_nano_seconds=usec * 1000)
    usage = _number(cgroups.read(record.cgroup, "cpuacct", "cpuacct.usage"))
    return CpuUsage(timestamp=now, usage_core_nano_seconds=usage)


def _memory(containers: Containers, record: ContainerRecord, now: int) -> MemoryUsage:
    cgroups = containers.cgroups
    v2 = cgroups.version == 2  # noqa: PLR2004
    usage = _number(
        cgroups.read(record.cgroup, "memory", "memory.current" if v2 else "memory.usage_in_bytes")
    )
    stat = cgroups.read(record.cgroup, "memory", "memory.stat")
    inactive = _stat(stat, "inactive_file" if v2 else "total_inactive_file")
    working = None if usage is None else max(usage - inactive, 0)
    rss = _stat(stat, "anon" if v2 else "total_rss")
    return MemoryUsage(timestamp=now, working_set_bytes=working, usage_bytes=usage, rss_bytes=rss)


def _layer(containers: Containers, record: ContainerRecord, now: int) -> FilesystemUsage:
    upper = containers.layout.layer_dir(record.id) / "upper"
    used = inodes = 0
    for top, dirs, files in os.walk(upper):
        for name in (*dirs, *files):
            try:
                used += (Path(top) / name).lstat().st_blocks * 512
            except OSError:
                continue
            inodes += 1
    return FilesystemUsage(
        timestamp=now,
        fs_id=FilesystemIdentifier(mountpoint=str(upper)),
        used_bytes=used,
        inodes_used=inodes,
    )


def container_stats(containers: Containers, container_id: str) -> ContainerStats:
    """The usage of one container."""
    record = containers.get(container_id, "get the stats of")
    now = time.time_ns()
    return ContainerStats(
        attributes=ContainerAttributes(
            id=record.id,
            metadata=record.config.metadata,
            labels=record.config.labels,
            annotations=record.config.annotations,
        ),
        cpu=_cpu(containers, record, now),
        memory=_memory(containers, record, now),
        writable_layer=_layer(containers, record, now),
    )


def list_stats(containers: Containers, flt: ContainerStatsFilter) -> tuple[ContainerStats, ...]:
    """The usage of the running containers matching ``flt``."""
    found = []
    for record in list(containers.records.values()):
        if flt.id and record.id != flt.id:
            continue
        if flt.pod_sandbox_id and record.sandbox_id != flt.pod_sandbox_id:
            continue
        if any(record.config.labels.get(k) != v for k, v in flt.label_selector.items()):
            continue
        if containers.observe(record.id).state is ContainerState.CONTAINER_RUNNING:
            found.append(container_stats(containers, record.id))
    return tuple(found)


def _merge(old: LinuxContainerResources, new: LinuxContainerResources) -> LinuxContainerResources:
    changes = {}
    for field in attrs.fields(LinuxContainerResources):
        value = getattr(new, field.name)
        if value:  # 0 and empty mean "not specified": keep the current value
            changes[field.name] = value
    return attrs.evolve(old, **changes)


def update_resources(
    containers: Containers, container_id: str, linux: LinuxContainerResources | None
) -> None:
    """Apply new limits to the cgroup and record them; roll back on refusal."""
    record = containers.get(container_id, "update the resources of")
    if linux is None:
        return
    merged = _merge(record.resources, linux)
    cgroups = containers.cgroups
    try:
        _limits.apply(cgroups, record.cgroup, merged, containers.pids_limit)
    except errors.FailedPreconditionError:
        _limits.apply(cgroups, record.cgroup, record.resources, containers.pids_limit)
        raise
    record = attrs.evolve(record, resources=merged)
    path = containers.layout.container_dir(container_id) / _records.CONTAINER_FILE
    _records.save(path, record)
    containers.records[container_id] = record


def reopen_log(containers: Containers, container_id: str) -> None:
    """Signal the monitor to reopen the log; wait until the new file exists."""
    record = containers.get(container_id, "reopen the log of")
    observed = containers.observe(container_id)
    if observed.state is not ContainerState.CONTAINER_RUNNING:
        msg = f"failed to reopen the log of container {container_id!r}: it is not running"
        raise errors.FailedPreconditionError(msg)
    if not record.log_path:
        return
    if not _proc.send_signal(observed.monitor_pid, observed.monitor_start, signal.SIGUSR1):
        msg = f"failed to reopen the log of container {container_id!r}: its monitor is gone"
        raise errors.FailedPreconditionError(msg)
    if not _proc.wait_for(lambda: Path(record.log_path).exists(), _REOPEN_WAIT):
        msg = f"failed to reopen the log of container {container_id!r}: no new file"
        raise errors.InternalError(msg)


__all__ = ["container_stats", "list_stats", "reopen_log", "update_resources"]

"""CRI resources (``LinuxContainerResources``) as cgroup v1 or v2 files.

CreateContainer and UpdateContainerResources write them; fields at 0 or
empty mean "not specified" and are left alone (api.proto). The v2 values are
converted as runc converts them: ``cpu.shares`` to ``cpu.weight``, quota and
period to ``cpu.max``, the memory+swap limit to ``memory.swap.max``.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

from podkit import errors
from podkit.plugins.runtime._cgroups import shares_to_weight

if TYPE_CHECKING:
    from podkit.models.runtime import LinuxContainerResources
    from podkit.plugins.runtime._cgroups import Cgroups


def _v1_files(res: LinuxContainerResources) -> list[tuple[str, str, str]]:
    files = []
    if res.memory_limit_in_bytes > 0:
        files.append(("memory", "memory.limit_in_bytes", str(res.memory_limit_in_bytes)))
    if res.memory_swap_limit_in_bytes > 0:
        files.append(("memory", "memory.memsw.limit_in_bytes", str(res.memory_swap_limit_in_bytes)))
    if res.cpu_shares > 0:
        files.append(("cpu", "cpu.shares", str(res.cpu_shares)))
    if res.cpu_period > 0:
        files.append(("cpu", "cpu.cfs_period_us", str(res.cpu_period)))
    if res.cpu_quota != 0:
        files.append(("cpu", "cpu.cfs_quota_us", str(res.cpu_quota)))
    return files


def _v2_files(res: LinuxContainerResources) -> list[tuple[str, str, str]]:
    files = []
    if res.memory_limit_in_bytes > 0:
        files.append(("memory", "memory.max", str(res.memory_limit_in_bytes)))
        if res.memory_swap_limit_in_bytes > 0:
            swap = max(res.memory_swap_limit_in_bytes - res.memory_limit_in_bytes, 0)
            files.append(("memory", "memory.swap.max", str(swap)))
    if res.cpu_shares > 0:
        files.append(("cpu", "cpu.weight", str(shares_to_weight(res.cpu_shares))))
    if res.cpu_quota != 0 or res.cpu_period > 0:
        quota = "max" if res.cpu_quota <= 0 else str(res.cpu_quota)
        files.append(("cpu", "cpu.max", f"{quota} {res.cpu_period or 100000}"))
    files += [(name.partition(".")[0], name, value) for name, value in res.unified.items()]
    return files


def apply(cgroups: Cgroups, rel: str, res: LinuxContainerResources, pids_limit: int) -> None:
    """Write the limits into cgroup ``rel``.

    :raises podkit.errors.FailedPreconditionError: the kernel refused a value
        (e.g. a memory limit below the current usage).
    """
    files = _v2_files(res) if cgroups.version == 2 else _v1_files(res)  # noqa: PLR2004
    if res.cpuset_cpus:
        files.append(("cpuset", "cpuset.cpus", res.cpuset_cpus))
    if res.cpuset_mems:
        files.append(("cpuset", "cpuset.mems", res.cpuset_mems))
    pids = res.unified.get("pids.max") or (str(pids_limit) if pids_limit > 0 else "")
    if pids and cgroups.version == 1:
        files.append(("pids", "pids.max", pids))
    elif pids_limit > 0 and "pids.max" not in res.unified:
        files.append(("pids", "pids.max", str(pids_limit)))
    for controller, name, value in files:
        try:
            cgroups.write(rel, controller, name, value)
        except OSError as exc:
            cause = errno.errorcode.get(exc.errno or 0, str(exc))
            msg = f"failed to set {name}={value} in cgroup {rel!r}: {cause}"
            raise errors.FailedPreconditionError(msg) from exc


__all__ = ["apply"]

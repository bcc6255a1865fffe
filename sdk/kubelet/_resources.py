"""CPU and memory of a container as cgroup settings, and the pod's QoS class.

The kubelet's arithmetic (``pkg/kubelet/cm/helpers_linux.go``): CPU shares
from the request (``MilliCPUToShares``: 1024 per CPU, at least 2), a CFS
quota from the limit over a 100 ms period (``MilliCPUToQuota``: at least
1 ms), the memory limit in bytes. A request that is not set defaults to the
limit, as the API server defaults it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from podkit.models.runtime import LinuxContainerResources

if TYPE_CHECKING:
    from podkit.models.kube import Container, Pod

MIN_SHARES: Final = 2
MAX_SHARES: Final = 262144
SHARES_PER_CPU: Final = 1024
MILLI_CPU_PER_CPU: Final = 1000
#: The CFS period the kubelet uses, microseconds.
QUOTA_PERIOD: Final = 100_000
MIN_QUOTA: Final = 1000


def milli_cpu_to_shares(milli_cpu: int) -> int:
    """``MilliCPUToShares``."""
    if milli_cpu == 0:
        return MIN_SHARES
    shares = milli_cpu * SHARES_PER_CPU // MILLI_CPU_PER_CPU
    return max(MIN_SHARES, min(shares, MAX_SHARES))


def milli_cpu_to_quota(milli_cpu: int, period: int = QUOTA_PERIOD) -> int:
    """``MilliCPUToQuota``: 0 (no quota) for no limit."""
    if milli_cpu == 0:
        return 0
    return max(milli_cpu * period // MILLI_CPU_PER_CPU, MIN_QUOTA)


def linux_resources(container: Container) -> LinuxContainerResources:
    """The cgroup settings of a container's requests and limits."""
    requests, limits = container.resources.requests, container.resources.limits
    cpu_limit = limits.get("cpu")
    cpu_request = requests.get("cpu", cpu_limit)
    memory_limit = limits.get("memory")
    quota = milli_cpu_to_quota(cpu_limit.milli_value) if cpu_limit is not None else 0
    return LinuxContainerResources(
        cpu_shares=milli_cpu_to_shares(cpu_request.milli_value if cpu_request else 0),
        cpu_quota=quota,
        cpu_period=QUOTA_PERIOD if quota else 0,
        memory_limit_in_bytes=memory_limit.value if memory_limit is not None else 0,
    )


def qos_class(pod: Pod) -> str:
    """``Guaranteed``, ``Burstable`` or ``BestEffort`` (``GetPodQOS``)."""
    containers = (*pod.spec.init_containers, *pod.spec.containers)
    if not any(c.resources.requests or c.resources.limits for c in containers):
        return "BestEffort"
    for container in containers:
        limits = container.resources.limits
        requests = {**limits, **container.resources.requests}
        for name in ("cpu", "memory"):
            if name not in limits or requests.get(name) != limits[name]:
                return "Burstable"
    return "Guaranteed"


def cgroup_parent(pod: Pod) -> str:
    """The pod's cgroup as the kubelet names it (cgroupfs driver)."""
    qos = qos_class(pod)
    tier = "" if qos == "Guaranteed" else f"{qos.lower()}/"
    return f"kubepods/{tier}pod{pod.metadata.uid}"


__all__ = [
    "QUOTA_PERIOD",
    "cgroup_parent",
    "linux_resources",
    "milli_cpu_to_quota",
    "milli_cpu_to_shares",
    "qos_class",
]

"""CRI resource limits (``LinuxContainerResources``): memory, pids and CPU are enforced.

No timing: CPU limits are checked as the runtime reports them in force, and
the memory and pids limits by what the kernel does when they are reached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.models.runtime import ContainerState, LinuxContainerResources

if TYPE_CHECKING:
    from podkit.conformance.runtime._pods import Pods

EXITED = ContainerState.CONTAINER_EXITED
MIB = 1024 * 1024
PIDS_MAX = 16
# A bounded fork bomb: a subshell forks sleepers until the kernel refuses, then
# PID 1 counts the processes of the container with shell builtins only.
FORK_BOMB = (
    "(i=0; while [ $i -lt 200 ]; do sleep 600 & i=$((i+1)); done) 2>/dev/null; "
    'set -- /proc/[0-9]*; echo "procs=$#"'
)


def test_a_container_over_its_memory_limit_is_oom_killed(pods: Pods) -> None:
    """CRI ContainerStatus ``reason``: "OOMKilled" after the OOM killer struck; "Must be set".

    ``memory_limit_in_bytes`` is the container's memory limit; a process
    going past it is killed, and the container exits with that reason.
    """
    sandbox = pods.sandbox("oom")
    limit = LinuxContainerResources(memory_limit_in_bytes=16 * MIB)
    script = "exec sh -c 'head -c 200000000 /dev/zero | tail'"
    container_id = pods.run(sandbox, "sh", "-c", script, resources=limit)
    status = pods.wait_for(container_id, EXITED)
    assert status.reason == "OOMKilled", status
    assert status.exit_code != 0


def test_a_pids_limit_contains_a_fork_bomb(pods: Pods) -> None:
    """CRI ``LinuxContainerResources.unified`` ``pids.max``: the container cannot fork past it.

    api.proto: unified holds "cgroupv2 parameters" such as ``pids.max``; the
    bomb's forks fail once the container holds that many processes.

    On a node whose pids controller is cgroup v1 (a v1 or hybrid layout),
    ``unified`` has nowhere to go: runc (under containerd) refuses the
    container ("cannot use unified on cgroup v1") and the test is skipped;
    podkit's runtime applies ``pids.max`` on either.
    """
    sandbox = pods.sandbox("pids")
    limit = LinuxContainerResources(unified={"pids.max": str(PIDS_MAX)})
    try:
        container_id = pods.run(sandbox, "sh", "-c", FORK_BOMB, resources=limit)
    except podkit.PodkitError as exc:
        if "cannot use unified on cgroup v1" not in str(exc):
            raise
        pytest.skip(f"the runtime refuses cgroup v2 `unified` on this cgroup v1 node: {exc}")
    pods.wait_for(container_id, EXITED)
    counts = [line for line in pods.stdout(container_id) if line.startswith("procs=")]
    assert counts, pods.stdout(container_id)
    assert 1 < int(counts[0].removeprefix("procs=")) <= PIDS_MAX, counts


def test_cpu_and_memory_limits_are_reported_in_force(pods: Pods) -> None:
    """CRI ContainerStatus ``resources``: "Resource limits configuration of the container".

    The CFS quota and period and the memory limit asked for at creation are
    those in force; a runtime that does not report resources is skipped.
    """
    sandbox = pods.sandbox("cpu")
    asked = LinuxContainerResources(
        cpu_period=100_000, cpu_quota=50_000, memory_limit_in_bytes=64 * MIB
    )
    container_id = pods.run(sandbox, "sleep", "3600", resources=asked)
    resources = pods.status(container_id).resources
    if resources is None or resources.linux is None:
        pytest.skip("the runtime does not report the resources in ContainerStatus")
    linux = resources.linux
    assert (linux.cpu_period, linux.cpu_quota) == (100_000, 50_000)
    assert linux.memory_limit_in_bytes == 64 * MIB


def test_updated_limits_are_reported_in_force(pods: Pods) -> None:
    """CRI UpdateContainerResources "updates ContainerConfig of the container synchronously".

    ContainerStatus ``resources`` shows the new CPU quota afterwards.
    """
    sandbox = pods.sandbox("update")
    asked = LinuxContainerResources(cpu_period=100_000, cpu_quota=50_000)
    container_id = pods.run(sandbox, "sleep", "3600", resources=asked)
    changed = LinuxContainerResources(cpu_period=100_000, cpu_quota=20_000)
    assert pods.runtime.update_container_resources(pods.handler, container_id, changed) is True
    resources = pods.status(container_id).resources
    if resources is None or resources.linux is None:
        pytest.skip("the runtime does not report the resources in ContainerStatus")
    assert resources.linux.cpu_quota == 20_000

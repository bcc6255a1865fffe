"""Taking over a pod that an earlier run of the node started, without restarting it.

A node killed with kill -9 and started again knows its pods from its store
(:mod:`._store`), but not what became of them. As the kubelet rebuilds its
view from the runtime (``kubecontainer.Pod`` from sandbox and container
labels), a recovered pod's worker first looks:

- its sandboxes, by the node-instance and pod-uid labels: the newest one
  (highest attempt) is the pod's, older ones are removed;
- that sandbox's containers, by the container-name label and their attempt
  (``ContainerMetadata.attempt``, the restart count when they were made):
  the newest run of each container is its current one and is adopted as it
  is (running, or exited with its exit code), the one before it gives
  ``lastState`` and is kept for ``logs --previous``; older runs, runs that
  were created but never started (the node died between ``CreateContainer``
  and ``StartContainer``), runs of another container definition (the
  ``io.kubernetes.container.hash`` annotation differs) and containers of no
  container of the pod are removed;
- the volumes are published again (idempotent), which gives their paths.

Anything missing is then made by the usual sync. A sandbox that is not
ready (it died, or the node died while attaching its network) is handled
by the usual sync too: removed, and a new one made, unless the pod is done.
"""

from __future__ import annotations

import collections
import logging
from typing import TYPE_CHECKING, Final

from podkit.kubelet._containers import PodRuntime
from podkit.kubelet._convert import (
    CONTAINER_HASH_ANNOTATION,
    CONTAINER_NAME_LABEL,
    POD_UID_LABEL,
    container_hash,
    sandbox_config,
    sort_ips,
)
from podkit.kubelet._pod import from_nanos, observed_state
from podkit.kubelet._status import ContainerStateTerminated
from podkit.models.runtime import (
    ContainerFilter,
    ContainerState,
    PodSandboxFilter,
    PodSandboxState,
)

LOGGER: Final = logging.getLogger("podkit.kubelet")

if TYPE_CHECKING:
    from podkit.kubelet._context import NodeContext
    from podkit.kubelet._pod import ContainerSlot
    from podkit.kubelet._worker import PodWorker
    from podkit.models.kube import Pod
    from podkit.models.runtime import Container, PodSandbox


async def pod_sandboxes(ctx: NodeContext, pod: Pod) -> list[PodSandbox]:
    """The pod's sandboxes on this node, oldest first."""
    selector = {**ctx.sandbox_labels, POD_UID_LABEL: pod.metadata.uid}
    found = await ctx.call(ctx.layer.list_pod_sandbox, PodSandboxFilter(label_selector=selector))
    return sorted(found, key=lambda s: (s.metadata.attempt, s.created_at))


async def adopt(worker: PodWorker) -> None:
    """Take over what exists of ``worker``'s pod; leave the rest to the sync.

    Idempotent: a second call finds what the first one adopted.
    """
    ctx, pod = worker.ctx, worker.pod
    sandboxes = await pod_sandboxes(ctx, pod)
    if not sandboxes:
        return
    *older, newest = sandboxes
    for sandbox in older:
        await ctx.sandbox_call(ctx.layer.remove_pod_sandbox, sandbox.id)
    status = (await ctx.call(ctx.layer.pod_sandbox_status, newest.id)).status
    worker.attempt = newest.metadata.attempt
    worker.start_time = from_nanos(newest.created_at) or worker.start_time
    volumes = await ctx.call(ctx.volumes.publish, pod)
    network = status.network
    ips = () if network is None else (network.ip, *(i.ip for i in network.additional_ips))
    if not ips and ctx.host_ip and pod.spec.host_network:
        ips = (ctx.host_ip,)
    worker.runtime = PodRuntime(
        ctx=ctx,
        pod=pod,
        handler=worker.handler,
        sandbox_id=newest.id,
        sandbox_config=sandbox_config(
            pod,
            logs_dir=ctx.logs_dir,
            attempt=newest.metadata.attempt,
            labels=ctx.sandbox_labels,
            seccomp_dir=ctx.seccomp_dir,
        ),
        volumes=volumes,
        pod_ips=sort_ips(tuple(ip for ip in ips if ip)),
        record=worker.record,
    )
    await _adopt_containers(worker, newest.id)
    worker.sandbox_stopped = status.state is not PodSandboxState.SANDBOX_READY
    LOGGER.info(
        "pod %s/%s: adopted sandbox %s (%s) and containers %s",
        pod.metadata.namespace,
        pod.metadata.name,
        newest.id[:12],
        status.state.value,
        {s.name: s.container_id[:12] for s in (*worker.init_slots, *worker.slots)},
    )


async def _adopt_containers(worker: PodWorker, sandbox_id: str) -> None:
    ctx = worker.ctx
    wanted = ContainerFilter(pod_sandbox_id=sandbox_id)
    runs: dict[str, list[Container]] = collections.defaultdict(list)
    for container in await ctx.call(ctx.layer.list_containers, wanted):
        runs[container.labels.get(CONTAINER_NAME_LABEL, container.metadata.name)].append(container)
    slots = {slot.name: slot for slot in (*worker.init_slots, *worker.slots)}
    for name in set(runs) - set(slots):
        for container in runs.pop(name):
            await ctx.call(ctx.layer.remove_container, container.id)
    for name, containers in runs.items():
        slot = slots[name]
        containers.sort(key=lambda c: (c.metadata.attempt, c.created_at))
        current = containers[-1]
        unusable = current.state is ContainerState.CONTAINER_CREATED or (
            current.annotations.get(CONTAINER_HASH_ANNOTATION, "") != container_hash(slot.spec)
        )
        if unusable:  # made but never started, or of another definition: made again
            await ctx.call(ctx.layer.remove_container, current.id)
            containers.pop()
            slot.restart_count = current.metadata.attempt
        keep = containers[-2:] if not unusable else containers[-1:]
        for stale in containers[: len(containers) - len(keep)]:
            await ctx.call(ctx.layer.remove_container, stale.id)
        await _fill(worker, slot, keep, current=None if unusable else current)


async def _fill(
    worker: PodWorker, slot: ContainerSlot, keep: list[Container], *, current: Container | None
) -> None:
    """Set ``slot`` from the runs kept: the current one (if usable) and the one before."""
    ctx = worker.ctx
    previous = keep[0] if keep and (current is None or len(keep) > 1) else None
    if previous is not None:
        response = await ctx.call(ctx.layer.container_status, previous.id)
        state = observed_state(response.status)
        slot.previous_id = previous.id
        if isinstance(state, ContainerStateTerminated):
            slot.last_state = state
        if current is None:
            slot.restart_count = max(slot.restart_count, previous.metadata.attempt + 1)
    if current is None:
        return
    response = await ctx.call(ctx.layer.container_status, current.id)
    slot.container_id = current.id
    slot.restart_count = current.metadata.attempt
    slot.image_id = current.image_id or response.status.image_ref
    slot.current = observed_state(response.status)
    slot.exit_seen = False
    slot.probe_started = slot.spec.startup_probe is None
    slot.probe_ready = slot.spec.readiness_probe is None
    if slot.running:
        worker.start_probing(slot)


__all__ = ["adopt", "pod_sandboxes"]

"""Garbage collection of a node: removing what none of its pods owns.

A node killed half-way through an operation, or a teardown that failed,
leaves things behind; the kubelet's garbage collectors (containers,
sandboxes, orphaned pod directories) remove them. Here, at start and every
``gc_period`` seconds (:meth:`Node.collect_orphans
<podkit.kubelet.Node.collect_orphans>`):

1. what the runtime layer holds of half-done operations
   (:meth:`podkit.runtimelayer.RuntimeLayer.collect_garbage`);
2. sandboxes labelled with the node's instance whose pod the node does not
   run, with their containers, networks and addresses;
3. pod directories under ``state_dir/pods`` of such pods (their volumes are
   unpublished as ``volumes.json`` records them), and their log folders;
4. records of pods whose deletion failed, and leftovers of cut writes.

``owners()`` is asked again right before each listing, so that a pod
applied meanwhile (its worker is registered before it makes anything) is
never collected.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from typing import TYPE_CHECKING, Final

from podkit.kubelet._convert import POD_UID_LABEL
from podkit.models.runtime import PodSandboxFilter

if TYPE_CHECKING:
    from collections.abc import Callable

    from podkit.kubelet._context import NodeContext
    from podkit.kubelet._store import NodeStore

LOGGER: Final = logging.getLogger("podkit.kubelet")


async def collect_garbage(
    ctx: NodeContext, store: NodeStore, owners: Callable[[], set[str]]
) -> list[str]:
    """Remove what no pod in ``owners()`` owns; the uids of the pods whose leftovers went.

    :raises podkit.errors.PodkitError: a leftover could not be removed (the
        next collection tries again).
    """
    found: set[str] = set()
    layer = ctx.layer
    wanted = PodSandboxFilter(label_selector=ctx.sandbox_labels)
    async with ctx.sandbox_lock:  # no sandbox starts or goes meanwhile
        swept = await ctx.call(layer.collect_garbage, ctx.sandbox_labels)
        for sandbox in await ctx.call(layer.list_pod_sandbox, wanted):
            uid = sandbox.labels.get(POD_UID_LABEL, "")
            if uid not in owners():
                await ctx.call(layer.remove_pod_sandbox, sandbox.id)
                found.add(uid)
    if swept:
        LOGGER.info("removed leftovers of the runtime layer: %s", ", ".join(swept))
    for uid in ctx.volumes.orphans(owners()):
        await ctx.call(ctx.volumes.collect, uid)
        found.add(uid)
    logs = list(ctx.logs_dir.iterdir()) if ctx.logs_dir.is_dir() else []
    kept = owners()
    for log_dir in logs:
        uid = log_dir.name.rpartition("_")[2]
        if uid not in kept:
            await asyncio.to_thread(shutil.rmtree, log_dir, ignore_errors=True)
            found.add(uid)
    for entry in await asyncio.to_thread(store.pods):
        if entry.pod.metadata.uid not in owners():
            await asyncio.to_thread(store.forget_pod, entry.pod.metadata.uid)
            found.add(entry.pod.metadata.uid)
    await asyncio.to_thread(store.remove_temporaries)
    if found:
        LOGGER.info("removed what pods %s left", ", ".join(sorted(found)))
    return sorted(found)


__all__ = ["collect_garbage"]

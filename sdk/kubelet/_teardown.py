"""Tearing a pod down: its containers stopped gracefully, then everything of it removed.

As the kubelet's ``killPod`` then its cleanup: the running containers get
the pod's grace period (``preStop`` first, :meth:`PodRuntime.kill`), then
every container the pod ever ran, its sandboxes (also those an earlier run
of the node left), its volumes and its logs are removed. Each step runs
even when one before it failed; the first failure is kept
(``PodWorker.teardown_error``) to be raised when the pod is deleted, and
every one is an event.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from typing import TYPE_CHECKING, Final

from podkit.errors import InternalError, PodkitError
from podkit.kubelet._adopt import pod_sandboxes
from podkit.kubelet._convert import log_directory

if TYPE_CHECKING:
    from collections.abc import Callable

    from podkit.kubelet._containers import PodRuntime
    from podkit.kubelet._worker import PodWorker

LOGGER: Final = logging.getLogger("podkit.kubelet")


async def kill_all(worker: PodWorker, runtime: PodRuntime) -> None:
    """Stop the pod's running containers, each within the pod's grace period."""
    grace = worker.grace_period
    if grace is None:
        grace = float(worker.pod.spec.termination_grace_period_seconds)
    await worker.stop_probing(*worker.init_slots, *worker.slots)
    slots = [s for s in (*worker.init_slots, *worker.slots) if s.running]
    results = await asyncio.gather(*(runtime.kill(s, grace) for s in slots), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            worker.record("Warning", "FailedKillPod", f"error killing pod: {result}")


async def terminate(worker: PodWorker) -> None:
    """Stop and remove everything of the pod; the first failure is kept to raise."""
    if worker.adopting:  # stopped before its first pass: stop what runs gracefully
        try:
            await worker.take_over()
        except PodkitError as exc:
            message = f"error finding the pod's containers: {exc}"
            worker.record("Warning", "FailedKillPod", message)
    runtime = worker.runtime
    if runtime is not None:
        await kill_all(worker, runtime)
        for slot in (*worker.init_slots, *worker.slots):
            for container_id in (slot.container_id, slot.previous_id):
                if container_id:
                    # Our view may lag the runtime's (a restart in flight): stop it
                    # first, a no-op when it exited, since a runtime may refuse to
                    # remove a running container (containerd does).
                    await _attempt(worker, worker.ctx.layer.stop_container, container_id, 0)
                    await _attempt(worker, worker.ctx.layer.remove_container, container_id)
        async with worker.ctx.sandbox_lock:
            await _attempt(worker, worker.ctx.layer.remove_pod_sandbox, runtime.sandbox_id)
    try:  # sandboxes of the pod that an earlier run left (a start cut by a crash)
        leftovers = await pod_sandboxes(worker.ctx, worker.pod)
    except PodkitError as exc:
        worker.record("Warning", "FailedKillPod", f"error listing the pod's sandboxes: {exc}")
        leftovers = []
    for sandbox in leftovers:
        async with worker.ctx.sandbox_lock:
            await _attempt(worker, worker.ctx.layer.remove_pod_sandbox, sandbox.id)
    await _attempt(worker, worker.ctx.volumes.unpublish, worker.pod)
    shutil.rmtree(log_directory(worker.ctx.logs_dir, worker.pod), ignore_errors=True)
    worker.record("Normal", "Deleted", f"Deleted pod {worker.name}")


async def _attempt(worker: PodWorker, method: Callable[..., object], *args: object) -> None:
    """One teardown step; a failure is recorded and the next steps still run."""
    try:
        await worker.ctx.call(method, *args)
    except PodkitError as exc:
        worker.record("Warning", "FailedKillPod", f"error tearing down pod: {exc}")
        worker.teardown_error = worker.teardown_error or exc
    except Exception as exc:
        LOGGER.exception("failed to tear down pod %s", worker.name)
        worker.record("Warning", "FailedKillPod", f"error tearing down pod: {exc!r}")
        worker.teardown_error = worker.teardown_error or InternalError(
            f"failed to tear down pod {worker.name}: {exc!r}"
        )


__all__ = ["kill_all", "terminate"]

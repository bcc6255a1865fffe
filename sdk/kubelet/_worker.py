"""The pod worker: one asyncio task that drives one pod, as the kubelet's ``SyncPod``.

Each pass (every ``sync_period`` seconds, or sooner when woken):

1. no sandbox yet: publish the volumes, then run the sandbox (networks
   attached by the runtime layer); a failure is retried with back-off;
2. a sandbox that died is removed with its containers, and the next pass
   runs a new one (``SandboxChanged``);
3. look at the containers the runtime runs (``ContainerStatus``);
4. init containers, one at a time, each to success before the next;
5. app containers: start those not started (and their probes, in
   :mod:`._probes`), restart the exited ones the ``restartPolicy`` restarts,
   after their crash-loop back-off.

A pod that reached ``Succeeded`` or ``Failed`` (or ran past its
``activeDeadlineSeconds``) stays there; its sandbox is stopped (its
addresses released) and the rest kept until the pod is deleted. Deleting
stops the containers gracefully (``preStop``, then ``StopContainer`` with
``terminationGracePeriodSeconds``) and tears down in order: containers,
sandbox (networks), volumes, logs.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Final, final

from podkit.errors import NotFoundError, PodkitError
from podkit.kubelet._adopt import adopt
from podkit.kubelet._backoff import BackOff
from podkit.kubelet._containers import PodRuntime, StartError, waiting_for
from podkit.kubelet._convert import (
    container_log_path,
    log_directory,
    sandbox_config,
    sort_ips,
)
from podkit.kubelet._pod import (
    ContainerSlot,
    lost,
    now,
    observed_state,
    restarts,
    run_seconds,
    runs_again,
    termination_file,
    with_message,
)
from podkit.kubelet._probes import Prober
from podkit.kubelet._resources import qos_class
from podkit.kubelet._status import (
    TERMINAL_PHASES,
    ContainerStateWaiting,
    PodEvent,
    PodPhase,
    PodStatus,
    pod_conditions,
    pod_phase,
)
from podkit.kubelet._teardown import kill_all, terminate
from podkit.kubelet._volumes import projects
from podkit.models.kube import RestartPolicy
from podkit.models.runtime import PodSandboxState

if TYPE_CHECKING:
    import datetime as dt

    from podkit.kubelet._context import NodeContext
    from podkit.models.kube import ConfigMap, Pod, Secret


LOGGER: Final = logging.getLogger("podkit.kubelet")


@final
class PodWorker:
    """Drives one pod through the hooks; :meth:`status` tells where it is.

    :param pod: the pod, with its uid and node name set.
    :param ctx: what the node's workers share.
    :param recovered: the pod was started by an earlier run of the node: its
        first pass adopts what exists of it (:mod:`._adopt`).
    """

    def __init__(self, pod: Pod, ctx: NodeContext, *, recovered: bool = False) -> None:
        self.pod = pod
        #: Whether what exists of the pod is still to be adopted.
        self.adopting = recovered
        self.ctx = ctx
        self.handler = pod.spec.runtime_class_name or ctx.layer.default_handler
        self.init_slots = [
            ContainerSlot(spec=c, init=True, policy=ctx.backoff) for c in pod.spec.init_containers
        ]
        self.slots = [
            ContainerSlot(spec=c, init=False, policy=ctx.backoff) for c in pod.spec.containers
        ]
        self.runtime: PodRuntime | None = None
        self.phase = PodPhase.PENDING
        self.start_time: dt.datetime | None = None
        self.events: collections.deque[PodEvent] = collections.deque(maxlen=ctx.max_events)
        if recovered and ctx.event_log is not None:  # what the earlier run saw
            self.events.extend(ctx.event_log.load(pod.metadata.uid))
        self.sandbox_stopped = False
        #: How many sandboxes the pod had before the current one.
        self.attempt = 0
        self._setup_backoff = BackOff(ctx.backoff)
        self._setup_not_before = 0.0
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._updated = asyncio.Event()
        self.grace_period: float | None = None
        self._teardown = True
        self._task: asyncio.Task[None] | None = None
        #: Why the pod failed, when the containers do not say it (``DeadlineExceeded``).
        self.reason = ""
        self.message = ""
        self.teardown_error: PodkitError | None = None

    # -- the public side -------------------------------------------------------

    def start(self, *, deleting: bool = False) -> None:
        """Start driving the pod.

        :param deleting: only to tear it down (its deletion was cut by a crash);
            :meth:`stop` waits for that.
        """
        if deleting:
            self._stop.set()
        if not self.adopting:
            self.record("Normal", "Scheduled", f"Assigned {self.name} to {self.ctx.node_name}")
        self._task = asyncio.create_task(self._run(), name=f"pod {self.name}")

    async def stop(self, grace_period: float | None = None, *, teardown: bool = True) -> None:
        """Stop the pod gracefully and tear everything down; wait until it is done.

        With ``teardown=False`` only the worker stops: the pod's containers,
        sandbox and volumes stay as they are.

        :raises podkit.errors.PodkitError: a teardown step failed (the first one).
        """
        self.grace_period = grace_period
        self._teardown = teardown
        self._stop.set()
        self._wake.set()
        if self._task is not None:
            await asyncio.shield(self._task)
        if self.teardown_error is not None:
            raise self.teardown_error

    async def changed(self, within: float) -> None:
        """Wait until the status may have changed, at most ``within`` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._updated.wait(), within)

    def wake(self) -> None:
        """Sync the pod now (an object it uses changed)."""
        self._wake.set()

    async def refresh(self, obj: Secret | ConfigMap) -> None:
        """Publish again the pod's volumes that project ``obj``, with its new data."""
        meta = obj.metadata
        if self.runtime is None or self.phase in TERMINAL_PHASES:
            return  # not published yet (they will get the new data), or done with
        if meta.namespace != self.pod.metadata.namespace:
            return
        for volume in self.pod.spec.volumes:
            if projects(volume, obj):
                try:
                    await self.ctx.call(self.ctx.volumes.refresh, self.pod, volume)
                except PodkitError as exc:
                    self.record("Warning", "FailedMount", f"MountVolume.SetUp failed: {exc}")

    def record(self, type_: str, reason: str, message: str) -> None:
        """Add an event to the pod's bounded event log (and to the node's on disk)."""
        event = PodEvent(time=now(), type=type_, reason=reason, message=message)
        self.events.append(event)
        if self.ctx.event_log is not None:
            self.ctx.event_log.append(self.pod.metadata.uid, event)

    def status(self) -> PodStatus:
        """The pod's status, as Kubernetes would report it."""
        initializing = not all(s.succeeded for s in self.init_slots)
        init = tuple(s.status() for s in self.init_slots)
        app = tuple(s.status(initializing=initializing) for s in self.slots)
        return PodStatus(
            phase=self.phase,
            conditions=pod_conditions(self.phase, init, app),
            pod_ips=self.runtime.pod_ips if self.runtime else (),
            host_ip=self.ctx.host_ip,
            init_container_statuses=init,
            container_statuses=app,
            reason=self.reason,
            message=self.message,
            start_time=self.start_time,
            qos_class=qos_class(self.pod),
            events=tuple(self.events),
        )

    @property
    def name(self) -> str:
        return f"{self.pod.metadata.namespace}/{self.pod.metadata.name}"

    def _notify(self) -> None:
        self._updated.set()
        self._updated = asyncio.Event()

    # -- the loop ----------------------------------------------------------------

    async def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._wake.clear()  # a wake-up during the pass below is not lost
                try:
                    await self._sync()
                except PodkitError as exc:
                    self.record("Warning", "FailedSync", f"error syncing pod: {exc}")
                except Exception as exc:  # a bug or an OS error: retried, never fatal
                    LOGGER.exception("failed to sync pod %s", self.name)
                    self.record("Warning", "FailedSync", f"error syncing pod: {exc!r}")
                self._notify()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.ctx.sync_period)
        finally:
            if self._teardown:
                await terminate(self)
            else:
                await self.stop_probing(*self.init_slots, *self.slots)
            self._notify()

    async def _sync(self) -> None:
        if self.phase in TERMINAL_PHASES:
            return
        if self._past_deadline():
            await self._fail_deadline()
            return
        if self.adopting:
            await self.take_over()
            if self.phase in TERMINAL_PHASES:
                return
        if self.start_time is None:
            self.start_time = now()
        if self.runtime is None and not await self._setup():
            return
        runtime = self.runtime
        assert runtime is not None  # noqa: S101 - set by _setup
        if not await self._sandbox_ready(runtime):
            await self._sandbox_changed(runtime)
            return
        await self._poll()
        if await self._sync_init(runtime):
            await self._sync_app(runtime)
        self._update_phase()
        if self.phase in TERMINAL_PHASES:
            await self._stop_sandbox(runtime)

    async def _sandbox_ready(self, runtime: PodRuntime) -> bool:
        try:
            response = await self.ctx.call(self.ctx.layer.pod_sandbox_status, runtime.sandbox_id)
        except NotFoundError:
            return False
        return response.status.state is PodSandboxState.SANDBOX_READY

    async def _sandbox_changed(self, runtime: PodRuntime) -> None:
        """The sandbox died: remove it and its containers; the next pass makes a new one.

        As the kubelet does, every container then runs again (init containers
        first), counted as a restart; a pod that never restarts has Failed.
        """
        message = "Pod sandbox changed, it will be killed and re-created."
        self.record("Normal", "SandboxChanged", message)
        await kill_all(self, runtime)
        await self._poll()
        slots = (*self.init_slots, *self.slots)
        restart = self.pod.spec.restart_policy is not RestartPolicy.NEVER or not any(
            s.container_id for s in slots
        )  # a pod that never restarts gets a new sandbox only if nothing ran yet
        for slot in slots:
            if not slot.container_id:
                continue
            ended = slot.terminated or lost(slot.container_id)
            for container_id in (slot.container_id, slot.previous_id):
                if container_id:
                    await self.ctx.call(self.ctx.layer.remove_container, container_id)
            slot.previous_id = ""
            if not runs_again(self.pod.spec.restart_policy, slot):
                slot.current, slot.exit_seen, slot.container_id = ended, True, ""
                continue
            slot.last_state, slot.current, slot.waiting = ended, None, None
            slot.container_id, slot.exit_seen = "", False
            slot.restart_count += 1
        async with self.ctx.sandbox_lock:
            await self.ctx.call(self.ctx.layer.remove_pod_sandbox, runtime.sandbox_id)
        self.attempt += 1
        if restart:
            self.runtime = None  # the next pass runs a new sandbox
        else:
            self.sandbox_stopped = True
            self._update_phase()

    async def recover(self) -> None:
        """Adopt what an earlier run of the node made of the pod, before :meth:`start`.

        A failure is an event; the first pass of the worker tries again.
        """
        if not self.adopting:
            return
        try:
            await self.take_over()
        except PodkitError as exc:
            self.record("Warning", "FailedSync", f"error adopting the pod's containers: {exc}")
        except Exception as exc:  # a bug or an OS error: the first pass tries again
            LOGGER.exception("failed to adopt pod %s", self.name)
            self.record("Warning", "FailedSync", f"error adopting the pod's containers: {exc!r}")

    async def take_over(self) -> None:
        """Take over what an earlier run of the node made of the pod (once)."""
        await adopt(self)
        self.adopting = False
        if self.runtime is None:
            return
        await self._poll()
        self._update_phase()
        if self.phase in TERMINAL_PHASES:
            await self._stop_sandbox(self.runtime)

    def _past_deadline(self) -> bool:
        deadline = self.pod.spec.active_deadline_seconds
        if deadline is None or self.start_time is None:
            return False
        return (now() - self.start_time).total_seconds() >= deadline

    async def _fail_deadline(self) -> None:
        """``activeDeadlineSeconds`` passed: stop the containers; the pod has Failed."""
        self.reason = "DeadlineExceeded"
        self.message = "Pod was active on the node longer than the specified deadline"
        self.record("Normal", "DeadlineExceeded", self.message)
        if self.runtime is not None:
            await kill_all(self, self.runtime)
            await self._poll()
            await self._stop_sandbox(self.runtime)
        self.phase = PodPhase.FAILED

    def _update_phase(self) -> None:
        initializing = not all(s.succeeded for s in self.init_slots)
        init = [s.status() for s in self.init_slots]
        app = [s.status(initializing=initializing) for s in self.slots]
        self.phase = pod_phase(init, app, self.pod.spec.restart_policy)

    async def _setup(self) -> bool:
        """Volumes, then the sandbox; ``False`` (with an event) when it must be retried."""
        if time.monotonic() < self._setup_not_before:
            return False
        try:
            volumes = await self.ctx.call(self.ctx.volumes.publish, self.pod)
        except PodkitError as exc:
            self._retry_setup("FailedMount", f"MountVolume.SetUp failed: {exc}")
            return False
        config = sandbox_config(
            self.pod,
            logs_dir=self.ctx.logs_dir,
            attempt=self.attempt,
            labels=self.ctx.sandbox_labels,
            seccomp_dir=self.ctx.seccomp_dir,
        )
        try:
            sandbox_id = await self.ctx.sandbox_call(
                self.ctx.layer.run_pod_sandbox, config, self.handler
            )
            status = await self.ctx.call(self.ctx.layer.pod_sandbox_status, sandbox_id)
        except PodkitError as exc:
            self._retry_setup("FailedCreatePodSandBox", f"Failed to create pod sandbox: {exc}")
            return False
        network = status.status.network
        ips = () if network is None else (network.ip, *(i.ip for i in network.additional_ips))
        if not ips and self.ctx.host_ip and self.pod.spec.host_network:
            ips = (self.ctx.host_ip,)
        self.runtime = PodRuntime(
            ctx=self.ctx,
            pod=self.pod,
            handler=self.handler,
            sandbox_id=sandbox_id,
            sandbox_config=config,
            volumes=volumes,
            pod_ips=sort_ips(tuple(ip for ip in ips if ip)),
            record=self.record,
        )
        return True

    def _retry_setup(self, reason: str, message: str) -> None:
        delay = self._setup_backoff.next_delay(0.0)
        self._setup_not_before = time.monotonic() + max(delay, self.ctx.sync_period)
        self.record("Warning", reason, message)

    async def _poll(self) -> None:
        for slot in (*self.init_slots, *self.slots):
            if not slot.container_id or slot.exit_seen:
                continue
            try:
                response = await self.ctx.call(self.ctx.layer.container_status, slot.container_id)
            except NotFoundError:
                slot.current = lost(slot.container_id)
                await self.stop_probing(slot)
                continue
            slot.current = observed_state(response.status)
            if slot.terminated is not None:
                await self.stop_probing(slot)
                log = log_directory(self.ctx.logs_dir, self.pod) / container_log_path(
                    slot.name, slot.restart_count
                )
                ended = termination_file(self.ctx.volumes.pods_dir, self.pod.metadata.uid, slot)
                slot.current = await asyncio.to_thread(
                    with_message, slot, slot.terminated, log, ended
                )

    # -- containers ----------------------------------------------------------------

    async def _sync_init(self, runtime: PodRuntime) -> bool:
        """Init containers in order; ``True`` once all succeeded."""
        for slot in self.init_slots:
            if slot.succeeded:
                slot.exit_seen = True
                continue
            if slot.running:
                return False
            if slot.terminated is not None:
                if restarts(self.pod.spec.restart_policy, slot):
                    await self._restart(runtime, slot)
                return False
            await self._start(runtime, slot)
            return False
        return True

    async def _sync_app(self, runtime: PodRuntime) -> None:
        for slot in self.slots:
            if slot.running:
                continue
            if slot.terminated is not None:
                if restarts(self.pod.spec.restart_policy, slot):
                    await self._restart(runtime, slot)
                else:
                    slot.exit_seen = True  # final: no need to ask the runtime again
                continue
            await self._start(runtime, slot)

    async def _start(self, runtime: PodRuntime, slot: ContainerSlot) -> None:
        if time.monotonic() < slot.not_before:
            return
        try:
            await runtime.start(slot)
        except StartError as exc:
            slot.waiting = waiting_for(exc)
            slot.not_before = time.monotonic() + slot.backoff.next_delay(0.0)
            self.record("Warning", "Failed", f"Error: {exc.reason}: {exc}")
            return
        self.start_probing(slot)

    def start_probing(self, slot: ContainerSlot) -> None:
        """Run the probes of the container's current run, if it has any."""
        if Prober.wanted(slot) and self.runtime is not None:
            name = f"probes {self.name}/{slot.name}"
            slot.prober = asyncio.create_task(Prober(self.runtime, slot).run(), name=name)

    async def stop_probing(self, *slots: ContainerSlot) -> None:
        """Cancel the probes of ``slots`` and wait until they stopped."""
        tasks = [slot.prober for slot in slots if slot.prober is not None]
        for slot in slots:
            slot.prober = None
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _restart(self, runtime: PodRuntime, slot: ContainerSlot) -> None:
        terminated = slot.terminated
        assert terminated is not None  # noqa: S101 - checked by the callers
        if not slot.exit_seen:
            slot.exit_seen = True
            delay = slot.backoff.next_delay(run_seconds(terminated))
            slot.not_before = time.monotonic() + delay
            if delay:
                slot.waiting = ContainerStateWaiting(
                    reason="CrashLoopBackOff",
                    message=f"back-off {delay:g}s restarting failed container={slot.name}"
                    f" pod={self.pod.metadata.name}_{self.pod.metadata.namespace}",
                )
                self.record("Warning", "BackOff", "Back-off restarting failed container")
        if time.monotonic() < slot.not_before:
            return
        older = slot.previous_id
        slot.previous_id, slot.container_id = slot.container_id, ""
        slot.last_state, slot.current = terminated, None
        slot.restart_count += 1
        if older:
            await self.ctx.call(self.ctx.layer.remove_container, older)
        await self._start(runtime, slot)

    # -- the end -------------------------------------------------------------------

    async def _stop_sandbox(self, runtime: PodRuntime) -> None:
        if not self.sandbox_stopped:
            await self.ctx.sandbox_call(self.ctx.layer.stop_pod_sandbox, runtime.sandbox_id)
            self.sandbox_stopped = True


__all__ = ["PodWorker"]

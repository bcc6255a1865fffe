"""Starting and stopping one container of a pod, as the kubelet's ``startContainer`` does.

Start: the image per ``imagePullPolicy`` (``ImageStatus``, then ``PullImage``
if needed), the configuration (environment, mounts, security), then
``CreateContainer`` and ``StartContainer``. Each step that fails leaves the
container waiting with the kubelet's reason for it (``ErrImagePull``,
``ErrImageNeverPull``, ``CreateContainerConfigError``, ``CreateContainerError``,
``RunContainerError``) and nothing half-made behind.

After the start, the ``postStart`` hook (``exec``, ``httpGet`` or ``sleep``);
when it fails the container is stopped, and restarted as its pod's policy
says.

Stop: the ``preStop`` hook (``exec``, ``httpGet`` or ``sleep``), then
``StopContainer`` with what is left of the grace period, as
``killContainer`` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.errors import PodkitError
from podkit.kubelet._convert import ImageUser, container_config, container_mounts
from podkit.kubelet._env import ContainerConfigError, environment
from podkit.kubelet._pod import from_nanos, now, termination_file
from podkit.kubelet._probes import ProbeFailure, container_port, http_get
from podkit.kubelet._status import ContainerStateRunning, ContainerStateWaiting
from podkit.models.kube import PullPolicy
from podkit.models.runtime import ImageSpec, Mount

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from podkit.kubelet._context import NodeContext
    from podkit.kubelet._convert import VolumePath
    from podkit.kubelet._pod import ContainerSlot
    from podkit.models.kube import HTTPGetAction, Pod
    from podkit.models.runtime import ContainerConfig, PodSandboxConfig

#: The least time ``StopContainer`` gets after a ``preStop`` hook (the kubelet's).
MIN_GRACE_AFTER_HOOK: Final = 2.0


class StartError(PodkitError):
    """A container could not be started; :attr:`reason` is the waiting reason."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@final
@attrs.define(kw_only=True)
class PodRuntime:
    """A running sandbox and what its containers are made with."""

    ctx: NodeContext
    pod: Pod
    handler: str
    sandbox_id: str
    sandbox_config: PodSandboxConfig
    volumes: Mapping[str, VolumePath]
    pod_ips: tuple[str, ...]
    #: ``record(type, reason, message)``: adds an event to the pod.
    record: Callable[[str, str, str], None]

    async def _image(self, slot: ContainerSlot) -> tuple[str, ImageUser]:
        container = slot.spec
        spec = ImageSpec(image=container.image, user_specified_image=container.image)
        runtime = self.ctx.manager.runtime
        if container.image_pull_policy is not PullPolicy.ALWAYS:
            present = (await self.ctx.call(runtime.image_status, self.handler, spec)).image
            if present is not None:
                return present.id, ImageUser(uid=present.uid, username=present.username)
        if container.image_pull_policy is PullPolicy.NEVER:
            message = f'Container image "{container.image}" is not present with pull policy Never'
            raise StartError(message, reason="ErrImageNeverPull")
        self.record("Normal", "Pulling", f'Pulling image "{container.image}"')
        try:
            image_id = await self.ctx.call(
                runtime.pull_image, self.handler, spec, None, self.sandbox_config
            )
        except PodkitError as exc:
            message = f'Failed to pull image "{container.image}": {exc}'
            raise StartError(message, reason="ErrImagePull") from exc
        self.record("Normal", "Pulled", f'Successfully pulled image "{container.image}"')
        pulled = ImageSpec(image=image_id)
        image = (await self.ctx.call(runtime.image_status, self.handler, pulled)).image
        if image is None:
            return image_id, ImageUser()
        return image.id, ImageUser(uid=image.uid, username=image.username)

    def _config(self, slot: ContainerSlot, image_id: str, user: ImageUser) -> ContainerConfig:
        env = environment(self.pod, slot.spec, self.ctx.objects, self.pod_ips, self.ctx.host_ip)
        mounts = container_mounts(slot.spec, self.volumes)
        if slot.spec.termination_message_path:
            mounts = (*mounts, self._termination_mount(slot))
        return container_config(
            self.pod,
            slot.spec,
            attempt=slot.restart_count,
            image_ref=image_id,
            image_user=user,
            env=env,
            mounts=mounts,
            seccomp_dir=self.ctx.seccomp_dir,
        )

    def _termination_mount(self, slot: ContainerSlot) -> Mount:
        """An empty file of the pod's for the run's termination message, writable by all."""
        path = termination_file(self.ctx.volumes.pods_dir, self.pod.metadata.uid, slot)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
        path.chmod(0o666)
        return Mount(container_path=slot.spec.termination_message_path, host_path=str(path))

    async def start(self, slot: ContainerSlot) -> None:
        """Pull, create and start the container's next run.

        :raises StartError: a step failed; nothing of this run is left.
        """
        image_id, user = await self._image(slot)
        slot.image_id = image_id
        try:
            config = self._config(slot, image_id, user)
        except (ContainerConfigError, OSError) as exc:
            raise StartError(str(exc), reason="CreateContainerConfigError") from exc
        try:
            container_id = await self.ctx.call(
                self.ctx.layer.create_container, self.sandbox_id, config, self.sandbox_config
            )
        except PodkitError as exc:
            raise StartError(str(exc), reason="CreateContainerError") from exc
        self.record("Normal", "Created", f"Created container {slot.name}")
        try:
            await self.ctx.call(self.ctx.layer.start_container, container_id)
        except PodkitError as exc:
            with contextlib.suppress(PodkitError):
                await self.ctx.call(self.ctx.layer.remove_container, container_id)
            raise StartError(str(exc), reason="RunContainerError") from exc
        slot.container_id = container_id
        slot.current = await self._started_state(container_id)
        slot.waiting = None
        slot.exit_seen = False
        slot.probe_started = slot.spec.startup_probe is None
        slot.probe_ready = slot.spec.readiness_probe is None
        self.record("Normal", "Started", f"Started container {slot.name}")
        await self._post_start(slot)

    async def _started_state(self, container_id: str) -> ContainerStateRunning:
        """Running, since the runtime's start time (the one it reports ever after).

        Running even if it exited already: the next poll sees the exit (and
        reads its termination message).
        """
        try:
            response = await self.ctx.call(self.ctx.layer.container_status, container_id)
        except PodkitError:
            return ContainerStateRunning(started_at=now())
        return ContainerStateRunning(started_at=from_nanos(response.status.started_at) or now())

    async def _post_start(self, slot: ContainerSlot) -> None:
        """Run the ``postStart`` hook; when it fails, the container is killed (and restarted)."""
        lifecycle = slot.spec.lifecycle
        hook = lifecycle.post_start if lifecycle is not None else None
        if hook is None:
            return
        problem = ""
        if hook.sleep is not None:
            await asyncio.sleep(hook.sleep.seconds)
        elif hook.exec is not None:
            runtime = self.ctx.manager.runtime
            try:
                result = await self.ctx.call(
                    runtime.exec_sync, self.handler, slot.container_id, hook.exec.command, 0
                )
            except PodkitError as exc:
                problem = str(exc)
            else:
                problem = f"exited with {result.exit_code}" if result.exit_code else ""
        elif hook.http_get is not None:
            problem = await self._http_hook(slot, hook.http_get)
        else:
            problem = "tcpSocket hooks are not run (as in Kubernetes)"
        if problem:
            self.record("Warning", "FailedPostStartHook", f"PostStartHook failed: {problem}")
            grace = float(self.pod.spec.termination_grace_period_seconds)
            await self.ctx.call(self.ctx.layer.stop_container, slot.container_id, int(grace))

    async def _pre_stop(self, slot: ContainerSlot, grace: float) -> None:
        lifecycle = slot.spec.lifecycle
        hook = lifecycle.pre_stop if lifecycle is not None else None
        if hook is None:
            return
        if hook.sleep is not None:
            await asyncio.sleep(min(float(hook.sleep.seconds), grace))
        elif hook.exec is not None:
            runtime = self.ctx.manager.runtime
            call = self.ctx.call(
                runtime.exec_sync,
                self.handler,
                slot.container_id,
                hook.exec.command,
                max(1, int(grace)),
            )
            try:
                result = await asyncio.wait_for(call, timeout=grace or None)
            except (PodkitError, TimeoutError) as exc:
                self.record("Warning", "FailedPreStopHook", f"PreStop hook failed: {exc}")
                return
            if result.exit_code:
                message = f"PreStop hook exited with {result.exit_code}"
                self.record("Warning", "FailedPreStopHook", message)
        elif hook.http_get is not None:
            try:
                problem = await asyncio.wait_for(self._http_hook(slot, hook.http_get), grace)
            except TimeoutError:
                problem = f"no answer within {grace:g}s"
            if problem:
                self.record("Warning", "FailedPreStopHook", f"PreStop hook failed: {problem}")

    async def _http_hook(self, slot: ContainerSlot, action: HTTPGetAction) -> str:
        """GET the hook's URL (the pod's address by default); what went wrong, or ``""``."""
        host = action.host or (self.pod_ips[0] if self.pod_ips else "")
        try:
            await http_get(action, host, container_port(slot, action.port))
        except (ProbeFailure, OSError) as exc:
            return str(exc) or type(exc).__name__
        return ""

    async def kill(self, slot: ContainerSlot, grace: float) -> None:
        """Run the ``preStop`` hook, then stop the container within ``grace`` seconds."""
        if not slot.container_id or not slot.running:
            return
        self.record("Normal", "Killing", f"Stopping container {slot.name}")
        started = time.monotonic()
        await self._pre_stop(slot, grace)
        left = grace - (time.monotonic() - started)
        if slot.spec.lifecycle is not None and slot.spec.lifecycle.pre_stop is not None:
            left = max(left, MIN_GRACE_AFTER_HOOK)
        await self.ctx.call(self.ctx.layer.stop_container, slot.container_id, max(0, int(left)))


def waiting_for(error: StartError) -> ContainerStateWaiting:
    """The waiting state a failed start leaves the container in."""
    return ContainerStateWaiting(reason=error.reason, message=str(error))


__all__ = ["MIN_GRACE_AFTER_HOOK", "PodRuntime", "StartError", "waiting_for"]

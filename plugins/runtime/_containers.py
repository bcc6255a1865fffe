"""Containers: CreateContainer to ListContainers.

CreateContainer decides everything (the launch spec, the cgroup with its
limits, the writable layer, a lease on the image) and StartContainer gets a
monitor from the zygote (:mod:`._spawner`, :mod:`._monitor`), which outlives
the agent. The state of a container is read from the monitor's files
(:mod:`._lifecycle`), so a new plugin instance re-adopts running and exited
containers from disk.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

from podkit import errors
from podkit.models.runtime import (
    Container,
    ContainerResources,
    ContainerState,
    ContainerStatus,
    ContainerStatusResponse,
    ContainerUser,
    LinuxContainerUser,
    NamespaceMode,
    PodSandboxState,
    ProfileType,
)
from podkit.plugins.runtime import (
    _dnsfiles,
    _lifecycle,
    _limits,
    _mountpoints,
    _records,
    _spec,
)
from podkit.plugins.runtime._spawner import MonitorSpawner

if TYPE_CHECKING:
    from podkit.models.runtime import ContainerConfig, ContainerFilter, PodSandboxConfig
    from podkit.plugins.runtime._cgroups import Cgroups
    from podkit.plugins.runtime._images import ImageRecord, ImageStore
    from podkit.plugins.runtime._records import ContainerRecord, Layout, SandboxRecord


def _log_path(sandbox_config: PodSandboxConfig, config: ContainerConfig) -> str:
    # log_path is relative to the sandbox's log_directory; with neither an
    # absolute path nor a directory there is nowhere to log (output dropped).
    path = Path(sandbox_config.log_directory) / config.log_path
    return str(path) if config.log_path and path.is_absolute() else ""


def _refuse_apparmor_profile(config: ContainerConfig) -> None:
    """Refuse a named AppArmor profile: this runtime applies none.

    ``RuntimeDefault`` (what the kubelet sends when a pod names none) is
    accepted and, like ``Unconfined``, means no AppArmor profile; a
    ``Localhost`` one is a profile the pod's author counted on, so the
    container is not made without it (containerd refuses it too on a node
    without AppArmor).
    """
    context = config.linux.security_context
    profile = context.apparmor
    if context.privileged or profile is None or profile.profile_type is not ProfileType.LOCALHOST:
        return
    msg = (
        f"failed to create container {config.metadata.name!r}: AppArmor profile "
        f"{profile.localhost_ref!r}: the namespace runtime applies no AppArmor profile"
    )
    raise errors.UnimplementedError(msg)


def _matches(record: ContainerRecord, state: ContainerState, flt: ContainerFilter) -> bool:
    if flt.id and record.id != flt.id:
        return False
    if flt.pod_sandbox_id and record.sandbox_id != flt.pod_sandbox_id:
        return False
    if flt.state is not None and state is not flt.state:
        return False
    labels = record.config.labels
    return all(labels.get(k) == v for k, v in flt.label_selector.items())


class Containers:
    """The containers of one plugin instance."""

    def __init__(self, layout: Layout, cgroups: Cgroups, pids_limit: int) -> None:
        self.layout = layout
        self.cgroups = cgroups
        self.pids_limit = pids_limit
        self.spawner = MonitorSpawner(layout.state)
        self.records: dict[str, ContainerRecord] = _records.load_all(
            layout.state / "containers", _records.CONTAINER_FILE, _records.ContainerRecord
        )

    def get(self, container_id: str, verb: str) -> ContainerRecord:
        """The record of a container, or :class:`NotFoundError`."""
        record = self.records.get(container_id)
        if record is None:
            msg = f"failed to {verb} container {container_id!r}: not found"
            raise errors.NotFoundError(msg)
        return record

    def observe(self, container_id: str) -> _lifecycle.Observed:
        """The state of a container, from its monitor's files."""
        return _lifecycle.observe(self.layout.container_dir(container_id))

    # -- CreateContainer -----------------------------------------------------------

    def create(
        self,
        handler: str,
        sandbox: SandboxRecord,
        config: ContainerConfig,
        sandbox_config: PodSandboxConfig,
        store: ImageStore,
    ) -> str:
        """Record a new container, with its spec, cgroup and writable layer."""
        name = config.metadata.name
        if sandbox.state is not PodSandboxState.SANDBOX_READY:
            msg = f"failed to create container {name!r}: sandbox {sandbox.id!r} is not ready"
            raise errors.FailedPreconditionError(msg)
        for other in list(self.records.values()):  # the sandbox's lock is held
            if other.sandbox_id == sandbox.id and other.config.metadata == config.metadata:
                msg = (
                    f"failed to create container {name!r}: attempt "
                    f"{config.metadata.attempt} exists in sandbox {sandbox.id!r} as {other.id!r}"
                )
                raise errors.AlreadyExistsError(msg)
        _refuse_apparmor_profile(config)
        image = store.resolve(config.image.image)
        container_id = secrets.token_hex(32)
        with contextlib.ExitStack() as undo:
            record = self._make(
                container_id,
                handler=handler,
                sandbox=sandbox,
                config=config,
                sandbox_config=sandbox_config,
                image=image,
                store=store,
                undo=undo,
            )
            _records.save(self.layout.container_dir(container_id) / _records.CONTAINER_FILE, record)
            self.records[container_id] = record
            undo.pop_all()
        return container_id

    def _make(  # noqa: PLR0913 - one step of create()
        self,
        container_id: str,
        *,
        handler: str,
        sandbox: SandboxRecord,
        config: ContainerConfig,
        sandbox_config: PodSandboxConfig,
        image: ImageRecord,
        store: ImageStore,
        undo: contextlib.ExitStack,
    ) -> ContainerRecord:
        directory = self.layout.container_dir(container_id)
        layer_dir = self.layout.layer_dir(container_id)
        # Parents first: a mkdir that fails for want of its parent costs a
        # path walk, and the layer dir is on the node's disk (~0.1-0.3 ms a mkdir).
        for path in (directory, directory / "rootfs", layer_dir):
            path.mkdir(parents=True)
        for path in (layer_dir / "upper", layer_dir / "work"):
            path.mkdir()
        undo.callback(_records.remove_tree, directory)
        undo.callback(_records.remove_tree, layer_dir)
        store.lease(image.id, container_id)
        undo.callback(store.release, container_id)
        cgroup = f"{sandbox.cgroup}/{container_id}"
        self.cgroups.create(cgroup)
        undo.callback(self.cgroups.remove, cgroup)
        resources = config.linux.resources
        _limits.apply(self.cgroups, cgroup, resources, self.pids_limit)
        oom = self.cgroups.oom_file(cgroup)
        layers = store.layer_dirs(image)
        log_path = _log_path(sandbox_config, config)
        spec, user = _spec.build(
            config=config,
            image=image,
            layers=layers,
            mountpoints=_mountpoints.layers_for(self.layout.mountpoints, layers),
            sandbox=sandbox,
            sandbox_dir=self.layout.sandbox_dir(sandbox.id),
            hostname=_dnsfiles.sandbox_hostname(sandbox_config),
            layer_dir=layer_dir,
            rootfs=directory / "rootfs",
            log_path=log_path,
            cgroup_procs=self.cgroups.procs_files(cgroup),
            oom_file=str(oom or ""),
            target_pid_ns=self._target_pid_ns(config),
        )
        _records.write_json(directory / _records.SPEC_FILE, spec)
        return _records.ContainerRecord(
            id=container_id,
            sandbox_id=sandbox.id,
            handler=handler,
            created_at=time.time_ns(),
            config=config,
            image_id=image.id,
            image_ref=image.repo_digests[0] if image.repo_digests else image.id,
            stop_signal=image.stop_signal,
            log_path=log_path,
            cgroup=cgroup,
            uid=user.uid,
            gid=user.gid,
            groups=user.groups,
            resources=resources,
        )

    def _target_pid_ns(self, config: ContainerConfig) -> str:
        options = config.linux.security_context.namespace_options
        if options.pid is not NamespaceMode.TARGET:
            return ""
        observed = self.observe(self.get(options.target_id, "target").id)
        if observed.state is not ContainerState.CONTAINER_RUNNING:
            msg = f"failed to create container: target {options.target_id!r} is not running"
            raise errors.FailedPreconditionError(msg)
        return f"/proc/{observed.pid}/ns/pid"

    # -- StartContainer ------------------------------------------------------------

    def start(self, container_id: str, sandbox: SandboxRecord | None) -> None:
        """Run the monitor, which starts the container; raise if it could not."""
        record = self.get(container_id, "start")
        if self.observe(container_id).state is not ContainerState.CONTAINER_CREATED:
            msg = f"failed to start container {container_id!r}: not in state CONTAINER_CREATED"
            raise errors.FailedPreconditionError(msg)
        if sandbox is None or sandbox.state is not PodSandboxState.SANDBOX_READY:
            msg = (
                f"failed to start container {container_id!r}: "
                f"sandbox {record.sandbox_id!r} is not ready"
            )
            raise errors.FailedPreconditionError(msg)
        new_pid = bool(_spec.namespaces(record.config, sandbox, "")["new_pid"])
        report = self.spawner.start(self.layout.container_dir(container_id), new_pid=new_pid)
        if "error" in report:
            cause = str(report["error"])
            msg = f"failed to start container {container_id!r}: {cause}"
            if "executable" in cause or "No such file" in cause:
                raise errors.InvalidArgumentError(msg)
            raise errors.InternalError(msg)

    # -- StopContainer, RemoveContainer --------------------------------------------

    def stop(self, container_id: str, timeout: int) -> None:
        """Signal, wait, kill; a container that is not running is left as it is."""
        record = self.records.get(container_id)
        if record is None:
            return  # containerd: an unknown id is no error
        observed = self.observe(container_id)
        if observed.state is not ContainerState.CONTAINER_RUNNING:
            return  # "must not return an error if the container has already been stopped"
        signum = _lifecycle.stop_signal(record.config.stop_signal, record.stop_signal)
        if not _lifecycle.terminate(observed, signum, float(timeout)):
            msg = f"failed to stop container {container_id!r}: the process did not die"
            raise errors.InternalError(msg)
        self.cgroups.kill_all(record.cgroup)
        _lifecycle.wait_recorded(self.layout.container_dir(container_id), observed)

    def remove(self, container_id: str, store: ImageStore) -> None:
        """Kill, then remove the cgroup, writable layer, records and image lease."""
        record = self.records.get(container_id)
        if record is None:
            return  # "must not return an error if the container has already been removed"
        self.stop(container_id, 0)
        self.cgroups.kill_all(record.cgroup)
        self.cgroups.remove(record.cgroup)
        _records.remove_tree(self.layout.layer_dir(container_id))
        store.release(container_id)  # before the record, so that a kill leaves no lease
        _records.remove_tree(self.layout.container_dir(container_id))
        del self.records[container_id]

    # -- ContainerStatus, ListContainers -------------------------------------------

    def status(self, container_id: str, *, verbose: bool) -> ContainerStatusResponse:
        """The CRI status of one container."""
        record = self.get(container_id, "get the status of")
        seen = self.observe(container_id)
        config = record.config
        status = ContainerStatus(
            id=record.id,
            metadata=config.metadata,
            state=seen.state,
            created_at=record.created_at,
            started_at=seen.started_at,
            finished_at=seen.finished_at,
            exit_code=seen.exit_code,
            image=config.image,
            image_ref=record.image_ref,
            reason=seen.reason,
            message=seen.message,
            labels=config.labels,
            annotations=config.annotations,
            mounts=config.mounts,
            log_path=record.log_path,
            resources=ContainerResources(linux=record.resources),
            image_id=record.image_id,
            user=ContainerUser(
                linux=LinuxContainerUser(
                    uid=record.uid, gid=record.gid, supplemental_groups=record.groups
                )
            ),
            stop_signal=config.stop_signal,
        )
        info = {"pid": str(seen.pid), "cgroup": record.cgroup} if verbose else {}
        return ContainerStatusResponse(status=status, info=info)

    def list(self, flt: ContainerFilter) -> tuple[Container, ...]:
        """The containers that match a filter."""
        found = []
        for record in list(self.records.values()):
            if flt.id and record.id != flt.id:
                continue
            state = self.observe(record.id).state
            if _matches(record, state, flt):
                found.append(
                    Container(
                        id=record.id,
                        pod_sandbox_id=record.sandbox_id,
                        metadata=record.config.metadata,
                        image=record.config.image,
                        image_ref=record.image_ref,
                        state=state,
                        created_at=record.created_at,
                        labels=record.config.labels,
                        annotations=record.config.annotations,
                        image_id=record.image_id,
                    )
                )
        return tuple(found)


__all__ = ["Containers"]

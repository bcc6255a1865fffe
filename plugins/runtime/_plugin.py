"""``NamespaceRuntime``: the reference runtime plugin, handler ``namespace``.

Containers the way the kernel offers them, with no OCI runtime binary
underneath: namespaces kept by bind mounts (no pause process), cgroups
(v1 or v2), an overlayfs root over the image store's layers, and one small
monitor process per running container that outlives the agent. The hooks
here only route: sandboxes live in :mod:`._sandboxes`, containers in
:mod:`._containers`, exec and stats in :mod:`._exec` and :mod:`._stats`.

Choices, and what they cost (measured on the development VM):

* Sandbox namespaces (net, ipc, uts) are made by a short-lived *thread*
  that unshares, bind-mounts ``/proc/thread-self/ns/*`` and exits: no
  process per pod. A pod sharing its PID namespace (``pid: POD``) is the
  exception: a PID namespace dies with its init, so it gets a tiny init
  (:mod:`._podinit`, forked by the zygote below) that reaps orphans, killed
  by StopPodSandbox.
* The container rootfs (overlayfs over the store's layer dirs), ``/proc``,
  ``/dev``, ``/sys`` and the bind mounts are mounted inside the container's
  own mount namespace only, so nothing is mounted on the node per container
  and nothing there needs unmounting, even after a crash.
* One monitor process per running container (:mod:`._monitor`, its own
  session) owns the container, pumps its output into the CRI log and records
  its exit. Monitors are forked by a zygote (:mod:`._zygote`), one small
  long-lived process with the monitor's code loaded, which the plugin starts
  with the first container and retires with the last: StartContainer waits
  for no interpreter's start (~80 ms), and the monitors share the zygote's
  pages (a few MiB PSS each instead of ~8). ExecSync's process
  (:mod:`._nsexec`) comes from the zygote too: ~5 ms, as ``crun exec``.
* The container's first process is forked in advance too: the spare
  monitor forks it into a new PID namespace while it waits
  (:mod:`._preinit`), so StartContainer of a container with a PID namespace
  of its own (the Kubernetes default) waits for no fork of a Python process
  and fewer copy-on-write faults (~2.5 ms less CPU on the start's path).
* On cgroup v1 the container's first process moves *itself* into its
  cgroups (``tasks``): a process moved by another waits for an RCU grace
  period (5-15 ms), one that moves itself does not.
* Run-time records (in the state dir, a tmpfs) are replaced atomically
  without ``fsync`` (:mod:`._atomicfile`); a container's cpuset comes from
  its sandbox's cgroup by ``cgroup.clone_children``.
* Operations on one sandbox and its containers hold that sandbox's lock
  (:mod:`._locks`), so that pods are made and started side by side.

With a state dir on a tmpfs (as ``/run`` is): RunPodSandbox ~2 ms,
CreateContainer ~2 ms, StartContainer ~6-8 ms to the command's exec; a
monitor ~12 MiB RSS but ~2.7 MiB PSS (see ``python -m benchmarks runtime``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

import podkit
from podkit.models.runtime import (
    RUNTIME_READY,
    PodSandboxState,
    RuntimeCondition,
    RuntimeFeatures,
    RuntimeHandler,
    RuntimeHandlerFeatures,
    RuntimeStatus,
    StatusResponse,
    VersionResponse,
)
from podkit.plugins.runtime import _exec, _images_hooks, _orphans, _stats
from podkit.plugins.runtime._cgroups import Cgroups
from podkit.plugins.runtime._containers import Containers
from podkit.plugins.runtime._errors import translated
from podkit.plugins.runtime._locks import SandboxLocks
from podkit.plugins.runtime._records import Layout
from podkit.plugins.runtime._sandboxes import Sandboxes

if TYPE_CHECKING:
    from collections.abc import Mapping

    from podkit.models.runtime import Container as CriContainer
    from podkit.models.runtime import (
        ContainerConfig,
        ContainerFilter,
        ContainerStats,
        ContainerStatsFilter,
        ContainerStatusResponse,
        ExecSyncResponse,
        LinuxContainerResources,
        PodSandbox,
        PodSandboxConfig,
        PodSandboxFilter,
        PodSandboxStatusResponse,
    )

# ``verbose`` is positional and ``filter`` the upstream name, as in the hookspec.
# ruff: noqa: FBT001, A002

DEFAULT_STATE_DIR: Final = Path("/run/podkit/runtime")
DEFAULT_ROOT_DIR: Final = Path("/var/lib/podkit/runtime")
RUNTIME_NAME: Final = "podkit-namespace"
RUNTIME_VERSION: Final = "0.1.0"


class NamespaceRuntime(_images_hooks.ImageHooks):
    """The reference runtime plugin.

    :param handler: the runtime handler it answers for.
    :param state_dir: records, namespace files, DNS files (a tmpfs is best).
    :param root_dir: writable layers and the image store.
    :param cgroup_parent: the cgroup (relative to each hierarchy's root) that
        sandboxes' cgroups go under.
    :param pids_limit: a ``pids.max`` for every container; 0 for none.
    :param cgroups: the node's cgroup hierarchies; detected when ``None``.

    .. versionadded:: 0.1
    """

    def __init__(  # noqa: PLR0913 - settings, all with defaults
        self,
        handler: str = "namespace",
        *,
        state_dir: Path = DEFAULT_STATE_DIR,
        root_dir: Path = DEFAULT_ROOT_DIR,
        cgroup_parent: str = "podkit",
        pids_limit: int = 0,
        cgroups: Cgroups | None = None,
    ) -> None:
        self.podkit_names = (handler,)
        self.handler = handler
        self.layout = Layout(state=Path(state_dir), root=Path(root_dir))
        self.cgroups = cgroups or Cgroups.detect()
        self._locks = SandboxLocks()
        self.containers = Containers(self.layout, self.cgroups, pids_limit)
        self.sandboxes = Sandboxes(
            self.layout, self.cgroups, cgroup_parent, self.containers.spawner
        )
        super().__init__(self.layout.images, self.layout.leases)
        _orphans.collect(
            self.layout,
            self.sandboxes.records,
            self.containers.records,
            self._keep_leases,
            self.sandboxes.remove_unrecorded_cgroup,
        )
        self._retire_idle_zygote()

    def _retire_idle_zygote(self) -> None:
        # No container, no monitor to fork: the zygote goes (a new one comes
        # with the next StartContainer), so an idle runtime leaves nothing.
        if not self.containers.records:
            self.containers.spawner.retire()

    def _sandbox_of(self, container_id: str) -> str:
        record = self.containers.records.get(container_id)
        return record.sandbox_id if record else ""

    def _keep_leases(self, holders: set[str]) -> None:
        if self.layout.leases.exists():
            self.store.keep_leases(holders)

    # -- Version, Status -------------------------------------------------------------

    @podkit.hookimpl
    def runtime_version(self) -> VersionResponse:
        """Name and version of this runtime; CRI v1."""
        return VersionResponse(
            version="0.1.0",
            runtime_name=RUNTIME_NAME,
            runtime_version=RUNTIME_VERSION,
            runtime_api_version="v1",
        )

    @podkit.hookimpl
    def runtime_status(self) -> StatusResponse:
        """Ready when the node has cgroups to put containers in."""
        ready = bool(self.cgroups.v1 or self.cgroups.v2)
        condition = RuntimeCondition(
            type=RUNTIME_READY,
            status=ready,
            reason="" if ready else "NoCgroups",
            message="" if ready else "no cgroup hierarchy is mounted",
        )
        return StatusResponse(
            status=RuntimeStatus(conditions=(condition,)),
            runtime_handlers=(
                RuntimeHandler(name=self.handler, features=RuntimeHandlerFeatures()),
            ),
            features=RuntimeFeatures(),
        )

    # -- sandboxes ---------------------------------------------------------------------

    @podkit.hookimpl
    def runtime_run_pod_sandbox(self, handler: str, config: PodSandboxConfig) -> str:
        """Make the sandbox's namespaces, files and cgroup."""
        with translated("run", f"pod sandbox {config.metadata.name!r}"):
            return self.sandboxes.run(handler, config)

    @podkit.hookimpl
    def runtime_stop_pod_sandbox(self, pod_sandbox_id: str) -> Literal[True]:
        """Kill the sandbox's containers; it becomes not ready (netns kept)."""
        with (
            self._locks.holding(pod_sandbox_id),
            translated("stop", f"pod sandbox {pod_sandbox_id!r}"),
        ):
            for record in list(self.containers.records.values()):
                if record.sandbox_id == pod_sandbox_id:
                    self.containers.stop(record.id, 0)
            self.sandboxes.stop(pod_sandbox_id)
        return True

    @podkit.hookimpl
    def runtime_remove_pod_sandbox(self, pod_sandbox_id: str) -> Literal[True]:
        """Remove the sandbox's containers, then its namespaces, files and cgroup."""
        with (
            self._locks.holding(pod_sandbox_id),
            translated("remove", f"pod sandbox {pod_sandbox_id!r}"),
        ):
            if pod_sandbox_id not in self.sandboxes.records:
                return True
            self.runtime_stop_pod_sandbox(pod_sandbox_id)
            for record in list(self.containers.records.values()):
                if record.sandbox_id == pod_sandbox_id:
                    self.containers.remove(record.id, self.store)
            self.sandboxes.remove(pod_sandbox_id)
        self._locks.forget(pod_sandbox_id)
        self._retire_idle_zygote()
        return True

    @podkit.hookimpl
    def runtime_pod_sandbox_status(
        self, pod_sandbox_id: str, verbose: bool
    ) -> PodSandboxStatusResponse:
        """The sandbox's state, namespaces (with the netns path) and metadata."""
        return self.sandboxes.status(pod_sandbox_id, verbose=verbose)

    @podkit.hookimpl
    def runtime_list_pod_sandbox(self, filter: PodSandboxFilter) -> tuple[PodSandbox, ...]:
        """The sandboxes matching ``filter``."""
        return self.sandboxes.list(filter)

    # -- containers --------------------------------------------------------------------

    @podkit.hookimpl
    def runtime_create_container(
        self,
        handler: str,
        pod_sandbox_id: str,
        config: ContainerConfig,
        sandbox_config: PodSandboxConfig,
    ) -> str:
        """Prepare a container: spec, cgroup with limits, writable layer."""
        with (
            self._locks.holding(pod_sandbox_id),
            translated("create", f"container {config.metadata.name!r}"),
        ):
            sandbox = self.sandboxes.get(pod_sandbox_id, "create a container in")
            return self.containers.create(handler, sandbox, config, sandbox_config, self.store)

    @podkit.hookimpl
    def runtime_start_container(self, container_id: str) -> Literal[True]:
        """Start the container through its monitor."""
        with (
            self._locks.holding(self._sandbox_of(container_id)),
            translated("start", f"container {container_id!r}"),
        ):
            record = self.containers.get(container_id, "start")
            sandbox = self.sandboxes.records.get(record.sandbox_id)
            self.containers.start(container_id, sandbox)
        return True

    @podkit.hookimpl
    def runtime_stop_container(self, container_id: str, timeout: int) -> Literal[True]:
        """Stop signal, then SIGKILL after ``timeout`` seconds."""
        with translated("stop", f"container {container_id!r}"):
            self.containers.stop(container_id, timeout)
        return True

    @podkit.hookimpl
    def runtime_remove_container(self, container_id: str) -> Literal[True]:
        """Kill if running; remove cgroup, writable layer and records."""
        with (
            self._locks.holding(self._sandbox_of(container_id)),
            translated("remove", f"container {container_id!r}"),
        ):
            self.containers.remove(container_id, self.store)
        self._retire_idle_zygote()
        return True

    @podkit.hookimpl
    def runtime_container_status(self, container_id: str, verbose: bool) -> ContainerStatusResponse:
        """The container's state, times, exit code and reason."""
        return self.containers.status(container_id, verbose=verbose)

    @podkit.hookimpl
    def runtime_list_containers(self, filter: ContainerFilter) -> tuple[CriContainer, ...]:
        """The containers matching ``filter``."""
        return self.containers.list(filter)

    @podkit.hookimpl
    def runtime_exec_sync(
        self, container_id: str, cmd: tuple[str, ...], timeout: int
    ) -> ExecSyncResponse:
        """Run ``cmd`` in the running container; collect its output."""
        return _exec.exec_sync(self.containers, container_id, cmd, timeout)

    @podkit.hookimpl
    def runtime_update_container_resources(
        self,
        container_id: str,
        linux: LinuxContainerResources | None,
        annotations: Mapping[str, str],
    ) -> Literal[True]:
        """Write the new limits into the cgroup and the record."""
        del annotations
        with self._locks.holding(self._sandbox_of(container_id)):
            _stats.update_resources(self.containers, container_id, linux)
        return True

    @podkit.hookimpl
    def runtime_reopen_container_log(self, container_id: str) -> Literal[True]:
        """Have the monitor reopen the log file."""
        _stats.reopen_log(self.containers, container_id)
        return True

    @podkit.hookimpl
    def runtime_container_stats(self, container_id: str) -> ContainerStats:
        """CPU, memory and writable-layer usage."""
        return _stats.container_stats(self.containers, container_id)

    @podkit.hookimpl
    def runtime_list_container_stats(
        self, filter: ContainerStatsFilter
    ) -> tuple[ContainerStats, ...]:
        """The usage of the running containers matching ``filter``."""
        return _stats.list_stats(self.containers, filter)

    def ready_sandboxes(self) -> list[str]:
        """The ids of the ready sandboxes (for tests and tools)."""
        return [
            r.id
            for r in list(self.sandboxes.records.values())
            if r.state is PodSandboxState.SANDBOX_READY
        ]


__all__ = ["DEFAULT_ROOT_DIR", "DEFAULT_STATE_DIR", "NamespaceRuntime"]

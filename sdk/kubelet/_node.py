"""``Node``: the kubelet core as a Python API, for programs that embed it.

A :class:`Node` runs the Pods it is given (with the Secrets and ConfigMaps
they use) through the plugins: one asyncio pod worker per pod, volumes
through the storage hooks, sandboxes and containers through the runtime
layer (runtime hooks, and network hooks for the pod's network).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import socket
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Self, TypeAlias, final

import attrs

from podkit.errors import (
    AlreadyExistsError,
    DeadlineExceededError,
    FailedPreconditionError,
    NotFoundError,
    PodkitError,
)
from podkit.kubelet._backoff import BackOffPolicy
from podkit.kubelet._context import DEFAULT_MAX_EVENTS, DEFAULT_SYNC_PERIOD, NodeContext
from podkit.kubelet._convert import container_log_path, log_directory
from podkit.kubelet._gc import collect_garbage
from podkit.kubelet._logs import read_log
from podkit.kubelet._network import ensure_default_network
from podkit.kubelet._objects import ObjectStore
from podkit.kubelet._status import TERMINAL_PHASES, PodPhase, PodStatus
from podkit.kubelet._store import NodeStore
from podkit.kubelet._volumes import VolumeManager
from podkit.kubelet._worker import PodWorker
from podkit.models.kube import ConfigMap, Pod, Secret
from podkit.runtimelayer import DEFAULT_HANDLER, RuntimeLayer

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Callable, Coroutine, Iterable, Sequence
    from types import TracebackType

    from podkit.models.kube import KubeObject
    from podkit.models.runtime import ExecSyncResponse
    from podkit.pluginmanager import PluginManager

#: Where a node keeps its pods' volumes and logs, and its runtime-layer records.
DEFAULT_STATE_DIR: Final = Path("/var/lib/podkit/kubelet")
DEFAULT_RUN_DIR: Final = Path("/run/podkit/kubelet")
#: The CNI configuration directory of a node (podkit's own, not ``/etc/cni/net.d``).
DEFAULT_CNI_CONF_DIR: Final = Path("/var/lib/podkit/cni/net.d")
LOGGER: Final = logging.getLogger("podkit.kubelet")
#: The label that ties a sandbox to the node (by its state directory).
INSTANCE_LABEL: Final = "podkit.dev/kubelet"
#: Seconds between two garbage collections of a node.
DEFAULT_GC_PERIOD: Final = 60.0

#: What :meth:`Node.wait_for` waits for: a phase, or a test of the status.
Condition: TypeAlias = "PodPhase | str | Callable[[PodStatus], bool]"


def _node_name() -> str:
    return socket.gethostname().split(".")[0].lower() or "localhost"


def _host_ip() -> str:
    """The node's address, as the kubelet reports ``status.hostIP``; empty if unknown."""
    with contextlib.suppress(OSError):
        for *_, address in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            if not str(address[0]).startswith("127."):
                return str(address[0])
    return ""


def _instance(state_dir: Path) -> str:
    """What tells this node's sandboxes from others': its state directory, hashed."""
    return hashlib.sha256(str(state_dir.absolute()).encode()).hexdigest()[:16]


def _predicate(condition: Condition) -> tuple[Callable[[PodStatus], bool], PodPhase | None]:
    if callable(condition):
        return condition, None
    phase = PodPhase(condition)
    return (lambda status: status.phase is phase), phase


@final
class Node:
    """A node that runs pods through podkit's plugins.

    ::

        async with podkit.Node() as node:
            await node.apply(podkit.manifests.load_file("pod.yaml"))
            await node.wait_for("default", "hello", "Succeeded", timeout=60)
            print(await node.logs("default", "hello", "main"))

    :param manager: the plugins; :meth:`podkit.PluginManager.load` by default.
    :param state_dir: where pods' volumes (``pods/<uid>/volumes``) and logs
        (``logs/<namespace>_<name>_<uid>``) live, and the ``Localhost``
        seccomp profiles pods name (``seccomp/<localhostProfile>``).
    :param run_dir: where the runtime layer keeps its records and CNI results.
    :param cni_conf_dir: the CNI configuration directory; a default network
        (bridge ``podkit0``, 10.88.0.0/16) is written into it when it is empty.
    :param node_name: the node's name (``spec.nodeName``); the host name by default.
    :param runtime_handler: the runtime handler of pods without a ``runtimeClassName``.
    :param backoff: the crash-loop back-off.
    :param sync_period: seconds between two looks at each pod's containers.
    :param max_events: how many events each pod keeps.
    :param gc_period: seconds between two garbage collections
        (:meth:`collect_orphans`); 0 collects only when the node starts.

    A node keeps what it is given under ``state_dir/desired`` and, started
    again on the same ``state_dir`` after it was killed, takes its pods over
    (:meth:`start`). Run one node per ``state_dir``.

    .. versionadded:: 0.1
    """

    def __init__(  # noqa: PLR0913 - keyword-only settings, all with defaults
        self,
        manager: PluginManager | None = None,
        *,
        state_dir: Path = DEFAULT_STATE_DIR,
        run_dir: Path = DEFAULT_RUN_DIR,
        cni_conf_dir: Path = DEFAULT_CNI_CONF_DIR,
        node_name: str | None = None,
        runtime_handler: str = DEFAULT_HANDLER,
        backoff: BackOffPolicy | None = None,
        sync_period: float = DEFAULT_SYNC_PERIOD,
        max_events: int = DEFAULT_MAX_EVENTS,
        gc_period: float = DEFAULT_GC_PERIOD,
    ) -> None:
        if manager is None:
            from podkit.pluginmanager import PluginManager  # noqa: PLC0415 - loads plugins

            manager = PluginManager.load()
        self.manager: Final = manager
        self.state_dir: Final = Path(state_dir)
        ensure_default_network(Path(cni_conf_dir))
        self.layer: Final = RuntimeLayer(
            manager,
            state_dir=Path(run_dir),
            cni_conf_dir=Path(cni_conf_dir),
            default_handler=runtime_handler,
        )
        self.objects: Final = ObjectStore()
        volumes = VolumeManager(manager.storage, self.state_dir / "pods", self.objects)
        self._store: Final = NodeStore(self.state_dir / "desired", max_events=max_events)
        self.context: Final = NodeContext(
            manager=manager,
            layer=self.layer,
            volumes=volumes,
            objects=self.objects,
            logs_dir=self.state_dir / "logs",
            node_name=node_name or _node_name(),
            seccomp_dir=self.state_dir / "seccomp",
            sandbox_labels={INSTANCE_LABEL: _instance(self.state_dir)},
            host_ip=_host_ip(),
            backoff=backoff or BackOffPolicy(),
            sync_period=sync_period,
            max_events=max_events,
            event_log=self._store.events,
        )
        self._workers: dict[tuple[str, str], PodWorker] = {}
        self._gc_period: Final = gc_period
        self._started = False
        self._start_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._gc_task: asyncio.Task[None] | None = None

    @property
    def node_name(self) -> str:
        """The node's name."""
        return self.context.node_name

    # -- objects -------------------------------------------------------------------

    def _admit(self, pod: Pod) -> Pod:
        meta = attrs.evolve(
            pod.metadata,
            namespace=pod.metadata.namespace or "default",
            uid=pod.metadata.uid or str(uuid.uuid4()),
        )
        spec = attrs.evolve(pod.spec, node_name=pod.spec.node_name or self.node_name)
        return attrs.evolve(pod, metadata=meta, spec=spec)

    async def apply(self, objects: Iterable[KubeObject]) -> list[Pod]:
        """Take Secrets and ConfigMaps, then run the Pods among ``objects``.

        A Pod gets a uid and this node's name when it has none. Applying a
        Pod that runs already with the same spec changes nothing; with another
        spec it is refused (Pod specs are immutable: delete it first).

        The node keeps what it is given on disk before it acts on it, so that
        after a crash it knows it again (:meth:`start`, which this calls).

        :returns: the Pods, as they run (uid and node name set).
        :raises podkit.errors.AlreadyExistsError: a Pod of that name runs with
            another spec.
        """
        await self.start()
        objects = list(objects)
        for obj in objects:
            if isinstance(obj, Secret | ConfigMap) and self.objects.put(obj):
                await asyncio.to_thread(self._store.save_object, obj)
                await self._changed(obj)
        pods = [self._admit(obj) for obj in objects if isinstance(obj, Pod)]
        for pod in pods:
            key = (pod.metadata.namespace, pod.metadata.name)
            running = self._workers.get(key)
            if running is not None and running.pod.spec != attrs.evolve(
                pod.spec, node_name=running.pod.spec.node_name
            ):
                msg = f"pod {key[0]}/{key[1]} runs already with another spec: delete it first"
                raise AlreadyExistsError(msg)
        started = []
        for pod in pods:
            key = (pod.metadata.namespace, pod.metadata.name)
            if key not in self._workers:
                worker = PodWorker(pod, self.context)
                self._workers[key] = worker  # first: garbage collection must see its owner
                try:
                    await asyncio.to_thread(self._store.save_pod, pod)
                except BaseException:
                    del self._workers[key]
                    raise
                worker.start()
            started.append(self._workers[key].pod)
        return started

    async def _changed(self, obj: Secret | ConfigMap) -> None:
        """Update the volumes that project ``obj``; wake the pods that may wait for it."""
        for worker in list(self._workers.values()):
            await worker.refresh(obj)
            worker.wake()

    def _worker(self, namespace: str, name: str) -> PodWorker:
        worker = self._workers.get((namespace, name))
        if worker is None:
            msg = f'pods "{name}" not found in namespace {namespace!r}'
            raise NotFoundError(msg)
        return worker

    def pods(self) -> list[Pod]:
        """The pods the node runs (after :meth:`start`: also those an earlier run started)."""
        return [worker.pod for worker in self._workers.values()]

    def pod(self, namespace: str, name: str) -> Pod:
        """The pod, as it runs.

        :raises podkit.errors.NotFoundError: no such pod.
        """
        return self._worker(namespace, name).pod

    async def delete(self, namespace: str, name: str, *, grace_period: float | None = None) -> None:
        """Stop a pod gracefully and remove everything of it; return when it is gone.

        The pod is marked as being deleted on disk first: a node killed
        during the teardown finishes it when it starts again.

        :param grace_period: seconds the containers get to stop; the pod's
            ``terminationGracePeriodSeconds`` by default.
        :raises podkit.errors.NotFoundError: no such pod.
        :raises podkit.errors.PodkitError: a teardown step failed (garbage
            collection removes what is left).
        """
        await self.start()
        worker = self._worker(namespace, name)
        await asyncio.to_thread(self._store.save_pod, worker.pod, deleting=True)
        try:
            await worker.stop(grace_period)
            await asyncio.to_thread(self._store.forget_pod, worker.pod.metadata.uid)
        finally:
            if self._workers.get((namespace, name)) is worker:
                del self._workers[namespace, name]

    async def start(self) -> None:
        """Take over what an earlier run of this node left; start collecting garbage.

        Reads the Pods, Secrets and ConfigMaps the node was given (kept under
        ``state_dir/desired``), removes what none of those pods owns
        (:meth:`collect_orphans`), and gives each pod a worker that adopts
        its sandbox and containers as they are — running containers go on
        running, without a restart — and makes what is missing. Pods that
        were being deleted are deleted. Then garbage is collected every
        ``gc_period`` seconds.

        Idempotent: ``async with``, :meth:`apply` and :meth:`delete` call it.

        :raises podkit.errors.IncompatibleVersionError: the state was written
            by a podkit of another format.
        """
        async with self._start_lock:
            if self._started:
                return
            stored = await asyncio.to_thread(self._store.pods)
            for obj in await asyncio.to_thread(self._store.objects):
                self.objects.put(obj)
            recovered = []
            for entry in sorted(stored, key=lambda e: e.deleting):  # live ones first
                meta = entry.pod.metadata
                if (meta.namespace, meta.name) not in self._workers:
                    worker = PodWorker(entry.pod, self.context, recovered=True)
                    self._workers[meta.namespace, meta.name] = worker
                    recovered.append((worker, entry.deleting))
            try:
                await self.collect_orphans()
            except PodkitError as exc:  # the pods come first; tried again later
                LOGGER.warning("failed to remove what an earlier run left: %s", exc)
            await asyncio.gather(*(worker.recover() for worker, _ in recovered))
            for worker, deleting in recovered:
                worker.start(deleting=deleting)
                if deleting:
                    meta = worker.pod.metadata
                    self._spawn(self._finish_deletion(meta.namespace, meta.name))
            if self._gc_period > 0:
                self._gc_task = asyncio.create_task(self._collect_periodically())
            self._started = True

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _finish_deletion(self, namespace: str, name: str) -> None:
        try:
            await self.delete(namespace, name)
        except PodkitError as exc:  # garbage collection removes what is left
            LOGGER.warning("failed to finish deleting pod %s/%s: %s", namespace, name, exc)

    async def _collect_periodically(self) -> None:
        while True:
            await asyncio.sleep(self._gc_period)
            try:
                await self.collect_orphans()
            except PodkitError as exc:
                LOGGER.warning("garbage collection failed: %s", exc)
            except Exception:
                LOGGER.exception("garbage collection failed")

    def _owners(self) -> set[str]:
        return {worker.pod.metadata.uid for worker in self._workers.values()}

    async def collect_orphans(self) -> list[str]:
        """Remove what no pod of this node owns: garbage collection.

        What a node killed half-way through an operation left, or a teardown
        that failed: the sandboxes labelled with this node's instance whose
        pod it does not run (with their containers, networks and addresses),
        what the runtime layer holds of sandboxes that are gone (network
        attachments, address reservations, records), the volumes recorded
        under ``state_dir/pods`` and the logs of such pods, and the records
        of pods whose deletion failed. :meth:`start` calls it, and then it
        runs every ``gc_period`` seconds; one node per ``state_dir``.

        :returns: the uids of the pods whose leftovers were removed.
        :raises podkit.errors.PodkitError: a leftover could not be removed.
        """
        return await collect_garbage(self.context, self._store, self._owners)

    # -- status, logs, exec ------------------------------------------------------------

    async def status(self, namespace: str, name: str) -> PodStatus:
        """The pod's status.

        :raises podkit.errors.NotFoundError: no such pod.
        """
        return self._worker(namespace, name).status()

    async def wait_for(
        self,
        namespace: str,
        name: str,
        condition: Condition,
        *,
        timeout: float = 60.0,  # noqa: ASYNC109 - the deadline is the API, not a wrapper's
    ) -> PodStatus:
        """Wait until the pod reaches a phase, or its status passes a test.

        :param condition: a :class:`PodPhase` (or its name), or a function of
            the :class:`PodStatus`.
        :returns: the status that passed.
        :raises podkit.errors.DeadlineExceededError: not within ``timeout`` seconds.
        :raises podkit.errors.FailedPreconditionError: the pod ended in another
            phase than the one waited for.
        """
        test, phase = _predicate(condition)
        worker = self._worker(namespace, name)
        deadline = time.monotonic() + timeout
        while True:
            status = worker.status()
            if test(status):
                return status
            if phase is not None and status.phase in TERMINAL_PHASES:
                msg = f"pod {namespace}/{name} ended {status.phase.value}, not {phase.value}"
                raise FailedPreconditionError(msg)
            left = deadline - time.monotonic()
            if left <= 0:
                msg = (
                    f"pod {namespace}/{name} did not reach {condition!r} in {timeout:g}s;"
                    f" it is {status.phase.value}"
                )
                raise DeadlineExceededError(msg)
            await worker.changed(min(left, 1.0))

    async def logs(
        self, namespace: str, name: str, container: str, *, previous: bool = False
    ) -> str:
        """The output of a container's current (or previous) run, as ``kubectl logs`` shows it.

        :raises podkit.errors.NotFoundError: no such pod, container or previous run.
        """
        worker = self._worker(namespace, name)
        status = worker.status()
        try:
            restarts = status.container(container).restart_count
        except KeyError:
            msg = f"container {container!r} is not in pod {namespace}/{name}"
            raise NotFoundError(msg) from None
        if previous and not restarts:
            msg = f"container {container!r} of pod {namespace}/{name} has no previous run"
            raise NotFoundError(msg)
        path = log_directory(self.context.logs_dir, worker.pod) / container_log_path(
            container, restarts - 1 if previous else restarts
        )
        return await asyncio.to_thread(read_log, path)

    async def stream_logs(
        self,
        namespace: str,
        name: str,
        container: str,
        *,
        follow: bool = False,
        previous: bool = False,
    ) -> AsyncGenerator[str]:
        """The lines of a container's output (without newlines), as ``kubectl logs [-f]``.

        With ``follow``, lines keep coming as the container writes them, from
        one run to the next when it restarts; the iteration ends when the pod
        is deleted, or when the container will not run again (its pod ended,
        or its restart policy says so) and its output is read.

        :raises podkit.errors.NotFoundError: no such pod, container or previous run.
        """
        from podkit.kubelet._logfollow import LogPosition, follow_log, log_position  # noqa: PLC0415

        if previous or not follow:
            text = await self.logs(namespace, name, container, previous=previous)
            for line in text.splitlines():
                yield line
            return
        worker = self._worker(namespace, name)
        spec = worker.pod.spec
        if all(c.name != container for c in (*spec.init_containers, *spec.containers)):
            msg = f"container {container!r} is not in pod {namespace}/{name}"
            raise NotFoundError(msg)
        logs_dir = log_directory(self.context.logs_dir, worker.pod)

        def locate() -> LogPosition | None:
            if self._workers.get((namespace, name)) is not worker:
                return None  # deleted
            return log_position(worker.pod, worker.status(), container, logs_dir)

        async for line in follow_log(locate):
            yield line

    async def exec(
        self,
        namespace: str,
        name: str,
        container: str,
        cmd: Sequence[str],
        *,
        timeout: int = 0,  # noqa: ASYNC109 - CRI ExecSync's own timeout, passed on
    ) -> ExecSyncResponse:
        """Run ``cmd`` in a running container and wait for it (CRI ``ExecSync``).

        :returns: its output and exit code; a non-zero exit code is no error.
        :raises podkit.errors.NotFoundError: no such pod or container.
        :raises podkit.errors.FailedPreconditionError: the container is not running.
        """
        worker = self._worker(namespace, name)
        status = worker.status()
        try:
            container_id = status.container(container).container_id
        except KeyError:
            msg = f"container {container!r} is not in pod {namespace}/{name}"
            raise NotFoundError(msg) from None
        if not status.container(container).started:
            msg = f"container {container!r} of pod {namespace}/{name} is not running"
            raise FailedPreconditionError(msg)
        runtime = self.manager.runtime
        return await self.manager.acall(
            runtime.exec_sync, worker.handler, container_id, tuple(cmd), timeout
        )

    # -- life -----------------------------------------------------------------------

    async def close(self, *, keep_pods: bool = False) -> None:
        """Delete every pod (gracefully) and stop.

        The node then forgets its Secrets and ConfigMaps too: a node started
        again on the same ``state_dir`` starts empty.

        :param keep_pods: only stop the pod workers, leaving the pods'
            containers, sandboxes and volumes in place, and the node's state:
            a node started again on the same ``state_dir`` takes them over.
        :raises podkit.errors.PodkitError: a pod's teardown failed (the first one).
        """
        if self._gc_task is not None:
            self._gc_task.cancel()
            await asyncio.gather(self._gc_task, return_exceptions=True)
            self._gc_task = None
        workers = list(self._workers.items())
        if not keep_pods:
            for _, worker in workers:
                await asyncio.to_thread(self._store.save_pod, worker.pod, deleting=True)
        results = await asyncio.gather(
            *(worker.stop(teardown=not keep_pods) for _, worker in workers),
            return_exceptions=True,
        )
        await asyncio.gather(*self._tasks, return_exceptions=True)  # deletions under way
        for (key, worker), result in zip(workers, results, strict=True):
            self._workers.pop(key, None)
            if not keep_pods and not isinstance(result, BaseException):
                await asyncio.to_thread(self._store.forget_pod, worker.pod.metadata.uid)
        self._started = False
        for result in results:
            if isinstance(result, BaseException):
                raise result
        if not keep_pods:
            await asyncio.to_thread(self._store.clear_objects)
            await asyncio.to_thread(self._store.remove_empty)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


__all__ = [
    "DEFAULT_CNI_CONF_DIR",
    "DEFAULT_GC_PERIOD",
    "DEFAULT_RUN_DIR",
    "DEFAULT_STATE_DIR",
    "INSTANCE_LABEL",
    "Condition",
    "Node",
]

"""The runtime layer: runtime hooks plus network hooks, "a CRI runtime".

As containerd's CRI plugin runs CNI itself, this layer runs a sandbox
through the runtime plugin of its handler and then attaches the networks of
the CNI configuration directory to the sandbox's network namespace; it
detaches them, in reverse, when the sandbox stops. A failure half-way rolls
back what was done. The kubelet core and the CRI server both sit on it, so
whatever one can do the other can.

It remembers, atomically on disk, which handler owns each sandbox and
container and which addresses each sandbox got, so that calls for a
container reach the right plugin and a layer restarted after kill -9 picks
up where it was.

A runtime plugin whose runtime attaches pod networks itself (a remote CRI
runtime such as containerd, reached through
:class:`~podkit.wire.cri.CriClientPlugin`) says so with a true
:data:`SETS_UP_POD_NETWORK` attribute: for its handlers the layer attaches
and detaches nothing, and reports the addresses the runtime's
``PodSandboxStatus`` gives.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
from typing import TYPE_CHECKING, Final, final

import attrs

from podkit import statefiles
from podkit.errors import FailedPreconditionError, NotFoundError, PodkitError
from podkit.models.runtime import (
    NETWORK_READY,
    ContainerFilter,
    NamespaceMode,
    PodIP,
    PodSandboxFilter,
    PodSandboxNetworkStatus,
    PodSandboxState,
    RuntimeCondition,
    RuntimeStatus,
)
from podkit.runtimelayer._cache import ResultCache
from podkit.runtimelayer._cniconf import load_networks
from podkit.runtimelayer._network import DEFAULT_CNI_PATH, NetworkAttacher

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from pathlib import Path

    from podkit.models.network import Result
    from podkit.models.runtime import (
        Container,
        ContainerConfig,
        ContainerStatusResponse,
        PodSandbox,
        PodSandboxConfig,
        PodSandboxStatusResponse,
        StatusResponse,
    )
    from podkit.pluginmanager import PluginManager
    from podkit.runtimelayer._cniconf import Network

#: The runtime handler used when a call names none (CRI's empty handler).
DEFAULT_HANDLER: Final = "namespace"
LOGGER: Final = logging.getLogger("podkit.runtimelayer")
#: The attribute a runtime plugin sets to ``True`` when the runtime behind it
#: attaches pod networks itself (as containerd and CRI-O run CNI in their
#: ``RunPodSandbox``): the layer then attaches none for the handlers the
#: plugin declares with :func:`podkit.answers_for`.
SETS_UP_POD_NETWORK: Final = "podkit_sets_up_pod_network"


@final
@attrs.frozen(kw_only=True)
class SandboxRecord:
    """What the layer keeps about one sandbox."""

    id: str
    handler: str
    netns: str = ""
    ips: tuple[str, ...] = ()
    #: The networks are being attached: a layer killed now may have attached
    #: some without caching their results, so they are all detached (``DEL``
    #: is idempotent) when the sandbox is stopped.
    attaching: bool = False


def _read(path: Path) -> str:
    """A record's text; empty when it was removed meanwhile."""
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def pod_ips(results: Iterable[Result]) -> tuple[str, ...]:
    """The pod's addresses: IPv4 first, as the kubelet orders them."""
    found = [str(ip.address.ip) for result in results for ip in result.ips]
    return tuple(sorted(found, key=lambda a: ipaddress.ip_address(a).version))


@final
class RuntimeLayer:
    """Sandboxes and containers through the runtime hooks, networks through the network hooks.

    :param manager: the plugins.
    :param state_dir: where the layer keeps its records.
    :param cni_conf_dir: the CNI configuration directory (``.conflist`` files).
    :param cni_cache_dir: where ``ADD`` results are cached (default:
        ``state_dir/cni-results``).
    :param default_handler: the handler for calls that name none.
    :param max_networks: how many networks of the directory each pod joins.
    :param cni_path: where plugins that run others look for them (``CNI_PATH``).
    :param loopback: bring ``lo`` up in each sandbox through the ``loopback``
        network plugin, as containerd does, when one is loaded.

    .. versionadded:: 0.1
    """

    def __init__(  # noqa: PLR0913 - keyword-only settings
        self,
        manager: PluginManager,
        *,
        state_dir: Path,
        cni_conf_dir: Path,
        cni_cache_dir: Path | None = None,
        default_handler: str = DEFAULT_HANDLER,
        max_networks: int = 1,
        cni_path: Sequence[str] = DEFAULT_CNI_PATH,
        loopback: bool = True,
    ) -> None:
        self.runtime = manager.runtime
        self._manager = manager
        self._cni_conf_dir = cni_conf_dir
        self.default_handler = default_handler
        self._sandboxes = state_dir / "sandboxes"
        self._containers = state_dir / "containers"
        self.network = NetworkAttacher(
            hooks=manager.network,
            cache=ResultCache(cni_cache_dir or state_dir / "cni-results"),
            networks=lambda: self._networks(cni_conf_dir, max_networks),
            cni_path=tuple(cni_path),
            loopback=loopback and "loopback" in manager.names("network"),
        )

    @staticmethod
    def _networks(conf_dir: Path, max_networks: int) -> list[Network]:
        return load_networks(conf_dir, max_networks)

    # -- records -------------------------------------------------------------

    def _record(self, sandbox_id: str) -> SandboxRecord | None:
        try:
            body = json.loads((self._sandboxes / f"{sandbox_id}.json").read_text())
        except FileNotFoundError:
            return None
        return SandboxRecord(
            id=body["id"],
            handler=body["handler"],
            netns=body["netns"],
            ips=tuple(body["ips"]),
            attaching=bool(body.get("attaching", False)),
        )

    def _save(self, record: SandboxRecord) -> None:
        statefiles.write_json(self._sandboxes / f"{record.id}.json", attrs.asdict(record))

    def _forget(self, sandbox_id: str) -> None:
        (self._sandboxes / f"{sandbox_id}.json").unlink(missing_ok=True)

    def _handler_of(self, sandbox_id: str) -> str:
        record = self._record(sandbox_id)
        if record is None:
            msg = f"failed to find sandbox {sandbox_id!r}: not found"
            raise NotFoundError(msg)
        return record.handler

    def _handler_of_container(self, container_id: str) -> str:
        try:
            sandbox_id = (self._containers / container_id).read_text()
        except FileNotFoundError:
            msg = f"failed to find container {container_id!r}: not found"
            raise NotFoundError(msg) from None
        return self._handler_of(sandbox_id)

    def handler_of_sandbox(self, sandbox_id: str) -> str:
        """The handler that runs a sandbox.

        :raises podkit.errors.NotFoundError: the layer knows no such sandbox.
        """
        return self._handler_of(sandbox_id)

    def handler_of_container(self, container_id: str) -> str:
        """The handler that runs a container's sandbox.

        :raises podkit.errors.NotFoundError: the layer knows no such container.
        """
        return self._handler_of_container(container_id)

    def sets_up_pod_network(self, handler: str) -> bool:
        """Whether the runtime plugin of ``handler`` attaches pod networks itself."""
        return any(
            getattr(info.plugin, SETS_UP_POD_NETWORK, False) is True
            for info in self._manager.plugins()
            if info.kind in {"runtime", "any"} and handler in (info.answers_for or ())
        )

    def handlers(self) -> list[str]:
        """The handlers that own sandboxes, and the default one."""
        known = {self.default_handler}
        if self._sandboxes.is_dir():
            bodies = (_read(p) for p in self._sandboxes.glob("*.json"))
            known |= {json.loads(body)["handler"] for body in bodies if body}
        return sorted(known)

    # -- sandboxes -----------------------------------------------------------

    def run_pod_sandbox(self, config: PodSandboxConfig, runtime_handler: str = "") -> str:
        """Create a sandbox and attach its networks; nothing is left if either fails."""
        handler = runtime_handler or self.default_handler
        sandbox_id = self.runtime.run_pod_sandbox(handler, config)
        record = SandboxRecord(id=sandbox_id, handler=handler)
        with contextlib.ExitStack() as undo:
            undo.callback(self._undo_sandbox, record)
            self._save(record)
            node_network = (
                config.linux.security_context.namespace_options.network == NamespaceMode.NODE
            )
            if not (node_network or self.sets_up_pod_network(handler)):
                status = self.runtime.pod_sandbox_status(handler, sandbox_id)
                netns = status.status.linux.namespaces.network_path
                if not netns:
                    msg = (
                        f"failed to set up network of sandbox {sandbox_id!r}: runtime handler"
                        f" {handler!r} reported no network namespace path"
                    )
                    raise FailedPreconditionError(msg)
                record = attrs.evolve(record, netns=netns, attaching=True)
                self._save(record)
                results = self.network.attach(sandbox_id, netns, config)
                self._save(attrs.evolve(record, ips=pod_ips(results), attaching=False))
            undo.pop_all()
        return sandbox_id

    def _undo_sandbox(self, record: SandboxRecord) -> None:
        """Roll back a sandbox start, best effort: the start's own error is what the caller sees."""
        steps = (
            lambda: self.network.detach(record.id, record.netns, every=record.attaching),
            lambda: self.runtime.stop_pod_sandbox(record.handler, record.id),
            lambda: self.runtime.remove_pod_sandbox(record.handler, record.id),
        )
        for step in steps:
            try:
                step()
            except PodkitError:
                LOGGER.exception("failed to roll back sandbox %r", record.id)
                return  # keep the record: garbage collection retries later
        self._forget(record.id)

    def stop_pod_sandbox(self, sandbox_id: str) -> None:
        """Stop the sandbox's containers, then detach its networks (idempotent)."""
        record = self._record(sandbox_id)
        if record is None:
            return  # CRI: stopping an unknown sandbox is not an error
        self.runtime.stop_pod_sandbox(record.handler, sandbox_id)
        self.network.detach(sandbox_id, record.netns, every=record.attaching)
        self._save(attrs.evolve(record, ips=(), attaching=False))

    def remove_pod_sandbox(self, sandbox_id: str) -> None:
        """Stop, detach and remove the sandbox (idempotent)."""
        record = self._record(sandbox_id)
        if record is None:
            return  # CRI: "if the sandbox has already been removed, it must not return an error"
        self.stop_pod_sandbox(sandbox_id)
        self.runtime.remove_pod_sandbox(record.handler, sandbox_id)
        for link in list(self._containers.glob("[!.]*")) if self._containers.is_dir() else []:
            if _read(link) == sandbox_id:
                link.unlink(missing_ok=True)
        self._forget(sandbox_id)

    def pod_sandbox_status(
        self, sandbox_id: str, *, verbose: bool = False
    ) -> PodSandboxStatusResponse:
        """The runtime plugin's status, with the addresses the networks gave."""
        record = self._record(sandbox_id)
        if record is None:
            msg = f"failed to find sandbox {sandbox_id!r}: not found"
            raise NotFoundError(msg)
        response = self.runtime.pod_sandbox_status(record.handler, sandbox_id, verbose)
        if record.attaching:  # cut by a crash while attaching: its network is not whole
            status = attrs.evolve(response.status, state=PodSandboxState.SANDBOX_NOTREADY)
            return attrs.evolve(response, status=status)
        if not record.ips:
            return response
        network = PodSandboxNetworkStatus(
            ip=record.ips[0], additional_ips=tuple(PodIP(ip=ip) for ip in record.ips[1:])
        )
        return attrs.evolve(response, status=attrs.evolve(response.status, network=network))

    def status(self, *, verbose: bool = False) -> StatusResponse:
        """The default handler's status, with ``NetworkReady`` as CRI runtimes report it.

        ``NetworkReady`` is true when the configuration directory holds a
        network and every plugin of it answers CNI ``STATUS``, as containerd
        reports it; when the runtime plugin reports the condition itself (a
        remote CRI runtime), its own is kept.
        """
        response = self.runtime.status(self.default_handler, verbose)
        conditions = response.status.conditions
        if any(c.type == NETWORK_READY for c in conditions):
            return response
        status = RuntimeStatus(conditions=(*conditions, self._network_condition()))
        return attrs.evolve(response, status=status)

    def _network_condition(self) -> RuntimeCondition:
        try:
            found = self.network.networks()
            if found:
                self.network.ready()
        except PodkitError as exc:
            return RuntimeCondition(
                type=NETWORK_READY, status=False, reason="NetworkPluginNotReady", message=str(exc)
            )
        if not found:
            message = f"no network configuration found in {str(self._cni_conf_dir)!r}"
            return RuntimeCondition(
                type=NETWORK_READY, status=False, reason="NetworkPluginNotReady", message=message
            )
        return RuntimeCondition(type=NETWORK_READY, status=True)

    def list_pod_sandbox(self, sandbox_filter: PodSandboxFilter | None = None) -> list[PodSandbox]:
        """Sandboxes of every handler."""
        found: list[PodSandbox] = []
        for handler in self.handlers():
            found.extend(
                self.runtime.list_pod_sandbox(handler, sandbox_filter or PodSandboxFilter())
            )
        return found

    def check_pod_network(self, sandbox_id: str) -> None:
        """CNI ``CHECK`` of every network of the sandbox."""
        record = self._record(sandbox_id)
        if record is None:
            msg = f"failed to check network of sandbox {sandbox_id!r}: not found"
            raise NotFoundError(msg)
        self.network.check(sandbox_id, record.netns)

    # -- garbage collection --------------------------------------------------

    def collect_garbage(self, label_selector: Mapping[str, str]) -> list[str]:
        """Remove what a layer killed half-way through an operation left; what it removed.

        - sandboxes of the runtime matching ``label_selector`` that the layer
          has no record of (killed between ``RunPodSandbox`` and the record):
          stopped and removed through their handler, with their containers;
        - records of sandboxes the runtime no longer has: their networks
          detached (addresses released), the records dropped;
        - cached network attachments of sandboxes without a record: ``DEL``;
        - container records of sandboxes without a record: dropped; containers
          of recorded sandboxes without one (killed between ``CreateContainer``
          and the record): recorded, so they can be removed;
        - temporary files of writes cut short.

        Call it while no sandbox is being started or removed through this
        layer (the kubelet holds its sandbox lock).

        .. versionadded:: 0.1
        """
        removed = self._collect_unrecorded_sandboxes(label_selector)
        known: dict[str, SandboxRecord] = {}
        for record in self._records():
            try:
                self.runtime.pod_sandbox_status(record.handler, record.id, False)  # noqa: FBT003
            except NotFoundError:
                self.network.detach(record.id, record.netns, every=True)
                self._forget(record.id)
                removed.append(f"sandbox record {record.id}")
                continue
            known[record.id] = record
        for entry in self.network.cache.entries():
            if entry.container_id not in known:
                self.network.detach(entry.container_id, "")
                removed.append(f"network attachment {entry.network}/{entry.container_id}")
        removed += self._collect_container_records(known)
        for folder in (self._sandboxes, self._containers, self.network.cache.root):
            for path in folder.glob(".*.tmp") if folder.is_dir() else []:
                path.unlink(missing_ok=True)
        return removed

    def _records(self) -> list[SandboxRecord]:
        if not self._sandboxes.is_dir():
            return []
        found = []
        for path in sorted(self._sandboxes.glob("*.json")):
            record = self._record(path.stem)
            if record is not None:
                found.append(record)
        return found

    def _collect_unrecorded_sandboxes(self, label_selector: Mapping[str, str]) -> list[str]:
        removed = []
        wanted = PodSandboxFilter(label_selector=label_selector)
        for handler in self.handlers():
            for sandbox in self.runtime.list_pod_sandbox(handler, wanted):
                if (self._sandboxes / f"{sandbox.id}.json").exists():
                    continue
                self.runtime.stop_pod_sandbox(handler, sandbox.id)
                self.runtime.remove_pod_sandbox(handler, sandbox.id)
                removed.append(f"sandbox {sandbox.id}")
        return removed

    def _collect_container_records(self, known: Mapping[str, SandboxRecord]) -> list[str]:
        removed = []
        links = list(self._containers.glob("[!.]*")) if self._containers.is_dir() else []
        linked = set()
        for link in links:
            if _read(link) not in known:
                link.unlink(missing_ok=True)
                removed.append(f"container record {link.name}")
            else:
                linked.add(link.name)
        for handler in {record.handler for record in known.values()}:
            for container in self.runtime.list_containers(handler, ContainerFilter()):
                if container.pod_sandbox_id in known and container.id not in linked:
                    path = self._containers / container.id
                    statefiles.write_bytes(path, container.pod_sandbox_id.encode())
        return removed

    # -- containers ----------------------------------------------------------

    def create_container(
        self, sandbox_id: str, config: ContainerConfig, sandbox_config: PodSandboxConfig
    ) -> str:
        """Create a container in a sandbox, through the sandbox's handler."""
        container_id = self.runtime.create_container(
            self._handler_of(sandbox_id), sandbox_id, config, sandbox_config
        )
        statefiles.write_bytes(self._containers / container_id, sandbox_id.encode())
        return container_id

    def start_container(self, container_id: str) -> None:
        """Start a created container."""
        self.runtime.start_container(self._handler_of_container(container_id), container_id)

    def stop_container(self, container_id: str, timeout: int) -> None:
        """Stop a container: SIGTERM, then SIGKILL after ``timeout`` seconds."""
        self.runtime.stop_container(self._handler_of_container(container_id), container_id, timeout)

    def remove_container(self, container_id: str) -> None:
        """Remove a container (idempotent)."""
        try:
            handler = self._handler_of_container(container_id)
        except NotFoundError:
            return
        self.runtime.remove_container(handler, container_id)
        (self._containers / container_id).unlink(missing_ok=True)

    def container_status(
        self, container_id: str, *, verbose: bool = False
    ) -> ContainerStatusResponse:
        """A container's status."""
        return self.runtime.container_status(
            self._handler_of_container(container_id), container_id, verbose
        )

    def list_containers(self, container_filter: ContainerFilter | None = None) -> list[Container]:
        """Containers of every handler."""
        found: list[Container] = []
        for handler in self.handlers():
            found.extend(
                self.runtime.list_containers(handler, container_filter or ContainerFilter())
            )
        return found

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
    ContainerFilter,
    NamespaceMode,
    PodIP,
    PodSandboxFilter,
    PodSandboxNetworkStatus,
)
from podkit.runtimelayer._cache import ResultCache
from podkit.runtimelayer._cniconf import load_networks
from podkit.runtimelayer._network import DEFAULT_CNI_PATH, NetworkAttacher

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from podkit.models.network import Result
    from podkit.models.runtime import (
        Container,
        ContainerConfig,
        ContainerStatusResponse,
        PodSandbox,
        PodSandboxConfig,
        PodSandboxStatusResponse,
    )
    from podkit.pluginmanager import PluginManager
    from podkit.runtimelayer._cniconf import Network

#: The runtime handler used when a call names none (CRI's empty handler).
DEFAULT_HANDLER: Final = "namespace"
LOGGER: Final = logging.getLogger("podkit.runtimelayer")


@final
@attrs.frozen(kw_only=True)
class SandboxRecord:
    """What the layer keeps about one sandbox."""

    id: str
    handler: str
    netns: str = ""
    ips: tuple[str, ...] = ()


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
            id=body["id"], handler=body["handler"], netns=body["netns"], ips=tuple(body["ips"])
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

    def handlers(self) -> list[str]:
        """The handlers that own sandboxes, and the default one."""
        known = {self.default_handler}
        if self._sandboxes.is_dir():
            known |= {json.loads(p.read_text())["handler"] for p in self._sandboxes.glob("*.json")}
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
            if config.linux.security_context.namespace_options.network != NamespaceMode.NODE:
                status = self.runtime.pod_sandbox_status(handler, sandbox_id)
                netns = status.status.linux.namespaces.network_path
                if not netns:
                    msg = (
                        f"failed to set up network of sandbox {sandbox_id!r}: runtime handler"
                        f" {handler!r} reported no network namespace path"
                    )
                    raise FailedPreconditionError(msg)
                record = attrs.evolve(record, netns=netns)
                self._save(record)
                results = self.network.attach(sandbox_id, netns, config)
                self._save(attrs.evolve(record, ips=pod_ips(results)))
            undo.pop_all()
        return sandbox_id

    def _undo_sandbox(self, record: SandboxRecord) -> None:
        """Roll back a sandbox start, best effort: the start's own error is what the caller sees."""
        steps = (
            lambda: self.network.detach(record.id, record.netns),
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
        self.network.detach(sandbox_id, record.netns)
        self._save(attrs.evolve(record, ips=()))

    def remove_pod_sandbox(self, sandbox_id: str) -> None:
        """Stop, detach and remove the sandbox (idempotent)."""
        record = self._record(sandbox_id)
        if record is None:
            return  # CRI: "if the sandbox has already been removed, it must not return an error"
        self.stop_pod_sandbox(sandbox_id)
        self.runtime.remove_pod_sandbox(record.handler, sandbox_id)
        for link in list(self._containers.glob("*")) if self._containers.is_dir() else []:
            if link.read_text() == sandbox_id:
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
        if not record.ips:
            return response
        network = PodSandboxNetworkStatus(
            ip=record.ips[0], additional_ips=tuple(PodIP(ip=ip) for ip in record.ips[1:])
        )
        return attrs.evolve(response, status=attrs.evolve(response.status, network=network))

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

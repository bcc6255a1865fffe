"""Attach a sandbox to its networks through the network hooks (libcni's job).

For each network of the configuration directory, the plugins of its list run
in order for ``ADD``, each getting the previous one's result as
``prevResult``, and in reverse order for ``DEL``; the final result is cached
so that ``DEL`` and ``CHECK`` get it. A plugin's request configuration is
derived as the CNI SPEC says (section 3): the list's ``cniVersion`` and
``name``, the plugin's own keys, and in ``runtimeConfig`` only the
capabilities the plugin asked for and the runtime has.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Final, final

import attrs

from podkit import cnijson
from podkit.errors import PodkitError
from podkit.models.network import (
    Attachment,
    GCAttachment,
    NetworkConfig,
    PortMapping,
    Result,
    RuntimeConfig,
    RuntimeDNS,
)
from podkit.runtimelayer._cache import CachedAttachment, ResultCache
from podkit.runtimelayer._cniconf import Network

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from podkit.models.network import NetworkConfigList, PluginConfig
    from podkit.models.runtime import PodSandboxConfig
    from podkit.pluginmanager import NetworkHooks

#: Where upstream CNI plugins are looked for by plugins that exec others.
DEFAULT_CNI_PATH: Final = ("/usr/lib/cni", "/opt/cni/bin")
_LOOPBACK_SOURCE: Final = {
    "cniVersion": "1.0.0",
    "name": "podkit-loopback",
    "plugins": [{"type": "loopback"}],
}
#: The implicit first network of every sandbox: ``lo``, up.
LOOPBACK: Final = Network(
    path=Path("<podkit-loopback>"),
    config=cnijson.decode_config_list(_LOOPBACK_SOURCE),
    source=_LOOPBACK_SOURCE,
)
# STATUS and GC came with CNI 1.1.0; libcni asks only lists of that version.
_STATUS_AND_GC_VERSION: Final = "1.1.0"


def runtime_config(config: PodSandboxConfig) -> RuntimeConfig:
    """The capability arguments a runtime can give, from a sandbox's config."""
    mappings = tuple(
        PortMapping(
            host_port=m.host_port,
            container_port=m.container_port,
            protocol=m.protocol.value.lower(),
            host_ip=m.host_ip or None,
        )
        for m in config.port_mappings
        if m.host_port  # containerd skips mappings without a host port
    )
    dns = config.dns_config
    return RuntimeConfig(
        port_mappings=mappings,
        dns=RuntimeDNS(servers=dns.servers, searches=dns.searches, options=dns.options)
        if dns is not None
        else None,
        cgroup_path=config.linux.cgroup_parent,
    )


_CAPABILITY_FIELDS: Final = {
    "portMappings": "port_mappings",
    "dns": "dns",
    "cgroupPath": "cgroup_path",
}


def derive(
    network: NetworkConfigList,
    plugin: PluginConfig,
    offered: RuntimeConfig,
    prev_result: Result | None,
) -> NetworkConfig:
    """The request configuration of one plugin call (CNI SPEC section 3)."""
    wanted = {
        attr: getattr(offered, attr)
        for key, attr in _CAPABILITY_FIELDS.items()
        if plugin.capabilities.get(key)
    }
    return NetworkConfig(
        cni_version=network.cni_version,
        name=network.name,
        type=plugin.type,
        runtime_config=RuntimeConfig(**wanted),
        ip_masq=plugin.ip_masq,
        ipam=plugin.ipam,
        dns=plugin.dns,
        prev_result=prev_result,
        raw=plugin.raw,
    )


def pod_args(config: PodSandboxConfig, sandbox_id: str) -> dict[str, str]:
    """``CNI_ARGS`` as Kubernetes runtimes pass them."""
    return {
        "IgnoreUnknown": "1",
        "K8S_POD_NAMESPACE": config.metadata.namespace,
        "K8S_POD_NAME": config.metadata.name,
        "K8S_POD_INFRA_CONTAINER_ID": sandbox_id,
        "K8S_POD_UID": config.metadata.uid,
    }


@final
@attrs.define(kw_only=True)
class NetworkAttacher:
    """Runs the network configuration lists through the network hooks."""

    hooks: NetworkHooks
    cache: ResultCache
    networks: Callable[[], Sequence[Network]]
    cni_path: tuple[str, ...] = DEFAULT_CNI_PATH
    #: Bring ``lo`` up through the ``loopback`` plugin before the networks.
    loopback: bool = False

    def _attachment(
        self, sandbox_id: str, netns: str, ifname: str, args: dict[str, str]
    ) -> Attachment:
        return Attachment(
            container_id=sandbox_id, netns=netns, ifname=ifname, args=args, path=self.cni_path
        )

    def attach(self, sandbox_id: str, netns: str, config: PodSandboxConfig) -> list[Result]:
        """``ADD`` every network; on failure, ``DEL`` what was added and raise.

        When a plugin answers for CNI type ``loopback``, ``lo`` is brought up
        first, as containerd does for every sandbox; its result is not one of
        the pod's networks.
        """
        offered, args = runtime_config(config), pod_args(config, sandbox_id)
        results = []
        with contextlib.ExitStack() as undo:
            if self.loopback:
                attachment = self._attachment(sandbox_id, netns, "lo", args)
                undo.callback(self._del_chain, LOOPBACK.config, attachment, None)
                self._add_chain(LOOPBACK, attachment, offered)
            for index, network in enumerate(self.networks()):
                attachment = self._attachment(sandbox_id, netns, f"eth{index}", args)
                undo.callback(self._del_chain, network.config, attachment, None)
                result = self._add_chain(network, attachment, offered)
                results.append(result)
            undo.pop_all()
        return results

    def _add_chain(
        self, network: Network, attachment: Attachment, offered: RuntimeConfig
    ) -> Result:
        prev: Result | None = None
        for plugin in network.config.plugins:
            request = derive(network.config, plugin, offered, prev)
            prev = self.hooks.add(plugin.type, request, attachment)
        if prev is None:  # load_network refuses empty lists; kept for the type checker
            msg = f"network {network.config.name!r} has no plugins"
            raise PodkitError(msg)
        self.cache.save(
            CachedAttachment(
                network=network.config.name,
                container_id=attachment.container_id,
                ifname=attachment.ifname,
                source=network.source,
                result=prev,
            )
        )
        return prev

    def _del_chain(
        self, network: NetworkConfigList, attachment: Attachment, cached: Result | None
    ) -> None:
        """``DEL`` every plugin in reverse order; all are tried, the first error raised."""
        failures: list[PodkitError] = []
        for plugin in reversed(network.plugins):
            request = derive(network, plugin, RuntimeConfig(), cached)
            try:
                self.hooks.del_(plugin.type, request, attachment)
            except PodkitError as exc:
                failures.append(exc)
        if failures:
            raise failures[0]
        self.cache.remove(network.name, attachment.container_id, attachment.ifname)

    def detach(self, sandbox_id: str, netns: str, *, every: bool = False) -> None:
        """``DEL`` every attachment of the sandbox that the cache knows, with its own config.

        Idempotent: an attachment that was never made or already removed is
        skipped, and plugins treat a missing namespace as success (SPEC, DEL).

        :param every: also ``DEL`` the networks of the configuration that the
            cache does not know, without ``prevResult``: an ``ADD`` cut by a
            crash may have left an address or an interface behind ("Plugins
            should generally complete a DEL action without error even if some
            resources are missing", SPEC).
        """
        done = set()
        for entry in self.cache.entries():
            if entry.container_id != sandbox_id:
                continue
            attachment = self._attachment(sandbox_id, netns, entry.ifname, {})
            network = cnijson.decode_config_list(entry.source)
            self._del_chain(network, attachment, entry.result)
            done.add((network.name, entry.ifname))
        if not every:
            return
        configured = [(f"eth{i}", n) for i, n in enumerate(self.networks())]
        if self.loopback:
            configured.append(("lo", LOOPBACK))
        for ifname, configured_network in configured:
            name = configured_network.config.name
            if (name, ifname) not in done:
                attachment = self._attachment(sandbox_id, netns, ifname, {})
                self._del_chain(configured_network.config, attachment, None)

    def check(self, sandbox_id: str, netns: str) -> None:
        """``CHECK`` every attachment of the sandbox (unless a list disables it)."""
        for entry in self.cache.entries():
            if entry.container_id != sandbox_id:
                continue
            network = cnijson.decode_config_list(entry.source)
            if network.disable_check:
                continue
            attachment = self._attachment(sandbox_id, netns, entry.ifname, {})
            for plugin in network.plugins:
                self.hooks.check(
                    plugin.type, derive(network, plugin, RuntimeConfig(), entry.result), attachment
                )

    def ready(self) -> None:
        """``STATUS`` of every plugin of every network; raises what the first one says.

        As libcni does, only lists of version 1.1.0 or newer are asked: older
        plugins do not know ``STATUS``.
        """
        for network in self.networks():
            if network.config.cni_version < _STATUS_AND_GC_VERSION:
                continue
            for plugin in network.config.plugins:
                self.hooks.status(
                    plugin.type, derive(network.config, plugin, RuntimeConfig(), None)
                )

    def gc(self, keep: set[str]) -> None:
        """``GC`` each network, keeping the attachments of the sandboxes in ``keep``."""
        for network in self.networks():
            if network.config.disable_gc or network.config.cni_version < _STATUS_AND_GC_VERSION:
                continue
            valid = tuple(
                GCAttachment(container_id=e.container_id, ifname=e.ifname)
                for e in self.cache.entries()
                if e.network == network.config.name and e.container_id in keep
            )
            for plugin in network.config.plugins:
                request = derive(network.config, plugin, RuntimeConfig(), None)
                self.hooks.gc(plugin.type, request, valid)

"""``bridge``: containers on a Linux bridge through veth pairs, like the CNI bridge plugin.

``ADD`` checks the whole configuration first, then runs the steps of
:mod:`~podkit.plugins.network._bridge_steps` with every undo on an
:class:`contextlib.ExitStack`, popped on success. ``DEL`` takes the container
interface out of service (down and renamed, :mod:`~podkit.plugins.network._unregister`) and
leaves the kernel's ~15-20 ms unregistration of the veth pair, most of a
``DEL``, to a thread, while it releases the addresses (never leaked, even
when the namespace is gone, as upstream) and the masquerade rules; whatever
is missing already counts as done.

**IPAM.** The bridge needs addresses from an IPAM plugin
(``config.ipam.type``). ``host-local`` runs in-process, as the library
:class:`~podkit.plugins.network._host_local.HostLocalIPAM`, the same code
that serves CNI type ``host-local`` (plugins never call each other through
the plugin manager); any other type is exec'd from ``CNI_PATH`` as upstream
delegates (:class:`~podkit.plugins.network._delegated_ipam.DelegatedIPAM`).
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, final

import podkit
from podkit.models.network import CNI_VERSIONS, Interface, Result, VersionResult
from podkit.plugins.network import (
    _bridge_config,
    _bridge_steps,
    _macspoof,
    _masquerade,
    _netlink,
    _nftables,
    _unregister,
)
from podkit.plugins.network._bridge_check import check_attachment
from podkit.plugins.network._delegated_ipam import DelegatedIPAM
from podkit.plugins.network._host_local import HostLocalIPAM
from podkit.plugins.network._host_local_config import DEFAULT_DATA_DIR

if TYPE_CHECKING:
    from collections.abc import Callable

    from podkit.models.network import Attachment, GCAttachment, IPConfig, NetworkConfig, Route
    from podkit.plugins.network._bridge_config import BridgeConf

_TYPE: Final = "bridge"
_HOST_LOCAL: Final = "host-local"


@final
@podkit.answers_for(_TYPE)
class BridgePlugin:
    """The network hooks for CNI type ``bridge``.

    :param nat_table: the nftables table (in families ``ip`` and ``ip6``)
        that holds the masquerade rules.
    :param default_data_dir: host-local's ``dataDir`` when the configuration
        gives none.
    :param enable_ip_forward: turn on the host's IP forwarding when the
        bridge is a gateway, as upstream does (tests turn it off to leave the
        host's sysctls alone).
    :param lazy_unregister: ``DEL`` returns once the container interface is
        out of service (down, renamed ``pkdel<hex>``: no traffic, its name
        free) and the addresses are released; the kernel's ~15-20 ms deletion
        of the veth pair finishes in a thread (waited for at exit, so a
        short-lived process such as an exec'd ``podkit-cni`` still ends with
        the pair gone). The default; ``False`` makes ``DEL`` return only when
        the pair is gone. A process killed in between leaves the renamed link
        in the namespace: the next ``ADD`` there deletes it.
    """

    def __init__(
        self,
        *,
        nat_table: str = _nftables.DEFAULT_TABLE,
        default_data_dir: Path = DEFAULT_DATA_DIR,
        enable_ip_forward: bool = True,
        lazy_unregister: bool = True,
    ) -> None:
        """Configure the host-side settings that are not per network."""
        self.nat_table = nat_table
        self.lazy_unregister = lazy_unregister
        self.host_local = HostLocalIPAM(Path(default_data_dir))
        self.enable_ip_forward = enable_ip_forward

    def _ipam(
        self, conf: BridgeConf, cni_path: tuple[str, ...] = ()
    ) -> HostLocalIPAM | DelegatedIPAM | None:
        """host-local in-process; any other IPAM type exec'd from ``cni_path``."""
        if not conf.ipam_type:
            return None
        if conf.ipam_type != _HOST_LOCAL:
            return DelegatedIPAM(conf.ipam_type, cni_path)
        return self.host_local

    # -- ADD ----------------------------------------------------------------------

    @podkit.hookimpl
    def network_add(self, config: NetworkConfig, attachment: Attachment) -> Result:
        """Attach the container to the bridge (CNI ``ADD``)."""
        conf = _bridge_config.load(config)
        ipam = self._ipam(conf, attachment.path)
        if ipam is not None:
            ipam.validate(config)  # all of the configuration before any change
        if not attachment.netns:
            msg = "failed to add container to bridge: the attachment has no network namespace"
            raise podkit.InvalidArgumentError(msg)
        with contextlib.ExitStack() as sockets:
            host = sockets.enter_context(_netlink.open_host())
            container = sockets.enter_context(_netlink.open_netns(attachment.netns))
            _unregister.sweep(container)
            if container.find_link(attachment.ifname) is not None:
                msg = (
                    f"failed to add container {attachment.container_id!r}: interface "
                    f"{attachment.ifname!r} exists in {attachment.netns!r} already"
                )
                raise podkit.AlreadyExistsError(msg)
            with contextlib.ExitStack() as undo:
                result = self._add(
                    config=config,
                    conf=conf,
                    ipam=ipam,
                    attachment=attachment,
                    host=host,
                    container=container,
                    undo=undo,
                )
                undo.pop_all()
        return result

    def _add(  # noqa: PLR0913 - the steps' shared state
        self,
        *,
        config: NetworkConfig,
        conf: BridgeConf,
        ipam: HostLocalIPAM | DelegatedIPAM | None,
        attachment: Attachment,
        host: _netlink.Netlink,
        container: _netlink.Netlink,
        undo: contextlib.ExitStack,
    ) -> Result:
        bridge = _bridge_steps.ensure_bridge(host, conf)
        veth = _bridge_steps.setup_veth(host, bridge, conf, attachment, undo)
        link = container.find_link(attachment.ifname)
        if link is None:
            msg = f"failed to create interface {attachment.ifname!r}: it is not in the container"
            raise podkit.InternalError(msg)
        if conf.mac_spoof_check:
            tag = (self.nat_table, conf.network, attachment.container_id, attachment.ifname)
            undo.callback(_macspoof.remove, *tag)
            _macspoof.add(*tag, veth.name, link.mac)
        ips: tuple[IPConfig, ...] = ()
        routes: tuple[Route, ...] = ()
        dns = conf.dns
        if ipam is None:
            if not conf.disable_container_interface:
                container.set_link(link.index, state="up")
        else:
            ipam_result = ipam.add(config, attachment)
            undo.callback(ipam.delete, config, attachment)
            if not ipam_result.ips:
                msg = "failed to add container to bridge: IPAM plugin returned missing IP config"
                raise podkit.InternalError(msg)
            ips, routes = _bridge_steps.with_gateways(conf, ipam_result)
            _bridge_steps.configure_interface(container, link, ips, routes, dad=conf.enable_dad)
            self._set_up_host(
                conf=conf, host=host, bridge=bridge, ips=ips, attachment=attachment, undo=undo
            )
            dns = conf.dns or ipam_result.dns
        bridge = host.link(bridge.index)  # as it is now, with the new port
        link = container.link(link.index)
        interfaces = (
            Interface(name=bridge.name, mac=bridge.mac),
            Interface(name=veth.name, mac=veth.mac),
            Interface(name=link.name, mac=link.mac, sandbox=attachment.netns),
        )
        return Result(
            cni_version=config.cni_version, interfaces=interfaces, ips=ips, routes=routes, dns=dns
        )

    def _set_up_host(  # noqa: PLR0913 - the steps' shared state
        self,
        *,
        conf: BridgeConf,
        host: _netlink.Netlink,
        bridge: _netlink.Link,
        ips: tuple[IPConfig, ...],
        attachment: Attachment,
        undo: contextlib.ExitStack,
    ) -> None:
        if conf.is_gateway:
            for gateway in _bridge_steps.gateway_addresses(ips):
                _bridge_steps.ensure_bridge_address(host, bridge, gateway, force=conf.force_address)
                if self.enable_ip_forward:
                    _netlink.enable_ip_forward(gateway.version)
        if conf.ip_masq:
            undo.callback(
                _masquerade.remove,
                self.nat_table,
                conf.network,
                attachment.container_id,
                attachment.ifname,
            )
            _masquerade.add(
                self.nat_table,
                conf.network,
                attachment.container_id,
                attachment.ifname,
                [ip.address for ip in ips],
            )

    # -- DEL, CHECK -----------------------------------------------------------------

    @podkit.hookimpl
    def network_del(self, config: NetworkConfig, attachment: Attachment) -> Literal[True]:
        """Detach the container (CNI ``DEL``); what is gone already counts as done.

        SPEC: "Plugins should generally complete a ``DEL`` action without error
        even if some resources are missing."
        """
        conf = _bridge_config.load(config)
        ipam = self._ipam(conf, attachment.path)
        # The kernel takes ~15 ms to unregister a veth pair (it waits for RCU grace
        # periods): the interface goes in a thread while the addresses and masquerade
        # rules are released here; DEL returns when both are done.
        unplugged = (
            _bridge_steps.in_background(
                functools.partial(_delete_interface, attachment, lazy=self.lazy_unregister)
            )
            if attachment.netns
            else None
        )
        try:
            if ipam is not None:  # whatever happens to the interface (or its netns)
                ipam.delete(config, attachment)
            tag = (self.nat_table, conf.network, attachment.container_id, attachment.ifname)
            if conf.ip_masq:
                _masquerade.remove(*tag)
            if conf.mac_spoof_check:
                _macspoof.remove(*tag)
        finally:
            if unplugged is not None:
                unplugged()
        return True

    @podkit.hookimpl
    def network_check(self, config: NetworkConfig, attachment: Attachment) -> Literal[True]:
        """Check the attachment is as ``ADD`` left it (CNI ``CHECK``)."""
        conf = _bridge_config.load(config)
        ipam = self._ipam(conf, attachment.path)
        if config.prev_result is None:
            msg = "invalid bridge configuration: prevResult: required for CHECK"
            raise podkit.InvalidArgumentError(msg)
        if ipam is not None:
            ipam.check(config, attachment)
        check_attachment(conf, attachment, config.prev_result)
        if conf.ip_masq and not _masquerade.count(
            self.nat_table, conf.network, attachment.container_id, attachment.ifname
        ):
            msg = (
                f"failed to check container {attachment.container_id!r}: its IP masquerade "
                "rules are missing"
            )
            raise podkit.FailedPreconditionError(msg)
        if conf.mac_spoof_check and not _macspoof.count(
            self.nat_table, conf.network, attachment.container_id, attachment.ifname
        ):
            msg = (
                f"failed to check container {attachment.container_id!r}: its MAC spoof check "
                "rule is missing"
            )
            raise podkit.FailedPreconditionError(msg)
        return True

    # -- STATUS, GC, VERSION ------------------------------------------------------------

    @podkit.hookimpl
    def network_status(self, config: NetworkConfig) -> Literal[True]:
        """Ready when IPAM has addresses and nft is there if needed (CNI ``STATUS``)."""
        conf = _bridge_config.load(config)
        ipam = self._ipam(conf)
        if (conf.ip_masq or conf.mac_spoof_check) and not _nftables.available():
            key = "ipMasq" if conf.ip_masq else "macspoofchk"
            msg = f"bridge: {key} needs the nftables program `nft`, which is not installed"
            raise podkit.PluginNotAvailableError(msg)
        if ipam is not None:
            ipam.status(config)
        return True

    @podkit.hookimpl
    def network_gc(
        self, config: NetworkConfig, valid_attachments: tuple[GCAttachment, ...]
    ) -> Literal[True]:
        """Release addresses and nftables rules of stale attachments (CNI ``GC``)."""
        conf = _bridge_config.load(config)
        ipam = self._ipam(conf)
        steps: list[tuple[str, Callable[[], None]]] = []
        if ipam is not None:
            steps.append(("addresses", functools.partial(ipam.gc, config, valid_attachments)))
        if conf.ip_masq:
            masquerade = functools.partial(
                _masquerade.gc, self.nat_table, conf.network, valid_attachments
            )
            steps.append(("masquerade rules", masquerade))
        if conf.mac_spoof_check:
            spoof = functools.partial(_macspoof.gc, self.nat_table, conf.network, valid_attachments)
            steps.append(("MAC spoof check rules", spoof))
        # The SPEC, on GC: "On an error, carry on removing what you can, then report them".
        failures = []
        for what, step in steps:
            try:
                step()
            except podkit.PodkitError as exc:
                failures.append(f"{what}: {exc}")
        if failures:
            msg = f"failed to collect garbage of network {conf.network!r}"
            raise podkit.UnavailableError(msg, details="; ".join(failures))
        return True

    @podkit.hookimpl
    def network_version(self) -> VersionResult:
        """Every SPEC version: the podkit wire translates."""
        return VersionResult(supported_versions=CNI_VERSIONS)


def _delete_interface(attachment: Attachment, *, lazy: bool) -> None:
    """Delete the container's interface (its host-side peer goes too); gone is no error."""
    with contextlib.suppress(podkit.NotFoundError), contextlib.ExitStack() as stack:
        container = stack.enter_context(_netlink.open_netns(attachment.netns))
        link = container.find_link(attachment.ifname)
        if link is None:
            return
        if lazy:
            stack.pop_all()  # the socket goes to the deleting thread
            _unregister.unregister_later(container, link.index)
        else:
            container.delete_link(link.index)


__all__ = ["BridgePlugin"]

"""The steps of the bridge plugin's ``ADD``, each small, named and idempotent where it can be.

They follow ``bridge.go``: ``ensure_bridge`` (``ensureBridge``),
``setup_veth`` (``setupVeth``), ``with_gateways`` (``calcGateways``),
``configure_interface`` (``ipam.ConfigureIface``) and
``ensure_bridge_address`` (``ensureAddr``). Undo steps are pushed on the
caller's :class:`contextlib.ExitStack`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
import threading
import time
from typing import TYPE_CHECKING, Final

import podkit
from podkit.models.network import IPConfig, Result, Route
from podkit.plugins.network._netlink import IFA_F_DADFAILED, IFA_F_TENTATIVE

if TYPE_CHECKING:
    from collections.abc import Callable

    from podkit.models.network import Attachment, IPAddress, IPInterface
    from podkit.plugins.network._bridge_config import BridgeConf
    from podkit.plugins.network._netlink import Link, Netlink

#: Positions of the interfaces in the result, as upstream orders them.
BRIDGE_INDEX, HOST_INDEX, CONTAINER_INDEX = 0, 1, 2
#: Seconds ``ADD`` waits for IPv6 duplicate address detection (``enabledad``), as upstream.
DAD_TIMEOUT: Final = 10.0
_DAD_POLL: Final = 0.05


def ensure_bridge(host: Netlink, conf: BridgeConf) -> Link:
    """Return the bridge, created and up; a concurrent creation is no error."""
    bridge = host.find_link(conf.bridge)
    if bridge is None:
        with contextlib.suppress(podkit.AlreadyExistsError):  # another ADD made it meanwhile
            host.add_bridge(conf.bridge, conf.mtu)
            # Pin the bridge's random MAC: otherwise it takes the lowest of its ports'
            # and changes as containers come and go (and CHECK compares it).
            created = host.find_link(conf.bridge)
            if created is not None:
                host.set_link(created.index, address=created.mac)
        bridge = host.find_link(conf.bridge)
    if bridge is None or bridge.kind != "bridge":
        msg = (
            f"failed to set up bridge {conf.bridge!r}: a link of that name exists "
            "and is not a bridge"
        )
        raise podkit.FailedPreconditionError(msg)
    if conf.promisc_mode and not bridge.promisc:
        host.set_promisc(bridge.index)
    if not bridge.up:
        host.set_link(bridge.index, state="up")
    return host.link(bridge.index)


def setup_veth(
    host: Netlink,
    bridge: Link,
    conf: BridgeConf,
    attachment: Attachment,
    undo: contextlib.ExitStack,
) -> Link:
    """Create the veth pair, the container end in its namespace; return the host end."""
    name = f"veth{secrets.token_hex(4)}"
    host.add_veth(
        name, peer=attachment.ifname, peer_netns=attachment.netns, mtu=conf.mtu, peer_mac=conf.mac
    )
    veth = host.find_link(name)
    if veth is None:
        msg = f"failed to create veth {name!r}: it vanished after creation"
        raise podkit.InternalError(msg)
    undo.callback(_delete_quietly, host, veth.index)
    host.set_link(veth.index, master=bridge.index, state="up")
    if conf.hairpin_mode:
        host.set_hairpin(veth.index)
    if conf.port_isolation:
        host.set_isolated(veth.index)
    return host.link(veth.index)


def _delete_quietly(netlink: Netlink, index: int) -> None:
    with contextlib.suppress(podkit.NotFoundError):
        netlink.delete_link(index)


def _first_address(address: IPInterface) -> IPAddress:
    return address.network.network_address + 1


def with_gateways(conf: BridgeConf, ipam: Result) -> tuple[tuple[IPConfig, ...], tuple[Route, ...]]:
    """Give each address the container interface and a gateway; add default routes.

    As upstream's ``calcGateways``: an address without a gateway gets the
    first address of its subnet when the bridge is the gateway; with
    ``isDefaultGateway`` each IP version gets a default route through it,
    unless IPAM gave one.
    """
    ips = []
    routes = list(ipam.routes)
    for ip in ipam.ips:
        gateway = ip.gateway or (_first_address(ip.address) if conf.is_gateway else None)
        ips.append(IPConfig(address=ip.address, gateway=gateway, interface=CONTAINER_INDEX))
        default = ipaddress.ip_network("0.0.0.0/0" if ip.address.version == 4 else "::/0")  # noqa: PLR2004
        has_default = any(r.dst == default for r in routes)
        if conf.is_default_gateway and gateway is not None and not has_default:
            routes.append(Route(dst=default, gw=gateway))
    return tuple(ips), tuple(routes)


def configure_interface(
    container: Netlink,
    link: Link,
    ips: tuple[IPConfig, ...],
    routes: tuple[Route, ...],
    *,
    dad: bool = False,
) -> None:
    """Give the container interface its addresses and routes, and bring it up.

    :param dad: IPv6 addresses go through duplicate address detection; the
        routes are added once it is over (:func:`settle_addresses`).
    """
    for ip in ips:
        container.add_address(link.index, ip.address, dad=dad)
    container.set_link(link.index, state="up")
    if dad and any(ip.address.version == 6 for ip in ips):  # noqa: PLR2004
        settle_addresses(container, link)
    gateways = {ip.address.version: ip.gateway for ip in ips if ip.gateway is not None}
    for route in routes:
        container.add_route(
            link.index,
            route.dst,
            route.gw or gateways.get(route.dst.version),
            priority=route.priority,
            table=route.table,
            scope=route.scope,
            mtu=route.mtu,
            advmss=route.advmss,
        )


def settle_addresses(container: Netlink, link: Link, timeout: float = DAD_TIMEOUT) -> None:
    """Wait until no address of ``link`` is tentative, as upstream's ``SettleAddresses``.

    :raises podkit.AlreadyExistsError: duplicate address detection found
        another host using an address.
    :raises podkit.DeadlineExceededError: it did not end in ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        flags = container.address_flags(link.index)
        failed = [address for address, bits in flags.items() if bits & IFA_F_DADFAILED]
        if failed:
            msg = (
                f"failed to add address {failed[0]} to {link.name!r}: duplicate address "
                "detection found another host using it"
            )
            raise podkit.AlreadyExistsError(msg)
        if not any(bits & IFA_F_TENTATIVE for bits in flags.values()):
            return
        if time.monotonic() >= deadline:
            msg = f"failed to settle the addresses of {link.name!r} within {timeout:g} s"
            raise podkit.DeadlineExceededError(msg)
        time.sleep(_DAD_POLL)


def ensure_bridge_address(
    host: Netlink, bridge: Link, gateway: IPInterface, *, force: bool
) -> None:
    """Put the gateway address on the bridge, as upstream's ``ensureAddr``.

    Another IPv4 address, or an IPv6 address of an overlapping subnet, is an
    error unless ``forceAddress`` is set, which replaces it.
    """
    for present in host.addresses(bridge.index):
        if present == gateway:
            return
        clash = present.version == gateway.version and (
            present.version == 4 or present.network.overlaps(gateway.network)  # noqa: PLR2004
        )
        if not clash:
            continue
        if not force:
            msg = (
                f"failed to set up bridge {bridge.name!r}: it already has an IP address "
                f"{present} different from {gateway}"
            )
            raise podkit.FailedPreconditionError(msg)
        host.delete_address(bridge.index, present)
    with contextlib.suppress(podkit.AlreadyExistsError):  # a concurrent ADD added it
        host.add_address(bridge.index, gateway)


def gateway_addresses(ips: tuple[IPConfig, ...]) -> tuple[IPInterface, ...]:
    """Return the bridge addresses for the gateways: each with its subnet's prefix."""
    found = {
        ipaddress.ip_interface(f"{ip.gateway}/{ip.address.network.prefixlen}")
        for ip in ips
        if ip.gateway is not None
    }
    return tuple(sorted(found, key=str))


def in_background(step: Callable[[], None]) -> Callable[[], None]:
    """Start ``step`` in a thread; return the function that waits for it (and re-raises)."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            step()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the waiting thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="podkit-bridge-step")
    thread.start()

    def wait() -> None:
        thread.join()
        if failed:
            raise failed[0]

    return wait


__all__ = [
    "BRIDGE_INDEX",
    "CONTAINER_INDEX",
    "DAD_TIMEOUT",
    "HOST_INDEX",
    "configure_interface",
    "ensure_bridge",
    "ensure_bridge_address",
    "gateway_addresses",
    "in_background",
    "settle_addresses",
    "setup_veth",
    "with_gateways",
]

"""The bridge plugin's ``CHECK``: whether the attachment is still as ``ADD`` left it.

As upstream's ``cmdCheck``: the bridge exists and is a bridge, the container
interface exists in the namespace, is a veth whose peer is a port of the
bridge, and has the addresses and routes ``prevResult`` lists. Anything
else raises :class:`podkit.FailedPreconditionError` ("the container is
permanently in a misconfigured state"), never ``NotFoundError``, which
would tell the runtime that nothing needs cleaning up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import podkit
from podkit.plugins.network import _netlink

if TYPE_CHECKING:
    from podkit.models.network import Attachment, Result, Route
    from podkit.plugins.network._bridge_config import BridgeConf
    from podkit.plugins.network._netlink import Link, RouteEntry


def _fail(attachment: Attachment, problem: str) -> podkit.FailedPreconditionError:
    return podkit.FailedPreconditionError(
        f"failed to check container {attachment.container_id!r} interface "
        f"{attachment.ifname!r}: {problem}"
    )


def _expected_mac(prev: Result, name: str, sandbox: str) -> str:
    return next((i.mac for i in prev.interfaces if i.name == name and i.sandbox == sandbox), "")


def check_attachment(conf: BridgeConf, attachment: Attachment, prev: Result) -> None:
    """Raise :class:`podkit.FailedPreconditionError` unless the attachment is intact."""
    with _netlink.open_host() as host:
        bridge = host.find_link(conf.bridge)
        if bridge is None or bridge.kind != "bridge":
            raise _fail(attachment, f"bridge {conf.bridge!r} is missing")
        mac = _expected_mac(prev, conf.bridge, "")
        if mac and mac.lower() != bridge.mac.lower():
            raise _fail(attachment, f"bridge {conf.bridge!r} has MAC {bridge.mac}, not {mac}")
        try:
            container = _netlink.open_netns(attachment.netns)
        except podkit.NotFoundError as exc:
            raise _fail(attachment, f"network namespace {attachment.netns!r} is gone") from exc
        with container:
            link = container.find_link(attachment.ifname)
            if link is None or link.kind != "veth":
                raise _fail(attachment, "the veth is missing from the container")
            _check_peer(attachment, host, link, bridge)
            _check_addresses(attachment, prev, container.addresses(link.index))
            _check_routes(attachment, prev.routes, container.routes(link.index))
            mac = _expected_mac(prev, attachment.ifname, attachment.netns)
            if mac and mac.lower() != link.mac.lower():
                raise _fail(attachment, f"it has MAC {link.mac}, not {mac}")


def _check_peer(attachment: Attachment, host: _netlink.Netlink, link: Link, bridge: Link) -> None:
    try:
        peer = host.link(link.peer_index)
    except podkit.NotFoundError as exc:
        raise _fail(attachment, "its host-side veth is gone") from exc
    if peer.master != bridge.index:
        raise _fail(attachment, f"its host-side veth {peer.name!r} left bridge {bridge.name!r}")


def _check_addresses(attachment: Attachment, prev: Result, present: tuple[object, ...]) -> None:
    for ip in prev.ips:
        if ip.interface is not None and prev.interfaces[ip.interface].name != attachment.ifname:
            continue
        if ip.address not in present:
            raise _fail(attachment, f"address {ip.address} is missing")


def _check_routes(
    attachment: Attachment, expected: tuple[Route, ...], present: tuple[RouteEntry, ...]
) -> None:
    for route in expected:
        if not any(
            entry.dst == route.dst and (route.gw is None or entry.gw == route.gw)
            for entry in present
        ):
            raise _fail(attachment, f"route to {route.dst} via {route.gw or 'link'} is missing")


__all__ = ["check_attachment"]

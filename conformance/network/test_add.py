"""``ADD``: the result's shape in each SPEC version the target supports.

CNI SPEC 1.1, section 5 "ADD Success": the result lists the interfaces
the attachment created (the container's with its ``sandbox``), the
addresses with the index of their interface, and the routes; delegated
IPAM plugins return the abbreviated form (section 4). The result is in the
version the runtime asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.network import _host, _profiles

if TYPE_CHECKING:
    from podkit.conformance.network._harness import Harness, Pod
    from podkit.models.network import Result


def _assert_interface_result(result: Result, pod: Pod) -> None:
    inside = [i for i, iface in enumerate(result.interfaces) if iface.sandbox == pod.path]
    names = [result.interfaces[i].name for i in inside]
    assert names == [pod.attachment.ifname], f"container interfaces: {names}"
    assert result.ips, "the result lists no address"
    for ip in result.ips:
        assert ip.interface in inside, f"{ip.address} names interface {ip.interface}"


def _assert_addresses_from_the_range(result: Result) -> None:
    for ip in result.ips:
        assert ip.address.network == _profiles.POD_SUBNET, f"{ip.address} is not in the range"
        assert ip.gateway == _profiles.POD_GATEWAY, f"{ip.address} has gateway {ip.gateway}"


@pytest.mark.parametrize("version", _profiles.RESULT_VERSIONS)
def test_add_returns_a_result_of_the_requested_version(harness: Harness, version: str) -> None:
    """CNI SPEC 1.1, section 5 "ADD Success", for each supported version.

    The result's ``cniVersion`` is the request's; an interface plugin lists the
    container interface with ``sandbox`` set to ``CNI_NETNS`` and points every
    address at it; an IPAM plugin returns the abbreviated result (section 4:
    "IPAM plugins should return an abbreviated Success object": no
    interfaces); a chained plugin passes ``prevResult`` through or modifies it.
    """
    profile = harness.need_profile()
    harness.need_version(version, f"an ADD result in {version}")
    pod, prev = harness.portmap_pod(version) if profile.chained else (harness.pod(), None)
    result = harness.add(harness.config(version, prev_result=prev), pod.attachment)
    assert result.cni_version == version
    if profile.creates_interface or profile.cni_type == "loopback":
        _assert_interface_result(result, pod)
    if profile.manages_addresses:
        _assert_addresses_from_the_range(result)
    if profile.manages_addresses and not profile.creates_interface:
        assert result.interfaces == ()
        assert all(ip.interface is None for ip in result.ips)
    if prev is not None:
        assert {ip.address for ip in prev.ips} <= {ip.address for ip in result.ips}
        assert {i.name for i in prev.interfaces} <= {i.name for i in result.interfaces}


def test_add_of_a_loopback_lists_the_loopback_addresses(harness: Harness) -> None:
    """CNI ``loopback`` documentation: ``ADD`` reports ``lo`` with ``127.0.0.1/8``.

    SPEC 1.1, section 5: "ips" lists the addresses the attachment has.
    """
    harness.need_type("loopback", what="the loopback result")
    pod = harness.pod()
    result = harness.add(harness.config(), pod.attachment)
    assert "127.0.0.1/8" in {str(ip.address) for ip in result.ips}


def test_a_second_add_of_the_same_interface_fails(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "ADD": an interface of that name exists: an error.

    "If an interface of the requested name already exists in the container,
    the CNI plugin MUST return with an error."
    """
    harness.need(what="an interface that exists already", creates_interface=True)
    pod = harness.pod()
    harness.add(harness.config(), pod.attachment)
    with pytest.raises(podkit.PodkitError):
        harness.add(harness.config(), pod.attachment)


def test_dual_stack_ranges_give_one_address_per_range_set(harness: Harness) -> None:
    """CNI ``host-local`` documentation: one address is allocated from each range set.

    SPEC 1.1, section 5: "ips" lists every address assigned. The bridge is
    not a gateway here, so that no IPv6 forwarding is switched on on the host.
    """
    ranges = [[_profiles.pod_range()], [{"subnet": str(_profiles.POD_SUBNET6)}]]
    profile = harness.need(what="dual-stack address management", manages_addresses=True)
    raw = {"isGateway": False} if profile.creates_interface else {}
    config = harness.config(ranges=ranges, raw=raw)
    result = harness.add(config, harness.pod().attachment)
    networks = sorted(str(ip.address.network) for ip in result.ips)
    assert networks == [str(_profiles.POD_SUBNET), str(_profiles.POD_SUBNET6)]


def test_the_result_describes_the_pod_as_it_is(harness: Harness) -> None:
    """CNI SPEC 1.1, section 5 "ADD Success": ``ips`` and ``routes`` are what was set up.

    Every address of the result is on the container interface and every
    route (here the default route of ``isDefaultGateway``) is in the pod.
    """
    harness.need(what="a container interface", creates_interface=True)
    pod = harness.pod()
    config = harness.config(raw={"isDefaultGateway": True})
    result = harness.add(config, pod.attachment)
    present = _host.addresses(pod.name, pod.attachment.ifname)
    for ip in result.ips:
        assert str(ip.address) in present, f"{ip.address} is not on the interface: {present}"
    assert result.routes, "isDefaultGateway gave no route"
    routes = _host.routes(pod.name)
    for route in result.routes:
        gateway = route.gw or result.ips[0].gateway
        assert (str(route.dst), str(gateway)) in routes, f"{route} is not in the pod: {routes}"


def test_the_container_interface_gets_the_configured_mtu(harness: Harness) -> None:
    """CNI ``bridge`` documentation: ``mtu`` sets the MTU of the veth pair.

    SPEC 1.1, section 5: ``interfaces[].mtu``, when given, is the interface's.
    """
    harness.need_type("bridge", what="the bridge's mtu")
    pod = harness.pod()
    result = harness.add(harness.config(raw={"mtu": 1400}), pod.attachment)
    assert _host.mtu(pod.attachment.ifname, pod.name) == 1400
    inside = [i for i in result.interfaces if i.sandbox == pod.path]
    assert all(i.mtu in {0, 1400} for i in inside), inside

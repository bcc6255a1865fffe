"""``macspoofchk``: a pod cannot send from a MAC address other than its own.

CNI ``bridge`` documentation: ``macspoofchk`` "enables mac spoof check,
limiting the traffic originating from the container to the mac address of
the interface". Checked with real packets: the pod reaches its gateway, then
takes another MAC address and no longer does, then takes its own back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podkit.conformance.network import _host, _profiles
from podkit.testing import require_binary

if TYPE_CHECKING:
    from podkit.conformance.network._harness import Harness

#: A locally administered address nobody on the test's bridge has.
_FOREIGN_MAC = "02:70:6b:76:de:ad"


def _set_mac(netns: str, ifname: str, mac: str) -> None:
    # While up (veth allows it): taking the interface down would take its routes too.
    _host.run("ip", "-n", netns, "link", "set", ifname, "address", mac)
    _host.run("ip", "-n", netns, "neigh", "flush", "all")


def test_frames_from_another_mac_address_are_dropped(harness: Harness) -> None:
    """CNI ``bridge`` documentation, ``macspoofchk``; and after ``DEL`` the check is gone."""
    harness.need_type("bridge", what="the MAC spoof check")
    require_binary(_host.BUSYBOX)
    pod = harness.pod()
    result = harness.add(harness.config(raw={"macspoofchk": True}), pod.attachment)
    [own] = [i.mac for i in result.interfaces if i.sandbox == pod.path]
    gateway = str(_profiles.POD_GATEWAY)
    assert _host.ping(pod.name, gateway), "no echo reply from the gateway"
    _set_mac(pod.name, pod.attachment.ifname, _FOREIGN_MAC)
    assert not _host.ping(pod.name, gateway, attempts=1), "a spoofed MAC address got through"
    _set_mac(pod.name, pod.attachment.ifname, own)
    assert _host.ping(pod.name, gateway), "no echo reply with the pod's own MAC address again"

"""Connectivity with real packets: what ``ADD`` promises, checked with ``ping``.

CNI SPEC 1.1, section 2 "ADD": the plugin "is expected to ... create the
interface ... and configure it" with what its result lists; the result is
a description of real state. The pods are namespaces of the test, on its
own bridge and documentation addresses (RFC 5737), so nothing else is
reached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podkit.conformance.network import _host, _profiles
from podkit.testing import require_binary

if TYPE_CHECKING:
    from podkit.conformance.network._harness import Harness


def test_a_pod_reaches_its_gateway(harness: Harness) -> None:
    """CNI SPEC 1.1, section 5: ``ips[].gateway`` is the pod's gateway.

    With ``isGateway`` the bridge holds it (CNI ``bridge`` documentation), so
    an ICMP echo from the pod to it comes back.
    """
    harness.need(what="a gateway on a bridge", creates_interface=True)
    require_binary(_host.BUSYBOX)
    pod = harness.pod()
    result = harness.add(harness.config(), pod.attachment)
    assert result.ips[0].gateway == _profiles.POD_GATEWAY
    assert _host.ping(pod.name, str(_profiles.POD_GATEWAY)), "no echo reply from the gateway"


def test_two_pods_on_the_same_bridge_reach_each_other(harness: Harness) -> None:
    """CNI SPEC 1.1, section 5: each pod has the address its result lists.

    Two pods of one network reach each other at those addresses; after the
    second one's ``DEL`` it is gone ("remove container from network").
    """
    harness.need(what="two pods on a bridge", creates_interface=True)
    require_binary(_host.BUSYBOX)
    first, second = harness.pod(), harness.pod()
    config = harness.config()
    harness.add(config, first.attachment)
    result = harness.add(config, second.attachment)
    address = str(result.ips[0].address.ip)
    assert _host.ping(first.name, address), f"no echo reply from the second pod at {address}"
    harness.del_(harness.config(prev_result=result), second.attachment)
    assert not _host.ping(first.name, address, attempts=1), f"{address} answers after DEL"


def test_loopback_answers_inside_the_pod_after_add(harness: Harness) -> None:
    """CNI ``loopback`` documentation: ``ADD`` brings ``lo`` up.

    A new namespace's ``lo`` is down; after ``ADD`` the pod pings 127.0.0.1.
    """
    harness.need_type("loopback", what="the loopback interface")
    require_binary(_host.BUSYBOX)
    pod = harness.pod()
    assert not _host.ping(pod.name, "127.0.0.1", attempts=1), "lo is up before ADD"
    harness.add(harness.config(), pod.attachment)
    assert _host.ping(pod.name, "127.0.0.1"), "lo does not answer after ADD"

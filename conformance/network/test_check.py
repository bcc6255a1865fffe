"""``CHECK``: passes on an intact attachment, fails on a tampered one.

CNI SPEC 1.1, section 2 "CHECK": "A plugin should return an error if a
resource included in the CNI Result type (interface, address or route) was
created by the plugin, and is listed in ``prevResult``, but is missing or in
an invalid state", and likewise for resources the result does not track
("IP reservations"). CHECK exists from SPEC 0.4.0 on, which every version
the suite uses has.

A failed CHECK must not say code 3 ("Container unknown or does not exist.
This error implies the runtime does not need to perform any container
network cleanup (for example, calling the DEL action on the container)"): the
tampered attachment still needs its ``DEL``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.network import _host

if TYPE_CHECKING:
    from podkit.conformance.network._harness import Harness, Pod
    from podkit.models.network import NetworkConfig

UNKNOWN_CONTAINER = 3


def _added(harness: Harness) -> tuple[Pod, NetworkConfig]:
    """ADD a pod of the type under test; return it with its CHECK configuration."""
    profile = harness.need_profile()
    version = harness.version
    pod, prev = harness.portmap_pod(version) if profile.chained else (harness.pod(), None)
    config = harness.config(version, prev_result=prev)
    result = harness.add(config, pod.attachment)
    return pod, harness.config(version, prev_result=result)


def _assert_check_fails(harness: Harness, config: NetworkConfig, pod: Pod) -> None:
    with pytest.raises(podkit.PodkitError) as caught:
        harness.check(config, pod.attachment)
    assert caught.value.cni_code != UNKNOWN_CONTAINER, (
        "code 3 tells the runtime no cleanup is needed, which is wrong for an attachment "
        f"that exists: {caught.value}"
    )


def test_check_passes_right_after_add(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "CHECK": an attachment as ``ADD`` left it passes.

    The runtime passes the ``ADD`` result as ``prevResult`` (section 3,
    "Checking an attachment").
    """
    pod, config = _added(harness)
    assert harness.check(config, pod.attachment) is True


def test_check_passes_again_and_changes_nothing(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "CHECK" is a probe: calling it twice gives the same answer."""
    pod, config = _added(harness)
    harness.check(config, pod.attachment)
    assert harness.check(config, pod.attachment) is True


def test_check_fails_when_the_pod_address_was_flushed(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "CHECK": fail when an address the result lists is gone."""
    harness.need(what="an address on a container interface", creates_interface=True)
    pod, config = _added(harness)
    _host.run("ip", "-n", pod.name, "addr", "flush", "dev", pod.attachment.ifname)
    _assert_check_fails(harness, config, pod)


def test_check_fails_when_the_container_interface_was_deleted(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "CHECK": fail when the interface the result lists is gone."""
    harness.need(what="a container interface", creates_interface=True)
    pod, config = _added(harness)
    _host.run("ip", "-n", pod.name, "link", "del", pod.attachment.ifname)
    _assert_check_fails(harness, config, pod)


def test_check_fails_when_lo_was_set_down(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "CHECK", for ``loopback``: ``lo`` must still be up."""
    harness.need_type("loopback", what="the loopback interface")
    pod, config = _added(harness)
    _host.run("ip", "-n", pod.name, "link", "set", "lo", "down")
    _assert_check_fails(harness, config, pod)


def test_check_fails_when_the_reservation_was_removed(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "CHECK": fail when a resource not in the result is gone.

    ("IP reservations" are the SPEC's own example.) host-local keeps one file
    per reserved address in ``<dataDir>/<network>/`` (its documentation).
    """
    harness.need_type("host-local", what="host-local's reservation files")
    pod, config = _added(harness)
    assert config.prev_result is not None
    for ip in config.prev_result.ips:
        Path(harness.builder.data_dir, config.name, str(ip.address.ip)).unlink()
    _assert_check_fails(harness, config, pod)

"""``portmap``: a host port reaches the pod, with a real TCP connection.

CNI ``portmap`` documentation (a chained plugin, "CONVENTIONS.md"
capability ``portMappings``): for each mapping, traffic to
``hostIP:hostPort`` is forwarded to the pod's ``containerPort``; ``DEL``
removes the forwarding. A ``busybox nc -l`` in the pod answers a connection
made from the host namespace.

Upstream's ``portmap`` (``--cni-path``) programs iptables, whose tables and
chains the suite cannot tell from the host's own: those tests skip for it.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING

import pytest

from podkit.conformance.network import _host, _profiles
from podkit.conformance.network._harness import GC_VERSION
from podkit.models.network import GCAttachment, PortMapping
from podkit.testing import require_binary

if TYPE_CHECKING:
    from podkit.conformance.network._harness import Harness, Pod
    from podkit.models.network import NetworkConfig

MESSAGE = b"pkv conformance\n"
CONTAINER_PORT = 8080


def _mapped(harness: Harness, request: pytest.FixtureRequest) -> tuple[Pod, NetworkConfig, int]:
    harness.need(what="port mappings", chained=True)
    if request.config.getoption("--cni-path"):
        pytest.skip(
            "upstream portmap programs iptables; the suite cannot remove its tables and chains "
            "without touching the host's own, so the port-mapping tests skip for --cni-path"
        )
    require_binary(_host.BUSYBOX)
    version = harness.version
    pod, prev = harness.portmap_pod(version)
    host_port = random.randint(30000, 32767)  # noqa: S311 - not for security
    mapping = PortMapping(
        host_port=host_port, container_port=CONTAINER_PORT, host_ip=_profiles.PORTMAP_HOST.ip
    )
    config = harness.config(version, port_mappings=(mapping,), prev_result=prev)
    result = harness.add(config, pod.attachment)
    return pod, harness.config(version, port_mappings=(mapping,), prev_result=result), host_port


def _read(port: int, attempts: int = 20) -> bytes:
    for _ in range(attempts):  # the listener may not be up yet
        answer = _host.tcp_read(str(_profiles.PORTMAP_HOST.ip), port, timeout=1.0)
        if answer:
            return answer
        time.sleep(0.1)
    return b""


def test_a_mapped_host_port_reaches_the_pod(
    harness: Harness, request: pytest.FixtureRequest
) -> None:
    """CNI ``portmap``: ``hostIP:hostPort`` is forwarded to the pod's ``containerPort``."""
    pod, _, host_port = _mapped(harness, request)
    harness.host.listen(pod.name, CONTAINER_PORT, MESSAGE)
    assert _read(host_port) == MESSAGE


def test_check_passes_with_the_port_mapped(
    harness: Harness, request: pytest.FixtureRequest
) -> None:
    """CNI SPEC 1.1, section 2 "CHECK": the mapping ``ADD`` made is intact."""
    pod, config, _ = _mapped(harness, request)
    assert harness.check(config, pod.attachment) is True


def test_after_del_the_host_port_no_longer_reaches_the_pod(
    harness: Harness, request: pytest.FixtureRequest
) -> None:
    """CNI SPEC 1.1, section 2 "DEL: Remove container from network, or un-apply modifications"."""
    pod, config, host_port = _mapped(harness, request)
    harness.del_(config, pod.attachment)
    harness.host.listen(pod.name, CONTAINER_PORT, MESSAGE)
    assert _read(host_port, attempts=10) == b"", "the host port still reaches the pod after DEL"


def test_gc_removes_only_the_mappings_of_stale_attachments(
    harness: Harness, request: pytest.FixtureRequest
) -> None:
    """CNI SPEC 1.1, section 2 "GC: Clean up any stale resources" (firewall rules too).

    A GC that lists the attachment keeps its mapping; one that does not
    removes it.
    """
    version = harness.need_version(GC_VERSION, "GC")
    pod, _, host_port = _mapped(harness, request)
    status_config = harness.config(version)  # GC gets no runtimeConfig and no prevResult
    valid = (GCAttachment(container_id=pod.attachment.container_id, ifname="eth0"),)
    assert harness.gc(status_config, valid) is True
    harness.host.listen(pod.name, CONTAINER_PORT, MESSAGE)
    assert _read(host_port) == MESSAGE, "GC removed the mapping of a valid attachment"
    assert harness.gc(status_config, ()) is True
    harness.host.listen(pod.name, CONTAINER_PORT, MESSAGE)
    assert _read(host_port, attempts=10) == b"", "the mapping survived GC"

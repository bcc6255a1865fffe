"""loopback: lo up on ADD, down on DEL, in a real namespace."""

from __future__ import annotations

import attrs
import pytest
from pkn_helpers import attachment, ip_json, netns_name, ping, run

import podkit
from podkit.models.network import NetworkConfig, Result

pytestmark = [pytest.mark.root, pytest.mark.netns]


def lo_flags(netns: str) -> list[str]:
    [link] = ip_json("-n", netns_name(netns), "link", "show", "dev", "lo")
    return link["flags"]


def config(cni_version: str = "1.1.0") -> NetworkConfig:
    return NetworkConfig(cni_version=cni_version, name="pkn-lo", type="loopback")


@pytest.mark.parametrize("cni_version", ["0.4.0", "1.0.0", "1.1.0"])
def test_add_brings_lo_up_and_reports_it(pm, netns, cni_version):
    result = pm.network.add("loopback", config(cni_version), attachment(netns, ifname="lo"))
    assert "UP" in lo_flags(netns)
    assert result.cni_version == cni_version
    assert [(i.name, i.sandbox) for i in result.interfaces] == [("lo", netns)]
    assert {str(ip.address) for ip in result.ips} == {"127.0.0.1/8", "::1/128"}
    answer = ping(netns_name(netns), "127.0.0.1")
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert pm.network.check("loopback", config(), attachment(netns, ifname="lo")) is True


def test_chained_add_passes_prev_result_through(pm, netns):
    previous = Result(cni_version="1.1.0")
    chained = attrs.evolve(config(), prev_result=previous)
    assert pm.network.add("loopback", chained, attachment(netns, ifname="lo")) is previous


def test_del_sets_lo_down_and_is_idempotent(pm, netns_factory):
    netns = netns_factory()
    pm.network.add("loopback", config(), attachment(netns, ifname="lo"))
    assert pm.network.del_("loopback", config(), attachment(netns, ifname="lo")) is True
    assert "UP" not in lo_flags(netns)
    with pytest.raises(podkit.FailedPreconditionError, match="not up"):
        pm.network.check("loopback", config(), attachment(netns, ifname="lo"))
    assert pm.network.del_("loopback", config(), attachment(netns, ifname="lo")) is True
    run("ip", "netns", "del", netns_name(netns))
    assert pm.network.del_("loopback", config(), attachment(netns, ifname="lo")) is True
    with pytest.raises(podkit.FailedPreconditionError, match="gone"):
        pm.network.check("loopback", config(), attachment(netns, ifname="lo"))


def test_status_gc_version(pm):
    assert pm.network.status("loopback", config()) is True
    assert pm.network.gc("loopback", config(), ()) is True
    assert "1.1.0" in pm.network.version("loopback").supported_versions

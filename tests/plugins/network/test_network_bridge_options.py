"""bridge's port and interface options: isolation, a disabled interface, DAD, MAC spoof check.

Each as the CNI bridge documentation describes it, checked on the kernel's
side (sysfs, ``ip``) and with real packets where it is about traffic.
"""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
from pkn_helpers import attachment, ip_json, netns_name, ping, run

import podkit
from podkit.models.network import GCAttachment

pytestmark = [pytest.mark.root, pytest.mark.netns]


def test_port_isolation_keeps_pods_apart_and_the_gateway_reachable(
    pm, make_config, netns_factory, subnet_octet
):
    config = make_config(portIsolation=True)
    first, second = netns_factory(), netns_factory()
    one = pm.network.add("bridge", config, attachment(first, container_id="pkn-c1"))
    two = pm.network.add("bridge", config, attachment(second, container_id="pkn-c2"))
    for result in (one, two):
        isolated = Path(f"/sys/class/net/{result.interfaces[1].name}/brport/isolated")
        assert isolated.read_text().strip() == "1"
    gateway = f"10.254.{subnet_octet}.1"
    assert ping(netns_name(first), gateway).returncode == 0
    assert ping(netns_name(first), str(two.ips[0].address.ip)).returncode != 0
    pm.network.del_("bridge", config, attachment(first, container_id="pkn-c1"))
    pm.network.del_("bridge", config, attachment(second, container_id="pkn-c2"))


def test_ports_are_not_isolated_by_default(pm, make_config, netns_factory):
    config = make_config()
    first, second = netns_factory(), netns_factory()
    one = pm.network.add("bridge", config, attachment(first, container_id="pkn-c1"))
    two = pm.network.add("bridge", config, attachment(second, container_id="pkn-c2"))
    assert Path(f"/sys/class/net/{one.interfaces[1].name}/brport/isolated").read_text() == "0\n"
    assert ping(netns_name(first), str(two.ips[0].address.ip)).returncode == 0
    pm.network.del_("bridge", config, attachment(first, container_id="pkn-c1"))
    pm.network.del_("bridge", config, attachment(second, container_id="pkn-c2"))


def test_a_disabled_container_interface_is_left_down_without_addresses(pm, make_config, netns):
    config = make_config(disableContainerInterface=True)
    config = config.__class__(
        cni_version=config.cni_version, name=config.name, type="bridge", raw=config.raw
    )  # no ipam: upstream refuses IPAM with a disabled interface
    result = pm.network.add("bridge", config, attachment(netns))
    [link] = ip_json("-n", netns_name(netns), "addr", "show", "dev", "eth0")
    assert "UP" not in link["flags"]
    assert not [a for a in link["addr_info"] if a["scope"] == "global"]
    assert result.interfaces[2].name == "eth0"
    assert result.ips == ()
    assert pm.network.del_("bridge", config, attachment(netns))


def test_a_disabled_container_interface_with_ipam_is_refused_before_any_change(
    pm, make_config, netns
):
    with pytest.raises(podkit.InvalidArgumentError, match="disableContainerInterface: cannot use"):
        pm.network.add("bridge", make_config(disableContainerInterface=True), attachment(netns))
    assert [link["ifname"] for link in ip_json("-n", netns_name(netns), "link", "show")] == ["lo"]


@pytest.mark.parametrize("enabled", [False, True])
def test_ipv6_duplicate_address_detection_only_when_enabled(pm, make_config, netns, enabled):
    config = make_config(dual_stack=True, enabledad=enabled)
    result = pm.network.add("bridge", config, attachment(netns))
    [link] = ip_json("-n", netns_name(netns), "addr", "show", "dev", "eth0")
    [v6] = [a for a in link["addr_info"] if a["family"] == "inet6" and a["scope"] == "global"]
    assert v6["local"] == str(result.ips[1].address.ip)
    # Without DAD the address is flagged nodad; with it, ADD returned after DAD ended.
    assert v6.get("nodad", False) is not enabled
    assert not v6.get("tentative", False)
    assert pm.network.del_("bridge", config, attachment(netns))


def test_a_duplicate_ipv6_address_fails_add_when_dad_is_enabled(
    pm, make_config, netns_factory, subnet_octet
):
    # Another host on the bridge holds the address host-local hands out first.
    squatter = netns_factory()
    plain = make_config(dual_stack=True)
    taken = pm.network.add("bridge", plain, attachment(squatter, container_id="pkn-sq"))
    ranges = [
        [{"subnet": f"10.254.{subnet_octet}.0/24", "rangeStart": f"10.254.{subnet_octet}.50"}],
        [{"subnet": f"fd70:6b6e:{subnet_octet}::/64"}],
    ]
    # A second network directory on the same bridge: its first IPv6 address is the taken one.
    clash = make_config(ranges=ranges, enabledad=True)
    clash = clash.__class__(
        cni_version=clash.cni_version,
        name=f"{clash.name}-b",
        type="bridge",
        ipam=clash.ipam,
        raw=clash.raw,
    )
    victim = netns_factory()
    with pytest.raises(podkit.AlreadyExistsError, match="duplicate address detection"):
        pm.network.add("bridge", clash, attachment(victim, container_id="pkn-vi"))
    # Nothing half-done: the victim's namespace holds only lo.
    assert [link["ifname"] for link in ip_json("-n", netns_name(victim), "link", "show")] == ["lo"]
    assert str(taken.ips[1].address.ip).endswith("::2")
    pm.network.del_("bridge", plain, attachment(squatter, container_id="pkn-sq"))


def _set_mac(netns: str, mac: str) -> None:
    # While up (veth allows it): taking it down would take its routes with it.
    run("ip", "-n", netns_name(netns), "link", "set", "eth0", "address", mac)


def test_mac_spoof_check_drops_frames_with_another_source_mac(
    pm, make_config, netns, nat_table, subnet_octet
):
    config = make_config(macspoofchk=True)
    result = pm.network.add("bridge", config, attachment(netns))
    gateway = f"10.254.{subnet_octet}.1"
    assert ping(netns_name(netns), gateway).returncode == 0
    own = result.interfaces[2].mac
    checked = attrs.evolve(config, prev_result=result)
    assert pm.network.check("bridge", checked, attachment(netns))
    _set_mac(netns, "02:70:6b:6e:de:ad")  # the container poses as another host
    run("ip", "-n", netns_name(netns), "neigh", "flush", "all")
    assert ping(netns_name(netns), gateway).returncode != 0
    _set_mac(netns, own)
    assert ping(netns_name(netns), gateway).returncode == 0
    # CHECK sees the rule gone; DEL removes it (and is idempotent).
    run("nft", "flush", "chain", "bridge", nat_table, "prerouting")
    with pytest.raises(podkit.FailedPreconditionError, match="MAC spoof check rule is missing"):
        pm.network.check("bridge", checked, attachment(netns))
    assert pm.network.del_("bridge", config, attachment(netns))
    assert pm.network.del_("bridge", config, attachment(netns))


def test_del_and_gc_remove_exactly_their_mac_spoof_rules(pm, make_config, netns_factory, nat_table):
    config = make_config(macspoofchk=True)
    first, second, third = netns_factory(), netns_factory(), netns_factory()
    for index, netns in enumerate((first, second, third)):
        pm.network.add("bridge", config, attachment(netns, container_id=f"pkn-c{index}"))

    def rules() -> int:
        listed = run("nft", "-j", "list", "chain", "bridge", nat_table, "prerouting").stdout
        return sum(1 for entry in json.loads(listed)["nftables"] if "rule" in entry)

    assert rules() == 3
    pm.network.del_("bridge", config, attachment(first, container_id="pkn-c0"))
    assert rules() == 2
    keep = (GCAttachment(container_id="pkn-c1", ifname="eth0"),)
    assert pm.network.gc("bridge", config, keep)
    assert rules() == 1
    for index, netns in ((1, second), (2, third)):
        pm.network.del_("bridge", config, attachment(netns, container_id=f"pkn-c{index}"))
    assert rules() == 0

"""bridge: real namespaces, veths, addresses, routes, pings and nftables, through the hooks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs
import pytest
from pkn_helpers import (
    attachment,
    ip_json,
    netns_name,
    ping,
    reservations,
    run,
    wait_link_gone,
)

import podkit
from podkit.models.network import DNS, GCAttachment, NetworkConfig, RuntimeConfig
from podkit.plugins.network import BridgePlugin, _masquerade

pytestmark = [pytest.mark.root, pytest.mark.netns]

VERSIONS = ["0.4.0", "1.0.0", "1.1.0"]


def addresses(netns: str, ifname: str) -> set[str]:
    [link] = ip_json("-n", netns_name(netns), "addr", "show", "dev", ifname)
    return {f"{a['local']}/{a['prefixlen']}" for a in link["addr_info"] if a["scope"] == "global"}


def routes(netns: str, family: str = "-4") -> list[dict]:
    return ip_json("-n", netns_name(netns), family, "route", "show")


def with_prev(config: NetworkConfig, result) -> NetworkConfig:
    return attrs.evolve(config, prev_result=result)


@pytest.mark.parametrize("cni_version", VERSIONS)
def test_add_ipv4_configures_both_sides_and_pings_the_gateway(
    pm, make_config, netns, bridge_name, subnet_octet, cni_version
):
    config = make_config(cni_version=cni_version)
    result = pm.network.add("bridge", config, attachment(netns))

    assert result.cni_version == cni_version
    bridge, host_veth, container = result.interfaces
    assert bridge.name == bridge_name
    assert bridge.sandbox == ""
    assert host_veth.name.startswith("veth")
    assert (container.name, container.sandbox) == ("eth0", netns)
    [ip] = result.ips
    assert (str(ip.address), str(ip.gateway), ip.interface) == (
        f"10.254.{subnet_octet}.2/24",
        f"10.254.{subnet_octet}.1",
        2,
    )
    assert [(str(r.dst), str(r.gw)) for r in result.routes] == [
        ("0.0.0.0/0", f"10.254.{subnet_octet}.1")
    ]
    assert addresses(netns, "eth0") == {f"10.254.{subnet_octet}.2/24"}
    default = [r for r in routes(netns) if r["dst"] == "default"]
    assert [(r["gateway"], r["dev"]) for r in default] == [(f"10.254.{subnet_octet}.1", "eth0")]
    assert any(r["dst"] == f"10.254.{subnet_octet}.0/24" for r in routes(netns))
    [br] = ip_json("addr", "show", "dev", bridge_name)
    assert f"10.254.{subnet_octet}.1" in {a["local"] for a in br["addr_info"]}
    [veth] = ip_json("link", "show", "dev", host_veth.name)
    assert veth["master"] == bridge_name

    answer = ping(netns_name(netns), f"10.254.{subnet_octet}.1")
    assert answer.returncode == 0, answer.stdout + answer.stderr
    pm.network.del_("bridge", config, attachment(netns))


@pytest.mark.parametrize("cni_version", VERSIONS)
def test_add_dual_stack_gives_both_families_and_pings_both_gateways(
    pm, make_config, netns, subnet_octet, cni_version
):
    config = make_config(cni_version=cni_version, dual_stack=True)
    result = pm.network.add("bridge", config, attachment(netns))

    v4, v6 = f"10.254.{subnet_octet}", f"fd70:6b6e:{subnet_octet}:"
    assert [str(ip.address) for ip in result.ips] == [f"{v4}.2/24", f"{v6}:2/64"]
    assert {str(r.dst) for r in result.routes} == {"0.0.0.0/0", "::/0"}
    assert addresses(netns, "eth0") == {f"{v4}.2/24", f"{v6}:2/64"}
    assert any(r["dst"] == "default" and r["gateway"] == f"{v6}:1" for r in routes(netns, "-6"))
    for gateway in (f"{v4}.1", f"{v6}:1"):
        answer = ping(netns_name(netns), gateway)
        assert answer.returncode == 0, answer.stdout + answer.stderr
    pm.network.del_("bridge", config, attachment(netns))


def test_pod_to_pod_on_the_same_bridge(pm, make_config, netns_factory, subnet_octet):
    config = make_config(dual_stack=True)
    first, second = netns_factory(), netns_factory()
    one = pm.network.add("bridge", config, attachment(first, "pkn-c1"))
    two = pm.network.add("bridge", config, attachment(second, "pkn-c2"))
    for ip in two.ips:
        answer = ping(netns_name(first), str(ip.address.ip))
        assert answer.returncode == 0, answer.stdout + answer.stderr
    answer = ping(netns_name(second), str(one.ips[0].address.ip))
    assert answer.returncode == 0, answer.stdout + answer.stderr
    pm.network.del_("bridge", config, attachment(first, "pkn-c1"))
    pm.network.del_("bridge", config, attachment(second, "pkn-c2"))


@pytest.mark.parametrize("cni_version", VERSIONS)
def test_check_passes_after_add(pm, make_config, netns, cni_version):
    config = make_config(cni_version=cni_version, dual_stack=True, ip_masq=True)
    result = pm.network.add("bridge", config, attachment(netns))
    assert pm.network.check("bridge", with_prev(config, result), attachment(netns)) is True
    pm.network.del_("bridge", config, attachment(netns))


def test_check_fails_when_an_address_was_deleted(pm, make_config, netns, subnet_octet):
    config = make_config()
    result = pm.network.add("bridge", config, attachment(netns))
    run("ip", "-n", netns_name(netns), "addr", "del", f"10.254.{subnet_octet}.2/24", "dev", "eth0")
    with pytest.raises(podkit.FailedPreconditionError, match=r"address .* is missing"):
        pm.network.check("bridge", with_prev(config, result), attachment(netns))
    pm.network.del_("bridge", config, attachment(netns))


def test_check_fails_when_the_default_route_was_deleted(pm, make_config, netns):
    config = make_config()
    result = pm.network.add("bridge", config, attachment(netns))
    run("ip", "-n", netns_name(netns), "route", "del", "default")
    with pytest.raises(podkit.FailedPreconditionError, match=r"route to 0\.0\.0\.0/0"):
        pm.network.check("bridge", with_prev(config, result), attachment(netns))
    pm.network.del_("bridge", config, attachment(netns))


def test_check_fails_when_the_interface_or_namespace_is_gone(pm, make_config, netns_factory):
    config = make_config()
    netns = netns_factory()
    result = pm.network.add("bridge", config, attachment(netns))
    run("ip", "-n", netns_name(netns), "link", "del", "eth0")
    with pytest.raises(podkit.FailedPreconditionError, match="veth is missing"):
        pm.network.check("bridge", with_prev(config, result), attachment(netns))
    run("ip", "netns", "del", netns_name(netns))
    with pytest.raises(podkit.FailedPreconditionError, match="is gone"):
        pm.network.check("bridge", with_prev(config, result), attachment(netns))
    pm.network.del_("bridge", config, attachment(netns))


def test_check_needs_prev_result(pm, make_config, netns):
    with pytest.raises(podkit.InvalidArgumentError, match="prevResult"):
        pm.network.check("bridge", make_config(), attachment(netns))


def test_del_is_idempotent_and_releases_the_address(pm, make_config, netns, data_dir):
    config = make_config()
    pm.network.add("bridge", config, attachment(netns))
    assert len(reservations(data_dir)) == 1
    assert pm.network.del_("bridge", config, attachment(netns)) is True
    assert pm.network.del_("bridge", config, attachment(netns)) is True
    assert reservations(data_dir) == []
    assert ip_json("-n", netns_name(netns), "link", "show", "dev", "lo")  # the netns is intact
    assert [i["ifname"] for i in ip_json("-n", netns_name(netns), "link", "show")] == ["lo"]


def test_del_after_the_namespace_is_gone_still_releases(
    pm, make_config, netns_factory, data_dir, nat_table
):
    config = make_config(ip_masq=True)
    netns = netns_factory()
    result = pm.network.add("bridge", config, attachment(netns))
    run("ip", "netns", "del", netns_name(netns))
    assert pm.network.del_("bridge", config, attachment(netns)) is True
    assert pm.network.del_("bridge", config, attachment(netns)) is True
    no_netns = attrs.evolve(attachment(netns), netns="")
    assert pm.network.del_("bridge", config, no_netns) is True
    assert reservations(data_dir) == []
    network = config.name
    assert _masquerade.count(nat_table, network, "pkn-c1", "eth0") == 0
    wait_link_gone(result.interfaces[1].name)  # the kernel removes the host end


def test_ip_masq_rules_appear_in_nft_and_go_on_del(
    pm, bridge_plugin, make_config, netns, nat_table
):
    config = make_config(ip_masq=True, dual_stack=True)
    pm.network.add("bridge", config, attachment(netns))
    tag = _masquerade.count(nat_table, config.name, "pkn-c1", "eth0")
    assert tag == 2  # one per address
    listed = run("nft", "list", "table", "ip", nat_table).stdout
    assert "masquerade" in listed
    assert "ip saddr 10.254." in listed
    listed6 = run("nft", "list", "table", "ip6", nat_table).stdout
    assert "ip6 saddr fd70:6b6e:" in listed6
    pm.network.del_("bridge", config, attachment(netns))
    assert _masquerade.count(nat_table, config.name, "pkn-c1", "eth0") == 0
    assert "masquerade" not in run("nft", "list", "table", "ip", nat_table).stdout


def test_gc_removes_stale_addresses_and_masquerade_rules(
    pm, make_config, netns_factory, nat_table, data_dir
):
    config = make_config(ip_masq=True)
    first, second = netns_factory(), netns_factory()
    pm.network.add("bridge", config, attachment(first, "pkn-c1"))
    pm.network.add("bridge", config, attachment(second, "pkn-c2"))
    valid = (GCAttachment(container_id="pkn-c2", ifname="eth0"),)
    assert pm.network.gc("bridge", config, valid) is True
    assert _masquerade.count(nat_table, config.name, "pkn-c1", "eth0") == 0
    assert _masquerade.count(nat_table, config.name, "pkn-c2", "eth0") == 1
    assert len(reservations(data_dir)) == 1
    pm.network.del_("bridge", config, attachment(first, "pkn-c1"))
    pm.network.del_("bridge", config, attachment(second, "pkn-c2"))


def test_add_fails_when_the_interface_exists_and_changes_nothing(pm, make_config, netns, data_dir):
    config = make_config()
    run("ip", "-n", netns_name(netns), "link", "add", "eth0", "type", "veth", "peer", "pknpeer")
    links_before = {i["ifname"] for i in ip_json("link", "show")}
    with pytest.raises(podkit.AlreadyExistsError, match="exists"):
        pm.network.add("bridge", config, attachment(netns))
    assert {i["ifname"] for i in ip_json("link", "show")} <= links_before
    assert reservations(data_dir) == []


def test_add_rolls_back_when_addresses_run_out(
    pm, make_config, netns_factory, data_dir, subnet_octet
):
    config = make_config(ranges=[[{"subnet": f"10.254.{subnet_octet}.0/30"}]])  # one address
    first, second = netns_factory(), netns_factory()
    pm.network.add("bridge", config, attachment(first, "pkn-c1"))
    with pytest.raises(podkit.ResourceExhaustedError):
        pm.network.add("bridge", config, attachment(second, "pkn-c2"))
    assert [i["ifname"] for i in ip_json("-n", netns_name(second), "link", "show")] == ["lo"]
    assert len(reservations(data_dir)) == 1
    pm.network.del_("bridge", config, attachment(first, "pkn-c1"))


def test_add_on_a_missing_namespace_is_not_found(pm, make_config):
    with pytest.raises(podkit.NotFoundError, match="does not exist"):
        pm.network.add("bridge", make_config(), attachment("/run/netns/pkn-missing-ns"))


def test_mtu_mac_hairpin_and_promisc(pm, make_config, netns, bridge_name):
    config = make_config(mtu=1400, hairpinMode=True)
    config = attrs.evolve(config, runtime_config=RuntimeConfig(mac="02:70:6b:6e:00:01"))
    result = pm.network.add("bridge", config, attachment(netns))
    [link] = ip_json("-n", netns_name(netns), "link", "show", "dev", "eth0")
    assert (link["mtu"], link["address"]) == (1400, "02:70:6b:6e:00:01")
    assert result.interfaces[2].mac == "02:70:6b:6e:00:01"
    host_veth = result.interfaces[1].name
    hairpin = Path(f"/sys/class/net/{host_veth}/brport/hairpin_mode")
    assert hairpin.read_text().strip() == "1"
    pm.network.del_("bridge", config, attachment(netns))
    promisc = make_config(promiscMode=True)
    pm.network.add("bridge", promisc, attachment(netns))
    [br] = ip_json("-d", "link", "show", "dev", bridge_name)
    assert br["promiscuity"] >= 1
    pm.network.del_("bridge", promisc, attachment(netns))


def test_bridge_address_conflict_needs_force_address(
    pm, make_config, netns, bridge_name, subnet_octet
):
    run("ip", "link", "add", bridge_name, "type", "bridge")
    run("ip", "addr", "add", f"10.254.{subnet_octet}.200/24", "dev", bridge_name)
    config = make_config()
    with pytest.raises(podkit.FailedPreconditionError, match="already has an IP address"):
        pm.network.add("bridge", config, attachment(netns))
    forced = make_config(forceAddress=True)
    pm.network.add("bridge", forced, attachment(netns))
    [br] = ip_json("addr", "show", "dev", bridge_name)
    assert {a["local"] for a in br["addr_info"] if a["family"] == "inet"} == {
        f"10.254.{subnet_octet}.1"
    }
    pm.network.del_("bridge", forced, attachment(netns))


def test_dns_from_the_configuration_is_in_the_result(pm, make_config, netns):
    dns = DNS(nameservers=["10.254.0.53"], search=["pkn.example"])
    config = attrs.evolve(make_config(), dns=dns)
    assert pm.network.add("bridge", config, attachment(netns)).dns == dns
    pm.network.del_("bridge", config, attachment(netns))


def test_layer2_only_without_ipam(pm, make_config, netns):
    config = attrs.evolve(make_config(), ipam=None)
    result = pm.network.add("bridge", config, attachment(netns))
    assert result.ips == ()
    [link] = ip_json("-n", netns_name(netns), "link", "show", "dev", "eth0")
    assert "UP" in link["flags"]
    pm.network.del_("bridge", config, attachment(netns))


def test_status_gc_and_version(pm, make_config):
    config = make_config()
    assert pm.network.status("bridge", config) is True
    assert pm.network.version("bridge").supported_versions[-1] == "1.1.0"


def test_add_rolls_back_when_masquerade_fails(make_config, netns, data_dir):
    plugin = BridgePlugin(nat_table="pkn" * 100, default_data_dir=data_dir, enable_ip_forward=False)
    config = make_config(ip_masq=True)
    with pytest.raises(podkit.InternalError, match="nft"):
        plugin.network_add(config, attachment(netns))
    assert [i["ifname"] for i in ip_json("-n", netns_name(netns), "link", "show")] == ["lo"]
    assert reservations(data_dir) == []
    assert not [
        i
        for i in ip_json("link", "show")
        if i["ifname"].startswith("veth") and i.get("master") == config.raw["bridge"]
    ]


def test_concurrent_adds_on_one_bridge(pm, make_config, netns_factory, data_dir):
    config = make_config(ip_masq=True)
    namespaces = [netns_factory() for _ in range(10)]

    def attach(n: int):
        return pm.network.add("bridge", config, attachment(namespaces[n], f"pkn-c{n}"))

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(attach, range(10)))
    assert len({r.ips[0].address for r in results}) == 10
    answer = ping(netns_name(namespaces[0]), str(results[9].ips[0].address.ip))
    assert answer.returncode == 0, answer.stdout + answer.stderr
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(
            pool.map(
                lambda n: pm.network.del_("bridge", config, attachment(namespaces[n], f"pkn-c{n}")),
                range(10),
            )
        )
    assert reservations(data_dir) == []

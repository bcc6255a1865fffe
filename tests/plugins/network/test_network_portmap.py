"""portmap: DNAT rules in nftables, real connections through them, removal on DEL and GC."""

from __future__ import annotations

import random
import socket
import subprocess
import time

import attrs
import pytest
from pkn_helpers import attachment, netns_name, run

import podkit
from podkit.models.network import GCAttachment, PortMapping, RuntimeConfig
from podkit.plugins.network import PortmapPlugin

pytestmark = [pytest.mark.root, pytest.mark.netns]


@pytest.fixture
def portmap(pm, nat_table) -> PortmapPlugin:
    plugin = PortmapPlugin(nat_table=nat_table)
    pm.register(plugin, name="portmap", kind="network")
    return plugin


@pytest.fixture
def host_port() -> int:
    return random.randint(40000, 49999)  # noqa: S311 - not for security


def portmap_config(bridge_config, result, mappings, **raw):
    return attrs.evolve(
        bridge_config,
        type="portmap",
        ipam=None,
        prev_result=result,
        runtime_config=RuntimeConfig(port_mappings=mappings),
        raw=raw,
    )


@pytest.fixture
def listener():
    """Start ``busybox nc -l`` in a namespace, answering one connection; stop it at teardown."""
    started: list[subprocess.Popen[str]] = []

    def start(netns: str, port: int, reply: str) -> None:
        argv = ["ip", "netns", "exec", netns_name(netns), "busybox", "nc", "-l", "-p", str(port)]
        process = subprocess.Popen(
            [*argv, "-e", "echo", reply], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        started.append(process)
        time.sleep(0.3)  # let it bind

    yield start
    for process in started:
        process.kill()
        process.wait(timeout=10)


def fetch(address: str, port: int) -> str:
    with socket.create_connection((address, port), timeout=5) as connection:
        return connection.recv(100).decode().strip()


@pytest.mark.parametrize("cni_version", ["0.4.0", "1.0.0", "1.1.0"])
def test_host_port_reaches_the_container_and_del_removes_the_rules(
    pm, portmap, make_config, netns, subnet_octet, listener, host_port, cni_version
):
    bridge_config = make_config(cni_version=cni_version)
    result = pm.network.add("bridge", bridge_config, attachment(netns))
    gateway = f"10.254.{subnet_octet}.1"  # the host's address on our own bridge
    mapping = PortMapping(host_port=host_port, container_port=8080, host_ip=gateway)
    config = portmap_config(bridge_config, result, [mapping])

    assert pm.network.add("portmap", config, attachment(netns)) is result  # passed through
    assert portmap.count(config, attachment(netns)) == 4  # prerouting, output, 2 postrouting
    listed = run("nft", "list", "table", "ip", portmap.nat_table).stdout
    assert f"dnat to 10.254.{subnet_octet}.2:8080" in listed
    assert pm.network.check("portmap", config, attachment(netns)) is True

    listener(netns, 8080, "pkn-hello")
    assert fetch(gateway, host_port) == "pkn-hello"

    assert pm.network.del_("portmap", config, attachment(netns)) is True
    assert pm.network.del_("portmap", config, attachment(netns)) is True
    assert portmap.count(config, attachment(netns)) == 0
    with pytest.raises(podkit.FailedPreconditionError, match="rules are missing"):
        pm.network.check("portmap", config, attachment(netns))
    pm.network.del_("bridge", bridge_config, attachment(netns))


def test_dual_stack_mappings_get_rules_in_both_families(
    pm, portmap, make_config, netns, subnet_octet, host_port
):
    bridge_config = make_config(dual_stack=True)
    result = pm.network.add("bridge", bridge_config, attachment(netns))
    mappings = [
        PortMapping(host_port=host_port, container_port=80, protocol="udp"),
        PortMapping(host_port=host_port + 1, container_port=81, host_ip=f"10.254.{subnet_octet}.1"),
    ]
    config = portmap_config(bridge_config, result, mappings, snat=False)
    pm.network.add("portmap", config, attachment(netns))
    # v4: 2 mappings x (prerouting + output); v6: the mapping without a v4 host IP.
    assert portmap.count(config, attachment(netns)) == 6
    listed6 = run("nft", "list", "table", "ip6", portmap.nat_table).stdout
    assert f"dnat to [fd70:6b6e:{subnet_octet}::2]:80" in listed6
    pm.network.del_("portmap", config, attachment(netns))
    assert portmap.count(config, attachment(netns)) == 0
    pm.network.del_("bridge", bridge_config, attachment(netns))


def test_gc_removes_rules_of_stale_attachments(pm, portmap, make_config, netns_factory, host_port):
    bridge_config = make_config()
    first, second = netns_factory(), netns_factory()
    configs = []
    for n, netns in enumerate((first, second)):
        result = pm.network.add("bridge", bridge_config, attachment(netns, f"pkn-c{n}"))
        mapping = PortMapping(host_port=host_port + n, container_port=80)
        config = portmap_config(bridge_config, result, [mapping])
        pm.network.add("portmap", config, attachment(netns, f"pkn-c{n}"))
        configs.append(config)
    valid = (GCAttachment(container_id="pkn-c1", ifname="eth0"),)
    assert pm.network.gc("portmap", configs[0], valid) is True
    assert portmap.count(configs[0], attachment(first, "pkn-c0")) == 0
    assert portmap.count(configs[1], attachment(second, "pkn-c1")) == 4
    for n, netns in enumerate((first, second)):
        pm.network.del_("portmap", configs[n], attachment(netns, f"pkn-c{n}"))
        pm.network.del_("bridge", bridge_config, attachment(netns, f"pkn-c{n}"))


def test_without_mappings_prev_result_passes_through(pm, portmap, make_config, netns):
    bridge_config = make_config()
    result = pm.network.add("bridge", bridge_config, attachment(netns))
    config = portmap_config(bridge_config, result, [])
    assert pm.network.add("portmap", config, attachment(netns)) is result
    assert portmap.count(config, attachment(netns)) == 0
    pm.network.del_("bridge", bridge_config, attachment(netns))


def test_mappings_need_prev_result_and_a_supported_backend(pm, portmap, make_config, netns):
    mapping = PortMapping(host_port=40000, container_port=80)
    config = portmap_config(make_config(), None, [mapping])
    with pytest.raises(podkit.InvalidArgumentError, match="prevResult"):
        pm.network.add("portmap", config, attachment(netns))
    with pytest.raises(podkit.UnimplementedError, match="backend='iptables'"):
        pm.network.add(
            "portmap", attrs.evolve(config, raw={"backend": "iptables"}), attachment(netns)
        )
    with pytest.raises(podkit.InvalidArgumentError, match="snat: must be a boolean"):
        pm.network.add("portmap", attrs.evolve(config, raw={"snat": "no"}), attachment(netns))

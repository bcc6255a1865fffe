"""bridge with ``lazy_unregister``: DEL returns before the kernel has deleted the veth pair.

The interface is out of service at once (down, renamed, its name free for
the next ADD, its address released); the pair is gone once the deleting
threads end.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pkn_helpers import attachment, ip_json, netns_name, ping, reservations, run

import podkit
from podkit.plugins.network import BridgePlugin, HostLocalPlugin, _unregister

pytestmark = [pytest.mark.root, pytest.mark.netns]


@pytest.fixture
def lazy_pm(nat_table, data_dir) -> podkit.PluginManager:
    manager = podkit.PluginManager()
    plugin = BridgePlugin(
        nat_table=nat_table,
        default_data_dir=data_dir,
        enable_ip_forward=False,
        lazy_unregister=True,
    )
    manager.register(plugin, name="bridge", kind="network")
    manager.register(HostLocalPlugin(default_data_dir=data_dir), name="host-local", kind="network")
    yield manager
    assert _unregister.wait_for_unregistrations(30)


def links(netns: str) -> list[dict]:
    return ip_json("-n", netns_name(netns), "link", "show")


def test_del_frees_the_name_and_address_at_once_and_the_pair_goes_soon(
    lazy_pm, make_config, netns, data_dir
):
    config = make_config(isGateway=True)
    first = lazy_pm.network.add("bridge", config, attachment(netns))
    host_end = first.interfaces[1].name
    assert lazy_pm.network.del_("bridge", config, attachment(netns)) is True
    assert reservations(data_dir) == []
    left = [link for link in links(netns) if link["ifname"] != "lo"]
    # Whatever is still there is out of service: renamed away from eth0, and down.
    for link in left:
        assert link["ifname"].startswith(_unregister.UNREGISTERING)
        assert "UP" not in link["flags"]
    # The name is free at once: the same pod is attached again, and its network works.
    second = lazy_pm.network.add("bridge", config, attachment(netns, container_id="pkn-c2"))
    assert ping(netns_name(netns), str(second.ips[0].gateway)).returncode == 0
    assert lazy_pm.network.del_("bridge", config, attachment(netns, container_id="pkn-c2"))
    assert lazy_pm.network.del_("bridge", config, attachment(netns, container_id="pkn-c2"))
    assert _unregister.wait_for_unregistrations(30)
    assert [link["ifname"] for link in links(netns)] == ["lo"]
    assert not Path(f"/sys/class/net/{host_end}").exists()
    assert not Path(f"/sys/class/net/{second.interfaces[1].name}").exists()


def test_del_after_the_namespace_is_gone_succeeds(lazy_pm, make_config, netns_factory):
    config = make_config()
    netns = netns_factory()
    lazy_pm.network.add("bridge", config, attachment(netns))
    for link in links(netns):
        if link["ifname"] != "lo":
            ip_json("-n", netns_name(netns), "link", "del", link["ifname"])
    assert lazy_pm.network.del_("bridge", config, attachment(netns)) is True


def test_add_deletes_the_out_of_service_links_a_killed_process_left(lazy_pm, make_config, netns):
    # What a process killed between the rename and its thread's deletion leaves: a
    # down veth named pkdel<hex> in the pod's namespace, its peer on the host.
    name = netns_name(netns)
    left = f"{_unregister.UNREGISTERING}0badf00d"
    run("ip", "-n", name, "link", "add", left, "type", "veth", "peer", "name", "pkn-peer0")
    run("ip", "-n", name, "link", "set", "pkn-peer0", "netns", "1")
    assert Path("/sys/class/net/pkn-peer0").exists()
    config = make_config()
    lazy_pm.network.add("bridge", config, attachment(netns))
    assert [link["ifname"] for link in links(netns)] == ["lo", "eth0"]
    assert not Path("/sys/class/net/pkn-peer0").exists()
    assert lazy_pm.network.del_("bridge", config, attachment(netns))


def test_lazy_is_the_default():
    assert BridgePlugin().lazy_unregister is True

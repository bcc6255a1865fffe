"""bridge with an IPAM plugin other than host-local: exec'd from CNI_PATH, as upstream delegates.

Debian's ``static`` IPAM plugin (containernetworking-plugins) gives the
address; the bridge puts it on the container interface, CHECK and DEL go
to the delegate too, and a type nobody installed is refused before any
change, with CNI code 2 (never 3).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pkn_helpers import attachment, ip_json, netns_name, ping

import podkit
from podkit.models.network import Attachment, IPAMConfig, NetworkConfig
from podkit.testing import require_binary

pytestmark = [pytest.mark.root, pytest.mark.netns]

UPSTREAM = Path("/usr/lib/cni")


def static_config(bridge_name: str, short: str, subnet_octet: int, ipam_type: str = "static"):
    ipam = {
        "addresses": [
            {"address": f"10.254.{subnet_octet}.50/24", "gateway": f"10.254.{subnet_octet}.1"}
        ],
        "routes": [{"dst": "0.0.0.0/0"}],
    }
    return NetworkConfig(
        cni_version="1.0.0",
        name=f"pkn-net-{short}",
        type="bridge",
        ipam=IPAMConfig(type=ipam_type, raw=ipam),
        raw={"bridge": bridge_name, "isGateway": True},
    )


def on_path(netns: str, container_id: str = "pkn-c1") -> Attachment:
    plain = attachment(netns, container_id=container_id)
    return Attachment(
        container_id=plain.container_id, netns=plain.netns, ifname="eth0", path=(str(UPSTREAM),)
    )


def test_the_static_ipam_plugin_gives_the_address(pm, netns, bridge_name, short, subnet_octet):
    require_binary(str(UPSTREAM / "static"))
    config = static_config(bridge_name, short, subnet_octet)
    result = pm.network.add("bridge", config, on_path(netns))
    assert [str(ip.address) for ip in result.ips] == [f"10.254.{subnet_octet}.50/24"]
    [link] = ip_json("-n", netns_name(netns), "addr", "show", "dev", "eth0")
    assert f"10.254.{subnet_octet}.50" in {a["local"] for a in link["addr_info"]}
    assert ping(netns_name(netns), f"10.254.{subnet_octet}.1").returncode == 0
    checked = NetworkConfig(
        cni_version=config.cni_version,
        name=config.name,
        type="bridge",
        ipam=config.ipam,
        raw=config.raw,
        prev_result=result,
    )
    assert pm.network.check("bridge", checked, on_path(netns))
    assert pm.network.del_("bridge", checked, on_path(netns))
    assert [entry["ifname"] for entry in ip_json("-n", netns_name(netns), "link", "show")] == ["lo"]


def test_an_ipam_type_nobody_installed_is_refused_before_any_change(
    pm, netns, bridge_name, short, subnet_octet
):
    config = static_config(bridge_name, short, subnet_octet, ipam_type="pkn-no-such-ipam")
    with pytest.raises(podkit.UnimplementedError, match="no such IPAM plugin") as caught:
        pm.network.add("bridge", config, on_path(netns))
    assert caught.value.cni_code == 2
    assert [entry["ifname"] for entry in ip_json("-n", netns_name(netns), "link", "show")] == ["lo"]
    assert not Path(f"/sys/class/net/{bridge_name}").exists()

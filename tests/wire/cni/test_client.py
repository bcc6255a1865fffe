"""The exec client against Debian's upstream CNI plugins (/usr/lib/cni)."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import uuid

import pytest

import podkit
from podkit.models.network import Attachment
from podkit.testing import require_binary
from podkit.wire.cni import CniExecPlugin

CNI_PATH = "/usr/lib/cni"


@pytest.fixture
def manager():
    require_binary(f"{CNI_PATH}/host-local")
    pm = podkit.PluginManager()
    pm.register(CniExecPlugin([CNI_PATH]), name="upstream", kind="network")
    return pm


def _ipam_config(data_dir, subnet="192.0.2.0/29", version="1.0.0"):
    from podkit import cnijson

    return cnijson.decode_network_config(
        {
            "cniVersion": version,
            "name": "pkw-test",
            "type": "host-local",
            "ipam": {
                "type": "host-local",
                "dataDir": str(data_dir),
                "ranges": [[{"subnet": subnet}]],
                "routes": [{"dst": "0.0.0.0/0"}],
            },
        }
    )


def _attachment(container="c1", netns="/var/run/netns/none"):
    return Attachment(container_id=container, netns=netns, ifname="eth0", path=(CNI_PATH,))


def test_the_client_answers_for_every_binary_on_the_path(manager):
    [info] = manager.plugins()
    assert {"bridge", "host-local", "loopback", "portmap"} <= set(info.answers_for)


def test_version_of_an_upstream_plugin(manager):
    result = manager.network.version(cni_type="host-local")
    assert "1.0.0" in result.supported_versions
    assert "0.4.0" in result.supported_versions


@pytest.mark.parametrize("version", ["0.3.1", "0.4.0", "1.0.0"])
def test_host_local_add_and_del_through_the_client(manager, tmp_path, version):
    config = _ipam_config(tmp_path, version=version)
    result = manager.network.add("host-local", config, _attachment())
    [ip] = result.ips
    assert ip.address.network == ipaddress.ip_network("192.0.2.0/29")
    assert ip.gateway == ipaddress.ip_address("192.0.2.1")
    assert str(result.routes[0].dst) == "0.0.0.0/0"
    reserved = tmp_path / "pkw-test" / str(ip.address.ip)
    assert reserved.read_text().startswith("c1")
    assert manager.network.del_("host-local", config, _attachment()) is True
    assert not reserved.exists()
    assert manager.network.del_("host-local", config, _attachment()) is True  # idempotent


def test_exhaustion_comes_back_as_a_podkit_error(manager, tmp_path):
    config = _ipam_config(tmp_path, subnet="192.0.2.0/30")  # one usable address
    manager.network.add("host-local", config, _attachment("c1"))
    with pytest.raises(podkit.PodkitError, match="no IP addresses available") as info:
        manager.network.add("host-local", config, _attachment("c2"))
    assert info.value.cni_code == 999
    manager.network.del_("host-local", config, _attachment("c1"))


def test_an_incompatible_version_keeps_code_1(manager, tmp_path):
    config = _ipam_config(tmp_path, version="1.1.0")  # Debian's 1.1.1 plugins speak <= 1.0.0
    with pytest.raises(podkit.IncompatibleVersionError, match="incompatible CNI versions"):
        manager.network.add("host-local", config, _attachment())


def test_a_type_that_is_not_on_the_path_is_not_routed(manager, tmp_path):
    with pytest.raises(podkit.NoPluginError):
        manager.network.version(cni_type="pkw-no-such-plugin")


@pytest.fixture
def netns():
    name = f"pkw-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    yield name
    subprocess.run(["ip", "netns", "del", name], check=False)


@pytest.mark.root
@pytest.mark.netns
def test_upstream_bridge_attaches_a_real_namespace(manager, tmp_path, netns):
    require_binary(f"{CNI_PATH}/bridge")
    from podkit import cnijson

    bridge = f"pkw{uuid.uuid4().hex[:6]}"
    config = cnijson.decode_network_config(
        {
            "cniVersion": "1.0.0",
            "name": "pkw-bridge",
            "type": "bridge",
            "bridge": bridge,
            "isGateway": True,
            "ipam": {
                "type": "host-local",
                "dataDir": str(tmp_path),
                "ranges": [[{"subnet": "198.51.100.0/28"}]],
            },
        }
    )
    attachment = _attachment("c1", f"/run/netns/{netns}")
    try:
        result = manager.network.add("bridge", config, attachment)
        names = [i.name for i in result.interfaces]
        assert names[0] == bridge
        assert "eth0" in names
        inside = json.loads(
            subprocess.run(
                ["ip", "-n", netns, "-j", "addr", "show", "eth0"],
                capture_output=True,
                check=True,
                text=True,
            ).stdout
        )
        addresses = [a["local"] for a in inside[0]["addr_info"] if a["family"] == "inet"]
        assert addresses == [str(result.ips[0].address.ip)]
        checked = cnijson.decode_network_config(
            cnijson.encode_network_config(config)
            | {"prevResult": cnijson.encode_result(result, "1.0.0")}
        )
        assert manager.network.check("bridge", checked, attachment) is True
        subprocess.run(["ip", "-n", netns, "addr", "flush", "dev", "eth0"], check=True)
        with pytest.raises(podkit.PodkitError):
            manager.network.check("bridge", checked, attachment)
        assert manager.network.del_("bridge", checked, attachment) is True
    finally:
        subprocess.run(["ip", "link", "del", bridge], check=False, capture_output=True)

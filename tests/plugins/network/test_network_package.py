"""The network plugins package: cheap to import, routed by type, configuration checked first."""

from __future__ import annotations

import errno

import pytest

import podkit
from podkit.models.network import Attachment, IPAMConfig, NetworkConfig
from podkit.plugins.network import BridgePlugin, HostLocalPlugin, LoopbackPlugin, _netlink


def test_each_plugin_answers_for_its_type():
    pm = podkit.PluginManager()
    pm.register(BridgePlugin, name="bridge", kind="network")
    pm.register(HostLocalPlugin, name="host-local", kind="network")
    pm.register(LoopbackPlugin, name="loopback", kind="network")
    for cni_type in ("bridge", "host-local", "loopback"):
        assert pm.network.version(cni_type).supported_versions
    with pytest.raises(podkit.NoPluginError):
        pm.network.version("macvlan")


def bridge_config(
    ipam_type: str = "host-local", ipam_raw: dict | None = None, **raw: object
) -> NetworkConfig:
    ipam_raw = {"ranges": [[{"subnet": "10.254.1.0/24"}]], **(ipam_raw or {})}
    ipam = IPAMConfig(type=ipam_type, raw=ipam_raw)
    return NetworkConfig(name="pkn-bad", type="bridge", ipam=ipam, raw=raw)


@pytest.mark.parametrize(
    ("config", "error", "match"),
    [
        (bridge_config(bridge="x" * 16), podkit.InvalidArgumentError, "bridge: interface name"),
        (
            bridge_config(isGateway="yes"),
            podkit.InvalidArgumentError,
            "isGateway: must be a boolean",
        ),
        (bridge_config(mtu=10), podkit.InvalidArgumentError, "mtu"),
        (bridge_config(mtu=True), podkit.InvalidArgumentError, "mtu: must be an integer"),
        (bridge_config(vlan=5000), podkit.InvalidArgumentError, "invalid VLAN ID 5000"),
        (bridge_config(vlan=100), podkit.UnimplementedError, "vlan=100"),
        (
            bridge_config(hairpinMode=True, promiscMode=True),
            podkit.InvalidArgumentError,
            "hairpin mode and promiscuous mode",
        ),
        (bridge_config(vlanTrunk=[{"id": 5}]), podkit.UnimplementedError, "vlanTrunk="),
        (bridge_config(macspoofchk="yes"), podkit.InvalidArgumentError, "macspoofchk: must be"),
        (bridge_config(ipMasqBackend="iptables"), podkit.UnimplementedError, "ipMasqBackend"),
        (
            bridge_config("pkn-no-such-ipam"),
            podkit.UnimplementedError,
            "ipam.type='pkn-no-such-ipam': no such IPAM plugin",
        ),
        (bridge_config(ipam_raw={"resolv": 1}), podkit.UnimplementedError, "ipam.resolv"),
        (
            bridge_config(ipam_raw={"ranges": [[{"subnet": "10.254.1.0/31"}]]}),
            podkit.InvalidArgumentError,
            "too small",
        ),
    ],
)
def test_bad_bridge_configuration_fails_before_anything_changes(config, error, match, tmp_path):
    plugin = BridgePlugin(nat_table="podkit_pknunused", default_data_dir=tmp_path)
    attachment = Attachment(container_id="pkn-c1", netns="/run/netns/pkn-none", ifname="eth0")
    with pytest.raises(error, match=match):
        plugin.network_add(config, attachment)
    with pytest.raises(error, match=match):
        plugin.network_del(config, attachment)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (errno.EEXIST, podkit.AlreadyExistsError),
        (errno.ENODEV, podkit.NotFoundError),
        (errno.ENOENT, podkit.NotFoundError),
        (errno.EPERM, podkit.PermissionDeniedError),
        (errno.EOPNOTSUPP, podkit.UnimplementedError),
        (errno.EIO, podkit.InternalError),
    ],
)
def test_netlink_error_codes_map_onto_podkit_errors(code, error):
    assert type(_netlink.error_for(code, "failed to x")) is error

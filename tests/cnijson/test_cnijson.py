"""CNI JSON to models and back, in every result version podkit speaks."""

from __future__ import annotations

import ipaddress
import json

import pytest

from podkit import cnijson
from podkit.errors import CniCode, IncompatibleVersionError, InvalidArgumentError
from podkit.models.network import IPConfig, Result, Route

BRIDGE = {
    "cniVersion": "1.0.0",
    "name": "pods",
    "type": "bridge",
    "bridge": "cni0",
    "isGateway": True,
    "ipMasq": True,
    "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "192.0.2.0/24", "gateway": "192.0.2.1"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
    },
    "dns": {"nameservers": ["192.0.2.53"], "search": ["svc.local"]},
    "runtimeConfig": {
        "portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}],
        "bandwidth": {"ingressRate": 1000, "ingressBurst": 10, "egressRate": 0, "egressBurst": 0},
        "cgroupPath": "/kubepods/pod1",
        "io.example/custom": {"x": 1},
    },
    "prevResult": {
        "cniVersion": "1.0.0",
        "interfaces": [{"name": "eth0", "mac": "0a:58:c0:00:02:05", "sandbox": "/run/netns/p"}],
        "ips": [{"address": "192.0.2.5/24", "gateway": "192.0.2.1", "interface": 0}],
        "routes": [{"dst": "0.0.0.0/0", "gw": "192.0.2.1"}],
        "dns": {},
    },
}


def test_a_request_config_decodes_into_typed_fields_and_raw_plugin_keys():
    config = cnijson.decode_network_config(BRIDGE)
    assert (config.cni_version, config.name, config.type, config.ip_masq) == (
        "1.0.0",
        "pods",
        "bridge",
        True,
    )
    assert dict(config.raw) == {"bridge": "cni0", "isGateway": True}
    assert config.ipam is not None
    assert config.ipam.type == "host-local"
    assert config.runtime_config.port_mappings[0].host_port == 8080
    assert config.runtime_config.cgroup_path == "/kubepods/pod1"
    assert dict(config.runtime_config.raw) == {"io.example/custom": {"x": 1}}
    assert config.prev_result is not None
    assert config.prev_result.ips[0].address == ipaddress.ip_interface("192.0.2.5/24")


def test_a_request_config_encodes_back_to_the_same_json():
    config = cnijson.decode_network_config(BRIDGE)
    assert cnijson.encode_network_config(config) == BRIDGE


@pytest.mark.parametrize(
    ("patch", "error", "message"),
    [
        ({"ipam": {"type": 42}}, InvalidArgumentError, "ipam.type: expected a string, got 42"),
        (
            {"runtimeConfig": {"portMappings": [{"hostPort": "80", "containerPort": 80}]}},
            InvalidArgumentError,
            'runtimeConfig.portMappings[0].hostPort: expected a number, got "80"',
        ),
        ({"cniVersion": "9.9.9"}, IncompatibleVersionError, "cniVersion: unsupported CNI version"),
        ({"name": "bad name"}, InvalidArgumentError, "name"),
        ({"ipMasq": "yes"}, InvalidArgumentError, 'ipMasq: expected a boolean, got "yes"'),
        (
            {"prevResult": {"cniVersion": "1.0.0", "ips": [{"address": "not-an-ip"}]}},
            InvalidArgumentError,
            "prevResult.ips[0]",
        ),
    ],
)
def test_bad_configs_name_the_field(patch, error, message):
    with pytest.raises(error) as info:
        cnijson.decode_network_config(BRIDGE | patch)
    assert message in str(info.value)


def test_not_json_is_a_decoding_failure_code_6():
    with pytest.raises(cnijson.DecodingError) as info:
        cnijson.parse("{not json", "network configuration")
    assert info.value.cni_code == CniCode.DECODING_FAILURE == 6
    assert cnijson.encode_error(info.value, "1.0.0")["code"] == 6


RESULT = Result(
    cni_version="1.1.0",
    ips=(IPConfig(address="192.0.2.5/24", gateway="192.0.2.1"), IPConfig(address="2001:db8::5/64")),
    routes=(Route(dst="0.0.0.0/0", gw="192.0.2.1", mtu=1400),),
)


@pytest.mark.parametrize(
    ("version", "ips", "route"),
    [
        (
            "0.4.0",
            [
                {"version": "4", "address": "192.0.2.5/24", "gateway": "192.0.2.1"},
                {"version": "6", "address": "2001:db8::5/64"},
            ],
            {"dst": "0.0.0.0/0", "gw": "192.0.2.1"},
        ),
        (
            "1.0.0",
            [{"address": "192.0.2.5/24", "gateway": "192.0.2.1"}, {"address": "2001:db8::5/64"}],
            {"dst": "0.0.0.0/0", "gw": "192.0.2.1"},
        ),
        (
            "1.1.0",
            [{"address": "192.0.2.5/24", "gateway": "192.0.2.1"}, {"address": "2001:db8::5/64"}],
            {"dst": "0.0.0.0/0", "gw": "192.0.2.1", "mtu": 1400},
        ),
    ],
)
def test_results_are_written_in_the_callers_version(version, ips, route):
    body = cnijson.encode_result(RESULT, version)
    assert body == {"cniVersion": version, "ips": ips, "routes": [route], "dns": {}}
    again = cnijson.decode_result(json.loads(json.dumps(body)))
    assert again.ips == RESULT.ips


def test_old_result_versions_are_refused_clearly():
    with pytest.raises(IncompatibleVersionError, match=r"0\.2\.0"):
        cnijson.encode_result(RESULT, "0.2.0")


def test_a_single_conf_reads_as_a_list_of_one():
    conf = {"cniVersion": "1.0.0", "name": "pods", "type": "bridge", "bridge": "cni0"}
    listed = cnijson.decode_config_list(conf)
    assert listed.name == "pods"
    assert [p.type for p in listed.plugins] == ["bridge"]
    assert dict(listed.plugins[0].raw) == {"bridge": "cni0"}


def test_a_conflist_keeps_its_chain_and_capabilities():
    conflist = {
        "cniVersion": "1.1.0",
        "cniVersions": ["1.0.0", "1.1.0"],
        "name": "pods",
        "disableCheck": True,
        "plugins": [
            {"type": "bridge", "bridge": "cni0", "ipam": {"type": "host-local"}},
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }
    listed = cnijson.decode_config_list(conflist)
    assert [p.type for p in listed.plugins] == ["bridge", "portmap"]
    assert dict(listed.plugins[1].capabilities) == {"portMappings": True}
    assert listed.disable_check


def test_the_environment_becomes_an_attachment():
    env = {
        "CNI_CONTAINERID": "c1",
        "CNI_NETNS": "/run/netns/p",
        "CNI_IFNAME": "eth0",
        "CNI_ARGS": "K8S_POD_NAME=web;K8S_POD_NAMESPACE=default",
        "CNI_PATH": "/usr/lib/cni:/opt/cni/bin",
    }
    attachment = cnijson.decode_environment(env.get, "ADD")
    assert attachment is not None
    assert dict(attachment.args) == {"K8S_POD_NAME": "web", "K8S_POD_NAMESPACE": "default"}
    assert attachment.path == ("/usr/lib/cni", "/opt/cni/bin")
    assert cnijson.encode_environment("ADD", attachment) == {"CNI_COMMAND": "ADD", **env}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CNI_IFNAME": "eth0", "CNI_NETNS": "/x"}, "CNI_CONTAINERID"),
        ({"CNI_CONTAINERID": "c", "CNI_IFNAME": "eth0"}, "CNI_NETNS"),
        (
            {"CNI_CONTAINERID": "c", "CNI_NETNS": "/x", "CNI_IFNAME": "eth0", "CNI_ARGS": "a"},
            "CNI_ARGS",
        ),
        ({"CNI_CONTAINERID": "c", "CNI_NETNS": "/x", "CNI_IFNAME": "a/b"}, "ifname"),
    ],
)
def test_a_bad_environment_is_code_4(env, message):
    with pytest.raises(cnijson.InvalidEnvironmentError, match=message) as info:
        cnijson.decode_environment(env.get, "ADD")
    assert info.value.cni_code == 4


def test_upstream_error_codes_come_back_as_the_same_podkit_error():
    error = cnijson.decode_error({"code": 1, "msg": "incompatible", "details": "9.9.9"}, "bridge")
    assert isinstance(error, IncompatibleVersionError)
    assert str(error) == "bridge: incompatible (9.9.9)"
    custom = cnijson.decode_error({"code": 142, "msg": "vendor"}, "acme")
    assert custom.cni_code == 142
    assert cnijson.encode_error(custom)["code"] == 142

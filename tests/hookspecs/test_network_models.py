"""Tests of the network contract's models, and that pluggy accepts its hookspecs."""

from __future__ import annotations

import inspect
import types
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
)
from typing import TYPE_CHECKING

import attrs
import pluggy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import podkit.hookspecs.network
from podkit.models.network import (
    CNI_VERSIONS,
    CURRENT_CNI_VERSION,
    DNS,
    Attachment,
    Bandwidth,
    GCAttachment,
    Interface,
    IPAMConfig,
    IPConfig,
    IPRange,
    NetworkConfig,
    NetworkConfigList,
    PluginConfig,
    PortMapping,
    Result,
    Route,
    RuntimeConfig,
    RuntimeDNS,
    VersionResult,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from podkit.models.network import JsonValue

# --------------------------------------------------------------------------
# Versions
# --------------------------------------------------------------------------


def test_versions_are_the_released_spec_versions() -> None:
    assert CNI_VERSIONS == ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")
    assert CURRENT_CNI_VERSION == "1.1.0"


@pytest.mark.parametrize("version", CNI_VERSIONS)
def test_every_known_version_is_accepted(version: str) -> None:
    assert NetworkConfig(cni_version=version, name="n", type="t").cni_version == version
    assert Result(cni_version=version).cni_version == version


@pytest.mark.parametrize("version", ["", "1.1", "1.2.0", "v1.0.0", "0.3.2", " 1.0.0"])
def test_unknown_version_is_rejected(version: str) -> None:
    with pytest.raises(ValueError, match=r"^cni_version: unknown CNI version"):
        NetworkConfig(cni_version=version, name="n", type="t")
    with pytest.raises(ValueError, match=r"^cni_version: unknown CNI version"):
        NetworkConfigList(cni_version=version, name="n")


def test_version_result_defaults_to_every_version() -> None:
    result = VersionResult()
    assert result.cni_version == "1.1.0"
    assert result.supported_versions == CNI_VERSIONS


def test_version_result_takes_versions_newer_than_podkit_knows() -> None:
    result = VersionResult(cni_version="1.0.0", supported_versions=["1.0.0", "1.1.0", "2.0.0"])
    assert result.supported_versions == ("1.0.0", "1.1.0", "2.0.0")


@pytest.mark.parametrize("versions", [[], ["1.0"], ["1.0.0", "latest"], ["01.0.0"]])
def test_version_result_rejects_malformed_versions(versions: list[str]) -> None:
    with pytest.raises(ValueError, match="supported_versions"):
        VersionResult(supported_versions=versions)


def test_config_list_versions_are_checked_for_form_only() -> None:
    config = NetworkConfigList(cni_version="1.0.0", cni_versions=["1.0.0", "1.2.0"], name="n")
    assert config.cni_versions == ("1.0.0", "1.2.0")
    with pytest.raises(ValueError, match=r"^cni_versions: 'one' is not a version"):
        NetworkConfigList(cni_version="1.0.0", cni_versions=["one"], name="n")


# --------------------------------------------------------------------------
# Names, interface names, container IDs, types
# --------------------------------------------------------------------------

VALID_NAMES = ["a", "Z", "0", "dbnet", "my_net.v1-2", "0-", "a.b_c-d"]
INVALID_NAMES = ["", "-net", "_net", ".net", "my net", "net/1", "net:1", "nét", "net\n"]


@pytest.mark.parametrize("name", VALID_NAMES)
def test_valid_network_name_and_container_id(name: str) -> None:
    assert NetworkConfig(name=name, type="bridge").name == name
    assert NetworkConfigList(cni_version="1.1.0", name=name).name == name
    assert Attachment(container_id=name, ifname="eth0").container_id == name
    assert GCAttachment(container_id=name, ifname="eth0").container_id == name


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_invalid_network_name_and_container_id(name: str) -> None:
    with pytest.raises(ValueError, match=r"^name: .* must start with a letter or digit"):
        NetworkConfig(name=name, type="bridge")
    with pytest.raises(ValueError, match=r"^container_id: .* must start with a letter or digit"):
        Attachment(container_id=name, ifname="eth0")
    with pytest.raises(ValueError, match=r"^container_id: "):
        GCAttachment(container_id=name, ifname="eth0")


@pytest.mark.parametrize("ifname", ["eth0", "a", "x" * 15, "net1.100", "vé0", "eth-0_1"])
def test_valid_ifname(ifname: str) -> None:
    assert Attachment(container_id="c", ifname=ifname).ifname == ifname
    assert GCAttachment(container_id="c", ifname=ifname).ifname == ifname


@pytest.mark.parametrize(
    ("ifname", "problem"),
    [
        ("", "interface name is empty"),
        ("x" * 16, "longer than 15 bytes"),
        ("é" * 8, "longer than 15 bytes"),  # 16 bytes in UTF-8
        (".", "may not be '.'"),
        ("..", "may not be '..'"),
        ("eth/0", "contains '/', ':' or whitespace"),
        ("eth:0", "contains '/', ':' or whitespace"),
        ("eth 0", "contains '/', ':' or whitespace"),
        ("eth\t0", "contains '/', ':' or whitespace"),
        ("eth0\u00a0", "contains '/', ':' or whitespace"),
    ],
)
def test_invalid_ifname(ifname: str, problem: str) -> None:
    with pytest.raises(ValueError, match=r"^ifname: ") as info:
        Attachment(container_id="c", ifname=ifname)
    assert problem in str(info.value)


@pytest.mark.parametrize("cni_type", ["", ".", "..", "a/b", "a\\b", "a\0b"])
def test_invalid_plugin_type(cni_type: str) -> None:
    with pytest.raises(ValueError, match=r"^type: .* is not a plugin executable name"):
        NetworkConfig(name="n", type=cni_type)
    with pytest.raises(ValueError, match=r"^type: "):
        PluginConfig(type=cni_type)
    with pytest.raises(ValueError, match=r"^type: "):
        IPAMConfig(type=cni_type)


def test_fields_reject_wrong_types() -> None:
    with pytest.raises(TypeError, match="'name' must be <class 'str'>"):
        NetworkConfig(name=1, type="t")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="expected a sequence, not a str"):
        DNS(search="example.com")
    with pytest.raises(TypeError, match="expected an IP address, not a int"):
        DNS(nameservers=[167772161])  # type: ignore[list-item]


# --------------------------------------------------------------------------
# Attachment
# --------------------------------------------------------------------------


def test_attachment_defaults() -> None:
    attachment = Attachment(container_id="c1", ifname="eth0")
    assert attachment.netns == ""
    assert dict(attachment.args) == {}
    assert attachment.path == ()


def test_attachment_args_and_path() -> None:
    args = {"K8S_POD_NAME": "web-0", "IgnoreUnknown": "1"}
    attachment = Attachment(
        container_id="c1",
        netns="/run/netns/p1",
        ifname="eth0",
        args=args,
        path=["/opt/cni/bin", "/usr/lib/cni"],
    )
    args["K8S_POD_NAME"] = "changed"
    assert dict(attachment.args) == {"K8S_POD_NAME": "web-0", "IgnoreUnknown": "1"}
    assert isinstance(attachment.args, types.MappingProxyType)
    assert attachment.path == ("/opt/cni/bin", "/usr/lib/cni")


@pytest.mark.parametrize(
    "args", [{"": "x"}, {"A=B": "x"}, {"A;B": "x"}, {"A": "x=y"}, {"A": "x;y"}]
)
def test_attachment_args_must_be_writable_as_cni_args(args: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"^args: .* cannot be written as a CNI_ARGS pair"):
        Attachment(container_id="c", ifname="eth0", args=args)


@pytest.mark.parametrize("path", [[""], ["/opt/cni/bin:/usr/lib/cni"]])
def test_attachment_path_entries_are_single_directories(path: list[str]) -> None:
    with pytest.raises(ValueError, match=r"^path: .* is not a CNI_PATH directory"):
        Attachment(container_id="c", ifname="eth0", path=path)


def test_gc_attachments_are_hashable_values() -> None:
    one = GCAttachment(container_id="c1", ifname="eth0")
    assert {one, GCAttachment(container_id="c1", ifname="eth0")} == {one}
    assert one != GCAttachment(container_id="c1", ifname="eth1")


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


def _bridge_result() -> Result:
    return Result(
        cni_version="1.1.0",
        interfaces=[
            Interface(name="cni0", mac="00:11:22:33:44:55"),
            Interface(name="eth0", mac="99:88:77:66:55:44", sandbox="/run/netns/p1", mtu=1500),
        ],
        ips=[IPConfig(address="10.1.0.5/16", gateway="10.1.0.1", interface=1)],
        routes=[Route(dst="0.0.0.0/0", gw="10.1.0.1")],
        dns=DNS(nameservers=["10.1.0.1"]),
    )


def test_result_parses_addresses_into_ipaddress_types() -> None:
    result = _bridge_result()
    ip = result.ips[0]
    assert ip.address == IPv4Interface("10.1.0.5/16")
    assert type(ip.address) is IPv4Interface
    assert ip.gateway == IPv4Address("10.1.0.1")
    assert result.routes[0].dst == IPv4Network("0.0.0.0/0")
    assert result.routes[0].gw == IPv4Address("10.1.0.1")
    assert result.dns is not None
    assert result.dns.nameservers == (IPv4Address("10.1.0.1"),)


def test_ipv6_result() -> None:
    ip = IPConfig(address="2001:db8::5/64", gateway="2001:db8::1")
    route = Route(dst="::/0", gw="fe80::1", table=100, scope=0)
    assert ip.address == IPv6Interface("2001:db8::5/64")
    assert ip.gateway == IPv6Address("2001:db8::1")
    assert route.dst == IPv6Network("::/0")
    assert (route.table, route.scope) == (100, 0)


def test_result_defaults() -> None:
    result = Result()
    assert result.cni_version == "1.1.0"
    assert (result.interfaces, result.ips, result.routes, result.dns) == ((), (), (), None)
    interface = Interface(name="eth0")
    assert (interface.mac, interface.mtu, interface.sandbox) == ("", 0, "")
    assert (interface.socket_path, interface.pci_id) == ("", "")
    route = Route(dst="10.0.0.0/8")
    assert (route.gw, route.mtu, route.advmss, route.priority) == (None, 0, 0, 0)
    assert (route.table, route.scope) == (None, None)
    assert IPConfig(address="10.0.0.2/8").interface is None


def test_ipam_result_has_no_interfaces() -> None:
    result = Result(ips=[IPConfig(address="10.1.0.5/16", gateway="10.1.0.1")])
    assert result.interfaces == ()
    assert result.ips[0].interface is None


def test_ip_interface_index_must_point_into_interfaces() -> None:
    with pytest.raises(ValueError, match=r"^ips\[0\]\.interface: index 1 is out of range for 1"):
        Result(
            interfaces=[Interface(name="eth0")],
            ips=[IPConfig(address="10.1.0.5/16", interface=1)],
        )
    with pytest.raises(ValueError, match="interface"):
        IPConfig(address="10.1.0.5/16", interface=-1)


def test_ip_address_needs_a_prefix() -> None:
    with pytest.raises(ValueError, match="CIDR notation"):
        IPConfig(address="10.1.0.5")


def test_gateway_must_match_the_address_family() -> None:
    with pytest.raises(ValueError, match=r"^gateway: 2001:db8::1 and 10\.1\.0\.5/16 are not"):
        IPConfig(address="10.1.0.5/16", gateway="2001:db8::1")
    with pytest.raises(ValueError, match=r"^gw: "):
        Route(dst="10.0.0.0/8", gw="2001:db8::1")


def test_route_destination_may_not_have_host_bits() -> None:
    with pytest.raises(ValueError, match="has host bits set"):
        Route(dst="10.1.0.5/16")


@pytest.mark.parametrize(
    "kwargs",
    [{"scope": 256}, {"scope": -1}, {"table": 2**32}, {"mtu": -1}, {"priority": -1}],
)
def test_route_numbers_are_bounded(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        Route(dst="10.0.0.0/8", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "mac",
    ["c2:11:22:33:44:55", "C2-11-22-33-44-55", "c2:11:22:33:44:55:66:77", ":".join(["ab"] * 20)],
)
def test_hardware_addresses(mac: str) -> None:
    assert Interface(name="ib0", mac=mac).mac == mac


@pytest.mark.parametrize(
    "mac", ["c2:11:22:33:44", "c2:11:22:33:44:5", "c2:11-22:33:44:55", "g2:11:22:33:44:55", "x"]
)
def test_bad_hardware_addresses(mac: str) -> None:
    with pytest.raises(ValueError, match=r"^mac: .* is not a hardware address"):
        Interface(name="eth0", mac=mac)
    with pytest.raises(ValueError, match=r"^infiniband_guid: "):
        RuntimeConfig(infiniband_guid=mac)


def test_interface_checks() -> None:
    with pytest.raises(ValueError, match=r"^name: must not be empty"):
        Interface(name="")
    with pytest.raises(ValueError, match=r"^socket_path: 'run/sock' is not an absolute path"):
        Interface(name="vhost0", socket_path="run/sock")
    assert Interface(name="vhost0", socket_path="/run/sock").socket_path == "/run/sock"


def test_chained_plugin_extends_prev_result_with_evolve() -> None:
    previous = _bridge_result()
    chained = attrs.evolve(
        previous, routes=[*previous.routes, Route(dst="192.168.0.0/16", gw="10.1.0.254")]
    )
    assert chained.interfaces == previous.interfaces
    assert chained.routes == (previous.routes[0], Route(dst="192.168.0.0/16", gw="10.1.0.254"))


# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------


def test_network_config_defaults() -> None:
    config = NetworkConfig(name="dbnet", type="bridge")
    assert config.cni_version == "1.1.0"
    assert config.runtime_config == RuntimeConfig()
    assert dict(config.args) == {}
    assert config.ip_masq is False
    assert (config.ipam, config.dns, config.prev_result) == (None, None, None)
    assert dict(config.raw) == {}


def test_network_config_keeps_plugin_keys_deep_frozen() -> None:
    source: dict[str, object] = {
        "bridge": "cni0",
        "keyA": ["some more", "plugin specific", "configuration"],
        "nested": {"list": [1, 2.5, True, None, {"x": "y"}]},
    }
    config = NetworkConfig(
        name="dbnet",
        type="bridge",
        ipam=IPAMConfig(type="host-local", raw={"subnet": "10.1.0.0/16", "routes": []}),
        raw=source,
    )
    source["bridge"] = "changed"
    assert config.raw["bridge"] == "cni0"
    assert config.raw["keyA"] == ("some more", "plugin specific", "configuration")
    nested = config.raw["nested"]
    assert isinstance(nested, types.MappingProxyType)
    assert nested["list"] == (1, 2.5, True, None, types.MappingProxyType({"x": "y"}))
    with pytest.raises(TypeError):
        config.raw["bridge"] = "cni1"  # type: ignore[index]
    assert config.ipam is not None
    assert config.ipam.raw["routes"] == ()


@pytest.mark.parametrize(
    "key", ["cniVersion", "name", "type", "ipam", "dns", "ipMasq", "prevResult", "runtimeConfig"]
)
def test_raw_may_not_repeat_typed_keys(key: str) -> None:
    with pytest.raises(ValueError, match=rf"^raw: keys \['{key}'\] have typed fields"):
        NetworkConfig(name="n", type="t", raw={key: "x"})
    with pytest.raises(ValueError, match=r"^raw: "):
        PluginConfig(type="t", raw={key: "x"})


def test_raw_rejects_gc_attachments_and_ipam_type() -> None:
    with pytest.raises(ValueError, match=r"cni\.dev/valid-attachments"):
        NetworkConfig(name="n", type="t", raw={"cni.dev/valid-attachments": []})
    with pytest.raises(ValueError, match=r"^raw: keys \['type'\]"):
        IPAMConfig(type="host-local", raw={"type": "dhcp"})
    with pytest.raises(ValueError, match=r"^raw: keys \['portMappings'\]"):
        RuntimeConfig(raw={"portMappings": []})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"x": object()}, r"\['x'\]: type 'object' is not a JSON type"),
        ({"x": [1, {2: "y"}]}, r"\['x'\]\[1\]: JSON object keys are strings, not 2"),
        ({"x": {1, 2}}, r"\['x'\]: type 'set' is not a JSON type"),
    ],
)
def test_raw_holds_json_only(raw: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        NetworkConfig(name="n", type="t", raw=raw)


def _thaw(value: JsonValue) -> object:
    if isinstance(value, tuple):
        return [_thaw(item) for item in value]
    if isinstance(value, types.MappingProxyType):
        return {key: _thaw(item) for key, item in value.items()}
    return value


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(st.dictionaries(st.text().filter(lambda key: key != "type"), _JSON))
def test_raw_round_trips_any_json(raw: dict[str, object]) -> None:
    ipam = IPAMConfig(type="host-local", raw=raw)
    assert _thaw(ipam.raw) == raw


def test_runtime_config_capabilities() -> None:
    runtime = RuntimeConfig(
        port_mappings=[
            PortMapping(host_port=8080, container_port=80),
            PortMapping(host_port=53, container_port=53, protocol="udp", host_ip="127.0.0.1"),
        ],
        ip_ranges=[[IPRange(subnet="10.1.2.0/24", range_start="10.1.2.3", gateway="10.1.2.254")]],
        bandwidth=Bandwidth(ingress_rate=2048, ingress_burst=1600),
        dns=RuntimeDNS(servers=["8.8.8.8"], searches=["corp.example"]),
        ips=["192.168.0.1", "10.10.0.1/24", "3ffe:ffff:0:1ff::2"],
        mac="c2:11:22:33:44:55",
        aliases=["my-container"],
        cgroup_path="/kubepods.slice/pod1",
        raw={"io.kubernetes.cri.pod-annotations": {"a": "b"}},
    )
    assert runtime.port_mappings[0].protocol == "tcp"
    assert runtime.port_mappings[0].host_ip is None
    assert runtime.port_mappings[1].host_ip == IPv4Address("127.0.0.1")
    pool = runtime.ip_ranges[0]
    assert pool[0].subnet == IPv4Network("10.1.2.0/24")
    assert (pool[0].range_start, pool[0].range_end) == (IPv4Address("10.1.2.3"), None)
    assert runtime.bandwidth == Bandwidth(
        ingress_rate=2048, ingress_burst=1600, egress_rate=0, egress_burst=0
    )
    assert runtime.dns is not None
    assert runtime.dns.servers == (IPv4Address("8.8.8.8"),)
    # A prefix stays optional: an address without one stays an address.
    assert runtime.ips == (
        IPv4Address("192.168.0.1"),
        IPv4Interface("10.10.0.1/24"),
        IPv6Address("3ffe:ffff:0:1ff::2"),
    )
    assert runtime.raw["io.kubernetes.cri.pod-annotations"] == {"a": "b"}


def test_runtime_config_defaults() -> None:
    runtime = RuntimeConfig()
    assert (runtime.port_mappings, runtime.ip_ranges, runtime.ips, runtime.aliases) == (
        (),
        (),
        (),
        (),
    )
    assert (runtime.bandwidth, runtime.dns) == (None, None)
    assert (runtime.mac, runtime.infiniband_guid, runtime.device_id, runtime.cgroup_path) == (
        "",
        "",
        "",
        "",
    )
    assert dict(runtime.raw) == {}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: PortMapping(host_port=0, container_port=80), "host_port"),
        (lambda: PortMapping(host_port=80, container_port=65536), "container_port"),
        (lambda: PortMapping(host_port=80, container_port=80, protocol="TCP"), "protocol"),
        (lambda: IPRange(subnet="10.1.2.0/24", range_start="10.1.3.1"), "range_start"),
        (lambda: IPRange(subnet="10.1.2.0/24", range_end="2001:db8::1"), "range_end"),
        (lambda: IPRange(subnet="10.1.2.5/24"), "host bits"),
        (lambda: RuntimeConfig(ip_ranges=[[]]), "ip_ranges"),
        (lambda: Bandwidth(egress_rate=-1), "egress_rate"),
    ],
)
def test_capability_checks(make: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_plugin_config_and_list() -> None:
    bridge = PluginConfig(
        type="bridge",
        ipam=IPAMConfig(type="host-local", raw={"subnet": "10.1.0.0/16"}),
        dns=DNS(nameservers=["10.1.0.1"]),
        raw={"bridge": "cni0"},
    )
    portmap = PluginConfig(type="portmap", capabilities={"portMappings": True})
    config_list = NetworkConfigList(
        cni_version="1.1.0",
        cni_versions=["0.3.1", "0.4.0", "1.0.0", "1.1.0"],
        name="dbnet",
        plugins=[bridge, portmap],
    )
    assert config_list.plugins == (bridge, portmap)
    assert (config_list.disable_check, config_list.disable_gc) == (False, False)
    assert config_list.load_only_inlined_plugins is False
    assert dict(portmap.capabilities) == {"portMappings": True}
    assert portmap.ip_masq is False
    with pytest.raises(TypeError):
        PluginConfig(type="portmap", capabilities={"portMappings": "yes"})  # type: ignore[dict-item]


def test_load_only_inlined_plugins_needs_plugins() -> None:
    with pytest.raises(ValueError, match=r"^load_only_inlined_plugins: cannot be set"):
        NetworkConfigList(cni_version="1.1.0", name="n", load_only_inlined_plugins=True)
    config_list = NetworkConfigList(
        cni_version="1.1.0",
        name="n",
        load_only_inlined_plugins=True,
        plugins=[PluginConfig(type="loopback")],
    )
    assert config_list.load_only_inlined_plugins is True


# --------------------------------------------------------------------------
# Immutability, equality, hashing
# --------------------------------------------------------------------------


def test_models_are_frozen() -> None:
    config = NetworkConfig(name="n", type="t")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        config.name = "m"  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.args["x"] = 1  # type: ignore[index]


def test_equal_models_hash_alike_mappings_included() -> None:
    def make() -> NetworkConfig:
        return NetworkConfig(
            name="dbnet",
            type="bridge",
            args={"cni": {"labels": [{"key": "app", "value": "web"}]}},
            runtime_config=RuntimeConfig(raw={"custom": 1}),
            ipam=IPAMConfig(type="host-local", raw={"subnet": "10.1.0.0/16"}),
            prev_result=_bridge_result(),
            raw={"bridge": "cni0"},
        )

    assert make() == make()
    assert hash(make()) == hash(make())
    assert make() != attrs.evolve(make(), raw={"bridge": "cni1"})
    assert hash(Attachment(container_id="c", ifname="eth0", args={"A": "1"})) == hash(
        Attachment(container_id="c", ifname="eth0", args={"A": "1"})
    )


# --------------------------------------------------------------------------
# The hookspec module
# --------------------------------------------------------------------------

HOOKS = (
    "network_add",
    "network_check",
    "network_del",
    "network_gc",
    "network_status",
    "network_version",
)


def test_pluggy_accepts_the_network_hookspecs() -> None:
    pm = pluggy.PluginManager("podkit")
    pm.add_hookspecs(podkit.hookspecs.network)
    assert tuple(podkit.hookspecs.network.__all__) == HOOKS
    for name in HOOKS:
        caller = getattr(pm.hook, name)
        assert caller.spec is not None
        assert caller.spec.opts["firstresult"] is True
        assert caller.spec.argnames[0] == "cni_type"
    argnames = {name: getattr(pm.hook, name).spec.argnames for name in HOOKS}
    assert argnames == {
        "network_add": ("cni_type", "config", "attachment"),
        "network_check": ("cni_type", "config", "attachment"),
        "network_del": ("cni_type", "config", "attachment"),
        "network_gc": ("cni_type", "config", "valid_attachments"),
        "network_status": ("cni_type", "config"),
        "network_version": ("cni_type",),
    }


def test_hook_routing_declines_with_none() -> None:
    class Loopback:
        @podkit.hookimpl
        def network_status(self, cni_type: str) -> bool | None:
            return True if cni_type == "loopback" else None

    pm = pluggy.PluginManager("podkit")
    pm.add_hookspecs(podkit.hookspecs.network)
    pm.register(Loopback())
    config = NetworkConfig(name="n", type="loopback")
    assert pm.hook.network_status(cni_type="loopback", config=config) is True
    assert pm.hook.network_status(cni_type="bridge", config=config) is None


@pytest.mark.parametrize("name", HOOKS)
def test_hookspec_docs_are_complete(name: str) -> None:
    doc = inspect.getdoc(getattr(podkit.hookspecs.network, name)) or ""
    assert ":param cni_type:" in doc
    assert "Mirrors: CNI SPEC 1.1" in doc
    assert "Idempotency:" in doc
    assert ".. versionadded:: 0.1" in doc

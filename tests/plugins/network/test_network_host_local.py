"""host-local: allocation, release and reuse, GC, exhaustion, concurrency, configuration errors."""

from __future__ import annotations

import ipaddress
import re
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import attrs
import pytest
from pkn_helpers import reservations

import podkit
from podkit.models.network import (
    Attachment,
    GCAttachment,
    IPAMConfig,
    IPRange,
    NetworkConfig,
    Result,
    RuntimeConfig,
)
from podkit.plugins.network import HostLocalPlugin

NETWORK = "pkn-hl"


def config(data_dir, ranges=None, *, cni_version="1.1.0", **raw) -> NetworkConfig:
    ipam_raw = {"ranges": ranges or [[{"subnet": "10.254.10.0/24"}]], "dataDir": str(data_dir)}
    ipam_raw.update(raw)
    return NetworkConfig(
        cni_version=cni_version,
        name=NETWORK,
        type="host-local",
        ipam=IPAMConfig(type="host-local", raw=ipam_raw),
    )


def attachment(container_id="pkn-c1", ifname="eth0") -> Attachment:
    return Attachment(container_id=container_id, ifname=ifname)


@pytest.fixture
def pm(tmp_path):
    manager = podkit.PluginManager()
    manager.register(HostLocalPlugin(default_data_dir=tmp_path), name="host-local", kind="network")
    return manager


def add(pm, cfg, container_id="pkn-c1", ifname="eth0") -> Result:
    return pm.network.add("host-local", cfg, attachment(container_id, ifname))


@pytest.mark.parametrize("cni_version", ["0.4.0", "1.0.0", "1.1.0"])
def test_add_returns_an_abbreviated_ipam_result(pm, tmp_path, cni_version):
    routes = [{"dst": "0.0.0.0/0"}, {"dst": "10.254.99.0/24", "gw": "10.254.10.254"}]
    result = add(pm, config(tmp_path, cni_version=cni_version, routes=routes))
    assert result.cni_version == cni_version
    assert result.interfaces == ()
    [ip] = result.ips
    assert ip.interface is None
    assert str(ip.address) == "10.254.10.2/24"  # .1 is the gateway: skipped
    assert str(ip.gateway) == "10.254.10.1"
    assert [str(r.dst) for r in result.routes] == ["0.0.0.0/0", "10.254.99.0/24"]
    assert str(result.routes[1].gw) == "10.254.10.254"


def test_reservations_are_files_as_upstream_lays_them_out(pm, tmp_path):
    add(pm, config(tmp_path), "pkn-c1", "net1")
    directory = tmp_path / NETWORK
    assert (directory / "10.254.10.2").read_bytes() == b"pkn-c1\r\nnet1"
    assert (directory / "last_reserved_ip.0").read_text() == "10.254.10.2"
    assert (directory / "lock").exists()


def test_one_address_per_range_set_dual_stack(pm, tmp_path):
    ranges = [[{"subnet": "10.254.11.0/24"}], [{"subnet": "fd70:6b6e:11::/64"}]]
    result = add(pm, config(tmp_path, ranges))
    assert [str(ip.address) for ip in result.ips] == ["10.254.11.2/24", "fd70:6b6e:11::2/64"]
    assert [str(ip.gateway) for ip in result.ips] == ["10.254.11.1", "fd70:6b6e:11::1"]


def test_range_start_end_and_gateway_are_honoured(pm, tmp_path):
    ranges = [
        [
            {
                "subnet": "10.254.12.0/24",
                "rangeStart": "10.254.12.10",
                "rangeEnd": "10.254.12.11",
                "gateway": "10.254.12.10",
            }
        ]
    ]
    first = add(pm, config(tmp_path, ranges), "pkn-a")
    assert str(first.ips[0].address) == "10.254.12.11/24"
    assert str(first.ips[0].gateway) == "10.254.12.10"


def test_legacy_top_level_subnet_is_one_range_set(pm, tmp_path):
    cfg = NetworkConfig(
        name=NETWORK,
        type="host-local",
        ipam=IPAMConfig(
            type="host-local", raw={"subnet": "10.254.13.0/30", "dataDir": str(tmp_path)}
        ),
    )
    assert str(add(pm, cfg).ips[0].address) == "10.254.13.2/30"


def test_ip_ranges_capability_replaces_ranges(pm, tmp_path):
    cfg = NetworkConfig(
        name=NETWORK,
        type="host-local",
        ipam=IPAMConfig(type="host-local", raw={"dataDir": str(tmp_path)}),
        runtime_config=RuntimeConfig(ip_ranges=[[IPRange(subnet="10.254.14.0/24")]]),
    )
    assert str(add(pm, cfg).ips[0].address) == "10.254.14.2/24"


def test_resolv_conf_gives_dns(pm, tmp_path):
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 10.254.15.53\nsearch a.example b.example\noptions ndots:5\n")
    result = add(pm, config(tmp_path, resolvConf=str(resolv)))
    assert result.dns is not None
    assert [str(s) for s in result.dns.nameservers] == ["10.254.15.53"]
    assert result.dns.search == ("a.example", "b.example")
    assert result.dns.options == ("ndots:5",)


def test_duplicate_allocation_is_refused(pm, tmp_path):
    cfg = config(tmp_path)
    add(pm, cfg)
    with pytest.raises(podkit.AlreadyExistsError, match="duplicate allocation"):
        add(pm, cfg)


def test_release_then_allocation_carries_on_and_wraps_round_to_reuse(pm, tmp_path):
    cfg = config(tmp_path, [[{"subnet": "10.254.16.0/29"}]])  # .2 - .6 usable
    addresses = [str(add(pm, cfg, f"pkn-{n}").ips[0].address.ip) for n in range(5)]
    assert addresses == [f"10.254.16.{n}" for n in range(2, 7)]
    pm.network.del_("host-local", cfg, attachment("pkn-1"))  # frees .3
    pm.network.del_("host-local", cfg, attachment("pkn-1"))  # DEL twice: still fine
    assert str(add(pm, cfg, "pkn-new").ips[0].address.ip) == "10.254.16.3"
    assert "10.254.16.3" in reservations(tmp_path)


def test_exhaustion_raises_resource_exhausted_with_a_clear_message(pm, tmp_path):
    cfg = config(tmp_path, [[{"subnet": "10.254.17.0/30"}]])  # .2 only
    add(pm, cfg, "pkn-a")
    with pytest.raises(podkit.ResourceExhaustedError, match=r"no IP addresses available.*/30"):
        add(pm, cfg, "pkn-b")
    with pytest.raises(podkit.PluginNotAvailableError):
        pm.network.status("host-local", cfg)


def test_failed_range_set_releases_the_earlier_ones(pm, tmp_path):
    ranges = [[{"subnet": "10.254.18.0/24"}], [{"subnet": "10.254.19.0/30"}]]
    cfg = config(tmp_path, ranges)
    add(pm, cfg, "pkn-a")
    with pytest.raises(podkit.ResourceExhaustedError):
        add(pm, cfg, "pkn-b")
    assert reservations(tmp_path) == ["10.254.18.2", "10.254.19.2"]


def test_gc_releases_reservations_not_in_valid_attachments(pm, tmp_path):
    cfg = config(tmp_path)
    for n in range(4):
        add(pm, cfg, f"pkn-{n}")
    valid = (GCAttachment(container_id="pkn-1", ifname="eth0"),)
    pm.network.gc("host-local", cfg, valid)
    assert reservations(tmp_path) == ["10.254.10.3"]
    pm.network.gc("host-local", cfg, valid)  # again: nothing more to release
    assert reservations(tmp_path) == ["10.254.10.3"]


def test_check_passes_while_reserved_and_fails_once_released(pm, tmp_path):
    cfg = config(tmp_path)
    result = add(pm, cfg)
    with_prev = NetworkConfig(name=cfg.name, type=cfg.type, ipam=cfg.ipam, prev_result=result)
    assert pm.network.check("host-local", with_prev, attachment()) is True
    pm.network.del_("host-local", cfg, attachment())
    with pytest.raises(podkit.FailedPreconditionError, match="not reserved"):
        pm.network.check("host-local", with_prev, attachment())


def test_status_and_version(pm, tmp_path):
    assert pm.network.status("host-local", config(tmp_path)) is True
    assert "1.1.0" in pm.network.version("host-local").supported_versions


def test_fifty_concurrent_threads_get_fifty_distinct_addresses(pm, tmp_path):
    cfg = config(tmp_path)
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda n: add(pm, cfg, f"pkn-t{n}"), range(50)))
    addresses = {ip.address for r in results for ip in r.ips}
    assert len(addresses) == 50
    assert len(reservations(tmp_path)) == 50
    with ThreadPoolExecutor(max_workers=50) as pool:
        list(
            pool.map(
                lambda n: pm.network.del_("host-local", cfg, attachment(f"pkn-t{n}")), range(50)
            )
        )
    assert reservations(tmp_path) == []


_WORKER = textwrap.dedent(
    """
    import sys
    from podkit.models.network import Attachment, IPAMConfig, NetworkConfig
    from podkit.plugins.network import HostLocalIPAM

    data_dir, name = sys.argv[1], sys.argv[2]
    ipam = IPAMConfig(type="host-local", raw={{"ranges": [[{{"subnet": "10.254.10.0/24"}}]],
                                              "dataDir": data_dir}})
    cfg = NetworkConfig(name="{network}", type="host-local", ipam=ipam)
    result = HostLocalIPAM().add(cfg, Attachment(container_id=name, ifname="eth0"))
    print(result.ips[0].address)
    """
).format(network=NETWORK)


def test_fifty_concurrent_adds_from_threads_and_processes_get_distinct_addresses(pm, tmp_path):
    cfg = config(tmp_path)
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(tmp_path), f"pkn-p{n}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(25)
    ]
    with ThreadPoolExecutor(max_workers=25) as pool:
        threads = list(pool.map(lambda n: add(pm, cfg, f"pkn-t{n}"), range(25)))
    outputs = [p.communicate(timeout=60)[0].strip() for p in processes]
    assert all(p.returncode == 0 for p in processes)
    addresses = {ipaddress.ip_interface(o) for o in outputs} | {r.ips[0].address for r in threads}
    assert len(addresses) == 50
    assert len(reservations(tmp_path)) == 50


@pytest.mark.parametrize(
    ("raw", "error", "match"),
    [
        ({"ranges": []}, podkit.InvalidArgumentError, "no IP ranges"),
        ({"ranges": [[{"rangeStart": "10.0.0.1"}]]}, podkit.InvalidArgumentError, "subnet"),
        ({"ranges": [[{"subnet": "10.254.1.0/33"}]]}, podkit.InvalidArgumentError, "ranges"),
        ({"ranges": [[{"subnet": "10.254.1.0/31"}]]}, podkit.InvalidArgumentError, "too small"),
        ({"ranges": [[{"subnet": 5}]]}, podkit.InvalidArgumentError, "must be a string"),
        (
            {"ranges": [[{"subnet": "10.254.1.0/24", "rangeStart": "10.254.2.1"}]]},
            podkit.InvalidArgumentError,
            "not in subnet",
        ),
        (
            {"ranges": [[{"subnet": "10.254.1.0/24"}], [{"subnet": "10.254.1.0/25"}]]},
            podkit.InvalidArgumentError,
            "overlap",
        ),
        (
            {"ranges": [[{"subnet": "10.254.1.0/24"}, {"subnet": "fd70::/64"}]]},
            podkit.InvalidArgumentError,
            "mixes",
        ),
        ({"ranges": "10.254.1.0/24"}, podkit.InvalidArgumentError, "must be a list"),
        ({"routes": [{"dst": "nope"}]}, podkit.InvalidArgumentError, r"routes\[0\]"),
        ({"foo": 1}, podkit.UnimplementedError, "ipam.foo"),
    ],
)
def test_bad_configuration_is_a_clear_error_naming_the_field(pm, tmp_path, raw, error, match):
    cfg = NetworkConfig(
        name=NETWORK,
        type="host-local",
        ipam=IPAMConfig(type="host-local", raw={"ranges": [[{"subnet": "10.254.1.0/24"}]], **raw}),
    )
    with pytest.raises(error, match=match):
        add(pm, cfg)
    assert not (tmp_path / NETWORK).exists()  # nothing was changed


# -- addresses asked for (CONVENTIONS.md; the three ways are in the conformance suite) ---


def test_requested_addresses_fill_their_range_sets_and_the_others_allocate(pm, tmp_path):
    ranges = [[{"subnet": "10.254.20.0/24"}], [{"subnet": "fd70:6b6e:20::/64"}]]
    cfg = config(tmp_path, ranges)
    asking = Attachment(
        container_id="pkn-c1", ifname="eth0", args={"IP": " 10.254.20.50 ,fd70:6b6e:20::50"}
    )
    result = pm.network.add("host-local", cfg, asking)
    assert [str(ip.address) for ip in result.ips] == ["10.254.20.50/24", "fd70:6b6e:20::50/64"]
    # Only the IPv4 one asked for (as an interface, prefix and all): IPv6 is allocated,
    # after the last reserved address (the one asked for counts, as upstream).
    only_v4 = attrs.evolve(cfg, runtime_config=RuntimeConfig(ips=("10.254.20.60/24",)))
    result = add(pm, only_v4, "pkn-c2")
    assert [str(ip.address) for ip in result.ips] == ["10.254.20.60/24", "fd70:6b6e:20::51/64"]


def test_the_same_address_asked_for_twice_is_asked_for_once(pm, tmp_path):
    cfg = attrs.evolve(
        config(tmp_path),
        args={"cni": {"ips": ["10.254.10.70", "10.254.10.70/24"]}},
        runtime_config=RuntimeConfig(ips=("10.254.10.70",)),
    )
    assert [str(ip.address) for ip in add(pm, cfg).ips] == ["10.254.10.70/24"]


@pytest.mark.parametrize(
    ("args", "cni_args", "message"),
    [
        ({"cni": {"ips": "10.254.10.9"}}, {}, "args.cni.ips: must be a list of IP addresses"),
        ({"cni": {"ips": ["10.254.10.9", 7]}}, {}, "args.cni.ips: must be a list of IP"),
        ({"cni": {"ips": ["10.254.10.300"]}}, {}, "args.cni.ips[0]: invalid IP '10.254.10.300'"),
        ({}, {"IP": "10.254.10.9,"}, "CNI_ARGS IP: invalid IP ''"),
        ({}, {"IP": "10.254.10.1"}, "requested ip 10.254.10.1 is subnet's gateway"),
        ({}, {"IP": "10.254.99.9"}, "failed to allocate all requested IPs: 10.254.99.9"),
    ],
)
def test_a_bad_request_fails_and_reserves_nothing(pm, tmp_path, args, cni_args, message):
    cfg = attrs.evolve(config(tmp_path), args=args)
    asking = Attachment(container_id="pkn-c1", ifname="eth0", args=cni_args)
    with pytest.raises(podkit.InvalidArgumentError, match=re.escape(message)):
        pm.network.add("host-local", cfg, asking)
    assert reservations(tmp_path) == []

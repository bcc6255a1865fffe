"""Fixtures of the network plugin tests: namespaces, bridges and nft tables named pkn*.

Everything a test creates is named with the ``pkn`` prefix and removed at
teardown, also when the test fails half-way, so the leak check finds nothing.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest
from pkn_helpers import delete_netns, run

import podkit
from podkit.models.network import IPAMConfig, NetworkConfig
from podkit.plugins.network import BridgePlugin, HostLocalPlugin, LoopbackPlugin


@pytest.fixture
def short() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def netns_factory():
    """Create network namespaces ``pkn-<uuid>``; return their paths; delete them all after."""
    created: list[str] = []

    def make() -> str:
        name = f"pkn-{uuid.uuid4().hex[:12]}"
        run("ip", "netns", "add", name)
        created.append(name)
        return f"/run/netns/{name}"

    yield make
    for name in created:
        delete_netns(name)


@pytest.fixture
def netns(netns_factory) -> str:
    return netns_factory()


@pytest.fixture
def bridge_name(short):
    """A bridge name of our own, deleted at teardown if a test made it."""
    name = f"pkn{short}"
    yield name
    if Path(f"/sys/class/net/{name}").exists():
        run("ip", "link", "del", name, check=False)


@pytest.fixture
def nat_table(short):
    """An nftables table name of our own, deleted (every family) at teardown."""
    name = f"podkit_pkn{short}"
    yield name
    for family in ("ip", "ip6", "bridge"):
        run("nft", "delete", "table", family, name, check=False)


@pytest.fixture
def subnet_octet() -> int:
    """A third octet for 10.254.X.0/24 and fd70:6b6e:X::/64, random to keep tests apart."""
    return random.randint(100, 250)  # noqa: S311 - not for security


@pytest.fixture
def data_dir(tmp_path) -> Path:
    path = tmp_path / "cni-networks"
    path.mkdir()
    return path


@pytest.fixture
def bridge_plugin(nat_table, data_dir) -> BridgePlugin:
    return BridgePlugin(nat_table=nat_table, default_data_dir=data_dir, enable_ip_forward=False)


@pytest.fixture
def pm(bridge_plugin, data_dir) -> podkit.PluginManager:
    manager = podkit.PluginManager()
    manager.register(bridge_plugin, name="bridge", kind="network")
    manager.register(HostLocalPlugin(default_data_dir=data_dir), name="host-local", kind="network")
    manager.register(LoopbackPlugin(), name="loopback", kind="network")
    return manager


@pytest.fixture
def make_config(short, bridge_name, subnet_octet):
    """Build a bridge NetworkConfig on our bridge and our subnets."""

    def make(
        *,
        cni_version: str = "1.1.0",
        dual_stack: bool = False,
        ip_masq: bool = False,
        ranges: list | None = None,
        **raw: object,
    ) -> NetworkConfig:
        if ranges is None:
            ranges = [[{"subnet": f"10.254.{subnet_octet}.0/24"}]]
            if dual_stack:
                ranges.append([{"subnet": f"fd70:6b6e:{subnet_octet}::/64"}])
        return NetworkConfig(
            cni_version=cni_version,
            name=f"pkn-net-{short}",
            type="bridge",
            ip_masq=ip_masq,
            ipam=IPAMConfig(type="host-local", raw={"ranges": ranges}),
            raw={"bridge": bridge_name, "isDefaultGateway": True, **raw},
        )

    return make

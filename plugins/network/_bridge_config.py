"""The ``bridge`` configuration, parsed and checked before anything changes.

Mirrors the CNI bridge plugin's ``loadNetConf``: the bridge name defaults
to ``cni0``, ``isDefaultGateway`` implies ``isGateway``, hairpin and
promiscuous mode exclude each other, the VLAN ID lies in 0-4094. Keys the
upstream plugin knows and podkit does not implement yet fail with
:class:`podkit.UnimplementedError` naming the key when they ask for
something; keys nobody knows are ignored, as upstream's JSON decoding does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, final

import attrs

import podkit
from podkit.models.network import Attachment
from podkit.plugins.network._raw import invalid, read

if TYPE_CHECKING:
    from podkit.models.network import DNS, NetworkConfig

PLUGIN: Final = "bridge"
DEFAULT_BRIDGE: Final = "cni0"
_VLAN_MAX: Final = 4094
_MTU_MIN: Final = 68
_MTU_MAX: Final = 65535
# Upstream keys not implemented here, with the value that asks for nothing.
_UNSUPPORTED: Final = {
    "vlanTrunk": None,
    "preserveDefaultVlan": None,
}


@final
@attrs.frozen(kw_only=True)
class BridgeConf:
    """A checked bridge configuration."""

    network: str
    bridge: str
    is_gateway: bool
    is_default_gateway: bool
    force_address: bool
    ip_masq: bool
    hairpin_mode: bool
    promisc_mode: bool
    #: 0 for the kernel's default.
    mtu: int
    #: 0 for none.
    vlan: int
    #: ``config.ipam.type``; empty for a layer-2-only network (no addresses).
    ipam_type: str
    #: The container interface's hardware address (``mac`` capability); empty for any.
    mac: str
    dns: DNS | None
    #: ``portIsolation``: the host end is an isolated bridge port (no traffic to
    #: other isolated ports, i.e. other pods; the bridge itself still reachable).
    port_isolation: bool = False
    #: ``disableContainerInterface``: the container interface stays down (no IPAM).
    disable_container_interface: bool = False
    #: ``macspoofchk``: frames from the container with another source MAC are dropped.
    mac_spoof_check: bool = False
    #: ``enabledad``: IPv6 addresses go through duplicate address detection,
    #: and ``ADD`` waits for it to end (off: they are usable at once).
    enable_dad: bool = False


def _flag(config: NetworkConfig, key: str) -> bool:
    return read(config.raw, key, bool, False, plugin=PLUGIN, path="")  # noqa: FBT003


def load(config: NetworkConfig) -> BridgeConf:
    """Parse and check a bridge configuration.

    :raises podkit.InvalidArgumentError: a key is malformed; the message names it.
    :raises podkit.UnimplementedError: a key asks for what podkit does not do yet.
    """
    _reject_unsupported(config)
    bridge = read(config.raw, "bridge", str, DEFAULT_BRIDGE, plugin=PLUGIN, path="")
    try:  # the interface name rules, borrowed from the model that has them
        Attachment(container_id="x", ifname=bridge)
    except ValueError as exc:
        raise invalid(PLUGIN, "bridge", str(exc).removeprefix("ifname: ")) from exc
    mtu = read(config.raw, "mtu", int, 0, plugin=PLUGIN, path="")
    if mtu and not _MTU_MIN <= mtu <= _MTU_MAX:
        raise invalid(PLUGIN, "mtu", f"{mtu} is not between {_MTU_MIN} and {_MTU_MAX}")
    vlan = read(config.raw, "vlan", int, 0, plugin=PLUGIN, path="")
    if not 0 <= vlan <= _VLAN_MAX:
        raise invalid(PLUGIN, "vlan", f"invalid VLAN ID {vlan} (must be between 0 and 4094)")
    if vlan:
        # VLAN filtering on the bridge comes later (and needs CONFIG_BRIDGE_VLAN_FILTERING).
        msg = f"{PLUGIN}: unsupported field vlan={vlan!r}: VLAN tagging is not implemented yet"
        raise podkit.UnimplementedError(msg)
    conf = BridgeConf(
        network=config.name,
        bridge=bridge,
        is_gateway=_flag(config, "isGateway") or _flag(config, "isDefaultGateway"),
        is_default_gateway=_flag(config, "isDefaultGateway"),
        force_address=_flag(config, "forceAddress"),
        ip_masq=config.ip_masq,
        hairpin_mode=_flag(config, "hairpinMode"),
        promisc_mode=_flag(config, "promiscMode"),
        mtu=mtu,
        vlan=vlan,
        ipam_type=config.ipam.type if config.ipam else "",
        mac=config.runtime_config.mac,
        dns=config.dns,
        port_isolation=_flag(config, "portIsolation"),
        disable_container_interface=_flag(config, "disableContainerInterface"),
        enable_dad=_flag(config, "enabledad"),
        mac_spoof_check=_flag(config, "macspoofchk"),
    )
    if conf.disable_container_interface and conf.ipam_type:
        raise invalid(
            PLUGIN,
            "disableContainerInterface",
            "cannot use IPAM when the container interface is down",
        )
    if conf.hairpin_mode and conf.promisc_mode:
        raise invalid(
            PLUGIN, "hairpinMode", "cannot set hairpin mode and promiscuous mode at the same time"
        )
    return conf


def _reject_unsupported(config: NetworkConfig) -> None:
    for key, harmless in _UNSUPPORTED.items():
        value = config.raw.get(key, harmless)
        if value not in (harmless, None):
            msg = f"{PLUGIN}: unsupported field {key}={value!r}"
            raise podkit.UnimplementedError(msg)
    backend = config.raw.get("ipMasqBackend", "nftables")
    if backend not in ("nftables", None):
        msg = f"{PLUGIN}: unsupported field ipMasqBackend={backend!r}; only 'nftables' is"
        raise podkit.UnimplementedError(msg)


__all__ = ["DEFAULT_BRIDGE", "PLUGIN", "BridgeConf", "load"]

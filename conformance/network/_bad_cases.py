"""The bad network configurations and environments the suite sends, with their codes.

CNI SPEC 1.1, section 2 "Errors" lists the codes: 2 "Unsupported field in
network configuration", 3 "Container unknown or does not exist", 4
"Invalid necessary environment variables", 7 "Invalid network config",
and reserves 1-99 for them. Each :class:`BadCase` is one request the type
under test must refuse, and the codes that answer it correctly.

The in-process path receives models, not JSON: malformed JSON (code 6)
cannot be sent, so each case is a well-formed request whose *values* the
plugin must reject. The reference upstream plugins answer most
configuration errors with 999 (their generic error: the Go ``skel`` wraps a
plain error so), which the SPEC allows, since it obliges no plugin to use
code 7; so every configuration case accepts 999 too. What no case accepts
is a code that means something else, above all 3, which tells the runtime
it need not call ``DEL``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal, final

import attrs

from podkit.conformance.network import _profiles
from podkit.models.network import Interface, IPAMConfig, IPConfig, PortMapping, Result

if TYPE_CHECKING:
    from collections.abc import Callable

    from podkit.conformance.network._harness import Harness
    from podkit.models.network import Attachment, NetworkConfig

#: A configuration error: code 7, or upstream's generic 999.
CONFIG: Final = frozenset({7, 999})
#: A field or value the plugin does not support: code 2 fits as well as 7.
UNSUPPORTED: Final = frozenset({2, 7, 999})
#: A missing required ``CNI_*`` variable: code 4 from a CNI executable, 7 from
#: an in-process plugin given an attachment without it.
ENVIRONMENT: Final = frozenset({4, 7})
#: CHECK of a container that was never attached: 3, or the plugin's generic error.
UNKNOWN: Final = frozenset({3, 999})

_ADDRESS_TYPES: Final = ("bridge", "host-local")

Operation = Literal["ADD", "CHECK"]


@final
@attrs.frozen(kw_only=True)
class BadCase:
    """One request the type under test must refuse."""

    #: The test id.
    name: str
    #: The CNI types it applies to.
    types: tuple[str, ...]
    #: The codes that answer it correctly.
    codes: frozenset[int]
    #: The operation sent.
    operation: Operation = "ADD"
    #: Builds the configuration and the attachment (creating a pod if needed).
    build: Callable[[Harness], tuple[NetworkConfig, Attachment]]


def _raw(**raw: object) -> Callable[[Harness], tuple[NetworkConfig, Attachment]]:
    return lambda h: (h.config(raw=raw), h.pod().attachment)


def _ranges(ranges: object) -> Callable[[Harness], tuple[NetworkConfig, Attachment]]:
    return lambda h: (h.config(ranges=ranges), h.pod().attachment)


def _ipam(**extra: object) -> Callable[[Harness], tuple[NetworkConfig, Attachment]]:
    return lambda h: (h.config(ipam_extra=extra), h.pod().attachment)


def _range(**fields: object) -> list[list[dict[str, object]]]:
    return [[{**_profiles.pod_range(), **fields}]]


def _unknown_ipam(h: Harness) -> tuple[NetworkConfig, Attachment]:
    config = attrs.evolve(h.config(), ipam=IPAMConfig(type="pkv-no-such-ipam"))
    return config, h.pod().attachment


def _no_netns(h: Harness) -> tuple[NetworkConfig, Attachment]:
    return h.config(), attrs.evolve(h.pod().attachment, netns="")


def _portmap_without_prev(h: Harness) -> tuple[NetworkConfig, Attachment]:
    mapping = _port_mapping()
    return h.config(port_mappings=(mapping,)), h.pod().attachment


def _port_mapping() -> PortMapping:
    return PortMapping(host_port=31999, container_port=8080, host_ip=_profiles.PORTMAP_HOST.ip)


def _never_added(h: Harness) -> tuple[NetworkConfig, Attachment]:
    pod = h.pod()
    profile = h.need_profile()
    address = IPConfig(
        address=f"{_profiles.host_address(99)}/24",
        gateway=_profiles.POD_GATEWAY,
        interface=None if profile.cni_type == "host-local" else 0,
    )
    interfaces = () if address.interface is None else (_interface(pod.attachment),)
    prev = Result(cni_version=h.version, interfaces=interfaces, ips=(address,))
    return h.config(prev_result=prev), pod.attachment


def _asking_cni_args(value: str) -> Callable[[Harness], tuple[NetworkConfig, Attachment]]:
    def build(h: Harness) -> tuple[NetworkConfig, Attachment]:
        args = {"IgnoreUnknown": "1", "IP": value}
        return h.config(), attrs.evolve(h.pod().attachment, args=args)

    return build


def _asking_config_args(value: object) -> Callable[[Harness], tuple[NetworkConfig, Attachment]]:
    return lambda h: (attrs.evolve(h.config(), args={"cni": {"ips": value}}), h.pod().attachment)


def _interface(attachment: Attachment) -> Interface:
    return Interface(name=attachment.ifname, sandbox=attachment.netns)


def _no_prev_result(h: Harness) -> tuple[NetworkConfig, Attachment]:
    return h.config(), h.pod().attachment


CASES: Final = (
    # -- bridge's own keys (CNI bridge documentation) ---------------------------------
    BadCase(
        name="bridge-name-longer-than-15-bytes",
        types=("bridge",),
        codes=CONFIG,
        build=_raw(bridge="pkv" + "x" * 20),
    ),
    BadCase(
        name="bridge-name-with-a-slash",
        types=("bridge",),
        codes=CONFIG,
        build=_raw(bridge="pkv/bad"),
    ),
    BadCase(
        name="bridge-name-not-a-string", types=("bridge",), codes=CONFIG, build=_raw(bridge=42)
    ),
    BadCase(name="mtu-not-a-number", types=("bridge",), codes=CONFIG, build=_raw(mtu="big")),
    BadCase(name="vlan-out-of-range", types=("bridge",), codes=CONFIG, build=_raw(vlan=5000)),
    BadCase(
        name="hairpin-and-promiscuous-mode-together",
        types=("bridge",),
        codes=CONFIG,
        build=_raw(hairpinMode=True, promiscMode=True),
    ),
    BadCase(
        name="is-gateway-not-a-boolean",
        types=("bridge",),
        codes=CONFIG,
        build=_raw(isGateway="yes"),
    ),
    BadCase(name="ipam-type-unknown", types=("bridge",), codes=UNSUPPORTED, build=_unknown_ipam),
    # -- host-local's ipam section (CNI host-local documentation) -----------------------
    BadCase(
        name="subnet-prefix-too-long",
        types=_ADDRESS_TYPES,
        codes=CONFIG,
        build=_ranges([[{"subnet": "198.51.100.0/33"}]]),
    ),
    BadCase(
        name="subnet-missing",
        types=_ADDRESS_TYPES,
        codes=CONFIG,
        build=_ranges([[{"rangeStart": "198.51.100.5"}]]),
    ),
    BadCase(
        name="subnet-too-small-to-allocate",
        types=_ADDRESS_TYPES,
        codes=CONFIG,
        build=_ranges([[{"subnet": "198.51.100.0/31"}]]),
    ),
    BadCase(
        name="range-start-outside-the-subnet",
        types=_ADDRESS_TYPES,
        codes=CONFIG,
        build=_ranges(_range(rangeStart="203.0.113.5")),
    ),
    BadCase(
        name="range-end-outside-the-subnet",
        types=_ADDRESS_TYPES,
        codes=CONFIG,
        build=_ranges(_range(rangeEnd="203.0.113.5")),
    ),
    BadCase(
        name="range-start-after-range-end",
        types=_ADDRESS_TYPES,
        codes=CONFIG,
        build=_ranges(_range(rangeStart="198.51.100.20", rangeEnd="198.51.100.10")),
    ),
    BadCase(name="no-ranges", types=_ADDRESS_TYPES, codes=CONFIG, build=_ranges([])),
    BadCase(
        name="ranges-not-a-list",
        types=_ADDRESS_TYPES,
        codes=CONFIG,
        build=_ranges("198.51.100.0/24"),
    ),
    BadCase(
        name="overlapping-ranges",
        types=_ADDRESS_TYPES,
        codes=CONFIG,
        build=_ranges([[_profiles.pod_range()], [_profiles.pod_range()]]),
    ),
    BadCase(
        name="ipv4-and-ipv6-in-one-range-set",
        types=_ADDRESS_TYPES,
        codes=CONFIG,
        build=_ranges([[_profiles.pod_range(), {"subnet": str(_profiles.POD_SUBNET6)}]]),
    ),
    BadCase(
        name="route-destination-not-a-network",
        types=_ADDRESS_TYPES,
        codes=CONFIG,
        build=_ipam(routes=[{"dst": "not-a-network"}]),
    ),
    BadCase(
        name="data-dir-not-a-string", types=_ADDRESS_TYPES, codes=CONFIG, build=_ipam(dataDir=42)
    ),
    # -- addresses asked for (CNI CONVENTIONS.md; host-local documentation) -------------
    BadCase(
        name="cni-args-ip-not-an-address",
        types=_ADDRESS_TYPES,
        codes=CONFIG,
        build=_asking_cni_args("198.51.100.x"),
    ),
    BadCase(
        name="args-cni-ips-not-an-address",
        types=_ADDRESS_TYPES,
        codes=CONFIG,
        build=_asking_config_args(["not-an-address"]),
    ),
    BadCase(
        name="args-cni-ips-the-gateway",
        types=_ADDRESS_TYPES,
        codes=CONFIG,
        build=_asking_config_args([str(_profiles.POD_GATEWAY)]),
    ),
    # -- portmap (CNI portmap documentation) --------------------------------------------
    BadCase(
        name="port-mappings-without-a-previous-result",
        types=("portmap",),
        codes=CONFIG,
        build=_portmap_without_prev,
    ),
    BadCase(name="snat-not-a-boolean", types=("portmap",), codes=CONFIG, build=_raw(snat="yes")),
    # -- environment (SPEC section 2, "Parameters": CNI_NETNS is required for ADD) ------
    BadCase(
        name="add-without-a-network-namespace",
        types=("bridge", "loopback"),
        codes=ENVIRONMENT,
        build=_no_netns,
    ),
    # -- CHECK (SPEC section 2, "CHECK") -------------------------------------------------
    BadCase(
        name="check-of-a-container-never-added",
        types=("bridge", "host-local", "loopback"),
        codes=UNKNOWN,
        operation="CHECK",
        build=_never_added,
    ),
    BadCase(
        name="check-without-a-previous-result",
        types=("bridge",),
        codes=CONFIG,
        operation="CHECK",
        build=_no_prev_result,
    ),
)


__all__ = ["CASES", "CONFIG", "ENVIRONMENT", "UNKNOWN", "UNSUPPORTED", "BadCase"]

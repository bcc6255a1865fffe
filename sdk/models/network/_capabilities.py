"""The capability arguments of a request (``runtimeConfig``).

The runtime passes them for the capabilities a plugin's configuration asks for
(SPEC section 3, "Deriving runtimeConfig"); the well-known ones are those of
the SPEC's CONVENTIONS.md: :class:`PortMapping`, :class:`IPRange`,
:class:`Bandwidth` and :class:`RuntimeDNS`, gathered in :class:`RuntimeConfig`.
"""

from __future__ import annotations

# typing.get_type_hints() resolves the field annotations in this module's
# namespace: the IPAddress alias names ``ipaddress``, JsonValue ``Mapping``.
import ipaddress  # noqa: F401
from collections.abc import Mapping  # noqa: TC003
from typing import TYPE_CHECKING, Final, final

import attrs
from attrs import validators

from podkit.models.network._values import (
    ADDRESS_TYPES,
    ADDRESSES,
    INTERFACE_TYPES,
    NETWORK_TYPES,
    STR,
    STRS,
    UINT64,
    IPAddress,
    IPInterface,
    IPNetwork,
    JsonValue,
    check_hardware_address,
    fail,
    instances_of,
    no_typed_keys,
    optional_instance_of,
    to_addresses,
    to_addresses_or_interfaces,
    to_json_object,
    to_network,
    to_optional_address,
    to_strings,
    to_tuple,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from podkit.models.network._values import Attribute

_PORT_MAX: Final = 65535
_PROTOCOLS: Final = ("tcp", "udp", "sctp")
_PORT: Final = [validators.instance_of(int), validators.ge(1), validators.le(_PORT_MAX)]
# The JSON names of the capabilities that have typed fields, so they may not
# appear in ``raw``.
_RUNTIME_CONFIG_KEYS: Final = frozenset(
    {
        "aliases",
        "bandwidth",
        "cgroupPath",
        "deviceID",
        "dns",
        "infinibandGUID",
        "ipRanges",
        "ips",
        "mac",
        "portMappings",
    },
)


def _port_mappings(value: Iterable[PortMapping]) -> tuple[PortMapping, ...]:
    return to_tuple(value)


def _ip_ranges(value: Iterable[Iterable[IPRange]]) -> tuple[tuple[IPRange, ...], ...]:
    return tuple(to_tuple(pool) for pool in to_tuple(value))


def _in_subnet(instance: IPRange, attribute: Attribute, value: IPAddress | None) -> None:
    if value is not None and value not in instance.subnet:
        fail(attribute, f"{value} is not in subnet {instance.subnet}")


def _ip_pools(_: object, attribute: Attribute, value: tuple[tuple[IPRange, ...], ...]) -> None:
    for pool in value:
        if not pool or not all(isinstance(item, IPRange) for item in pool):
            fail(attribute, "each entry must be a non-empty sequence of IPRange")


@final
@attrs.frozen(kw_only=True)
class PortMapping:
    """One port of the host forwarded into the container (``portMappings``).

    .. versionadded:: 0.1
    """

    #: The port on the host.
    host_port: int = attrs.field(validator=_PORT)
    #: The port in the container.
    container_port: int = attrs.field(validator=_PORT)
    #: ``tcp``, ``udp`` or ``sctp``, in lower case.
    protocol: str = attrs.field(default="tcp", validator=validators.in_(_PROTOCOLS))
    #: The host address to bind; ``None`` for every address.
    host_ip: IPAddress | None = attrs.field(
        default=None,
        converter=to_optional_address,
        validator=validators.optional(validators.instance_of(ADDRESS_TYPES)),
    )


@final
@attrs.frozen(kw_only=True)
class IPRange:
    """One subnet to allocate from (``ipRanges``; host-local's ``ranges``).

    .. versionadded:: 0.1
    """

    #: The subnet, e.g. ``10.1.2.0/24``; host bits may not be set.
    subnet: IPNetwork = attrs.field(
        converter=to_network, validator=validators.instance_of(NETWORK_TYPES)
    )
    #: The first address to hand out; ``None`` for the subnet's first.
    range_start: IPAddress | None = attrs.field(
        default=None, converter=to_optional_address, validator=_in_subnet
    )
    #: The last address to hand out; ``None`` for the subnet's last.
    range_end: IPAddress | None = attrs.field(
        default=None, converter=to_optional_address, validator=_in_subnet
    )
    #: The gateway; ``None`` to let the plugin choose.
    gateway: IPAddress | None = attrs.field(
        default=None, converter=to_optional_address, validator=_in_subnet
    )


@final
@attrs.frozen(kw_only=True)
class Bandwidth:
    """Bandwidth limits of the interface (``bandwidth``); 0 means unlimited.

    .. versionadded:: 0.1
    """

    #: Ingress rate, in bits per second.
    ingress_rate: int = attrs.field(default=0, validator=UINT64)
    #: Ingress burst, in bits.
    ingress_burst: int = attrs.field(default=0, validator=UINT64)
    #: Egress rate, in bits per second.
    egress_rate: int = attrs.field(default=0, validator=UINT64)
    #: Egress burst, in bits.
    egress_burst: int = attrs.field(default=0, validator=UINT64)


@final
@attrs.frozen(kw_only=True)
class RuntimeDNS:
    """DNS settings the runtime asks for (``dns`` capability).

    Its keys differ from :class:`DNS`: ``servers`` and ``searches``.

    .. versionadded:: 0.1
    """

    #: DNS servers.
    servers: tuple[IPAddress, ...] = attrs.field(
        default=(), converter=to_addresses, validator=ADDRESSES
    )
    #: Search domains.
    searches: tuple[str, ...] = attrs.field(default=(), converter=to_strings, validator=STRS)
    #: Resolver options.
    options: tuple[str, ...] = attrs.field(default=(), converter=to_strings, validator=STRS)


@final
@attrs.frozen(kw_only=True)
class RuntimeConfig:
    """The capability arguments of one request (``runtimeConfig``).

    The runtime fills in each capability that the plugin's configuration
    declares in ``capabilities`` and that the runtime provides (SPEC section
    3, "Deriving runtimeConfig"). The well-known capabilities of the SPEC's
    CONVENTIONS.md are typed fields, empty when not given; others stay in
    :attr:`raw`.

    .. versionadded:: 0.1
    """

    #: ``portMappings``: host ports to forward into the container.
    port_mappings: tuple[PortMapping, ...] = attrs.field(
        default=(), converter=_port_mappings, validator=instances_of(PortMapping)
    )
    #: ``ipRanges``: one pool of subnets per address to allocate.
    ip_ranges: tuple[tuple[IPRange, ...], ...] = attrs.field(
        default=(), converter=_ip_ranges, validator=_ip_pools
    )
    #: ``bandwidth``: limits for the interface.
    bandwidth: Bandwidth | None = attrs.field(
        default=None, validator=optional_instance_of(Bandwidth)
    )
    #: ``dns``: DNS settings for the container.
    dns: RuntimeDNS | None = attrs.field(default=None, validator=optional_instance_of(RuntimeDNS))
    #: ``ips``: addresses to assign, each with its prefix length if it was given.
    ips: tuple[IPAddress | IPInterface, ...] = attrs.field(
        default=(),
        converter=to_addresses_or_interfaces,
        validator=validators.deep_iterable(validators.instance_of(ADDRESS_TYPES + INTERFACE_TYPES)),
    )
    #: ``mac``: the hardware address to give the interface.
    mac: str = attrs.field(default="", validator=[STR, check_hardware_address])
    #: ``infinibandGUID``: the InfiniBand GUID to give the interface.
    infiniband_guid: str = attrs.field(default="", validator=[STR, check_hardware_address])
    #: ``deviceID``: the device the network is bound to, e.g. PCI ``0000:04:00.5``.
    device_id: str = attrs.field(default="", validator=STR)
    #: ``aliases``: names other containers may use for this interface's addresses.
    aliases: tuple[str, ...] = attrs.field(default=(), converter=to_strings, validator=STRS)
    #: ``cgroupPath``: the pod's cgroup path.
    cgroup_path: str = attrs.field(default="", validator=STR)
    #: Every other capability argument, by its JSON name.
    raw: Mapping[str, JsonValue] = attrs.field(
        factory=dict,
        converter=to_json_object,
        validator=no_typed_keys(_RUNTIME_CONFIG_KEYS),
        hash=False,
    )


__all__ = ["Bandwidth", "IPRange", "PortMapping", "RuntimeConfig", "RuntimeDNS"]

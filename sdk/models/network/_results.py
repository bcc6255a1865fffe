"""What CNI operations return: SPEC section 5, "Result Types".

:class:`Result` (with :class:`Interface`, :class:`IPConfig`, :class:`Route`
and :class:`DNS`) is what ``ADD`` returns and later plugins see as
``prevResult``; :class:`VersionResult` is what ``VERSION`` returns. :class:`DNS`
is also the ``dns`` of a network configuration.
"""

from __future__ import annotations

# typing.get_type_hints() resolves the field annotations in this module's
# namespace: the IPAddress alias names ``ipaddress``.
import ipaddress  # noqa: F401
from typing import TYPE_CHECKING, Final, final

import attrs
from attrs import validators

from podkit.models.network._values import (
    ADDRESS_TYPES,
    ADDRESSES,
    CNI_VERSIONS,
    CURRENT_CNI_VERSION,
    INTERFACE_TYPES,
    NETWORK_TYPES,
    STR,
    STRS,
    UINT32,
    IPAddress,
    IPInterface,
    IPNetwork,
    check_absolute_path,
    check_hardware_address,
    check_known_version,
    check_non_empty,
    check_same_family,
    check_version_string,
    instances_of,
    optional_instance_of,
    to_addresses,
    to_interface,
    to_network,
    to_optional_address,
    to_strings,
    to_tuple,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from podkit.models.network._values import Attribute

_SCOPE_MAX: Final = 255


def _interfaces(value: Iterable[Interface]) -> tuple[Interface, ...]:
    return to_tuple(value)


def _ip_configs(value: Iterable[IPConfig]) -> tuple[IPConfig, ...]:
    return to_tuple(value)


def _routes(value: Iterable[Route]) -> tuple[Route, ...]:
    return to_tuple(value)


def _gateway_family(instance: IPConfig, attribute: Attribute, value: IPAddress | None) -> None:
    if value is not None:
        check_same_family(attribute, instance.address, value)


def _gw_family(instance: Route, attribute: Attribute, value: IPAddress | None) -> None:
    if value is not None:
        check_same_family(attribute, instance.dst, value)


@final
@attrs.frozen(kw_only=True)
class DNS:
    """DNS settings: of a network (configuration ``dns``) or of a result.

    Mirrors: CNI SPEC 1.1, section 1 "Configuration format" and section 5
    "ADD Success", ``dns``.

    .. versionadded:: 0.1
    """

    #: Priority-ordered DNS servers the network knows.
    nameservers: tuple[IPAddress, ...] = attrs.field(
        default=(), converter=to_addresses, validator=ADDRESSES
    )
    #: The local domain for short host-name lookups.
    domain: str = attrs.field(default="", validator=STR)
    #: Priority-ordered search domains; resolvers prefer them to :attr:`domain`.
    search: tuple[str, ...] = attrs.field(default=(), converter=to_strings, validator=STRS)
    #: Resolver options, e.g. ``ndots:5``.
    options: tuple[str, ...] = attrs.field(default=(), converter=to_strings, validator=STRS)


@final
@attrs.frozen(kw_only=True)
class Interface:
    """An interface an attachment created, in the container or on the host.

    Mirrors: CNI SPEC 1.1, section 5 "ADD Success", ``interfaces``.

    .. versionadded:: 0.1
    """

    #: The interface name (host-side names follow the host's rules, so only
    #: emptiness is checked here).
    name: str = attrs.field(validator=[STR, check_non_empty])
    #: The hardware address, e.g. ``c2:11:22:33:44:55``; empty if not applicable.
    mac: str = attrs.field(default="", validator=[STR, check_hardware_address])
    #: The MTU; 0 if not applicable.
    mtu: int = attrs.field(default=0, validator=UINT32)
    #: The isolation domain holding the interface (the ``CNI_NETNS`` path for
    #: interfaces in the container); empty for host interfaces.
    sandbox: str = attrs.field(default="", validator=STR)
    #: An absolute path to a socket file for this interface, if applicable.
    socket_path: str = attrs.field(default="", validator=[STR, check_absolute_path])
    #: The platform's identifier of the interface's PCI device, if applicable.
    pci_id: str = attrs.field(default="", validator=STR)


@final
@attrs.frozen(kw_only=True)
class IPConfig:
    """An IP address an attachment assigned.

    Mirrors: CNI SPEC 1.1, section 5 "ADD Success", ``ips``.

    .. versionadded:: 0.1
    """

    #: The address with its prefix length, e.g. ``192.168.1.3/24``.
    address: IPInterface = attrs.field(
        converter=to_interface, validator=validators.instance_of(INTERFACE_TYPES)
    )
    #: The default gateway of the subnet, if it has one; same IP version.
    gateway: IPAddress | None = attrs.field(
        default=None,
        converter=to_optional_address,
        validator=[validators.optional(validators.instance_of(ADDRESS_TYPES)), _gateway_family],
    )
    #: The index into :attr:`Result.interfaces` of the interface the address
    #: belongs to; ``None`` in delegated (IPAM) results, which have no interfaces.
    interface: int | None = attrs.field(
        default=None, validator=validators.optional([validators.instance_of(int), validators.ge(0)])
    )


@final
@attrs.frozen(kw_only=True)
class Route:
    """A route an attachment created.

    Mirrors: CNI SPEC 1.1, section 5 "ADD Success", ``routes``.

    .. versionadded:: 0.1
    """

    #: The destination, e.g. ``0.0.0.0/0``; host bits may not be set.
    dst: IPNetwork = attrs.field(
        converter=to_network, validator=validators.instance_of(NETWORK_TYPES)
    )
    #: The next hop; if unset, the ``gateway`` of :attr:`Result.ips` may be used.
    gw: IPAddress | None = attrs.field(
        default=None,
        converter=to_optional_address,
        validator=[validators.optional(validators.instance_of(ADDRESS_TYPES)), _gw_family],
    )
    #: The MTU along the path to the destination; 0 if unset.
    mtu: int = attrs.field(default=0, validator=UINT32)
    #: The TCP MSS to advertise to these destinations; 0 if unset.
    advmss: int = attrs.field(default=0, validator=UINT32)
    #: The route's priority (metric); lower is preferred; 0 if unset.
    priority: int = attrs.field(default=0, validator=UINT32)
    #: The routing table to add the route to; ``None`` for the main table.
    table: int | None = attrs.field(default=None, validator=validators.optional(UINT32))
    #: The scope of the destination: global (0), link (253), host (254);
    #: ``None`` to let the system choose.
    scope: int | None = attrs.field(
        default=None,
        validator=validators.optional(
            [validators.instance_of(int), validators.ge(0), validators.le(_SCOPE_MAX)]
        ),
    )


@final
@attrs.frozen(kw_only=True)
class Result:
    """What ``ADD`` returns, and what later plugins see as ``prevResult``.

    A delegated (IPAM) plugin returns the abbreviated form: no
    :attr:`interfaces`, and no :attr:`IPConfig.interface`.

    Mirrors: CNI SPEC 1.1, section 5 "ADD Success".

    .. versionadded:: 0.1
    """

    #: The version of the request; the wire writes the result in the version
    #: the caller asked for, whatever this says.
    cni_version: str = attrs.field(
        default=CURRENT_CNI_VERSION, validator=[STR, check_known_version]
    )
    #: Every interface the attachment created, host-side ones included.
    interfaces: tuple[Interface, ...] = attrs.field(
        default=(), converter=_interfaces, validator=instances_of(Interface)
    )
    #: The IP addresses the attachment assigned.
    ips: tuple[IPConfig, ...] = attrs.field(
        default=(), converter=_ip_configs, validator=instances_of(IPConfig)
    )
    #: The routes the attachment created.
    routes: tuple[Route, ...] = attrs.field(
        default=(), converter=_routes, validator=instances_of(Route)
    )
    #: DNS settings; ``None`` when the plugin has none.
    dns: DNS | None = attrs.field(default=None, validator=optional_instance_of(DNS))

    def __attrs_post_init__(self) -> None:
        """Check that every ``ips[].interface`` indexes :attr:`interfaces`."""
        for position, ip in enumerate(self.ips):
            if ip.interface is not None and ip.interface >= len(self.interfaces):
                msg = (
                    f"ips[{position}].interface: index {ip.interface} is out of range "
                    f"for {len(self.interfaces)} interface(s)"
                )
                raise ValueError(msg)


@final
@attrs.frozen(kw_only=True)
class VersionResult:
    """What ``VERSION`` returns: the SPEC versions a plugin supports.

    Plugins written against these models support every version, because the
    wire translates; the default says so.

    Mirrors: CNI SPEC 1.1, section 5 "VERSION Success".

    .. versionadded:: 0.1
    """

    #: The version of the request; the wire answers with the caller's.
    cni_version: str = attrs.field(
        default=CURRENT_CNI_VERSION, validator=[STR, check_known_version]
    )
    #: The supported SPEC versions (a binary may name versions newer than
    #: podkit knows, so only their form is checked).
    supported_versions: tuple[str, ...] = attrs.field(
        default=CNI_VERSIONS,
        converter=to_strings,
        validator=[
            validators.min_len(1),
            validators.deep_iterable(validators.and_(STR, check_version_string)),
        ],
    )


__all__ = ["DNS", "IPConfig", "Interface", "Result", "Route", "VersionResult"]

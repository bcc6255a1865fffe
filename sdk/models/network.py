"""The data of the network contract: CNI SPEC 1.1 configurations and results.

Network hooks (:mod:`podkit.hookspecs.network`) take and return these frozen
models instead of CNI JSON and ``CNI_*`` environment variables. They follow
the SPEC section by section, with its JSON names in snake_case:

* section 1, "Network configuration format": :class:`NetworkConfigList`, whose
  ``plugins`` are :class:`PluginConfig` objects, with :class:`IPAMConfig` and
  :class:`DNS`;
* sections 2 and 3, "Parameters" and "Attachment Parameters":
  :class:`Attachment`, and :class:`GCAttachment` for GC's valid attachments;
* section 3, "Deriving request configuration from plugin configuration": the
  request :class:`NetworkConfig` of one plugin invocation, with its
  :class:`RuntimeConfig` (the capability arguments of the SPEC's
  CONVENTIONS.md: :class:`PortMapping`, :class:`IPRange`, :class:`Bandwidth`,
  :class:`RuntimeDNS`);
* section 5, "Result Types": :class:`Result` with :class:`Interface`,
  :class:`IPConfig`, :class:`Route` and :class:`DNS`; :class:`VersionResult`.

The models have the 1.1 shapes whatever version a caller speaks. The CNI wire
adapter alone reads and writes CNI JSON: it knows the per-version encodings
(0.2's ``ip4``/``ip6`` results, 0.3's ``version`` per interface, GC's two key
names), so the models carry no ``from_json``/``to_json``.

Values are typed: IP addresses, interfaces (address with prefix) and networks
are :mod:`ipaddress` objects (strings are accepted and parsed), lists are
tuples, and maps are read-only :class:`types.MappingProxyType` views. What the
SPEC leaves to plugins (their own keys, ``args``) is kept as deep-frozen JSON,
:data:`JsonValue`. Mapping fields take no part in hashing, so every model is
hashable and equal models hash alike.
"""

from __future__ import annotations

import ipaddress
import re
import string
import types
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeAlias, TypeVar, cast, final

import attrs
from attrs import validators

if TYPE_CHECKING:
    from collections.abc import Callable

#: A JSON value as podkit keeps it: objects are read-only mappings and arrays
#: are tuples, all the way down.
JsonValue: TypeAlias = (
    "str | int | float | bool | tuple[JsonValue, ...] | Mapping[str, JsonValue] | None"
)
#: An IP address, e.g. a gateway.
IPAddress: TypeAlias = "ipaddress.IPv4Address | ipaddress.IPv6Address"
#: An IP address with its prefix length, e.g. ``10.1.0.5/16``.
IPInterface: TypeAlias = "ipaddress.IPv4Interface | ipaddress.IPv6Interface"
#: An IP network, e.g. a route's destination ``10.1.0.0/16``.
IPNetwork: TypeAlias = "ipaddress.IPv4Network | ipaddress.IPv6Network"

#: Every released CNI SPEC version, oldest first. The wire reads and writes
#: 0.3.0 and newer (``podkit.cnijson.RESULT_VERSIONS``).
CNI_VERSIONS: Final = ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")
#: The SPEC version these models follow.
CURRENT_CNI_VERSION: Final = "1.1.0"

_T = TypeVar("_T")
_ADDRESS_TYPES: Final = (ipaddress.IPv4Address, ipaddress.IPv6Address)
_INTERFACE_TYPES: Final = (ipaddress.IPv4Interface, ipaddress.IPv6Interface)
_NETWORK_TYPES: Final = (ipaddress.IPv4Network, ipaddress.IPv6Network)
# SPEC sections 1 and 3 (network name, container ID); libcni's cniValidNameChars.
_NAME_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
_VERSION_RE: Final = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
# Linux IFNAMSIZ is 16 bytes with the terminating NUL (libcni's ValidateInterfaceName).
_IFNAME_MAX_BYTES: Final = 15
# Hardware addresses as Go's net.ParseMAC reads them: EUI-48, EUI-64, IPoIB.
_HARDWARE_ADDRESS_OCTETS: Final = (6, 8, 20)
_OCTET_DIGITS: Final = 2
_UINT32_MAX: Final = 2**32 - 1
_UINT64_MAX: Final = 2**64 - 1
_PORT_MAX: Final = 65535
_SCOPE_MAX: Final = 255
_PROTOCOLS: Final = ("tcp", "udp", "sctp")
# JSON keys of a plugin or request configuration that have typed fields, so
# they may not appear in ``raw``.
_CONFIG_KEYS: Final = frozenset(
    {
        "args",
        "capabilities",
        "cni.dev/attachments",
        "cni.dev/valid-attachments",
        "cniVersion",
        "dns",
        "ipMasq",
        "ipam",
        "name",
        "prevResult",
        "runtimeConfig",
        "type",
    },
)
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

# --------------------------------------------------------------------------
# Converters: accept the natural input, store the immutable typed value.
# --------------------------------------------------------------------------


def _freeze_json(value: object, where: str) -> JsonValue:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Mapping):
        return _freeze_object(value, where)
    if isinstance(value, list | tuple):
        return tuple(_freeze_json(item, f"{where}[{i}]") for i, item in enumerate(value))
    msg = f"{where or 'value'}: type {type(value).__name__!r} is not a JSON type"
    raise TypeError(msg)


def _freeze_object(value: Mapping[object, object], where: str) -> Mapping[str, JsonValue]:
    frozen: dict[str, JsonValue] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            msg = f"{where or 'mapping'}: JSON object keys are strings, not {key!r}"
            raise TypeError(msg)
        frozen[key] = _freeze_json(item, f"{where}[{key!r}]")
    return types.MappingProxyType(frozen)


def _json_object(value: Mapping[str, object]) -> Mapping[str, JsonValue]:
    if not isinstance(value, Mapping):
        msg = f"expected a mapping, not a {type(value).__name__}"
        raise TypeError(msg)
    return _freeze_object(cast("Mapping[object, object]", value), "")


def _str_map(value: Mapping[str, str]) -> Mapping[str, str]:
    return types.MappingProxyType(dict(value))


def _bool_map(value: Mapping[str, bool]) -> Mapping[str, bool]:
    return types.MappingProxyType(dict(value))


def _tuple(value: Iterable[_T]) -> tuple[_T, ...]:
    if isinstance(value, str | bytes | Mapping):
        msg = f"expected a sequence, not a {type(value).__name__}"
        raise TypeError(msg)
    return tuple(value)


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return _tuple(value)


def _interfaces(value: Iterable[Interface]) -> tuple[Interface, ...]:
    return _tuple(value)


def _ip_configs(value: Iterable[IPConfig]) -> tuple[IPConfig, ...]:
    return _tuple(value)


def _routes(value: Iterable[Route]) -> tuple[Route, ...]:
    return _tuple(value)


def _port_mappings(value: Iterable[PortMapping]) -> tuple[PortMapping, ...]:
    return _tuple(value)


def _plugin_configs(value: Iterable[PluginConfig]) -> tuple[PluginConfig, ...]:
    return _tuple(value)


def _address(value: str | IPAddress) -> IPAddress:
    if isinstance(value, _ADDRESS_TYPES):
        return value
    if isinstance(value, str):
        return ipaddress.ip_address(value)
    msg = f"expected an IP address, not a {type(value).__name__}"
    raise TypeError(msg)


def _optional_address(value: str | IPAddress | None) -> IPAddress | None:
    return None if value is None else _address(value)


def _addresses(value: Iterable[str | IPAddress]) -> tuple[IPAddress, ...]:
    return tuple(_address(item) for item in _tuple(value))


def _interface(value: str | IPInterface) -> IPInterface:
    if isinstance(value, _INTERFACE_TYPES):
        return value
    if isinstance(value, str):
        if "/" not in value:
            msg = f"expected an address in CIDR notation, e.g. 10.1.0.5/16, not {value!r}"
            raise ValueError(msg)
        return ipaddress.ip_interface(value)
    msg = f"expected an IP address with prefix, not a {type(value).__name__}"
    raise TypeError(msg)


def _network(value: str | IPNetwork) -> IPNetwork:
    if isinstance(value, _NETWORK_TYPES):
        return value
    if isinstance(value, str):
        # strict: a network with host bits set (10.1.0.5/16) is an error.
        return ipaddress.ip_network(value)
    msg = f"expected an IP network, not a {type(value).__name__}"
    raise TypeError(msg)


def _address_or_interface(value: str | IPAddress | IPInterface) -> IPAddress | IPInterface:
    if isinstance(value, str):
        return ipaddress.ip_interface(value) if "/" in value else ipaddress.ip_address(value)
    if isinstance(value, (*_ADDRESS_TYPES, *_INTERFACE_TYPES)):
        return value
    msg = f"expected an IP address, with or without prefix, not a {type(value).__name__}"
    raise TypeError(msg)


def _addresses_or_interfaces(
    value: Iterable[str | IPAddress | IPInterface],
) -> tuple[IPAddress | IPInterface, ...]:
    return tuple(_address_or_interface(item) for item in _tuple(value))


def _ip_ranges(value: Iterable[Iterable[IPRange]]) -> tuple[tuple[IPRange, ...], ...]:
    return tuple(_tuple(pool) for pool in _tuple(value))


# --------------------------------------------------------------------------
# Validators: invalid models cannot be built.
# --------------------------------------------------------------------------

# attrs validators take (instance, attribute, value); attrs.Attribute is generic
# in the field type, which these shared checks do not care about.
_Attribute: TypeAlias = "attrs.Attribute[Any]"
_Validator: TypeAlias = "Callable[[Any, _Attribute, _T], None]"


def _fail(attribute: _Attribute, problem: str) -> NoReturn:
    msg = f"{attribute.name}: {problem}"
    raise ValueError(msg)


def _known_version(_: object, attribute: _Attribute, value: str) -> None:
    if value not in CNI_VERSIONS:
        _fail(attribute, f"unknown CNI version {value!r}; known: {', '.join(CNI_VERSIONS)}")


def _version_string(_: object, attribute: _Attribute, value: str) -> None:
    if not _VERSION_RE.fullmatch(value):
        _fail(attribute, f"{value!r} is not a version of the form MAJOR.MINOR.PATCH")


def _cni_name(_: object, attribute: _Attribute, value: str) -> None:
    if not _NAME_RE.fullmatch(value):
        _fail(
            attribute,
            f"{value!r} must start with a letter or digit, followed by letters, digits, "
            "'_', '.' or '-'",
        )


def _ifname(_: object, attribute: _Attribute, value: str) -> None:
    if not value:
        _fail(attribute, "interface name is empty")
    elif len(value.encode()) > _IFNAME_MAX_BYTES:
        _fail(attribute, f"interface name {value!r} is longer than {_IFNAME_MAX_BYTES} bytes")
    elif value in {".", ".."}:
        _fail(attribute, f"interface name may not be {value!r}")
    elif any(char in "/:" or char.isspace() for char in value):
        _fail(attribute, f"interface name {value!r} contains '/', ':' or whitespace")


def _plugin_type(_: object, attribute: _Attribute, value: str) -> None:
    # SPEC section 1: "Must not contain characters disallowed in file paths".
    if not value or value in {".", ".."} or any(char in "/\\\0" for char in value):
        _fail(attribute, f"{value!r} is not a plugin executable name")


def _non_empty(_: object, attribute: _Attribute, value: str) -> None:
    if not value:
        _fail(attribute, "must not be empty")


def _hardware_address(_: object, attribute: _Attribute, value: str) -> None:
    if not value:
        return
    for separator in ":-":
        octets = value.split(separator)
        if len(octets) in _HARDWARE_ADDRESS_OCTETS and all(
            len(octet) == _OCTET_DIGITS and all(char in string.hexdigits for char in octet)
            for octet in octets
        ):
            return
    _fail(attribute, f"{value!r} is not a hardware address like c2:11:22:33:44:55")


def _absolute_path(_: object, attribute: _Attribute, value: str) -> None:
    if value and not value.startswith("/"):
        _fail(attribute, f"{value!r} is not an absolute path")


def _cni_args(_: object, attribute: _Attribute, value: Mapping[str, str]) -> None:
    # CNI_ARGS is "FOO=BAR;ABC=123": neither keys nor values can hold '=' or ';'.
    for key, item in value.items():
        if not key or any(char in "=;" for char in key) or any(char in "=;" for char in item):
            _fail(attribute, f"{key!r}={item!r} cannot be written as a CNI_ARGS pair")


def _search_path(_: object, attribute: _Attribute, value: tuple[str, ...]) -> None:
    for entry in value:
        if not entry or ":" in entry:
            _fail(attribute, f"{entry!r} is not a CNI_PATH directory")


def _no_typed_keys(keys: frozenset[str]) -> _Validator[Mapping[str, object]]:
    def check(_: object, attribute: _Attribute, value: Mapping[str, object]) -> None:
        typed = sorted(keys.intersection(value))
        if typed:
            _fail(attribute, f"keys {typed} have typed fields and may not appear here")

    return check


def _same_family(attribute: _Attribute, anchor: IPInterface | IPNetwork, value: IPAddress) -> None:
    if anchor.version != value.version:
        _fail(attribute, f"{value} and {anchor} are not of the same IP version")


def _gateway_family(instance: IPConfig, attribute: _Attribute, value: IPAddress | None) -> None:
    if value is not None:
        _same_family(attribute, instance.address, value)


def _gw_family(instance: Route, attribute: _Attribute, value: IPAddress | None) -> None:
    if value is not None:
        _same_family(attribute, instance.dst, value)


def _in_subnet(instance: IPRange, attribute: _Attribute, value: IPAddress | None) -> None:
    if value is not None and value not in instance.subnet:
        _fail(attribute, f"{value} is not in subnet {instance.subnet}")


def _ip_pools(_: object, attribute: _Attribute, value: tuple[tuple[IPRange, ...], ...]) -> None:
    for pool in value:
        if not pool or not all(isinstance(item, IPRange) for item in pool):
            _fail(attribute, "each entry must be a non-empty sequence of IPRange")


_STR: Final = validators.instance_of(str)
_BOOL: Final = validators.instance_of(bool)
_UINT32: Final = [validators.instance_of(int), validators.ge(0), validators.le(_UINT32_MAX)]
_UINT64: Final = [validators.instance_of(int), validators.ge(0), validators.le(_UINT64_MAX)]
_PORT: Final = [validators.instance_of(int), validators.ge(1), validators.le(_PORT_MAX)]
_STRS: Final = validators.deep_iterable(_STR)
_ADDRESSES: Final = validators.deep_iterable(validators.instance_of(_ADDRESS_TYPES))


def _items(cls: type[object]) -> _Validator[tuple[object, ...]]:
    return validators.deep_iterable(validators.instance_of(cls))


def _optional(cls: type[object]) -> _Validator[object]:
    return validators.optional(validators.instance_of(cls))


# --------------------------------------------------------------------------
# Section 5: result types
# --------------------------------------------------------------------------


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
        default=(), converter=_addresses, validator=_ADDRESSES
    )
    #: The local domain for short host-name lookups.
    domain: str = attrs.field(default="", validator=_STR)
    #: Priority-ordered search domains; resolvers prefer them to :attr:`domain`.
    search: tuple[str, ...] = attrs.field(default=(), converter=_strings, validator=_STRS)
    #: Resolver options, e.g. ``ndots:5``.
    options: tuple[str, ...] = attrs.field(default=(), converter=_strings, validator=_STRS)


@final
@attrs.frozen(kw_only=True)
class Interface:
    """An interface an attachment created, in the container or on the host.

    Mirrors: CNI SPEC 1.1, section 5 "ADD Success", ``interfaces``.

    .. versionadded:: 0.1
    """

    #: The interface name (host-side names follow the host's rules, so only
    #: emptiness is checked here).
    name: str = attrs.field(validator=[_STR, _non_empty])
    #: The hardware address, e.g. ``c2:11:22:33:44:55``; empty if not applicable.
    mac: str = attrs.field(default="", validator=[_STR, _hardware_address])
    #: The MTU; 0 if not applicable.
    mtu: int = attrs.field(default=0, validator=_UINT32)
    #: The isolation domain holding the interface (the ``CNI_NETNS`` path for
    #: interfaces in the container); empty for host interfaces.
    sandbox: str = attrs.field(default="", validator=_STR)
    #: An absolute path to a socket file for this interface, if applicable.
    socket_path: str = attrs.field(default="", validator=[_STR, _absolute_path])
    #: The platform's identifier of the interface's PCI device, if applicable.
    pci_id: str = attrs.field(default="", validator=_STR)


@final
@attrs.frozen(kw_only=True)
class IPConfig:
    """An IP address an attachment assigned.

    Mirrors: CNI SPEC 1.1, section 5 "ADD Success", ``ips``.

    .. versionadded:: 0.1
    """

    #: The address with its prefix length, e.g. ``192.168.1.3/24``.
    address: IPInterface = attrs.field(
        converter=_interface, validator=validators.instance_of(_INTERFACE_TYPES)
    )
    #: The default gateway of the subnet, if it has one; same IP version.
    gateway: IPAddress | None = attrs.field(
        default=None,
        converter=_optional_address,
        validator=[validators.optional(validators.instance_of(_ADDRESS_TYPES)), _gateway_family],
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
        converter=_network, validator=validators.instance_of(_NETWORK_TYPES)
    )
    #: The next hop; if unset, the ``gateway`` of :attr:`Result.ips` may be used.
    gw: IPAddress | None = attrs.field(
        default=None,
        converter=_optional_address,
        validator=[validators.optional(validators.instance_of(_ADDRESS_TYPES)), _gw_family],
    )
    #: The MTU along the path to the destination; 0 if unset.
    mtu: int = attrs.field(default=0, validator=_UINT32)
    #: The TCP MSS to advertise to these destinations; 0 if unset.
    advmss: int = attrs.field(default=0, validator=_UINT32)
    #: The route's priority (metric); lower is preferred; 0 if unset.
    priority: int = attrs.field(default=0, validator=_UINT32)
    #: The routing table to add the route to; ``None`` for the main table.
    table: int | None = attrs.field(default=None, validator=validators.optional(_UINT32))
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
    cni_version: str = attrs.field(default=CURRENT_CNI_VERSION, validator=[_STR, _known_version])
    #: Every interface the attachment created, host-side ones included.
    interfaces: tuple[Interface, ...] = attrs.field(
        default=(), converter=_interfaces, validator=_items(Interface)
    )
    #: The IP addresses the attachment assigned.
    ips: tuple[IPConfig, ...] = attrs.field(
        default=(), converter=_ip_configs, validator=_items(IPConfig)
    )
    #: The routes the attachment created.
    routes: tuple[Route, ...] = attrs.field(default=(), converter=_routes, validator=_items(Route))
    #: DNS settings; ``None`` when the plugin has none.
    dns: DNS | None = attrs.field(default=None, validator=_optional(DNS))

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
    cni_version: str = attrs.field(default=CURRENT_CNI_VERSION, validator=[_STR, _known_version])
    #: The supported SPEC versions (a binary may name versions newer than
    #: podkit knows, so only their form is checked).
    supported_versions: tuple[str, ...] = attrs.field(
        default=CNI_VERSIONS,
        converter=_strings,
        validator=[
            validators.min_len(1),
            validators.deep_iterable(validators.and_(_STR, _version_string)),
        ],
    )


# --------------------------------------------------------------------------
# Capability arguments (runtimeConfig), per the SPEC's CONVENTIONS.md
# --------------------------------------------------------------------------


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
        converter=_optional_address,
        validator=validators.optional(validators.instance_of(_ADDRESS_TYPES)),
    )


@final
@attrs.frozen(kw_only=True)
class IPRange:
    """One subnet to allocate from (``ipRanges``; host-local's ``ranges``).

    .. versionadded:: 0.1
    """

    #: The subnet, e.g. ``10.1.2.0/24``; host bits may not be set.
    subnet: IPNetwork = attrs.field(
        converter=_network, validator=validators.instance_of(_NETWORK_TYPES)
    )
    #: The first address to hand out; ``None`` for the subnet's first.
    range_start: IPAddress | None = attrs.field(
        default=None, converter=_optional_address, validator=_in_subnet
    )
    #: The last address to hand out; ``None`` for the subnet's last.
    range_end: IPAddress | None = attrs.field(
        default=None, converter=_optional_address, validator=_in_subnet
    )
    #: The gateway; ``None`` to let the plugin choose.
    gateway: IPAddress | None = attrs.field(
        default=None, converter=_optional_address, validator=_in_subnet
    )


@final
@attrs.frozen(kw_only=True)
class Bandwidth:
    """Bandwidth limits of the interface (``bandwidth``); 0 means unlimited.

    .. versionadded:: 0.1
    """

    #: Ingress rate, in bits per second.
    ingress_rate: int = attrs.field(default=0, validator=_UINT64)
    #: Ingress burst, in bits.
    ingress_burst: int = attrs.field(default=0, validator=_UINT64)
    #: Egress rate, in bits per second.
    egress_rate: int = attrs.field(default=0, validator=_UINT64)
    #: Egress burst, in bits.
    egress_burst: int = attrs.field(default=0, validator=_UINT64)


@final
@attrs.frozen(kw_only=True)
class RuntimeDNS:
    """DNS settings the runtime asks for (``dns`` capability).

    Its keys differ from :class:`DNS`: ``servers`` and ``searches``.

    .. versionadded:: 0.1
    """

    #: DNS servers.
    servers: tuple[IPAddress, ...] = attrs.field(
        default=(), converter=_addresses, validator=_ADDRESSES
    )
    #: Search domains.
    searches: tuple[str, ...] = attrs.field(default=(), converter=_strings, validator=_STRS)
    #: Resolver options.
    options: tuple[str, ...] = attrs.field(default=(), converter=_strings, validator=_STRS)


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
        default=(), converter=_port_mappings, validator=_items(PortMapping)
    )
    #: ``ipRanges``: one pool of subnets per address to allocate.
    ip_ranges: tuple[tuple[IPRange, ...], ...] = attrs.field(
        default=(), converter=_ip_ranges, validator=_ip_pools
    )
    #: ``bandwidth``: limits for the interface.
    bandwidth: Bandwidth | None = attrs.field(default=None, validator=_optional(Bandwidth))
    #: ``dns``: DNS settings for the container.
    dns: RuntimeDNS | None = attrs.field(default=None, validator=_optional(RuntimeDNS))
    #: ``ips``: addresses to assign, each with its prefix length if it was given.
    ips: tuple[IPAddress | IPInterface, ...] = attrs.field(
        default=(),
        converter=_addresses_or_interfaces,
        validator=validators.deep_iterable(
            validators.instance_of(_ADDRESS_TYPES + _INTERFACE_TYPES)
        ),
    )
    #: ``mac``: the hardware address to give the interface.
    mac: str = attrs.field(default="", validator=[_STR, _hardware_address])
    #: ``infinibandGUID``: the InfiniBand GUID to give the interface.
    infiniband_guid: str = attrs.field(default="", validator=[_STR, _hardware_address])
    #: ``deviceID``: the device the network is bound to, e.g. PCI ``0000:04:00.5``.
    device_id: str = attrs.field(default="", validator=_STR)
    #: ``aliases``: names other containers may use for this interface's addresses.
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_strings, validator=_STRS)
    #: ``cgroupPath``: the pod's cgroup path.
    cgroup_path: str = attrs.field(default="", validator=_STR)
    #: Every other capability argument, by its JSON name.
    raw: Mapping[str, JsonValue] = attrs.field(
        factory=dict,
        converter=_json_object,
        validator=_no_typed_keys(_RUNTIME_CONFIG_KEYS),
        hash=False,
    )


# --------------------------------------------------------------------------
# Section 1: network configuration; section 3: request configuration
# --------------------------------------------------------------------------


@final
@attrs.frozen(kw_only=True)
class IPAMConfig:
    """The ``ipam`` section: which plugin manages addresses, and its settings.

    An absent or empty (``{}``) section is ``None`` where this is used.

    Mirrors: CNI SPEC 1.1, section 1 "Configuration format", ``ipam``.

    .. versionadded:: 0.1
    """

    #: The IPAM plugin's type, e.g. ``host-local``.
    type: str = attrs.field(validator=[_STR, _plugin_type])
    #: The IPAM plugin's own keys (``subnet``, ``ranges``, ...), by JSON name.
    raw: Mapping[str, JsonValue] = attrs.field(
        factory=dict,
        converter=_json_object,
        validator=_no_typed_keys(frozenset({"type"})),
        hash=False,
    )


@final
@attrs.frozen(kw_only=True)
class PluginConfig:
    """One entry of a network configuration's ``plugins``, as configured.

    The runtime derives a :class:`NetworkConfig` from it for each call
    (SPEC section 3): it adds the list's ``cniVersion`` and ``name``, turns
    :attr:`capabilities` into a :class:`RuntimeConfig`, and adds ``args`` and
    ``prevResult``.

    Mirrors: CNI SPEC 1.1, section 1 "Plugin configuration objects".

    .. versionadded:: 0.1
    """

    #: The plugin's type (upstream: its executable's name), e.g. ``bridge``.
    type: str = attrs.field(validator=[_STR, _plugin_type])
    #: The capability arguments the plugin wants, e.g. ``{"portMappings": True}``.
    capabilities: Mapping[str, bool] = attrs.field(
        factory=dict,
        converter=_bool_map,
        validator=validators.deep_mapping(_STR, _BOOL),
        hash=False,
    )
    #: ``ipMasq``: set up IP masquerade on the host for this network.
    ip_masq: bool = attrs.field(default=False, validator=_BOOL)
    #: ``ipam``: the delegated address management; ``None`` if there is none.
    ipam: IPAMConfig | None = attrs.field(default=None, validator=_optional(IPAMConfig))
    #: ``dns``: the network's DNS settings, if any.
    dns: DNS | None = attrs.field(default=None, validator=_optional(DNS))
    #: The plugin's own keys (``bridge``, ``isGateway``, ...), by JSON name.
    raw: Mapping[str, JsonValue] = attrs.field(
        factory=dict,
        converter=_json_object,
        validator=_no_typed_keys(_CONFIG_KEYS),
        hash=False,
    )


@final
@attrs.frozen(kw_only=True)
class NetworkConfigList:
    """A network configuration: a named network and its chain of plugins.

    Mirrors: CNI SPEC 1.1, section 1 "Configuration format".

    .. versionadded:: 0.1
    """

    #: The SPEC version the configuration conforms to.
    cni_version: str = attrs.field(validator=[_STR, _known_version])
    #: Every version the configuration supports; the runtime picks the highest
    #: it supports of these and :attr:`cni_version`.
    cni_versions: tuple[str, ...] = attrs.field(
        default=(),
        converter=_strings,
        validator=validators.deep_iterable(validators.and_(_STR, _version_string)),
    )
    #: The network's name, unique on the host.
    name: str = attrs.field(validator=[_STR, _cni_name])
    #: ``disableCheck``: runtimes must not call ``CHECK`` for this network.
    disable_check: bool = attrs.field(default=False, validator=_BOOL)
    #: ``disableGC``: runtimes must not call ``GC`` for this network.
    disable_gc: bool = attrs.field(default=False, validator=_BOOL)
    #: ``loadOnlyInlinedPlugins``: ignore plugin configurations found elsewhere
    #: than in :attr:`plugins` (which must then not be empty).
    load_only_inlined_plugins: bool = attrs.field(default=False, validator=_BOOL)
    #: The plugins, in ``ADD`` order.
    plugins: tuple[PluginConfig, ...] = attrs.field(
        default=(), converter=_plugin_configs, validator=_items(PluginConfig)
    )

    def __attrs_post_init__(self) -> None:
        """Check the SPEC's rule on ``loadOnlyInlinedPlugins``."""
        if self.load_only_inlined_plugins and not self.plugins:
            msg = "load_only_inlined_plugins: cannot be set without inlined plugins"
            raise ValueError(msg)


@final
@attrs.frozen(kw_only=True)
class NetworkConfig:
    """The configuration of one plugin call: what upstream reads on stdin.

    The runtime derives it from a :class:`PluginConfig` of a
    :class:`NetworkConfigList` (SPEC section 3, "Deriving request
    configuration from plugin configuration"). Delegated plugins (IPAM)
    receive the same object as the plugin that delegates to them.

    Mirrors: CNI SPEC 1.1, sections 1 and 3.

    .. versionadded:: 0.1
    """

    #: The SPEC version the runtime selected for this call.
    cni_version: str = attrs.field(default=CURRENT_CNI_VERSION, validator=[_STR, _known_version])
    #: The network's name, from the configuration list.
    name: str = attrs.field(validator=[_STR, _cni_name])
    #: The plugin type the call is for, e.g. ``bridge``.
    type: str = attrs.field(validator=[_STR, _plugin_type])
    #: ``runtimeConfig``: the capability arguments; empty for ``STATUS`` and ``GC``.
    runtime_config: RuntimeConfig = attrs.field(
        factory=RuntimeConfig, validator=validators.instance_of(RuntimeConfig)
    )
    #: ``args``: optional structured arguments from the runtime (conventions
    #: namespace them under ``cni``); plugins ignore what they do not know.
    args: Mapping[str, JsonValue] = attrs.field(factory=dict, converter=_json_object, hash=False)
    #: ``ipMasq``: set up IP masquerade on the host for this network.
    ip_masq: bool = attrs.field(default=False, validator=_BOOL)
    #: ``ipam``: the delegated address management; ``None`` if there is none.
    ipam: IPAMConfig | None = attrs.field(default=None, validator=_optional(IPAMConfig))
    #: ``dns``: the network's DNS settings, if any.
    dns: DNS | None = attrs.field(default=None, validator=_optional(DNS))
    #: ``prevResult``: the previous plugin's result in an ``ADD`` chain, the
    #: final ``ADD`` result for ``CHECK`` and ``DEL``; ``None`` for the first
    #: ``ADD`` of a chain (and possibly for ``DEL``).
    prev_result: Result | None = attrs.field(default=None, validator=_optional(Result))
    #: The plugin's own keys (``bridge``, ``isGateway``, ...), by JSON name and
    #: unchanged, for the plugin to parse.
    raw: Mapping[str, JsonValue] = attrs.field(
        factory=dict,
        converter=_json_object,
        validator=_no_typed_keys(_CONFIG_KEYS),
        hash=False,
    )


# --------------------------------------------------------------------------
# Sections 2 and 3: attachment parameters
# --------------------------------------------------------------------------


@final
@attrs.frozen(kw_only=True)
class Attachment:
    """The per-attachment parameters: upstream's ``CNI_*`` environment.

    An attachment is identified by ``(container_id, ifname)``.

    Mirrors: CNI SPEC 1.1, section 2 "Parameters" and section 3 "Attachment
    Parameters".

    .. versionadded:: 0.1
    """

    #: ``CNI_CONTAINERID``: the container's ID, allocated by the runtime.
    container_id: str = attrs.field(validator=[_STR, _cni_name])
    #: ``CNI_NETNS``: the isolation domain, e.g. ``/run/netns/NAME``; may be
    #: empty for ``DEL``.
    netns: str = attrs.field(default="", validator=_STR)
    #: ``CNI_IFNAME``: the interface to create in the container.
    ifname: str = attrs.field(validator=[_STR, _ifname])
    #: ``CNI_ARGS``: the generic arguments, e.g. ``{"K8S_POD_NAME": "web-0"}``.
    args: Mapping[str, str] = attrs.field(
        factory=dict,
        converter=_str_map,
        validator=[validators.deep_mapping(_STR, _STR), _cni_args],
        hash=False,
    )
    #: ``CNI_PATH``: where upstream plugin executables are looked for.
    path: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=[_STRS, _search_path]
    )


@final
@attrs.frozen(kw_only=True)
class GCAttachment:
    """An attachment ``GC`` must keep (``cni.dev/valid-attachments``).

    Mirrors: CNI SPEC 1.1, section 2 "GC: Clean up any stale resources".

    .. versionadded:: 0.1
    """

    #: The ``CNI_CONTAINERID`` of its ``ADD``.
    container_id: str = attrs.field(validator=[_STR, _cni_name])
    #: The ``CNI_IFNAME`` of its ``ADD``.
    ifname: str = attrs.field(validator=[_STR, _ifname])


__all__ = [
    "CNI_VERSIONS",
    "CURRENT_CNI_VERSION",
    "DNS",
    "Attachment",
    "Bandwidth",
    "GCAttachment",
    "IPAMConfig",
    "IPAddress",
    "IPConfig",
    "IPInterface",
    "IPNetwork",
    "IPRange",
    "Interface",
    "JsonValue",
    "NetworkConfig",
    "NetworkConfigList",
    "PluginConfig",
    "PortMapping",
    "Result",
    "Route",
    "RuntimeConfig",
    "RuntimeDNS",
    "VersionResult",
]

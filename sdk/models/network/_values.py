"""Types, constants, converters and validators that the CNI models share.

The SPEC's values (addresses, names, versions, hardware addresses, ``CNI_ARGS``
pairs) obey rules that several models check alike, so they are written here
once. Converters accept the natural input (a string address, a list, a dict)
and store the immutable typed value; named converters, one per element type,
keep the models' ``__init__`` signatures typed for mypy. Validators raise
:class:`ValueError` or :class:`TypeError` naming the field, so that an invalid
model cannot be built.
"""

from __future__ import annotations

import ipaddress
import re
import string
import types
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeAlias, TypeVar, cast

from attrs import validators

if TYPE_CHECKING:
    from collections.abc import Callable

    import attrs

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
ADDRESS_TYPES: Final = (ipaddress.IPv4Address, ipaddress.IPv6Address)
INTERFACE_TYPES: Final = (ipaddress.IPv4Interface, ipaddress.IPv6Interface)
NETWORK_TYPES: Final = (ipaddress.IPv4Network, ipaddress.IPv6Network)
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


def to_json_object(value: Mapping[str, object]) -> Mapping[str, JsonValue]:
    if not isinstance(value, Mapping):
        msg = f"expected a mapping, not a {type(value).__name__}"
        raise TypeError(msg)
    return _freeze_object(cast("Mapping[object, object]", value), "")


def to_str_map(value: Mapping[str, str]) -> Mapping[str, str]:
    return types.MappingProxyType(dict(value))


def to_bool_map(value: Mapping[str, bool]) -> Mapping[str, bool]:
    return types.MappingProxyType(dict(value))


def to_tuple(value: Iterable[_T]) -> tuple[_T, ...]:
    if isinstance(value, str | bytes | Mapping):
        msg = f"expected a sequence, not a {type(value).__name__}"
        raise TypeError(msg)
    return tuple(value)


def to_strings(value: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(value)


def to_address(value: str | IPAddress) -> IPAddress:
    if isinstance(value, ADDRESS_TYPES):
        return value
    if isinstance(value, str):
        return ipaddress.ip_address(value)
    msg = f"expected an IP address, not a {type(value).__name__}"
    raise TypeError(msg)


def to_optional_address(value: str | IPAddress | None) -> IPAddress | None:
    return None if value is None else to_address(value)


def to_addresses(value: Iterable[str | IPAddress]) -> tuple[IPAddress, ...]:
    return tuple(to_address(item) for item in to_tuple(value))


def to_interface(value: str | IPInterface) -> IPInterface:
    if isinstance(value, INTERFACE_TYPES):
        return value
    if isinstance(value, str):
        if "/" not in value:
            msg = f"expected an address in CIDR notation, e.g. 10.1.0.5/16, not {value!r}"
            raise ValueError(msg)
        return ipaddress.ip_interface(value)
    msg = f"expected an IP address with prefix, not a {type(value).__name__}"
    raise TypeError(msg)


def to_network(value: str | IPNetwork) -> IPNetwork:
    if isinstance(value, NETWORK_TYPES):
        return value
    if isinstance(value, str):
        # strict: a network with host bits set (10.1.0.5/16) is an error.
        return ipaddress.ip_network(value)
    msg = f"expected an IP network, not a {type(value).__name__}"
    raise TypeError(msg)


def _address_or_interface(value: str | IPAddress | IPInterface) -> IPAddress | IPInterface:
    if isinstance(value, str):
        return ipaddress.ip_interface(value) if "/" in value else ipaddress.ip_address(value)
    if isinstance(value, (*ADDRESS_TYPES, *INTERFACE_TYPES)):
        return value
    msg = f"expected an IP address, with or without prefix, not a {type(value).__name__}"
    raise TypeError(msg)


def to_addresses_or_interfaces(
    value: Iterable[str | IPAddress | IPInterface],
) -> tuple[IPAddress | IPInterface, ...]:
    return tuple(_address_or_interface(item) for item in to_tuple(value))


# --------------------------------------------------------------------------
# Validators: invalid models cannot be built.
# --------------------------------------------------------------------------

# attrs validators take (instance, attribute, value); attrs.Attribute is generic
# in the field type, which these shared checks do not care about.
Attribute: TypeAlias = "attrs.Attribute[Any]"
_Validator: TypeAlias = "Callable[[Any, Attribute, _T], None]"


def fail(attribute: Attribute, problem: str) -> NoReturn:
    msg = f"{attribute.name}: {problem}"
    raise ValueError(msg)


def check_known_version(_: object, attribute: Attribute, value: str) -> None:
    if value not in CNI_VERSIONS:
        fail(attribute, f"unknown CNI version {value!r}; known: {', '.join(CNI_VERSIONS)}")


def check_version_string(_: object, attribute: Attribute, value: str) -> None:
    if not _VERSION_RE.fullmatch(value):
        fail(attribute, f"{value!r} is not a version of the form MAJOR.MINOR.PATCH")


def check_cni_name(_: object, attribute: Attribute, value: str) -> None:
    if not _NAME_RE.fullmatch(value):
        fail(
            attribute,
            f"{value!r} must start with a letter or digit, followed by letters, digits, "
            "'_', '.' or '-'",
        )


def check_ifname(_: object, attribute: Attribute, value: str) -> None:
    if not value:
        fail(attribute, "interface name is empty")
    elif len(value.encode()) > _IFNAME_MAX_BYTES:
        fail(attribute, f"interface name {value!r} is longer than {_IFNAME_MAX_BYTES} bytes")
    elif value in {".", ".."}:
        fail(attribute, f"interface name may not be {value!r}")
    elif any(char in "/:" or char.isspace() for char in value):
        fail(attribute, f"interface name {value!r} contains '/', ':' or whitespace")


def check_plugin_type(_: object, attribute: Attribute, value: str) -> None:
    # SPEC section 1: "Must not contain characters disallowed in file paths".
    if not value or value in {".", ".."} or any(char in "/\\\0" for char in value):
        fail(attribute, f"{value!r} is not a plugin executable name")


def check_non_empty(_: object, attribute: Attribute, value: str) -> None:
    if not value:
        fail(attribute, "must not be empty")


def check_hardware_address(_: object, attribute: Attribute, value: str) -> None:
    if not value:
        return
    for separator in ":-":
        octets = value.split(separator)
        if len(octets) in _HARDWARE_ADDRESS_OCTETS and all(
            len(octet) == _OCTET_DIGITS and all(char in string.hexdigits for char in octet)
            for octet in octets
        ):
            return
    fail(attribute, f"{value!r} is not a hardware address like c2:11:22:33:44:55")


def check_absolute_path(_: object, attribute: Attribute, value: str) -> None:
    if value and not value.startswith("/"):
        fail(attribute, f"{value!r} is not an absolute path")


def check_cni_args(_: object, attribute: Attribute, value: Mapping[str, str]) -> None:
    # CNI_ARGS is "FOO=BAR;ABC=123": neither keys nor values can hold '=' or ';'.
    for key, item in value.items():
        if not key or any(char in "=;" for char in key) or any(char in "=;" for char in item):
            fail(attribute, f"{key!r}={item!r} cannot be written as a CNI_ARGS pair")


def check_search_path(_: object, attribute: Attribute, value: tuple[str, ...]) -> None:
    for entry in value:
        if not entry or ":" in entry:
            fail(attribute, f"{entry!r} is not a CNI_PATH directory")


def no_typed_keys(keys: frozenset[str]) -> _Validator[Mapping[str, object]]:
    def check(_: object, attribute: Attribute, value: Mapping[str, object]) -> None:
        typed = sorted(keys.intersection(value))
        if typed:
            fail(attribute, f"keys {typed} have typed fields and may not appear here")

    return check


def check_same_family(
    attribute: Attribute, anchor: IPInterface | IPNetwork, value: IPAddress
) -> None:
    if anchor.version != value.version:
        fail(attribute, f"{value} and {anchor} are not of the same IP version")


STR: Final = validators.instance_of(str)
BOOL: Final = validators.instance_of(bool)
UINT32: Final = [validators.instance_of(int), validators.ge(0), validators.le(_UINT32_MAX)]
UINT64: Final = [validators.instance_of(int), validators.ge(0), validators.le(_UINT64_MAX)]
STRS: Final = validators.deep_iterable(STR)
ADDRESSES: Final = validators.deep_iterable(validators.instance_of(ADDRESS_TYPES))


def instances_of(cls: type[object]) -> _Validator[tuple[object, ...]]:
    return validators.deep_iterable(validators.instance_of(cls))


def optional_instance_of(cls: type[object]) -> _Validator[object]:
    return validators.optional(validators.instance_of(cls))


__all__ = [
    "ADDRESSES",
    "ADDRESS_TYPES",
    "BOOL",
    "CNI_VERSIONS",
    "CURRENT_CNI_VERSION",
    "INTERFACE_TYPES",
    "NETWORK_TYPES",
    "STR",
    "STRS",
    "UINT32",
    "UINT64",
    "Attribute",
    "IPAddress",
    "IPInterface",
    "IPNetwork",
    "JsonValue",
    "check_absolute_path",
    "check_cni_args",
    "check_cni_name",
    "check_hardware_address",
    "check_ifname",
    "check_known_version",
    "check_non_empty",
    "check_plugin_type",
    "check_same_family",
    "check_search_path",
    "check_version_string",
    "fail",
    "instances_of",
    "no_typed_keys",
    "optional_instance_of",
    "to_addresses",
    "to_addresses_or_interfaces",
    "to_bool_map",
    "to_interface",
    "to_json_object",
    "to_network",
    "to_optional_address",
    "to_str_map",
    "to_strings",
    "to_tuple",
]

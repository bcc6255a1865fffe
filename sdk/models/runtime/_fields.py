"""Converters and validators shared by the CRI models.

Protobuf gives every scalar a range and every repeated field a list; the
models turn lists into tuples and maps into read-only mappings, and check the
ranges, so that an invalid model cannot exist. Named converters (rather than
``converter=tuple``) keep the ``__init__`` signatures typed for mypy, and
refuse a bare ``str`` where a list of strings is meant (``command="sh"``
would otherwise become ``("s", "h")``).

Type mistakes raise :class:`TypeError` (a programmer's error); values out of
range raise :class:`podkit.errors.InvalidArgumentError`, which is also a
:class:`ValueError`, so that the CRI server answers ``INVALID_ARGUMENT``.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar, final

import attrs

from podkit.errors import InvalidArgumentError

if TYPE_CHECKING:
    from collections.abc import Callable

_T = TypeVar("_T")


def where(instance: object, attribute: attrs.Attribute[Any]) -> str:
    """Name a field for an error message, e.g. ``PortMapping.host_port``."""
    return f"{type(instance).__name__}.{attribute.name}"


@final
@attrs.frozen
class _IntIn:
    """Validate an ``int`` (not a ``bool``) within ``[low, high]``."""

    low: int
    high: int

    def __call__(self, instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            msg = f"{where(instance, attribute)} must be an int, not {type(value).__name__}"
            raise TypeError(msg)
        if not self.low <= value <= self.high:
            msg = (
                f"invalid {where(instance, attribute)} {value}: "
                f"must be within {self.low}..{self.high}"
            )
            raise InvalidArgumentError(msg)


def int_in(low: int, high: int) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """Validate an ``int`` within ``[low, high]``, for ranges narrower than protobuf's."""
    return _IntIn(low, high)


#: protobuf ``int64``.
int64: Final = _IntIn(-(2**63), 2**63 - 1)
#: protobuf ``uint64``.
uint64: Final = _IntIn(0, 2**64 - 1)
#: protobuf ``int32``.
int32: Final = _IntIn(-(2**31), 2**31 - 1)
#: protobuf ``uint32``.
uint32: Final = _IntIn(0, 2**32 - 1)
#: An ``int64`` that cannot be negative: timestamps in nanoseconds, sizes, counts.
non_negative: Final = _IntIn(0, 2**63 - 1)
#: A TCP/UDP/SCTP port number, 0 meaning "not specified".
port: Final = _IntIn(0, 2**16 - 1)
#: A Linux UID or GID (32 bits, though CRI carries them in ``int64``).
linux_id: Final = _IntIn(0, 2**32 - 1)
#: An optional UID or GID (CRI ``Int64Value``).
optional_linux_id: Final = attrs.validators.optional(linux_id)
#: ``Int64Value``: ``None`` when the wrapper is unset.
optional_int64: Final = attrs.validators.optional(int64)
#: ``UInt64Value``: ``None`` when the wrapper is unset.
optional_uint64: Final = attrs.validators.optional(uint64)

string: Final = attrs.validators.instance_of(str)
boolean: Final = attrs.validators.instance_of(bool)
floating: Final = attrs.validators.instance_of((int, float))


def non_empty(instance: object, attribute: attrs.Attribute[Any], value: str) -> None:
    """Validate a string that must not be empty (an id, a path)."""
    if not value:
        msg = f"{where(instance, attribute)} must not be empty"
        raise InvalidArgumentError(msg)


def freeze(value: Iterable[_T]) -> tuple[_T, ...]:
    """Turn a list into a tuple; refuse a string or a mapping posing as one."""
    if isinstance(value, str | bytes | bytearray | Mapping):
        msg = f"expected a list, not {type(value).__name__}: {value!r}"
        raise TypeError(msg)
    return tuple(value)


def strings(value: Iterable[str]) -> tuple[str, ...]:
    """Convert a protobuf ``repeated string``."""
    return freeze(value)


def ints(value: Iterable[int]) -> tuple[int, ...]:
    """Convert a protobuf ``repeated int64``."""
    return freeze(value)


def string_map(value: Mapping[str, str]) -> Mapping[str, str]:
    """Convert a protobuf ``map<string, string>`` into a read-only copy."""
    if not isinstance(value, Mapping):
        msg = f"expected a mapping, not {type(value).__name__}: {value!r}"
        raise TypeError(msg)
    return types.MappingProxyType(dict(value))


def tuple_of(member: type | tuple[type, ...]) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """Validate a tuple whose members are all instances of ``member``."""
    return attrs.validators.deep_iterable(
        member_validator=attrs.validators.instance_of(member),
        iterable_validator=attrs.validators.instance_of(tuple),
    )


#: Validate a ``tuple[str, ...]``.
string_tuple: Final = tuple_of(str)
#: Validate a ``tuple[int, ...]`` of UIDs or GIDs.
linux_ids: Final = attrs.validators.deep_iterable(
    member_validator=linux_id, iterable_validator=attrs.validators.instance_of(tuple)
)
#: Validate a ``Mapping[str, str]``.
string_mapping: Final = attrs.validators.deep_mapping(
    key_validator=attrs.validators.instance_of(str),
    value_validator=attrs.validators.instance_of(str),
)


def _map_repr(value: Mapping[str, str]) -> str:
    return repr(dict(value))


def string_map_field() -> Mapping[str, str]:
    """Declare a ``map<string, string>`` field: empty by default, read-only.

    Maps are left out of ``__hash__`` (a read-only mapping cannot be hashed)
    but not out of ``==``; equal models still hash equal.
    """
    field: Mapping[str, str] = attrs.field(
        factory=dict,
        converter=string_map,
        validator=string_mapping,
        hash=False,
        repr=_map_repr,
    )
    return field


def instance_of(cls: type[_T]) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """Validate an instance of ``cls`` (a model or an enum)."""
    return attrs.validators.instance_of(cls)


def optional_instance_of(cls: type[_T]) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """Validate ``None`` or an instance of ``cls`` (an optional message)."""
    return attrs.validators.optional(attrs.validators.instance_of(cls))


__all__ = [
    "boolean",
    "floating",
    "freeze",
    "instance_of",
    "int32",
    "int64",
    "int_in",
    "ints",
    "linux_id",
    "linux_ids",
    "non_empty",
    "non_negative",
    "optional_instance_of",
    "optional_int64",
    "optional_linux_id",
    "optional_uint64",
    "port",
    "string",
    "string_map",
    "string_map_field",
    "string_mapping",
    "string_tuple",
    "strings",
    "tuple_of",
    "uint32",
    "uint64",
    "where",
]

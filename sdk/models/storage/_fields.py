"""Converters and validators that the CSI models share.

``repeated`` fields become tuples and ``map`` fields read-only mappings; a
required id or name may not be empty. Type mistakes raise :class:`TypeError`,
breaches of the spec's rules :class:`podkit.errors.InvalidArgumentError`, which
the wire adapters answer with gRPC ``INVALID_ARGUMENT``.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Final, TypeVar

from attrs import validators as v

from podkit.errors import InvalidArgumentError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sized

    import attrs

_T = TypeVar("_T")

# Converters are named and typed one per element type: mypy's attrs plugin
# loses the element type of a generic converter such as ``tuple``.


def to_tuple(value: Iterable[_T]) -> tuple[_T, ...]:
    if isinstance(value, str):  # a str is iterable, and almost always a mistake
        msg = f"expected a sequence, got the string {value!r}"
        raise TypeError(msg)
    return tuple(value)


def to_strings(value: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(value)


def to_frozen_map(value: Mapping[str, str]) -> Mapping[str, str]:
    return types.MappingProxyType(dict(value))


def hidden(value: Sized) -> str:
    return f"<{len(value)} hidden>"


def check_required(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value:
        msg = f"{attribute.name} is required and must not be empty"
        raise InvalidArgumentError(msg)


def max_utf8(limit: int) -> Callable[[object, attrs.Attribute[str], str], None]:
    def check(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
        if len(value.encode()) > limit:
            msg = f"{attribute.name} must be at most {limit} bytes, got {value!r}"
            raise InvalidArgumentError(msg)

    return check


STR: Final = v.instance_of(str)
BOOL: Final = v.instance_of(bool)
INT: Final = v.instance_of(int)
NON_NEGATIVE: Final = v.and_(INT, v.ge(0))
MAP: Final = v.deep_mapping(key_validator=STR, value_validator=STR)
REQUIRED_STR: Final = v.and_(STR, check_required)


__all__ = [
    "BOOL",
    "INT",
    "MAP",
    "NON_NEGATIVE",
    "REQUIRED_STR",
    "STR",
    "check_required",
    "hidden",
    "max_utf8",
    "to_frozen_map",
    "to_strings",
    "to_tuple",
]

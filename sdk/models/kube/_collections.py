"""Converters that make the lists and maps of a model immutable.

Every list field of the Kubernetes models holds a tuple, and every map field a
:class:`types.MappingProxyType` over a private copy of the dict it was given,
so a frozen model cannot change under its holder. Named converters, one per
item type (rather than ``converter=tuple``), keep the ``__init__`` signatures
typed for mypy's attrs plugin, which takes a converter's argument type as the
parameter type; :func:`freeze` refuses a bare string where a list is meant
(``command="sh"`` would otherwise become ``("s", "h")``).
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from podkit.models.kube._quantity import Quantity


_T = TypeVar("_T")


def freeze(value: Iterable[_T]) -> tuple[_T, ...]:
    """Make a tuple of the items of a list; a string or bytes is not a list."""
    if isinstance(value, str | bytes):
        msg = f"expected a list, not {type(value).__name__} {value!r}"
        raise TypeError(msg)
    return tuple(value)


def strings(value: Iterable[str]) -> tuple[str, ...]:
    """Freeze a list of strings."""
    return freeze(value)


def ints(value: Iterable[int]) -> tuple[int, ...]:
    """Freeze a list of integers."""
    return freeze(value)


def str_map(value: Mapping[str, str]) -> Mapping[str, str]:
    """Freeze a map of strings (labels, annotations, ConfigMap data)."""
    return types.MappingProxyType(dict(value))


def bytes_map(value: Mapping[str, bytes]) -> Mapping[str, bytes]:
    """Freeze a map of bytes (Secret data, ConfigMap binary data)."""
    return types.MappingProxyType(dict(value))


def quantity_map(value: Mapping[str, Quantity]) -> Mapping[str, Quantity]:
    """Freeze a map of quantities (resource requests and limits)."""
    return types.MappingProxyType(dict(value))


__all__ = ["bytes_map", "freeze", "ints", "quantity_map", "str_map", "strings"]

"""Typed reads of a plugin's own configuration keys (``config.raw``).

The models leave each plugin's keys (``bridge``, ``isGateway``, ``ranges``...)
as frozen JSON, for the plugin to parse and validate before it changes
anything (the CNI bridge plugin's ``loadNetConf``). These readers check one
key's type and name it, with its path, in the error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, TypeVar

import podkit

if TYPE_CHECKING:
    from podkit.models.network import JsonValue

_T = TypeVar("_T")
_TYPE_NAMES: Final = {bool: "a boolean", int: "an integer", str: "a string"}


def invalid(plugin: str, path: str, problem: str) -> podkit.InvalidArgumentError:
    """Return the error for an invalid key, naming the plugin and the key's path."""
    return podkit.InvalidArgumentError(f"invalid {plugin} configuration: {path}: {problem}")


def read(  # noqa: PLR0913 - key, type, default, and where for errors
    raw: Mapping[str, JsonValue], key: str, kind: type[_T], default: _T, *, plugin: str, path: str
) -> _T:
    """Return ``raw[key]`` checked to be of ``kind``, or ``default`` when absent or null."""
    value = raw.get(key)
    if value is None:
        return default
    # bool is an int in Python, not in JSON.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        name = _TYPE_NAMES.get(kind, kind.__name__)
        raise invalid(plugin, f"{path}{key}", f"must be {name}, not {value!r}")
    return value


def read_list(
    raw: Mapping[str, JsonValue], key: str, *, plugin: str, path: str
) -> tuple[JsonValue, ...]:
    """Return ``raw[key]`` checked to be a JSON array, or ``()`` when absent."""
    value = raw.get(key)
    if value is None:
        return ()
    if not isinstance(value, tuple):
        raise invalid(plugin, f"{path}{key}", f"must be a list, not {value!r}")
    return value


def as_object(value: JsonValue, *, plugin: str, path: str) -> Mapping[str, JsonValue]:
    """Return ``value`` checked to be a JSON object."""
    if not isinstance(value, Mapping):
        raise invalid(plugin, path, f"must be an object, not {value!r}")
    return value


__all__ = ["as_object", "invalid", "read", "read_list"]

"""Turn the CRI models into JSON and back, to keep configurations on disk.

The plugin must answer statuses with the labels, annotations, metadata and
configuration it was given even after a restart, so it stores the
:class:`~podkit.models.runtime.PodSandboxConfig` and
:class:`~podkit.models.runtime.ContainerConfig` it received. The models are
attrs classes with typed fields; this walks the type hints instead of
hand-writing one converter per class.
"""

from __future__ import annotations

import base64
import enum
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar, cast

import attrs

_T = TypeVar("_T")
# Names the models import only under TYPE_CHECKING, for get_type_hints().
_HINT_NAMES: dict[str, Any] = {"Mapping": Mapping}


_SCALARS: frozenset[type] = frozenset({str, int, bool, float, type(None)})
#: A model class to its field names (attrs.has and attrs.fields are slow per value).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    names = _FIELD_NAMES.get(cls)
    if names is None and attrs.has(cls):
        names = _FIELD_NAMES.setdefault(cls, tuple(f.name for f in attrs.fields(cls)))
    return names


def to_json(value: object) -> Any:  # noqa: ANN401, PLR0911 - any JSON value; one case per kind
    """Turn a model (or any value a model field holds) into JSON-ready data."""
    cls = type(value)
    if cls in _SCALARS:  # most values: a CreateContainer writes ~70 of them
        return value
    names = _field_names(cls)
    if names is not None:
        return {name: to_json(getattr(value, name)) for name in names}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    return value


def from_json(cls: type[_T], data: Any) -> _T:  # noqa: ANN401 - any JSON value
    """Rebuild a model of class ``cls`` from what :func:`to_json` gave."""
    return cast("_T", _convert(cls, data))


def _convert(hint: Any, data: Any) -> Any:  # noqa: ANN401, PLR0911 - one case per kind
    origin = typing.get_origin(hint)
    if origin in {typing.Union, types.UnionType}:
        if data is None:
            return None
        members = [a for a in typing.get_args(hint) if a is not type(None)]
        return _convert(members[0], data)
    if origin is tuple:
        member = typing.get_args(hint)[0]
        return tuple(_convert(member, item) for item in data)
    if origin is not None and issubclass(origin, Mapping):
        return dict(data)
    if isinstance(hint, type) and attrs.has(hint):
        hints = typing.get_type_hints(hint, localns=_HINT_NAMES)
        fields = {f.name for f in attrs.fields(hint)}
        kwargs = {name: _convert(hints[name], v) for name, v in data.items() if name in fields}
        return hint(**kwargs)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(data)
    if hint is bytes:
        return base64.b64decode(data)
    return data


__all__ = ["from_json", "to_json"]

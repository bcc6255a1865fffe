"""Kubernetes objects as JSON values and back, for the node's state on disk.

The node keeps the Pods, Secrets and ConfigMaps it was given (:mod:`._store`)
so that a node restarted after kill -9 knows them again. The models of
:mod:`podkit.models.kube` are attrs classes; this codec writes each one as a
JSON object tagged with its class name (``{"$": "Pod", ...}``), enums as
``{"$enum": "PullPolicy", "value": ...}``, bytes as base64 and decimals as
strings, and reads it back through the classes' own constructors (so their
validators run again). Only classes of :mod:`podkit.models.kube` are read.
"""

from __future__ import annotations

import base64
import decimal
import enum
from collections.abc import Mapping
from typing import Final

import attrs

import podkit.models.kube as kube_models
from podkit.errors import InternalError

_TYPE: Final = "$"
_ENUM: Final = "$enum"
_BYTES: Final = "$bytes"
_DECIMAL: Final = "$decimal"
_MAP: Final = "$map"

JSON = object


def encode(value: object) -> JSON:  # noqa: PLR0911 - one return per kind of value
    """``value`` (a kube model, or a field of one) as a JSON value."""
    if isinstance(value, enum.Enum):
        return {_ENUM: type(value).__name__, "value": value.value}
    cls = type(value)
    if attrs.has(cls):
        fields = attrs.fields(cls)
        body: dict[str, JSON] = {_TYPE: cls.__name__}
        body.update({f.alias: encode(getattr(value, f.name)) for f in fields if f.init})
        return body
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode()}
    if isinstance(value, decimal.Decimal):
        return {_DECIMAL: str(value)}
    if isinstance(value, Mapping):
        return {_MAP: [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if value is None or isinstance(value, str | int | float):
        return value
    msg = f"cannot keep a {type(value).__name__} in the node's state"
    raise InternalError(msg)


def _model(name: object) -> type:
    cls = getattr(kube_models, str(name), None)
    if not isinstance(cls, type):
        msg = f"the node's state names an unknown model {name!r}"
        raise InternalError(msg)
    return cls


def decode(value: JSON) -> object:  # noqa: PLR0911 - one return per kind of value
    """What :func:`encode` wrote, as models again.

    :raises podkit.errors.InternalError: the value names an unknown model.
    """
    if isinstance(value, list):
        return tuple(decode(item) for item in value)
    if not isinstance(value, dict):
        return value
    if _TYPE in value:
        cls = _model(value[_TYPE])
        return cls(**{k: decode(v) for k, v in value.items() if k != _TYPE})
    if _ENUM in value:
        return _model(value[_ENUM])(value["value"])
    if _BYTES in value:
        return base64.b64decode(value[_BYTES])
    if _DECIMAL in value:
        return decimal.Decimal(value[_DECIMAL])
    if _MAP in value:
        return {decode(k): decode(v) for k, v in value[_MAP]}
    msg = f"the node's state holds an untagged object: {sorted(value)}"
    raise InternalError(msg)


__all__ = ["decode", "encode"]

"""Models to runtime.v1 messages and back, by the field names they share.

The models of :mod:`podkit.models.runtime` are the CRI messages field for
field, named alike (``snake_case``; the proto's ``uidMappings``,
``CDI_devices`` or ``Avg10`` match when case and underscores are ignored),
so one walk over a model's attrs fields converts a whole tree either way.
What the walk knows of the wire comes from the message descriptors:

* a model class or enum has the name of its message or enum
  (``SecurityProfile.ProfileType`` is :class:`ProfileType`); enum members
  are matched by name, which is each member's value;
* ``Int64Value`` / ``UInt64Value`` are ``int | None``, and
  ``PodSandboxStateValue`` / ``ContainerStateValue`` an enum ``| None``;
* an unset message becomes the model field's default: ``None`` for optional
  messages, an empty instance for those whose absence means "all defaults",
  and an error naming the field for required ones (``metadata``...);
* a negative ``created_at``/``started_at``/``finished_at`` (Go's zero
  time, as containerd reports what never happened) is read as 0, unset;
* ``KeyValue.value`` is ``bytes`` on the wire (cri-api 1.37) and a ``str``
  in the model, surrogate-escaped as in :data:`os.environ`;
* proto fields the models leave out (Windows, deprecated strings) are
  ignored, and so are model fields CRI lacks (``Namespace.network_path``).

A request that the models refuse raises
:class:`~podkit.errors.InvalidArgumentError` naming the field path
(``config.port_mappings[0]``), which the server answers with
``INVALID_ARGUMENT``.
"""

from __future__ import annotations

import enum
import functools
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

import attrs

from podkit.errors import InvalidArgumentError
from podkit.models import runtime as models
from podkit.wire.cri._proto import FieldDescriptor
from podkit.wire.cri._proto import api_pb2 as pb

if TYPE_CHECKING:
    from podkit.wire.cri._proto import Descriptor, Message

_T = TypeVar("_T")
_M = TypeVar("_M")

#: The model classes and enums, by the name of their message or enum.
_MODELS: Final[dict[str, type]] = {
    name: cls
    for name in models.__all__
    if isinstance(cls := getattr(models, name), type) and attrs.has(cls)
}
_ENUMS: Final[dict[str, type[enum.Enum]]] = {
    name: cls
    for name in models.__all__
    if isinstance(cls := getattr(models, name), type) and issubclass(cls, enum.Enum)
}
#: Times in nanoseconds since the epoch. containerd sends Go's zero
#: ``time.Time`` for what never happened (a sandbox whose network setup
#: failed was never "created"): ``UnixNano()`` of year 1, a large negative
#: number, which is read as unset (0).
_TIMESTAMPS: Final = frozenset({"created_at", "started_at", "finished_at"})
#: Wrappers of one scalar, ``None`` when unset.
_VALUE_WRAPPERS: Final = frozenset({"Int64Value", "UInt64Value"})
#: Wrappers of one state, ``None`` (any state) when unset.
_STATE_WRAPPERS: Final = frozenset({"PodSandboxStateValue", "ContainerStateValue"})


def _key(name: str) -> str:
    return name.replace("_", "").lower()


@functools.cache
def _fields_of(descriptor: Descriptor) -> dict[str, FieldDescriptor]:
    return {_key(f.name): f for f in descriptor.fields}


def _is_map(field: FieldDescriptor) -> bool:
    return field.message_type is not None and bool(field.message_type.GetOptions().map_entry)


# -- protobuf to model ------------------------------------------------------------------


def _enum_member(field: FieldDescriptor, number: int, path: str) -> enum.Enum:
    value = field.enum_type.values_by_number.get(number)
    if value is None:
        msg = f"invalid {path}: unknown {field.enum_type.name} value {number}"
        raise InvalidArgumentError(msg)
    return _ENUMS[field.enum_type.name](value.name)


def _scalar_from(
    field: FieldDescriptor,
    value: Any,  # noqa: ANN401 - any scalar
    attribute: attrs.Attribute[Any],
    path: str,
) -> Any:  # noqa: ANN401 - any scalar
    if field.name in _TIMESTAMPS and isinstance(value, int) and value < 0:
        return 0  # Go's zero time.Time in nanoseconds: never happened, as unset
    if field.enum_type is not None:
        return _enum_member(field, value, path)
    if field.type == FieldDescriptor.TYPE_BYTES and isinstance(attribute.default, str):
        return bytes(value).decode("utf-8", "surrogateescape")
    return value


def _message_from(field: FieldDescriptor, value: Message, path: str) -> Any:  # noqa: ANN401 - a model, an int or an enum
    name = field.message_type.name
    if name in _VALUE_WRAPPERS:
        return value.value
    if name in _STATE_WRAPPERS:
        return _enum_member(value.DESCRIPTOR.fields_by_name["state"], value.state, path)
    return from_cri(_MODELS[name], value, path)


def _value_from(
    message: Message, field: FieldDescriptor, attribute: attrs.Attribute[Any], path: str
) -> Any:  # noqa: ANN401 - whatever the model field holds
    value = getattr(message, field.name)
    if _is_map(field):
        return dict(value)
    if field.is_repeated:
        if field.message_type is not None:
            return tuple(
                _message_from(field, item, f"{path}[{index}]") for index, item in enumerate(value)
            )
        return tuple(_scalar_from(field, item, attribute, path) for item in value)
    if field.message_type is not None:
        return _message_from(field, value, path)
    return _scalar_from(field, value, attribute, path)


def from_cri(cls: type[_T], message: Message, path: str = "") -> _T:
    """The model ``cls`` of ``message``.

    :param path: where ``message`` is in the request, for error messages.
    :raises podkit.errors.InvalidArgumentError: a required message is unset,
        or a value is invalid; the message names the field's path.
    """
    fields = _fields_of(message.DESCRIPTOR)
    kwargs: dict[str, Any] = {}
    for attribute in attrs.fields(cls):  # type: ignore[arg-type]
        field = fields.get(_key(attribute.name))
        if field is None:
            continue
        where = f"{path}.{field.name}" if path else field.name
        singular_message = field.message_type is not None and not field.is_repeated
        if singular_message and not message.HasField(field.name):
            if attribute.default is attrs.NOTHING:
                msg = f"missing required field {where}"
                raise InvalidArgumentError(msg)
            continue
        kwargs[attribute.name] = _value_from(message, field, attribute, where)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        msg = f"invalid {path or message.DESCRIPTOR.name}: {exc}"
        raise InvalidArgumentError(msg) from exc


def optional_from_cri(cls: type[_T], message: Message, name: str, path: str = "") -> _T | None:
    """The model of the message field ``name``, or ``None`` when it is unset."""
    if not message.HasField(name):
        return None
    return from_cri(cls, getattr(message, name), f"{path}.{name}" if path else name)


def required_from_cri(cls: type[_T], message: Message, name: str) -> _T:
    """The model of the message field ``name``; an error naming it when unset."""
    if not message.HasField(name):
        msg = f"missing required field {name}"
        raise InvalidArgumentError(msg)
    return from_cri(cls, getattr(message, name), name)


# -- model to protobuf ------------------------------------------------------------------


def _scalar_to(field: FieldDescriptor, value: Any) -> Any:  # noqa: ANN401 - any scalar
    if isinstance(value, enum.Enum):
        return field.enum_type.values_by_name[value.value].number
    if field.type == FieldDescriptor.TYPE_BYTES and isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return value


def _message_to(field: FieldDescriptor, value: Any, target: Message) -> None:  # noqa: ANN401 - a model, an int or an enum
    target.SetInParent()
    name = field.message_type.name
    if name in _VALUE_WRAPPERS:
        target.value = value
    elif name in _STATE_WRAPPERS:
        target.state = _scalar_to(target.DESCRIPTOR.fields_by_name["state"], value)
    else:
        to_cri(value, target)


def to_cri(model: attrs.AttrsInstance, message: Message | None = None) -> Message:
    """The runtime.v1 message of ``model``, written into ``message`` when given."""
    if message is None:
        message = getattr(pb, type(model).__name__)()
    fields = _fields_of(message.DESCRIPTOR)
    for attribute in attrs.fields(type(model)):
        field = fields.get(_key(attribute.name))
        value = getattr(model, attribute.name)
        if field is None or value is None:
            continue
        target = getattr(message, field.name)
        if _is_map(field):
            target.update(value)
        elif field.is_repeated and field.message_type is not None:
            for item in value:
                _message_to(field, item, target.add())
        elif field.is_repeated:
            target.extend(_scalar_to(field, item) for item in value)
        elif field.message_type is not None:
            _message_to(field, value, target)
        else:
            setattr(message, field.name, _scalar_to(field, value))
    return message


def to_cri_as(cls: type[_M], model: attrs.AttrsInstance) -> _M:
    """The runtime.v1 message ``cls`` of ``model``, typed as ``cls`` for the checker."""
    return cast("_M", to_cri(model, cls()))


__all__ = ["from_cri", "optional_from_cri", "required_from_cri", "to_cri", "to_cri_as"]

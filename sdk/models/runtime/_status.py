"""What the CRI RuntimeService says about the runtime itself: version, status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.models.runtime import _fields

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

#: The condition type of a runtime that can run containers on the node's
#: network (a required condition: the node is not ready without it).
RUNTIME_READY: Final = "RuntimeReady"
#: The condition type of a runtime whose pod network is ready (required).
NETWORK_READY: Final = "NetworkReady"


@final
@attrs.frozen(kw_only=True)
class VersionResponse:
    """Who the runtime is and which API it speaks (CRI ``VersionResponse``)."""

    #: The version of the kubelet's runtime API (containerd answers ``0.1.0``).
    version: str = attrs.field(default="", validator=_fields.string)
    #: E.g. ``podkit`` or ``containerd``.
    runtime_name: str = attrs.field(default="", validator=_fields.string)
    #: The runtime's own version, semver.
    runtime_version: str = attrs.field(default="", validator=_fields.string)
    #: The CRI version the runtime implements, e.g. ``v1``.
    runtime_api_version: str = attrs.field(default="", validator=_fields.string)


@final
@attrs.frozen(kw_only=True)
class RuntimeCondition:
    """One condition of the runtime (CRI ``RuntimeCondition``)."""

    #: :data:`RUNTIME_READY`, :data:`NETWORK_READY`, or any other
    #: (informative only) type.
    type: str = attrs.field(validator=[_fields.string, _fields.non_empty])
    #: Whether the condition holds.
    status: bool = attrs.field(default=False, validator=_fields.boolean)
    #: CamelCase, why it last changed.
    reason: str = attrs.field(default="", validator=_fields.string)
    #: Human-readable detail of :attr:`reason`.
    message: str = attrs.field(default="", validator=_fields.string)


def _conditions(value: Iterable[RuntimeCondition]) -> tuple[RuntimeCondition, ...]:
    return _fields.freeze(value)


@final
@attrs.frozen(kw_only=True)
class RuntimeStatus:
    """The runtime's conditions (CRI ``RuntimeStatus``)."""

    conditions: tuple[RuntimeCondition, ...] = attrs.field(
        default=(), converter=_conditions, validator=_fields.tuple_of(RuntimeCondition)
    )


@final
@attrs.frozen(kw_only=True)
class RuntimeHandlerFeatures:
    """What one runtime handler supports (CRI ``RuntimeHandlerFeatures``)."""

    #: Recursive read-only mounts (Linux >= 5.12, ``mount_setattr``).
    recursive_read_only_mounts: bool = attrs.field(default=False, validator=_fields.boolean)
    #: User namespaces with idmapped mounts, as Kubernetes uses them.
    user_namespaces: bool = attrs.field(default=False, validator=_fields.boolean)


@final
@attrs.frozen(kw_only=True)
class RuntimeHandler:
    """A runtime handler and its features (CRI ``RuntimeHandler``)."""

    #: Empty for the default handler.
    name: str = attrs.field(default="", validator=_fields.string)
    features: RuntimeHandlerFeatures | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(RuntimeHandlerFeatures)
    )


@final
@attrs.frozen(kw_only=True)
class RuntimeFeatures:
    """What the runtime supports whatever the handler (CRI ``RuntimeFeatures``)."""

    #: ``SupplementalGroupsPolicy`` and :class:`ContainerUser`.
    supplemental_groups_policy: bool = attrs.field(default=False, validator=_fields.boolean)
    #: Pods with both the node's network and a user namespace.
    user_namespaces_host_network: bool = attrs.field(default=False, validator=_fields.boolean)
    #: :attr:`Mount.mount_options`.
    mount_options: bool = attrs.field(default=False, validator=_fields.boolean)


def _handlers(value: Iterable[RuntimeHandler]) -> tuple[RuntimeHandler, ...]:
    return _fields.freeze(value)


@final
@attrs.frozen(kw_only=True)
class StatusResponse:
    """The answer to ``Status`` (CRI ``StatusResponse``)."""

    status: RuntimeStatus = attrs.field(
        factory=RuntimeStatus, validator=_fields.instance_of(RuntimeStatus)
    )
    #: Debug information, values in JSON; only when asked to be verbose.
    info: Mapping[str, str] = _fields.string_map_field()
    runtime_handlers: tuple[RuntimeHandler, ...] = attrs.field(
        default=(), converter=_handlers, validator=_fields.tuple_of(RuntimeHandler)
    )
    features: RuntimeFeatures | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(RuntimeFeatures)
    )


__all__ = [
    "NETWORK_READY",
    "RUNTIME_READY",
    "RuntimeCondition",
    "RuntimeFeatures",
    "RuntimeHandler",
    "RuntimeHandlerFeatures",
    "RuntimeStatus",
    "StatusResponse",
    "VersionResponse",
]

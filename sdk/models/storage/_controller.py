"""The Controller service: volumes as the controller provisions and reports them.

The responses of ``CreateVolume`` (:class:`Volume`),
``ValidateVolumeCapabilities``, ``ListVolumes``, ``ControllerGetVolume``,
``GetCapacity`` and ``ControllerExpandVolume``, and the
:class:`ControllerServiceCapability` members. Snapshots, also served by the
Controller service, have their own module.
"""

from __future__ import annotations

import enum

# typing.get_type_hints() resolves the field annotations in this module's
# namespace, ``Mapping`` included.
from collections.abc import Mapping  # noqa: TC003
from typing import TYPE_CHECKING, final

import attrs
from attrs import validators as v

from podkit.models.storage._common import (
    SnapshotSource,
    Topology,
    VolumeCapability,
    VolumeCondition,
    VolumeContentSource,
    VolumeSource,
    to_topologies,
)
from podkit.models.storage._fields import (
    BOOL,
    MAP,
    NON_NEGATIVE,
    REQUIRED_STR,
    STR,
    to_frozen_map,
    to_strings,
    to_tuple,
)

if TYPE_CHECKING:
    from collections.abc import Iterable


def _capabilities(value: Iterable[VolumeCapability]) -> tuple[VolumeCapability, ...]:
    return to_tuple(value)


def _volume_entries(value: Iterable[ListVolumesEntry]) -> tuple[ListVolumesEntry, ...]:
    return to_tuple(value)


@final
@attrs.frozen(kw_only=True)
class Volume:
    """A provisioned volume, as the controller reports it.

    .. versionadded:: 0.1
    """

    #: The capacity in bytes; 0 means unknown (e.g. an NFS share).
    capacity_bytes: int = attrs.field(default=0, validator=NON_NEGATIVE)
    #: The plugin's identifier for the volume, used in every later call.
    volume_id: str = attrs.field(validator=REQUIRED_STR)
    #: Opaque, immutable properties the caller passes back to validation and
    #: publishing calls; not for secrets.
    volume_context: Mapping[str, str] = attrs.field(
        factory=dict, converter=to_frozen_map, validator=MAP
    )
    #: What the volume was pre-populated from, if anything.
    content_source: VolumeContentSource | None = attrs.field(
        default=None, validator=v.optional(v.instance_of((SnapshotSource, VolumeSource)))
    )
    #: Where the volume is accessible from; empty means from every node.
    accessible_topology: tuple[Topology, ...] = attrs.field(
        default=(), converter=to_topologies, validator=v.deep_iterable(v.instance_of(Topology))
    )


@final
@attrs.frozen(kw_only=True)
class ConfirmedCapabilities:
    """What a plugin confirmed in ``ValidateVolumeCapabilities`` (upstream ``Confirmed``).

    .. versionadded:: 0.1
    """

    #: The volume context the plugin validated.
    volume_context: Mapping[str, str] = attrs.field(
        factory=dict, converter=to_frozen_map, validator=MAP
    )
    #: The volume capabilities the plugin supports; at least one.
    volume_capabilities: tuple[VolumeCapability, ...] = attrs.field(
        converter=_capabilities,
        validator=v.deep_iterable(v.instance_of(VolumeCapability), v.min_len(1)),
    )
    #: The creation parameters the plugin validated.
    parameters: Mapping[str, str] = attrs.field(
        factory=dict, converter=to_frozen_map, validator=MAP
    )
    #: The mutable creation parameters the plugin validated.
    mutable_parameters: Mapping[str, str] = attrs.field(
        factory=dict, converter=to_frozen_map, validator=MAP
    )


@final
@attrs.frozen(kw_only=True)
class ValidateVolumeCapabilitiesResult:
    """The ``ValidateVolumeCapabilities`` response: confirmed, or why not.

    .. versionadded:: 0.1
    """

    #: Set only when every requested capability is supported.
    confirmed: ConfirmedCapabilities | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(ConfirmedCapabilities))
    )
    #: Why the capabilities were not confirmed.
    message: str = attrs.field(default="", validator=STR)


@final
@attrs.frozen(kw_only=True)
class VolumeStatus:
    """Where a volume is controller-published, and its condition.

    .. versionadded:: 0.1
    """

    #: The nodes the volume is controller-published to; required with
    #: :attr:`ControllerServiceCapability.LIST_VOLUMES_PUBLISHED_NODES`.
    published_node_ids: tuple[str, ...] = attrs.field(
        default=(), converter=to_strings, validator=v.deep_iterable(STR)
    )
    #: Required with :attr:`ControllerServiceCapability.VOLUME_CONDITION`.
    volume_condition: VolumeCondition | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(VolumeCondition))
    )


@final
@attrs.frozen(kw_only=True)
class ListVolumesEntry:
    """One volume in a ``ListVolumes`` page.

    .. versionadded:: 0.1
    """

    volume: Volume = attrs.field(validator=v.instance_of(Volume))
    #: Required with :attr:`ControllerServiceCapability.LIST_VOLUMES_PUBLISHED_NODES`.
    status: VolumeStatus | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(VolumeStatus))
    )


@final
@attrs.frozen(kw_only=True)
class ListVolumesResult:
    """One page of ``ListVolumes``.

    .. versionadded:: 0.1
    """

    entries: tuple[ListVolumesEntry, ...] = attrs.field(
        default=(),
        converter=_volume_entries,
        validator=v.deep_iterable(v.instance_of(ListVolumesEntry)),
    )
    #: Pass as ``starting_token`` to get the next page; empty on the last page.
    next_token: str = attrs.field(default="", validator=STR)


@final
@attrs.frozen(kw_only=True)
class ControllerGetVolumeResult:
    """The ``ControllerGetVolume`` response: a volume and its status.

    .. versionadded:: 0.1
    """

    volume: Volume = attrs.field(validator=v.instance_of(Volume))
    status: VolumeStatus = attrs.field(validator=v.instance_of(VolumeStatus))


@final
@attrs.frozen(kw_only=True)
class GetCapacityResult:
    """The storage left for new volumes, in bytes (the ``GetCapacity`` response).

    .. versionadded:: 0.1
    """

    #: The capacity available to provision volumes.
    available_capacity: int = attrs.field(validator=NON_NEGATIVE)
    #: The largest ``required_bytes`` a volume may ask for; ``None`` for no limit.
    maximum_volume_size: int | None = attrs.field(default=None, validator=v.optional(NON_NEGATIVE))
    #: The smallest ``limit_bytes`` a volume may ask for; ``None`` for no limit.
    minimum_volume_size: int | None = attrs.field(default=None, validator=v.optional(NON_NEGATIVE))


@final
class ControllerServiceCapability(enum.Enum):
    """An RPC or option the Controller service supports (upstream ``RPC.Type``).

    .. versionadded:: 0.1
    """

    #: ``CreateVolume`` and ``DeleteVolume``.
    CREATE_DELETE_VOLUME = 1
    #: ``ControllerPublishVolume`` and ``ControllerUnpublishVolume``.
    PUBLISH_UNPUBLISH_VOLUME = 2
    #: ``ListVolumes``.
    LIST_VOLUMES = 3
    #: ``GetCapacity``.
    GET_CAPACITY = 4
    #: ``CreateSnapshot``, ``DeleteSnapshot``, and volumes created from snapshots.
    CREATE_DELETE_SNAPSHOT = 5
    #: ``ListSnapshots``.
    LIST_SNAPSHOTS = 6
    #: Volumes created from another volume of the same plugin.
    CLONE_VOLUME = 7
    #: The ``readonly`` flag of ``ControllerPublishVolume``.
    PUBLISH_READONLY = 8
    #: ``ControllerExpandVolume``; see :class:`VolumeExpansion`.
    EXPAND_VOLUME = 9
    #: :attr:`VolumeStatus.published_node_ids`; needs PUBLISH_UNPUBLISH_VOLUME.
    LIST_VOLUMES_PUBLISHED_NODES = 10
    #: :attr:`VolumeStatus.volume_condition` (alpha upstream).
    VOLUME_CONDITION = 11
    #: ``ControllerGetVolume`` (alpha upstream).
    GET_VOLUME = 12
    #: The ``SINGLE_NODE_SINGLE_WRITER``/``SINGLE_NODE_MULTI_WRITER`` access
    #: modes (alpha upstream).
    SINGLE_NODE_MULTI_WRITER = 13
    #: ``ControllerModifyVolume`` and ``mutable_parameters``.
    MODIFY_VOLUME = 14


@final
@attrs.frozen(kw_only=True)
class ControllerExpandVolumeResult:
    """The ``ControllerExpandVolume`` response.

    .. versionadded:: 0.1
    """

    #: The capacity after expansion, in bytes.
    capacity_bytes: int = attrs.field(validator=NON_NEGATIVE)
    #: ``True`` when the caller must then call ``NodeExpandVolume`` on the node.
    node_expansion_required: bool = attrs.field(validator=BOOL)


__all__ = [
    "ConfirmedCapabilities",
    "ControllerExpandVolumeResult",
    "ControllerGetVolumeResult",
    "ControllerServiceCapability",
    "GetCapacityResult",
    "ListVolumesEntry",
    "ListVolumesResult",
    "ValidateVolumeCapabilitiesResult",
    "Volume",
    "VolumeStatus",
]

"""The messages several CSI RPCs share, both ways: ``to_csi_*`` and ``from_csi_*``.

``to_csi_x(model) -> protobuf`` and ``from_csi_x(protobuf) -> model`` for the
messages of :mod:`podkit.models.storage` that appear in more than one
service (capabilities, topology, volumes, snapshots), plus the checks every
request needs: required fields, and conversion errors turned into
:class:`~podkit.errors.InvalidArgumentError` naming the field. An unknown
enum value (``UNKNOWN = 0`` or a newer one) in a request is refused; in a
response it is dropped, as the models say.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeAlias, TypeVar

from podkit.errors import InvalidArgumentError
from podkit.models.storage import (
    AccessMode,
    BlockVolume,
    CapacityRange,
    MountVolume,
    Snapshot,
    SnapshotSource,
    Topology,
    TopologyRequirement,
    Volume,
    VolumeCapability,
    VolumeCondition,
    VolumeSource,
)
from podkit.wire.csi._proto import csi_pb2 as pb

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from podkit.models.storage import VolumeContentSource
    from podkit.wire.csi._proto import Message

_T = TypeVar("_T")
_M = TypeVar("_M")

#: A request's fields as the storage facade's keyword arguments.
Kwargs: TypeAlias = dict[str, Any]
#: The placeholder logs show instead of a secret's value.
STRIPPED: Final = "***stripped***"


# -- request checks --------------------------------------------------------------------


def _present(message: Message, name: str) -> bool:
    try:
        return bool(message.HasField(name))
    except ValueError:  # a scalar, repeated or map field: present when not empty
        return bool(getattr(message, name))


def require(message: Message, *names: str) -> None:
    """Raise :class:`InvalidArgumentError` naming the first of ``names`` that is unset.

    The spec's error tables answer "Missing required field" with
    ``INVALID_ARGUMENT``.
    """
    for name in names:
        if not _present(message, name):
            msg = f"{message.DESCRIPTOR.name}: missing required field {name}"
            raise InvalidArgumentError(msg)


def field(name: str, convert: Callable[[_M], _T], value: _M) -> _T:
    """``convert(value)``, with an invalid value reported as an error naming field ``name``."""
    try:
        return convert(value)
    except (TypeError, ValueError) as exc:  # InvalidArgumentError too: named here
        msg = f"invalid {name}: {exc}"
        raise InvalidArgumentError(msg) from exc


def optional(message: Message, name: str, convert: Callable[[_M], _T]) -> _T | None:
    """The converted field ``name`` of ``message``, or ``None`` when it is unset."""
    if not message.HasField(name):
        return None
    value: _M = getattr(message, name)
    return field(name, convert, value)


def known(values: Iterable[int], enum: Callable[[int], _T]) -> tuple[_T, ...]:
    """The members of ``enum`` for ``values``, dropping values it does not know."""
    found = []
    for value in values:
        try:
            found.append(enum(value))
        except ValueError:
            continue
    return tuple(found)


# -- topology and capacity ------------------------------------------------------------------


def to_csi_topology(topology: Topology) -> pb.Topology:
    """A :class:`Topology` as ``csi.v1.Topology``."""
    return pb.Topology(segments=dict(topology.segments))


def from_csi_topology(message: pb.Topology) -> Topology:
    """A ``csi.v1.Topology`` as :class:`Topology`."""
    return Topology(dict(message.segments))


def to_csi_topology_requirement(requirement: TopologyRequirement) -> pb.TopologyRequirement:
    """A :class:`TopologyRequirement` as ``csi.v1.TopologyRequirement``."""
    return pb.TopologyRequirement(
        requisite=[to_csi_topology(t) for t in requirement.requisite],
        preferred=[to_csi_topology(t) for t in requirement.preferred],
    )


def from_csi_topology_requirement(message: pb.TopologyRequirement) -> TopologyRequirement:
    """A ``csi.v1.TopologyRequirement`` as :class:`TopologyRequirement`."""
    return TopologyRequirement(
        requisite=[from_csi_topology(t) for t in message.requisite],
        preferred=[from_csi_topology(t) for t in message.preferred],
    )


def to_csi_capacity_range(capacity: CapacityRange) -> pb.CapacityRange:
    """A :class:`CapacityRange` as ``csi.v1.CapacityRange``."""
    return pb.CapacityRange(
        required_bytes=capacity.required_bytes, limit_bytes=capacity.limit_bytes
    )


def from_csi_capacity_range(message: pb.CapacityRange) -> CapacityRange:
    """A ``csi.v1.CapacityRange`` as :class:`CapacityRange`."""
    return CapacityRange(required_bytes=message.required_bytes, limit_bytes=message.limit_bytes)


# -- volume capabilities ----------------------------------------------------------------------


def to_csi_volume_capability(capability: VolumeCapability) -> pb.VolumeCapability:
    """A :class:`VolumeCapability` as ``csi.v1.VolumeCapability``."""
    access_mode = pb.VolumeCapability.AccessMode(mode=capability.access_mode.name)
    access = capability.access_type
    if isinstance(access, BlockVolume):
        return pb.VolumeCapability(block=pb.VolumeCapability.BlockVolume(), access_mode=access_mode)
    mount = pb.VolumeCapability.MountVolume(
        fs_type=access.fs_type,
        mount_flags=list(access.mount_flags),
        volume_mount_group=access.volume_mount_group,
    )
    return pb.VolumeCapability(mount=mount, access_mode=access_mode)


def from_csi_volume_capability(message: pb.VolumeCapability) -> VolumeCapability:
    """A ``csi.v1.VolumeCapability`` as :class:`VolumeCapability`.

    :raises InvalidArgumentError: no access type, or an unknown access mode.
    """
    access_type: BlockVolume | MountVolume
    kind = message.WhichOneof("access_type")
    if kind == "block":
        access_type = BlockVolume()
    elif kind == "mount":
        mount = message.mount
        access_type = MountVolume(
            fs_type=mount.fs_type,
            mount_flags=tuple(mount.mount_flags),
            volume_mount_group=mount.volume_mount_group,
        )
    else:
        msg = "access_type is required: block or mount"
        raise InvalidArgumentError(msg)
    mode = field("access_mode", AccessMode, message.access_mode.mode)
    return VolumeCapability(access_type=access_type, access_mode=mode)


def to_csi_volume_capabilities(
    capabilities: Iterable[VolumeCapability],
) -> list[pb.VolumeCapability]:
    """Several :class:`VolumeCapability` as protobuf messages."""
    return [to_csi_volume_capability(c) for c in capabilities]


def from_csi_volume_capabilities(
    messages: Iterable[pb.VolumeCapability],
) -> tuple[VolumeCapability, ...]:
    """Several ``csi.v1.VolumeCapability`` as models."""
    return tuple(from_csi_volume_capability(m) for m in messages)


# -- volumes and snapshots --------------------------------------------------------------------


def to_csi_content_source(source: VolumeContentSource) -> pb.VolumeContentSource:
    """A :data:`VolumeContentSource` as ``csi.v1.VolumeContentSource``."""
    if isinstance(source, SnapshotSource):
        snapshot = pb.VolumeContentSource.SnapshotSource(snapshot_id=source.snapshot_id)
        return pb.VolumeContentSource(snapshot=snapshot)
    volume = pb.VolumeContentSource.VolumeSource(volume_id=source.volume_id)
    return pb.VolumeContentSource(volume=volume)


def from_csi_content_source(message: pb.VolumeContentSource) -> VolumeContentSource:
    """A ``csi.v1.VolumeContentSource`` as a :class:`SnapshotSource` or :class:`VolumeSource`.

    :raises InvalidArgumentError: neither source is set.
    """
    kind = message.WhichOneof("type")
    if kind == "snapshot":
        return SnapshotSource(message.snapshot.snapshot_id)
    if kind == "volume":
        return VolumeSource(message.volume.volume_id)
    msg = "a volume content source needs a snapshot or a volume"
    raise InvalidArgumentError(msg)


def to_csi_volume(volume: Volume) -> pb.Volume:
    """A :class:`Volume` as ``csi.v1.Volume``."""
    message = pb.Volume(
        capacity_bytes=volume.capacity_bytes,
        volume_id=volume.volume_id,
        volume_context=dict(volume.volume_context),
        accessible_topology=[to_csi_topology(t) for t in volume.accessible_topology],
    )
    if volume.content_source is not None:
        message.content_source.CopyFrom(to_csi_content_source(volume.content_source))
    return message


def from_csi_volume(message: pb.Volume) -> Volume:
    """A ``csi.v1.Volume`` as :class:`Volume`."""
    return Volume(
        capacity_bytes=message.capacity_bytes,
        volume_id=message.volume_id,
        volume_context=dict(message.volume_context),
        content_source=optional(message, "content_source", from_csi_content_source),
        accessible_topology=[from_csi_topology(t) for t in message.accessible_topology],
    )


def to_csi_volume_condition(condition: VolumeCondition) -> pb.VolumeCondition:
    """A :class:`VolumeCondition` as ``csi.v1.VolumeCondition``."""
    return pb.VolumeCondition(abnormal=condition.abnormal, message=condition.message)


def from_csi_volume_condition(message: pb.VolumeCondition) -> VolumeCondition:
    """A ``csi.v1.VolumeCondition`` as :class:`VolumeCondition`."""
    return VolumeCondition(abnormal=message.abnormal, message=message.message)


def to_csi_snapshot(snapshot: Snapshot) -> pb.Snapshot:
    """A :class:`Snapshot` as ``csi.v1.Snapshot``; the time in nanoseconds becomes a Timestamp."""
    message = pb.Snapshot(
        size_bytes=snapshot.size_bytes,
        snapshot_id=snapshot.snapshot_id,
        source_volume_id=snapshot.source_volume_id,
        ready_to_use=snapshot.ready_to_use,
        group_snapshot_id=snapshot.group_snapshot_id,
    )
    message.creation_time.FromNanoseconds(snapshot.creation_time)
    return message


def from_csi_snapshot(message: pb.Snapshot) -> Snapshot:
    """A ``csi.v1.Snapshot`` as :class:`Snapshot`."""
    return Snapshot(
        size_bytes=message.size_bytes,
        snapshot_id=message.snapshot_id,
        source_volume_id=message.source_volume_id,
        creation_time=message.creation_time.ToNanoseconds(),
        ready_to_use=message.ready_to_use,
        group_snapshot_id=message.group_snapshot_id,
    )


__all__ = [
    "STRIPPED",
    "Kwargs",
    "field",
    "from_csi_capacity_range",
    "from_csi_content_source",
    "from_csi_snapshot",
    "from_csi_topology",
    "from_csi_topology_requirement",
    "from_csi_volume",
    "from_csi_volume_capabilities",
    "from_csi_volume_capability",
    "from_csi_volume_condition",
    "known",
    "optional",
    "require",
    "to_csi_capacity_range",
    "to_csi_content_source",
    "to_csi_snapshot",
    "to_csi_topology",
    "to_csi_topology_requirement",
    "to_csi_volume",
    "to_csi_volume_capabilities",
    "to_csi_volume_capability",
    "to_csi_volume_condition",
]

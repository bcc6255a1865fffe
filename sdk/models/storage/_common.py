"""The messages that several CSI services share: where, how big, how accessed.

:class:`Topology` and :class:`TopologyRequirement`, :class:`CapacityRange`,
:class:`VolumeCapability` (with :class:`AccessMode`, :class:`BlockVolume` and
:class:`MountVolume`), what a volume is created from
(:data:`VolumeContentSource`), and the :class:`VolumeCondition` that both the
Controller and the Node service report.
"""

from __future__ import annotations

import enum
import re

# typing.get_type_hints() resolves the field annotations in this module's
# namespace, ``Mapping`` included.
from collections.abc import Mapping  # noqa: TC003
from typing import TYPE_CHECKING, Final, TypeAlias, final

import attrs
from attrs import validators as v

from podkit.errors import InvalidArgumentError
from podkit.models.storage._fields import (
    BOOL,
    MAP,
    NON_NEGATIVE,
    REQUIRED_STR,
    STR,
    hidden,
    to_frozen_map,
    to_strings,
    to_tuple,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

# csi.proto, Topology: key names and values are "63 characters or less, begin
# and end with an alphanumeric character ([a-z0-9A-Z]), and contain only dashes
# (-), underscores (_), dots (.), or alphanumerics in between"; key prefixes the
# same in lower case and without underscores.
_TOPOLOGY_WORD: Final = re.compile(r"[A-Za-z0-9](?:[-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?")
_TOPOLOGY_PREFIX: Final = re.compile(r"[a-z0-9](?:[-.a-z0-9]{0,61}[a-z0-9])?")


def to_topologies(value: Iterable[Topology]) -> tuple[Topology, ...]:
    return to_tuple(value)


def _check_segments(_instance: object, _attribute: object, value: Mapping[str, str]) -> None:
    for key, segment in value.items():
        prefix, _, name = key.rpartition("/")
        if "/" in key and not _TOPOLOGY_PREFIX.fullmatch(prefix):
            msg = f"invalid topology key {key!r}: bad prefix {prefix!r}"
            raise InvalidArgumentError(msg)
        if not _TOPOLOGY_WORD.fullmatch(name):
            msg = f"invalid topology key {key!r}: bad name {name!r}"
            raise InvalidArgumentError(msg)
        if not _TOPOLOGY_WORD.fullmatch(segment):
            msg = f"invalid topology segment {segment!r} for key {key!r}"
            raise InvalidArgumentError(msg)
    if len({key.lower() for key in value}) != len(value):
        # "Keys MUST be case-insensitive. Meaning the keys "Zone" and "zone" MUST
        # not both exist."
        msg = f"topology keys differ only in case: {sorted(value)!r}"
        raise InvalidArgumentError(msg)


@final
@attrs.frozen
class Topology:
    """Where something is accessible from: topological domains to segments.

    For example ``Topology({"topology.example.com/zone": "Z1"})``. A key is an
    optional lower-case DNS-like prefix and a ``/``, then a name; names and
    segments are at most 63 characters, alphanumeric at both ends, with ``-``,
    ``_`` and ``.`` between. Keys are case-insensitive, so ``Zone`` and
    ``zone`` may not both appear.

    .. versionadded:: 0.1
    """

    #: Topological domain (``zone``, ``rack``, …) to segment (``Z1``, ``R3``, …).
    segments: Mapping[str, str] = attrs.field(
        factory=dict, converter=to_frozen_map, validator=[MAP, _check_segments]
    )


def _check_preferred(
    instance: TopologyRequirement, _attribute: object, value: tuple[Topology, ...]
) -> None:
    if not value and not instance.requisite:
        # "If TopologyRequirement is specified either requisite or preferred or
        # both MUST be specified."
        msg = "a topology requirement needs requisite or preferred topologies"
        raise InvalidArgumentError(msg)
    if instance.requisite and (stray := [t for t in value if t not in instance.requisite]):
        # "If requisite is specified, all topologies in preferred list MUST also
        # be present in the list of requisite topologies."
        msg = f"preferred topologies not in requisite: {stray!r}"
        raise InvalidArgumentError(msg)


@final
@attrs.frozen(kw_only=True)
class TopologyRequirement:
    """Where a volume to create must, and should preferably, be accessible from.

    At least one of the two lists is non-empty; when both are, every
    preferred topology is also requisite. ``csi.proto`` explains at length how
    a plugin picks topologies from them (``TopologyRequirement``).

    .. versionadded:: 0.1
    """

    #: The volume MUST be accessible from at least one of these.
    requisite: tuple[Topology, ...] = attrs.field(
        default=(), converter=to_topologies, validator=v.deep_iterable(v.instance_of(Topology))
    )
    #: Try these first, in order.
    preferred: tuple[Topology, ...] = attrs.field(
        default=(),
        converter=to_topologies,
        validator=[v.deep_iterable(v.instance_of(Topology)), _check_preferred],
    )


def _check_limit(instance: CapacityRange, _attribute: object, value: int) -> None:
    if not value and not instance.required_bytes:
        # "At least one of the these fields MUST be specified."
        msg = "a capacity range needs required_bytes or limit_bytes"
        raise InvalidArgumentError(msg)
    if value and value < instance.required_bytes:
        msg = f"limit_bytes {value} is below required_bytes {instance.required_bytes}"
        raise InvalidArgumentError(msg)


@final
@attrs.frozen(kw_only=True)
class CapacityRange:
    """The size a volume must have, in bytes; 0 leaves a bound unspecified.

    At least one bound is set; for an exact size set both to the same value.

    .. versionadded:: 0.1
    """

    #: The volume MUST be at least this big.
    required_bytes: int = attrs.field(default=0, validator=NON_NEGATIVE)
    #: The volume MUST NOT be bigger than this.
    limit_bytes: int = attrs.field(default=0, validator=[NON_NEGATIVE, _check_limit])


@final
class AccessMode(enum.Enum):
    """How many nodes and writers may use a volume at once (CSI ``AccessMode.Mode``).

    Values are the upstream numbers. Plugins that support the two
    ``SINGLE_NODE_*_WRITER`` modes (alpha upstream) advertise
    :attr:`ControllerServiceCapability.SINGLE_NODE_MULTI_WRITER` /
    :attr:`NodeServiceCapability.SINGLE_NODE_MULTI_WRITER`, and MUST still
    accept :attr:`SINGLE_NODE_WRITER` for older callers.

    .. versionadded:: 0.1
    """

    #: Published once, read/write, on a single node at a time.
    SINGLE_NODE_WRITER = 1
    #: Published once, read-only, on a single node at a time.
    SINGLE_NODE_READER_ONLY = 2
    #: Published read-only on several nodes at once.
    MULTI_NODE_READER_ONLY = 3
    #: Published on several nodes at once, read/write on only one of them.
    MULTI_NODE_SINGLE_WRITER = 4
    #: Published read/write on several nodes at once.
    MULTI_NODE_MULTI_WRITER = 5
    #: Published once, read/write, for a single workload on a single node.
    SINGLE_NODE_SINGLE_WRITER = 6
    #: Published read/write for several workloads on a single node.
    SINGLE_NODE_MULTI_WRITER = 7


@final
@attrs.frozen
class BlockVolume:
    """Access a volume through the block device API (intentionally empty upstream).

    .. versionadded:: 0.1
    """


@final
@attrs.frozen(kw_only=True)
class MountVolume:
    """Access a volume through the filesystem API, mounted.

    .. versionadded:: 0.1
    """

    #: The filesystem type, e.g. ``ext4``; empty leaves it to the plugin.
    fs_type: str = attrs.field(default="", validator=STR)
    #: Mount options. They MAY contain sensitive information, so ``repr``
    #: shows only how many there are.
    mount_flags: tuple[str, ...] = attrs.field(
        default=(), converter=to_strings, validator=v.deep_iterable(STR), repr=hidden
    )
    #: A group id the mount must grant access to; honoured by plugins with
    #: :attr:`NodeServiceCapability.VOLUME_MOUNT_GROUP`.
    volume_mount_group: str = attrs.field(default="", validator=STR)


@final
@attrs.frozen(kw_only=True)
class VolumeCapability:
    """How the caller means to use a volume: block or mount, and the access mode.

    .. versionadded:: 0.1
    """

    #: Block device or mounted filesystem (the upstream ``oneof access_type``).
    access_type: BlockVolume | MountVolume = attrs.field(
        validator=v.instance_of((BlockVolume, MountVolume))
    )
    #: How many nodes and writers may use the volume.
    access_mode: AccessMode = attrs.field(validator=v.instance_of(AccessMode))


@final
@attrs.frozen
class SnapshotSource:
    """Pre-populate a new volume from a snapshot.

    .. versionadded:: 0.1
    """

    snapshot_id: str = attrs.field(validator=REQUIRED_STR)


@final
@attrs.frozen
class VolumeSource:
    """Pre-populate a new volume from another volume (a clone).

    .. versionadded:: 0.1
    """

    volume_id: str = attrs.field(validator=REQUIRED_STR)


#: What a volume is created from (the upstream ``VolumeContentSource``, whose
#: ``oneof type`` holds one of the two).
VolumeContentSource: TypeAlias = SnapshotSource | VolumeSource


@final
@attrs.frozen(kw_only=True)
class VolumeCondition:
    """Whether a volume is healthy, for humans (alpha upstream).

    .. versionadded:: 0.1
    """

    #: ``True`` when the volume is not available for use or not operating optimally.
    abnormal: bool = attrs.field(validator=BOOL)
    #: What the condition is.
    message: str = attrs.field(validator=STR)


__all__ = [
    "AccessMode",
    "BlockVolume",
    "CapacityRange",
    "MountVolume",
    "SnapshotSource",
    "Topology",
    "TopologyRequirement",
    "VolumeCapability",
    "VolumeCondition",
    "VolumeContentSource",
    "VolumeSource",
    "to_topologies",
]

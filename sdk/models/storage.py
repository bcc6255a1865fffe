"""The messages of the storage contract: CSI spec v1.12 (``csi.v1``) as attrs models.

Storage hooks (:mod:`podkit.hookspecs.storage`) take and return these instead of
protobuf messages; only the CSI wire adapters see ``csi_pb2``. The translation
follows fixed rules, so that a plugin author who knows ``csi.proto`` knows these:

- Field names are the upstream names. A ``REQUIRED`` field has no default, and
  a required id or name may not be empty; an ``OPTIONAL`` field defaults to the
  upstream zero value (``""``, ``0``, ``()``, an empty mapping) or to ``None``
  for a message.
- ``repeated`` fields are tuples and ``map`` fields read-only mappings; both
  accept any iterable or mapping and copy it.
- A ``oneof`` is a union of small classes (``access_type: BlockVolume |
  MountVolume``); a message that only wraps an enum is the enum
  (``access_mode: AccessMode``); ``google.protobuf`` wrappers are ``X | None``.
- Enums keep the upstream member names and numbers, without ``UNKNOWN = 0``:
  an unknown value never reaches a plugin, the wire adapter refuses or drops it.
- Timestamps are integer nanoseconds since the Unix epoch, as in CRI, so the
  protobuf ``Timestamp`` converts without loss.
- Secrets (``csi_secret`` fields) and mount flags, which the spec says "MAY
  contain sensitive information", never appear in a ``repr``: see
  :class:`Secrets`.

Invalid values raise :class:`TypeError` or :class:`ValueError` (its subclass
:class:`podkit.errors.InvalidArgumentError` for the spec's own rules), which the
wire adapters answer with gRPC ``INVALID_ARGUMENT``.

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
import re
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Final, TypeAlias, TypeVar, final

import attrs
from attrs import validators as v

from podkit.errors import InvalidArgumentError

if TYPE_CHECKING:
    from collections.abc import Sized

_T = TypeVar("_T")

# -- converters and validators ------------------------------------------------
# Converters are named and typed one per element type: mypy's attrs plugin
# loses the element type of a generic converter such as ``tuple``.


def _to_tuple(value: Iterable[_T]) -> tuple[_T, ...]:
    if isinstance(value, str):  # a str is iterable, and almost always a mistake
        msg = f"expected a sequence, got the string {value!r}"
        raise TypeError(msg)
    return tuple(value)


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return _to_tuple(value)


def _capabilities(value: Iterable[VolumeCapability]) -> tuple[VolumeCapability, ...]:
    return _to_tuple(value)


def _topologies(value: Iterable[Topology]) -> tuple[Topology, ...]:
    return _to_tuple(value)


def _volume_entries(value: Iterable[ListVolumesEntry]) -> tuple[ListVolumesEntry, ...]:
    return _to_tuple(value)


def _snapshot_entries(value: Iterable[ListSnapshotsEntry]) -> tuple[ListSnapshotsEntry, ...]:
    return _to_tuple(value)


def _usages(value: Iterable[VolumeUsage]) -> tuple[VolumeUsage, ...]:
    return _to_tuple(value)


def _frozen_map(value: Mapping[str, str]) -> Mapping[str, str]:
    return types.MappingProxyType(dict(value))


def _hidden(value: Sized) -> str:
    return f"<{len(value)} hidden>"


def _required(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value:
        msg = f"{attribute.name} is required and must not be empty"
        raise InvalidArgumentError(msg)


def _max_utf8(limit: int) -> Callable[[object, attrs.Attribute[str], str], None]:
    def check(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
        if len(value.encode()) > limit:
            msg = f"{attribute.name} must be at most {limit} bytes, got {value!r}"
            raise InvalidArgumentError(msg)

    return check


_STR: Final = v.instance_of(str)
_BOOL: Final = v.instance_of(bool)
_INT: Final = v.instance_of(int)
_NON_NEGATIVE: Final = v.and_(_INT, v.ge(0))
_MAP: Final = v.deep_mapping(key_validator=_STR, value_validator=_STR)
_REQUIRED_STR: Final = v.and_(_STR, _required)

# csi.proto, GetPluginInfoResponse.name: "63 characters or less, beginning and
# ending with an alphanumeric character ([a-z0-9A-Z]) with dashes (-), dots (.),
# and alphanumerics between".
_PLUGIN_NAME: Final = re.compile(r"[A-Za-z0-9](?:[-.A-Za-z0-9]{0,61}[A-Za-z0-9])?")
# csi.proto, Topology: key names and values are "63 characters or less, begin
# and end with an alphanumeric character ([a-z0-9A-Z]), and contain only dashes
# (-), underscores (_), dots (.), or alphanumerics in between"; key prefixes the
# same in lower case and without underscores.
_TOPOLOGY_WORD: Final = re.compile(r"[A-Za-z0-9](?:[-_.A-Za-z0-9]{0,61}[A-Za-z0-9])?")
_TOPOLOGY_PREFIX: Final = re.compile(r"[a-z0-9](?:[-.a-z0-9]{0,61}[a-z0-9])?")
# "Secrets Requirements": "Each key MUST consist of alphanumeric characters,
# '-', '_' or '.'".
_SECRET_KEY: Final = re.compile(r"[-_.A-Za-z0-9]+")


# -- secrets -------------------------------------------------------------------


def _check_secret(key: object, value: object) -> None:
    if not isinstance(key, str) or not _SECRET_KEY.fullmatch(key):
        msg = f"invalid secret key {key!r}: use alphanumerics, '-', '_' or '.'"
        raise InvalidArgumentError(msg)
    if not isinstance(value, str):
        msg = f"secret {key!r} must be a string, got {type(value).__name__}"
        raise TypeError(msg)


@final
class Secrets(Mapping[str, str]):
    """The secrets of a request: a read-only mapping whose values never print.

    CSI marks every ``secrets`` field ``csi_secret`` and says they "MUST be
    treated as such (not logged, etc.)". Storage hooks receive their
    ``secrets`` argument as a :class:`Secrets`, so that pluggy tracing, logs and
    tracebacks show only the key names; compare and read it like a ``dict``.

    :param data: secret names to secret data. Keys consist of alphanumerics,
        ``-``, ``_`` and ``.`` (the spec's rule); values are strings (binary
        data is base64-encoded by convention of the plugin).
    :raises podkit.errors.InvalidArgumentError: a key breaks the rule.

    .. versionadded:: 0.1
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, str] | Iterable[tuple[str, str]] = (), /) -> None:
        """Copy ``data`` after checking its keys and values."""
        items = dict(data)
        for key, value in items.items():
            _check_secret(key, value)
        self._data: Final = items

    def __getitem__(self, key: str) -> str:
        """Return the secret named ``key``."""
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the secret names."""
        return iter(self._data)

    def __len__(self) -> int:
        """Return how many secrets there are."""
        return len(self._data)

    def __repr__(self) -> str:
        """Show the secret names, never their values."""
        return f"Secrets(<values hidden>, keys={sorted(self._data)!r})"


# -- topology, capacity and capabilities (request side) -------------------------


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
        factory=dict, converter=_frozen_map, validator=[_MAP, _check_segments]
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
        default=(), converter=_topologies, validator=v.deep_iterable(v.instance_of(Topology))
    )
    #: Try these first, in order.
    preferred: tuple[Topology, ...] = attrs.field(
        default=(),
        converter=_topologies,
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
    required_bytes: int = attrs.field(default=0, validator=_NON_NEGATIVE)
    #: The volume MUST NOT be bigger than this.
    limit_bytes: int = attrs.field(default=0, validator=[_NON_NEGATIVE, _check_limit])


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
    fs_type: str = attrs.field(default="", validator=_STR)
    #: Mount options. They MAY contain sensitive information, so ``repr``
    #: shows only how many there are.
    mount_flags: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=v.deep_iterable(_STR), repr=_hidden
    )
    #: A group id the mount must grant access to; honoured by plugins with
    #: :attr:`NodeServiceCapability.VOLUME_MOUNT_GROUP`.
    volume_mount_group: str = attrs.field(default="", validator=_STR)


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

    snapshot_id: str = attrs.field(validator=_REQUIRED_STR)


@final
@attrs.frozen
class VolumeSource:
    """Pre-populate a new volume from another volume (a clone).

    .. versionadded:: 0.1
    """

    volume_id: str = attrs.field(validator=_REQUIRED_STR)


#: What a volume is created from (the upstream ``VolumeContentSource``, whose
#: ``oneof type`` holds one of the two).
VolumeContentSource: TypeAlias = SnapshotSource | VolumeSource


# -- Identity service -----------------------------------------------------------


def _check_plugin_name(_instance: object, _attribute: object, value: str) -> None:
    if not _PLUGIN_NAME.fullmatch(value):
        msg = (
            f"invalid CSI plugin name {value!r}: use at most 63 alphanumerics, "
            "'-' and '.', beginning and ending with an alphanumeric"
        )
        raise InvalidArgumentError(msg)


@final
@attrs.frozen(kw_only=True)
class PluginInfo:
    """A plugin's name and version (the ``GetPluginInfo`` response).

    .. versionadded:: 0.1
    """

    #: The driver name in domain name notation, e.g. ``hostpath.csi.k8s.io``;
    #: at most 63 characters.
    name: str = attrs.field(validator=[_STR, _check_plugin_name])
    #: The plugin's version, opaque to the caller.
    vendor_version: str = attrs.field(validator=_REQUIRED_STR)
    #: Anything else worth reporting, opaque to the caller.
    manifest: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_map, validator=_MAP)


@final
class PluginService(enum.Enum):
    """A service a plugin provides (CSI ``PluginCapability.Service.Type``).

    .. versionadded:: 0.1
    """

    #: The plugin serves the Controller RPCs; callers call none without it.
    CONTROLLER_SERVICE = 1
    #: Volumes are not equally accessible from every node: callers match
    #: :attr:`Volume.accessible_topology` against
    #: :attr:`NodeGetInfoResult.accessible_topology`.
    VOLUME_ACCESSIBILITY_CONSTRAINTS = 2
    #: The plugin serves the GroupController RPCs (not mirrored by podkit yet).
    GROUP_CONTROLLER_SERVICE = 3


@final
class VolumeExpansion(enum.Enum):
    """When a plugin can expand volumes (CSI ``PluginCapability.VolumeExpansion.Type``).

    Either kind also needs :attr:`ControllerServiceCapability.EXPAND_VOLUME`,
    :attr:`NodeServiceCapability.EXPAND_VOLUME`, or both.

    .. versionadded:: 0.1
    """

    #: Volumes may be expanded while published on a node.
    ONLINE = 1
    #: Volumes published on a node SHALL NOT be expanded by the controller.
    OFFLINE = 2


#: One capability of a plugin as a whole (the upstream ``PluginCapability``,
#: whose ``oneof type`` holds a service or a volume expansion kind).
PluginCapability: TypeAlias = PluginService | VolumeExpansion


@final
@attrs.frozen
class ProbeResult:
    """Whether a healthy plugin has finished initialising (the ``Probe`` response).

    .. versionadded:: 0.1
    """

    #: ``False`` while still initialising; ``None`` (unset) means ready.
    ready: bool | None = attrs.field(default=None, validator=v.optional(_BOOL))


# -- Controller service -------------------------------------------------------------


@final
@attrs.frozen(kw_only=True)
class Volume:
    """A provisioned volume, as the controller reports it.

    .. versionadded:: 0.1
    """

    #: The capacity in bytes; 0 means unknown (e.g. an NFS share).
    capacity_bytes: int = attrs.field(default=0, validator=_NON_NEGATIVE)
    #: The plugin's identifier for the volume, used in every later call.
    volume_id: str = attrs.field(validator=_REQUIRED_STR)
    #: Opaque, immutable properties the caller passes back to validation and
    #: publishing calls; not for secrets.
    volume_context: Mapping[str, str] = attrs.field(
        factory=dict, converter=_frozen_map, validator=_MAP
    )
    #: What the volume was pre-populated from, if anything.
    content_source: VolumeContentSource | None = attrs.field(
        default=None, validator=v.optional(v.instance_of((SnapshotSource, VolumeSource)))
    )
    #: Where the volume is accessible from; empty means from every node.
    accessible_topology: tuple[Topology, ...] = attrs.field(
        default=(), converter=_topologies, validator=v.deep_iterable(v.instance_of(Topology))
    )


@final
@attrs.frozen(kw_only=True)
class ConfirmedCapabilities:
    """What a plugin confirmed in ``ValidateVolumeCapabilities`` (upstream ``Confirmed``).

    .. versionadded:: 0.1
    """

    #: The volume context the plugin validated.
    volume_context: Mapping[str, str] = attrs.field(
        factory=dict, converter=_frozen_map, validator=_MAP
    )
    #: The volume capabilities the plugin supports; at least one.
    volume_capabilities: tuple[VolumeCapability, ...] = attrs.field(
        converter=_capabilities,
        validator=v.deep_iterable(v.instance_of(VolumeCapability), v.min_len(1)),
    )
    #: The creation parameters the plugin validated.
    parameters: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_map, validator=_MAP)
    #: The mutable creation parameters the plugin validated.
    mutable_parameters: Mapping[str, str] = attrs.field(
        factory=dict, converter=_frozen_map, validator=_MAP
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
    message: str = attrs.field(default="", validator=_STR)


@final
@attrs.frozen(kw_only=True)
class VolumeCondition:
    """Whether a volume is healthy, for humans (alpha upstream).

    .. versionadded:: 0.1
    """

    #: ``True`` when the volume is not available for use or not operating optimally.
    abnormal: bool = attrs.field(validator=_BOOL)
    #: What the condition is.
    message: str = attrs.field(validator=_STR)


@final
@attrs.frozen(kw_only=True)
class VolumeStatus:
    """Where a volume is controller-published, and its condition.

    .. versionadded:: 0.1
    """

    #: The nodes the volume is controller-published to; required with
    #: :attr:`ControllerServiceCapability.LIST_VOLUMES_PUBLISHED_NODES`.
    published_node_ids: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=v.deep_iterable(_STR)
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
    next_token: str = attrs.field(default="", validator=_STR)


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
    available_capacity: int = attrs.field(validator=_NON_NEGATIVE)
    #: The largest ``required_bytes`` a volume may ask for; ``None`` for no limit.
    maximum_volume_size: int | None = attrs.field(default=None, validator=v.optional(_NON_NEGATIVE))
    #: The smallest ``limit_bytes`` a volume may ask for; ``None`` for no limit.
    minimum_volume_size: int | None = attrs.field(default=None, validator=v.optional(_NON_NEGATIVE))


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
class Snapshot:
    """A point-in-time snapshot of a volume.

    .. versionadded:: 0.1
    """

    #: The full size in bytes, the least a volume created from it needs;
    #: 0 means unknown.
    size_bytes: int = attrs.field(default=0, validator=_NON_NEGATIVE)
    #: The plugin's identifier for the snapshot.
    snapshot_id: str = attrs.field(validator=_REQUIRED_STR)
    #: The volume the snapshot was cut from.
    source_volume_id: str = attrs.field(validator=_REQUIRED_STR)
    #: When the snapshot was cut, in nanoseconds since the Unix epoch.
    creation_time: int = attrs.field(validator=_NON_NEGATIVE)
    #: Whether it may be used as a :class:`SnapshotSource` yet; ``False``
    #: while the plugin still processes (e.g. uploads) a cut snapshot.
    ready_to_use: bool = attrs.field(validator=_BOOL)
    #: The group snapshot it belongs to; such a snapshot is deleted with its
    #: group, never alone.
    group_snapshot_id: str = attrs.field(default="", validator=_STR)


@final
@attrs.frozen
class ListSnapshotsEntry:
    """One snapshot in a ``ListSnapshots`` page.

    .. versionadded:: 0.1
    """

    snapshot: Snapshot = attrs.field(validator=v.instance_of(Snapshot))


@final
@attrs.frozen(kw_only=True)
class ListSnapshotsResult:
    """One page of ``ListSnapshots``.

    .. versionadded:: 0.1
    """

    entries: tuple[ListSnapshotsEntry, ...] = attrs.field(
        default=(),
        converter=_snapshot_entries,
        validator=v.deep_iterable(v.instance_of(ListSnapshotsEntry)),
    )
    #: Pass as ``starting_token`` to get the next page; empty on the last page.
    next_token: str = attrs.field(default="", validator=_STR)


@final
@attrs.frozen(kw_only=True)
class ControllerExpandVolumeResult:
    """The ``ControllerExpandVolume`` response.

    .. versionadded:: 0.1
    """

    #: The capacity after expansion, in bytes.
    capacity_bytes: int = attrs.field(validator=_NON_NEGATIVE)
    #: ``True`` when the caller must then call ``NodeExpandVolume`` on the node.
    node_expansion_required: bool = attrs.field(validator=_BOOL)


# -- Node service -------------------------------------------------------------------


@final
class NodeServiceCapability(enum.Enum):
    """An RPC or option the Node service supports (upstream ``RPC.Type``).

    .. versionadded:: 0.1
    """

    #: ``NodeStageVolume`` and ``NodeUnstageVolume``.
    STAGE_UNSTAGE_VOLUME = 1
    #: ``NodeGetVolumeStats``.
    GET_VOLUME_STATS = 2
    #: ``NodeExpandVolume``; see :class:`VolumeExpansion`.
    EXPAND_VOLUME = 3
    #: :attr:`NodeGetVolumeStatsResult.volume_condition` (alpha upstream).
    VOLUME_CONDITION = 4
    #: The ``SINGLE_NODE_SINGLE_WRITER``/``SINGLE_NODE_MULTI_WRITER`` access
    #: modes (alpha upstream).
    SINGLE_NODE_MULTI_WRITER = 5
    #: :attr:`MountVolume.volume_mount_group`.
    VOLUME_MOUNT_GROUP = 6


@final
class VolumeUsageUnit(enum.Enum):
    """The unit of a :class:`VolumeUsage` (upstream ``VolumeUsage.Unit``).

    .. versionadded:: 0.1
    """

    BYTES = 1
    INODES = 2


@final
@attrs.frozen(kw_only=True)
class VolumeUsage:
    """How much of a volume is used, in one unit.

    ``available`` and ``used`` may stay 0 for block volumes.

    .. versionadded:: 0.1
    """

    available: int = attrs.field(default=0, validator=_NON_NEGATIVE)
    total: int = attrs.field(validator=_NON_NEGATIVE)
    used: int = attrs.field(default=0, validator=_NON_NEGATIVE)
    unit: VolumeUsageUnit = attrs.field(validator=v.instance_of(VolumeUsageUnit))


@final
@attrs.frozen(kw_only=True)
class NodeGetVolumeStatsResult:
    """The ``NodeGetVolumeStats`` response.

    .. versionadded:: 0.1
    """

    #: Usage in bytes and/or inodes.
    usage: tuple[VolumeUsage, ...] = attrs.field(
        default=(), converter=_usages, validator=v.deep_iterable(v.instance_of(VolumeUsage))
    )
    #: Required with :attr:`NodeServiceCapability.VOLUME_CONDITION`.
    volume_condition: VolumeCondition | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(VolumeCondition))
    )


@final
@attrs.frozen(kw_only=True)
class NodeGetInfoResult:
    """The node as the plugin knows it (the ``NodeGetInfo`` response).

    .. versionadded:: 0.1
    """

    #: The plugin's identifier for the node, passed to
    #: ``ControllerPublishVolume``; at most 256 bytes.
    node_id: str = attrs.field(validator=[_REQUIRED_STR, _max_utf8(256)])
    #: How many volumes the controller may publish to the node; 0 lets the
    #: caller decide.
    max_volumes_per_node: int = attrs.field(default=0, validator=_NON_NEGATIVE)
    #: Where the node is; ``None`` means no topological constraint.
    accessible_topology: Topology | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Topology))
    )


__all__ = [
    "AccessMode",
    "BlockVolume",
    "CapacityRange",
    "ConfirmedCapabilities",
    "ControllerExpandVolumeResult",
    "ControllerGetVolumeResult",
    "ControllerServiceCapability",
    "GetCapacityResult",
    "ListSnapshotsEntry",
    "ListSnapshotsResult",
    "ListVolumesEntry",
    "ListVolumesResult",
    "MountVolume",
    "NodeGetInfoResult",
    "NodeGetVolumeStatsResult",
    "NodeServiceCapability",
    "PluginCapability",
    "PluginInfo",
    "PluginService",
    "ProbeResult",
    "Secrets",
    "Snapshot",
    "SnapshotSource",
    "Topology",
    "TopologyRequirement",
    "ValidateVolumeCapabilitiesResult",
    "Volume",
    "VolumeCapability",
    "VolumeCondition",
    "VolumeContentSource",
    "VolumeExpansion",
    "VolumeSource",
    "VolumeStatus",
    "VolumeUsage",
    "VolumeUsageUnit",
]

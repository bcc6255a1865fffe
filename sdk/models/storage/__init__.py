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

from podkit.models.storage._common import (
    AccessMode,
    BlockVolume,
    CapacityRange,
    MountVolume,
    SnapshotSource,
    Topology,
    TopologyRequirement,
    VolumeCapability,
    VolumeCondition,
    VolumeContentSource,
    VolumeSource,
)
from podkit.models.storage._controller import (
    ConfirmedCapabilities,
    ControllerExpandVolumeResult,
    ControllerGetVolumeResult,
    ControllerServiceCapability,
    GetCapacityResult,
    ListVolumesEntry,
    ListVolumesResult,
    ValidateVolumeCapabilitiesResult,
    Volume,
    VolumeStatus,
)
from podkit.models.storage._identity import (
    PluginCapability,
    PluginInfo,
    PluginService,
    ProbeResult,
    VolumeExpansion,
)
from podkit.models.storage._node import (
    NodeGetInfoResult,
    NodeGetVolumeStatsResult,
    NodeServiceCapability,
    VolumeUsage,
    VolumeUsageUnit,
)
from podkit.models.storage._secrets import Secrets
from podkit.models.storage._snapshots import (
    ListSnapshotsEntry,
    ListSnapshotsResult,
    Snapshot,
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

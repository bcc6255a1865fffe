"""The Node service: what a plugin reports about its node and its volumes there.

The :class:`NodeServiceCapability` members, volume statistics
(``NodeGetVolumeStats``: :class:`VolumeUsage`) and the node's identity and
topology (``NodeGetInfo``).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, final

import attrs
from attrs import validators as v

from podkit.models.storage._common import Topology, VolumeCondition
from podkit.models.storage._fields import NON_NEGATIVE, REQUIRED_STR, max_utf8, to_tuple

if TYPE_CHECKING:
    from collections.abc import Iterable


def _usages(value: Iterable[VolumeUsage]) -> tuple[VolumeUsage, ...]:
    return to_tuple(value)


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

    available: int = attrs.field(default=0, validator=NON_NEGATIVE)
    total: int = attrs.field(validator=NON_NEGATIVE)
    used: int = attrs.field(default=0, validator=NON_NEGATIVE)
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
    node_id: str = attrs.field(validator=[REQUIRED_STR, max_utf8(256)])
    #: How many volumes the controller may publish to the node; 0 lets the
    #: caller decide.
    max_volumes_per_node: int = attrs.field(default=0, validator=NON_NEGATIVE)
    #: Where the node is; ``None`` means no topological constraint.
    accessible_topology: Topology | None = attrs.field(
        default=None, validator=v.optional(v.instance_of(Topology))
    )


__all__ = [
    "NodeGetInfoResult",
    "NodeGetVolumeStatsResult",
    "NodeServiceCapability",
    "VolumeUsage",
    "VolumeUsageUnit",
]

"""The Node service's messages, both ways.

As in :mod:`podkit.wire.csi._convert_controller`: ``from_csi_<rpc>_request``
checks a request and returns the storage facade's keyword arguments (server),
``to_csi_*`` builds a response from a hook's result (server) and
``from_csi_*`` reads one back (client).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podkit.models.storage import (
    NodeGetInfoResult,
    NodeGetVolumeStatsResult,
    NodeServiceCapability,
    VolumeUsage,
    VolumeUsageUnit,
)
from podkit.wire.csi._convert_common import (
    field,
    from_csi_capacity_range,
    from_csi_topology,
    from_csi_volume_capability,
    from_csi_volume_condition,
    known,
    optional,
    require,
    to_csi_topology,
    to_csi_volume_condition,
)
from podkit.wire.csi._proto import csi_pb2 as pb

if TYPE_CHECKING:
    from podkit.wire.csi._convert_common import Kwargs

# -- requests (server side) ------------------------------------------------------------------


def from_csi_node_stage_volume_request(request: pb.NodeStageVolumeRequest) -> Kwargs:
    """``NodeStageVolume``'s arguments."""
    require(request, "volume_id", "staging_target_path", "volume_capability")
    return {
        "volume_id": request.volume_id,
        "publish_context": dict(request.publish_context),
        "staging_target_path": request.staging_target_path,
        "volume_capability": field(
            "volume_capability", from_csi_volume_capability, request.volume_capability
        ),
        "secrets": dict(request.secrets),
        "volume_context": dict(request.volume_context),
    }


def from_csi_node_unstage_volume_request(request: pb.NodeUnstageVolumeRequest) -> Kwargs:
    """``NodeUnstageVolume``'s arguments."""
    require(request, "volume_id", "staging_target_path")
    return {"volume_id": request.volume_id, "staging_target_path": request.staging_target_path}


def from_csi_node_publish_volume_request(request: pb.NodePublishVolumeRequest) -> Kwargs:
    """``NodePublishVolume``'s arguments."""
    require(request, "volume_id", "target_path", "volume_capability")
    return {
        "volume_id": request.volume_id,
        "publish_context": dict(request.publish_context),
        "staging_target_path": request.staging_target_path,
        "target_path": request.target_path,
        "volume_capability": field(
            "volume_capability", from_csi_volume_capability, request.volume_capability
        ),
        "readonly": request.readonly,
        "secrets": dict(request.secrets),
        "volume_context": dict(request.volume_context),
    }


def from_csi_node_unpublish_volume_request(request: pb.NodeUnpublishVolumeRequest) -> Kwargs:
    """``NodeUnpublishVolume``'s arguments."""
    require(request, "volume_id", "target_path")
    return {"volume_id": request.volume_id, "target_path": request.target_path}


def from_csi_node_get_volume_stats_request(request: pb.NodeGetVolumeStatsRequest) -> Kwargs:
    """``NodeGetVolumeStats``'s arguments."""
    require(request, "volume_id", "volume_path")
    return {
        "volume_id": request.volume_id,
        "volume_path": request.volume_path,
        "staging_target_path": request.staging_target_path,
    }


def from_csi_node_expand_volume_request(request: pb.NodeExpandVolumeRequest) -> Kwargs:
    """``NodeExpandVolume``'s arguments."""
    require(request, "volume_id", "volume_path")
    return {
        "volume_id": request.volume_id,
        "volume_path": request.volume_path,
        "capacity_range": optional(request, "capacity_range", from_csi_capacity_range),
        "staging_target_path": request.staging_target_path,
        "volume_capability": optional(request, "volume_capability", from_csi_volume_capability),
        "secrets": dict(request.secrets),
    }


# -- responses ----------------------------------------------------------------------------------


def to_csi_volume_stats(result: NodeGetVolumeStatsResult) -> pb.NodeGetVolumeStatsResponse:
    """``NodeGetVolumeStats``'s response."""
    response = pb.NodeGetVolumeStatsResponse(
        usage=[
            pb.VolumeUsage(available=u.available, total=u.total, used=u.used, unit=u.unit.name)
            for u in result.usage
        ]
    )
    if result.volume_condition is not None:
        response.volume_condition.CopyFrom(to_csi_volume_condition(result.volume_condition))
    return response


def from_csi_volume_stats(response: pb.NodeGetVolumeStatsResponse) -> NodeGetVolumeStatsResult:
    """The result in ``NodeGetVolumeStats``'s response; usage in unknown units dropped."""
    usage = [
        VolumeUsage(available=u.available, total=u.total, used=u.used, unit=unit)
        for u in response.usage
        for unit in known([u.unit], VolumeUsageUnit)
    ]
    return NodeGetVolumeStatsResult(
        usage=usage,
        volume_condition=optional(response, "volume_condition", from_csi_volume_condition),
    )


def to_csi_node_capabilities(
    capabilities: tuple[NodeServiceCapability, ...],
) -> pb.NodeGetCapabilitiesResponse:
    """``NodeGetCapabilities``'s response."""
    rpc = pb.NodeServiceCapability.RPC
    return pb.NodeGetCapabilitiesResponse(
        capabilities=[pb.NodeServiceCapability(rpc=rpc(type=c.name)) for c in capabilities]
    )


def from_csi_node_capabilities(
    response: pb.NodeGetCapabilitiesResponse,
) -> tuple[NodeServiceCapability, ...]:
    """The capabilities in ``NodeGetCapabilities``'s response; unknown ones dropped."""
    types = [c.rpc.type for c in response.capabilities if c.HasField("rpc")]
    return known(types, NodeServiceCapability)


def to_csi_node_info(result: NodeGetInfoResult) -> pb.NodeGetInfoResponse:
    """``NodeGetInfo``'s response."""
    response = pb.NodeGetInfoResponse(
        node_id=result.node_id, max_volumes_per_node=result.max_volumes_per_node
    )
    if result.accessible_topology is not None:
        response.accessible_topology.CopyFrom(to_csi_topology(result.accessible_topology))
    return response


def from_csi_node_info(response: pb.NodeGetInfoResponse) -> NodeGetInfoResult:
    """The result in ``NodeGetInfo``'s response."""
    return NodeGetInfoResult(
        node_id=response.node_id,
        max_volumes_per_node=response.max_volumes_per_node,
        accessible_topology=optional(response, "accessible_topology", from_csi_topology),
    )


__all__ = [
    "from_csi_node_capabilities",
    "from_csi_node_expand_volume_request",
    "from_csi_node_get_volume_stats_request",
    "from_csi_node_info",
    "from_csi_node_publish_volume_request",
    "from_csi_node_stage_volume_request",
    "from_csi_node_unpublish_volume_request",
    "from_csi_node_unstage_volume_request",
    "from_csi_volume_stats",
    "to_csi_node_capabilities",
    "to_csi_node_info",
    "to_csi_volume_stats",
]

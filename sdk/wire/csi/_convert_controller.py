"""The Controller service's messages, both ways.

For the server: ``from_csi_<rpc>_request`` checks a request's required
fields and returns the storage facade's keyword arguments;
``to_csi_<rpc>_response`` builds the response from the hook's result. For
the client: ``from_csi_<rpc>_response`` reads a response back into the model
(the client builds its requests itself, field for field).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podkit.models.storage import (
    ConfirmedCapabilities,
    ControllerExpandVolumeResult,
    ControllerGetVolumeResult,
    ControllerServiceCapability,
    GetCapacityResult,
    ListSnapshotsEntry,
    ListSnapshotsResult,
    ListVolumesEntry,
    ListVolumesResult,
    ValidateVolumeCapabilitiesResult,
    VolumeStatus,
)
from podkit.wire.csi._convert_common import (
    field,
    from_csi_capacity_range,
    from_csi_content_source,
    from_csi_snapshot,
    from_csi_topology,
    from_csi_topology_requirement,
    from_csi_volume,
    from_csi_volume_capabilities,
    from_csi_volume_capability,
    from_csi_volume_condition,
    known,
    optional,
    require,
    to_csi_snapshot,
    to_csi_volume,
    to_csi_volume_capabilities,
    to_csi_volume_condition,
)
from podkit.wire.csi._proto import csi_pb2 as pb

if TYPE_CHECKING:
    from collections.abc import Mapping

    from podkit.wire.csi._convert_common import Kwargs

# -- requests (server side) ------------------------------------------------------------------


def from_csi_create_volume_request(request: pb.CreateVolumeRequest) -> Kwargs:
    """``CreateVolume``'s arguments; ``name`` and ``volume_capabilities`` are required."""
    require(request, "name", "volume_capabilities")
    return {
        "name": request.name,
        "capacity_range": optional(request, "capacity_range", from_csi_capacity_range),
        "volume_capabilities": field(
            "volume_capabilities", from_csi_volume_capabilities, request.volume_capabilities
        ),
        "parameters": dict(request.parameters),
        "secrets": dict(request.secrets),
        "volume_content_source": optional(
            request, "volume_content_source", from_csi_content_source
        ),
        "accessibility_requirements": optional(
            request, "accessibility_requirements", from_csi_topology_requirement
        ),
        "mutable_parameters": dict(request.mutable_parameters),
    }


def from_csi_delete_volume_request(request: pb.DeleteVolumeRequest) -> Kwargs:
    """``DeleteVolume``'s arguments; ``volume_id`` is required."""
    require(request, "volume_id")
    return {"volume_id": request.volume_id, "secrets": dict(request.secrets)}


def from_csi_controller_publish_volume_request(
    request: pb.ControllerPublishVolumeRequest,
) -> Kwargs:
    """``ControllerPublishVolume``'s arguments."""
    require(request, "volume_id", "node_id", "volume_capability")
    return {
        "volume_id": request.volume_id,
        "node_id": request.node_id,
        "volume_capability": field(
            "volume_capability", from_csi_volume_capability, request.volume_capability
        ),
        "readonly": request.readonly,
        "secrets": dict(request.secrets),
        "volume_context": dict(request.volume_context),
    }


def from_csi_controller_unpublish_volume_request(
    request: pb.ControllerUnpublishVolumeRequest,
) -> Kwargs:
    """``ControllerUnpublishVolume``'s arguments; an empty ``node_id`` means every node."""
    require(request, "volume_id")
    return {
        "volume_id": request.volume_id,
        "node_id": request.node_id,
        "secrets": dict(request.secrets),
    }


def from_csi_validate_volume_capabilities_request(
    request: pb.ValidateVolumeCapabilitiesRequest,
) -> Kwargs:
    """``ValidateVolumeCapabilities``'s arguments."""
    require(request, "volume_id", "volume_capabilities")
    return {
        "volume_id": request.volume_id,
        "volume_context": dict(request.volume_context),
        "volume_capabilities": field(
            "volume_capabilities", from_csi_volume_capabilities, request.volume_capabilities
        ),
        "parameters": dict(request.parameters),
        "secrets": dict(request.secrets),
        "mutable_parameters": dict(request.mutable_parameters),
    }


def from_csi_list_volumes_request(request: pb.ListVolumesRequest) -> Kwargs:
    """``ListVolumes``'s arguments."""
    return {"max_entries": request.max_entries, "starting_token": request.starting_token}


def from_csi_controller_get_volume_request(request: pb.ControllerGetVolumeRequest) -> Kwargs:
    """``ControllerGetVolume``'s arguments."""
    require(request, "volume_id")
    return {"volume_id": request.volume_id}


def from_csi_controller_modify_volume_request(
    request: pb.ControllerModifyVolumeRequest,
) -> Kwargs:
    """``ControllerModifyVolume``'s arguments; ``mutable_parameters`` is required."""
    require(request, "volume_id", "mutable_parameters")
    return {
        "volume_id": request.volume_id,
        "secrets": dict(request.secrets),
        "mutable_parameters": dict(request.mutable_parameters),
    }


def from_csi_get_capacity_request(request: pb.GetCapacityRequest) -> Kwargs:
    """``GetCapacity``'s arguments."""
    return {
        "volume_capabilities": field(
            "volume_capabilities", from_csi_volume_capabilities, request.volume_capabilities
        ),
        "parameters": dict(request.parameters),
        "accessible_topology": optional(request, "accessible_topology", from_csi_topology),
    }


def from_csi_create_snapshot_request(request: pb.CreateSnapshotRequest) -> Kwargs:
    """``CreateSnapshot``'s arguments."""
    require(request, "source_volume_id", "name")
    return {
        "source_volume_id": request.source_volume_id,
        "name": request.name,
        "secrets": dict(request.secrets),
        "parameters": dict(request.parameters),
    }


def from_csi_delete_snapshot_request(request: pb.DeleteSnapshotRequest) -> Kwargs:
    """``DeleteSnapshot``'s arguments."""
    require(request, "snapshot_id")
    return {"snapshot_id": request.snapshot_id, "secrets": dict(request.secrets)}


def from_csi_list_snapshots_request(request: pb.ListSnapshotsRequest) -> Kwargs:
    """``ListSnapshots``'s arguments."""
    return {
        "max_entries": request.max_entries,
        "starting_token": request.starting_token,
        "source_volume_id": request.source_volume_id,
        "snapshot_id": request.snapshot_id,
        "secrets": dict(request.secrets),
    }


def from_csi_controller_expand_volume_request(
    request: pb.ControllerExpandVolumeRequest,
) -> Kwargs:
    """``ControllerExpandVolume``'s arguments."""
    require(request, "volume_id", "capacity_range")
    return {
        "volume_id": request.volume_id,
        "capacity_range": optional(request, "capacity_range", from_csi_capacity_range),
        "secrets": dict(request.secrets),
        "volume_capability": optional(request, "volume_capability", from_csi_volume_capability),
    }


# -- responses ----------------------------------------------------------------------------------


def to_csi_publish_context(context: Mapping[str, str]) -> pb.ControllerPublishVolumeResponse:
    """``ControllerPublishVolume``'s response."""
    return pb.ControllerPublishVolumeResponse(publish_context=dict(context))


def to_csi_validate_volume_capabilities(
    result: ValidateVolumeCapabilitiesResult,
) -> pb.ValidateVolumeCapabilitiesResponse:
    """``ValidateVolumeCapabilities``'s response."""
    response = pb.ValidateVolumeCapabilitiesResponse(message=result.message)
    if (confirmed := result.confirmed) is not None:
        response.confirmed.CopyFrom(
            pb.ValidateVolumeCapabilitiesResponse.Confirmed(
                volume_context=dict(confirmed.volume_context),
                volume_capabilities=to_csi_volume_capabilities(confirmed.volume_capabilities),
                parameters=dict(confirmed.parameters),
                mutable_parameters=dict(confirmed.mutable_parameters),
            )
        )
    return response


def from_csi_validate_volume_capabilities(
    response: pb.ValidateVolumeCapabilitiesResponse,
) -> ValidateVolumeCapabilitiesResult:
    """The result in ``ValidateVolumeCapabilities``'s response."""
    confirmed = None
    if response.HasField("confirmed"):
        message = response.confirmed
        confirmed = ConfirmedCapabilities(
            volume_context=message.volume_context,
            volume_capabilities=from_csi_volume_capabilities(message.volume_capabilities),
            parameters=message.parameters,
            mutable_parameters=message.mutable_parameters,
        )
    return ValidateVolumeCapabilitiesResult(confirmed=confirmed, message=response.message)


def _to_csi_status(
    status: VolumeStatus, message: pb.ListVolumesResponse.VolumeStatus
) -> pb.ListVolumesResponse.VolumeStatus:
    message.published_node_ids.extend(status.published_node_ids)
    if status.volume_condition is not None:
        message.volume_condition.CopyFrom(to_csi_volume_condition(status.volume_condition))
    return message


def _from_csi_status(message: pb.ListVolumesResponse.VolumeStatus) -> VolumeStatus:
    return VolumeStatus(
        published_node_ids=tuple(message.published_node_ids),
        volume_condition=optional(message, "volume_condition", from_csi_volume_condition),
    )


def to_csi_list_volumes(result: ListVolumesResult) -> pb.ListVolumesResponse:
    """``ListVolumes``'s response."""
    response = pb.ListVolumesResponse(next_token=result.next_token)
    for entry in result.entries:
        added = response.entries.add(volume=to_csi_volume(entry.volume))
        if entry.status is not None:
            _to_csi_status(entry.status, added.status)
    return response


def from_csi_list_volumes(response: pb.ListVolumesResponse) -> ListVolumesResult:
    """The page in ``ListVolumes``'s response."""
    entries = [
        ListVolumesEntry(
            volume=from_csi_volume(entry.volume),
            status=_from_csi_status(entry.status) if entry.HasField("status") else None,
        )
        for entry in response.entries
    ]
    return ListVolumesResult(entries=entries, next_token=response.next_token)


def to_csi_controller_get_volume(
    result: ControllerGetVolumeResult,
) -> pb.ControllerGetVolumeResponse:
    """``ControllerGetVolume``'s response."""
    response = pb.ControllerGetVolumeResponse(volume=to_csi_volume(result.volume))
    _to_csi_status(result.status, response.status)
    return response


def from_csi_controller_get_volume(
    response: pb.ControllerGetVolumeResponse,
) -> ControllerGetVolumeResult:
    """The result in ``ControllerGetVolume``'s response."""
    return ControllerGetVolumeResult(
        volume=from_csi_volume(response.volume), status=_from_csi_status(response.status)
    )


def to_csi_get_capacity(result: GetCapacityResult) -> pb.GetCapacityResponse:
    """``GetCapacity``'s response; an unset limit stays unset."""
    response = pb.GetCapacityResponse(available_capacity=result.available_capacity)
    if result.maximum_volume_size is not None:
        response.maximum_volume_size.value = result.maximum_volume_size
    if result.minimum_volume_size is not None:
        response.minimum_volume_size.value = result.minimum_volume_size
    return response


def from_csi_get_capacity(response: pb.GetCapacityResponse) -> GetCapacityResult:
    """The result in ``GetCapacity``'s response."""
    return GetCapacityResult(
        available_capacity=response.available_capacity,
        maximum_volume_size=(
            response.maximum_volume_size.value if response.HasField("maximum_volume_size") else None
        ),
        minimum_volume_size=(
            response.minimum_volume_size.value if response.HasField("minimum_volume_size") else None
        ),
    )


def to_csi_controller_capabilities(
    capabilities: tuple[ControllerServiceCapability, ...],
) -> pb.ControllerGetCapabilitiesResponse:
    """``ControllerGetCapabilities``'s response."""
    rpc = pb.ControllerServiceCapability.RPC
    return pb.ControllerGetCapabilitiesResponse(
        capabilities=[pb.ControllerServiceCapability(rpc=rpc(type=c.name)) for c in capabilities]
    )


def from_csi_controller_capabilities(
    response: pb.ControllerGetCapabilitiesResponse,
) -> tuple[ControllerServiceCapability, ...]:
    """The capabilities in ``ControllerGetCapabilities``'s response; unknown ones dropped."""
    types = [c.rpc.type for c in response.capabilities if c.HasField("rpc")]
    return known(types, ControllerServiceCapability)


def to_csi_list_snapshots(result: ListSnapshotsResult) -> pb.ListSnapshotsResponse:
    """``ListSnapshots``'s response."""
    return pb.ListSnapshotsResponse(
        entries=[
            pb.ListSnapshotsResponse.Entry(snapshot=to_csi_snapshot(e.snapshot))
            for e in result.entries
        ],
        next_token=result.next_token,
    )


def from_csi_list_snapshots(response: pb.ListSnapshotsResponse) -> ListSnapshotsResult:
    """The page in ``ListSnapshots``'s response."""
    return ListSnapshotsResult(
        entries=[ListSnapshotsEntry(from_csi_snapshot(e.snapshot)) for e in response.entries],
        next_token=response.next_token,
    )


def to_csi_controller_expand_volume(
    result: ControllerExpandVolumeResult,
) -> pb.ControllerExpandVolumeResponse:
    """``ControllerExpandVolume``'s response."""
    return pb.ControllerExpandVolumeResponse(
        capacity_bytes=result.capacity_bytes,
        node_expansion_required=result.node_expansion_required,
    )


def from_csi_controller_expand_volume(
    response: pb.ControllerExpandVolumeResponse,
) -> ControllerExpandVolumeResult:
    """The result in ``ControllerExpandVolume``'s response."""
    return ControllerExpandVolumeResult(
        capacity_bytes=response.capacity_bytes,
        node_expansion_required=response.node_expansion_required,
    )


__all__ = [
    "from_csi_controller_capabilities",
    "from_csi_controller_expand_volume",
    "from_csi_controller_expand_volume_request",
    "from_csi_controller_get_volume",
    "from_csi_controller_get_volume_request",
    "from_csi_controller_modify_volume_request",
    "from_csi_controller_publish_volume_request",
    "from_csi_controller_unpublish_volume_request",
    "from_csi_create_snapshot_request",
    "from_csi_create_volume_request",
    "from_csi_delete_snapshot_request",
    "from_csi_delete_volume_request",
    "from_csi_get_capacity",
    "from_csi_get_capacity_request",
    "from_csi_list_snapshots",
    "from_csi_list_snapshots_request",
    "from_csi_list_volumes",
    "from_csi_list_volumes_request",
    "from_csi_validate_volume_capabilities",
    "from_csi_validate_volume_capabilities_request",
    "to_csi_controller_capabilities",
    "to_csi_controller_expand_volume",
    "to_csi_controller_get_volume",
    "to_csi_get_capacity",
    "to_csi_list_snapshots",
    "to_csi_list_volumes",
    "to_csi_publish_context",
    "to_csi_validate_volume_capabilities",
]

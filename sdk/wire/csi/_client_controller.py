"""The Controller hooks of :class:`~podkit.wire.csi.CsiClientPlugin`, forwarded over CSI.

Each hook builds the request from its arguments, field for field, and reads
the response back with a ``from_csi_*`` function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from podkit._markers import hookimpl
from podkit.wire.csi import _convert_common as common
from podkit.wire.csi import _convert_controller as c
from podkit.wire.csi._proto import csi_pb2 as pb

if TYPE_CHECKING:
    from collections.abc import Mapping

    from podkit.models.storage import (
        CapacityRange,
        ControllerExpandVolumeResult,
        ControllerGetVolumeResult,
        ControllerServiceCapability,
        GetCapacityResult,
        ListSnapshotsResult,
        ListVolumesResult,
        Snapshot,
        Topology,
        TopologyRequirement,
        ValidateVolumeCapabilitiesResult,
        Volume,
        VolumeCapability,
        VolumeContentSource,
    )
    from podkit.wire.csi._connection import CsiConnection

# Hooks take the request's fields, as the spec's hooks do.
# ruff: noqa: FBT001, PLR0913, PLR0917


def _done(_response: object) -> Literal[True]:
    return True


class ControllerHooks:
    """The Controller service's hooks, calling ``self._csi``."""

    _csi: CsiConnection

    @hookimpl
    def storage_create_volume(
        self,
        name: str,
        capacity_range: CapacityRange | None,
        volume_capabilities: tuple[VolumeCapability, ...],
        parameters: Mapping[str, str],
        secrets: Mapping[str, str],
        volume_content_source: VolumeContentSource | None,
        accessibility_requirements: TopologyRequirement | None,
        mutable_parameters: Mapping[str, str],
    ) -> Volume:
        """CSI ``CreateVolume``."""
        request = pb.CreateVolumeRequest(
            name=name,
            volume_capabilities=common.to_csi_volume_capabilities(volume_capabilities),
            parameters=dict(parameters),
            secrets=dict(secrets),
            mutable_parameters=dict(mutable_parameters),
        )
        if capacity_range is not None:
            request.capacity_range.CopyFrom(common.to_csi_capacity_range(capacity_range))
        if volume_content_source is not None:
            source = common.to_csi_content_source(volume_content_source)
            request.volume_content_source.CopyFrom(source)
        if accessibility_requirements is not None:
            requirement = common.to_csi_topology_requirement(accessibility_requirements)
            request.accessibility_requirements.CopyFrom(requirement)
        return self._csi.call(
            self._csi.controller.CreateVolume,
            request,
            lambda r: common.from_csi_volume(r.volume),
        )

    @hookimpl
    def storage_delete_volume(self, volume_id: str, secrets: Mapping[str, str]) -> Literal[True]:
        """CSI ``DeleteVolume``."""
        request = pb.DeleteVolumeRequest(volume_id=volume_id, secrets=dict(secrets))
        return self._csi.call(self._csi.controller.DeleteVolume, request, _done)

    @hookimpl
    def storage_controller_publish_volume(
        self,
        volume_id: str,
        node_id: str,
        volume_capability: VolumeCapability,
        readonly: bool,
        secrets: Mapping[str, str],
        volume_context: Mapping[str, str],
    ) -> Mapping[str, str]:
        """CSI ``ControllerPublishVolume``."""
        request = pb.ControllerPublishVolumeRequest(
            volume_id=volume_id,
            node_id=node_id,
            volume_capability=common.to_csi_volume_capability(volume_capability),
            readonly=readonly,
            secrets=dict(secrets),
            volume_context=dict(volume_context),
        )
        return self._csi.call(
            self._csi.controller.ControllerPublishVolume,
            request,
            lambda r: dict(r.publish_context),
        )

    @hookimpl
    def storage_controller_unpublish_volume(
        self, volume_id: str, node_id: str, secrets: Mapping[str, str]
    ) -> Literal[True]:
        """CSI ``ControllerUnpublishVolume``."""
        request = pb.ControllerUnpublishVolumeRequest(
            volume_id=volume_id, node_id=node_id, secrets=dict(secrets)
        )
        return self._csi.call(self._csi.controller.ControllerUnpublishVolume, request, _done)

    @hookimpl
    def storage_validate_volume_capabilities(
        self,
        volume_id: str,
        volume_context: Mapping[str, str],
        volume_capabilities: tuple[VolumeCapability, ...],
        parameters: Mapping[str, str],
        secrets: Mapping[str, str],
        mutable_parameters: Mapping[str, str],
    ) -> ValidateVolumeCapabilitiesResult:
        """CSI ``ValidateVolumeCapabilities``."""
        request = pb.ValidateVolumeCapabilitiesRequest(
            volume_id=volume_id,
            volume_context=dict(volume_context),
            volume_capabilities=common.to_csi_volume_capabilities(volume_capabilities),
            parameters=dict(parameters),
            secrets=dict(secrets),
            mutable_parameters=dict(mutable_parameters),
        )
        return self._csi.call(
            self._csi.controller.ValidateVolumeCapabilities,
            request,
            c.from_csi_validate_volume_capabilities,
        )

    @hookimpl
    def storage_list_volumes(self, max_entries: int, starting_token: str) -> ListVolumesResult:
        """CSI ``ListVolumes``."""
        request = pb.ListVolumesRequest(max_entries=max_entries, starting_token=starting_token)
        return self._csi.call(self._csi.controller.ListVolumes, request, c.from_csi_list_volumes)

    @hookimpl
    def storage_controller_get_volume(self, volume_id: str) -> ControllerGetVolumeResult:
        """CSI ``ControllerGetVolume``."""
        request = pb.ControllerGetVolumeRequest(volume_id=volume_id)
        return self._csi.call(
            self._csi.controller.ControllerGetVolume, request, c.from_csi_controller_get_volume
        )

    @hookimpl
    def storage_controller_modify_volume(
        self, volume_id: str, secrets: Mapping[str, str], mutable_parameters: Mapping[str, str]
    ) -> Literal[True]:
        """CSI ``ControllerModifyVolume``."""
        request = pb.ControllerModifyVolumeRequest(
            volume_id=volume_id, secrets=dict(secrets), mutable_parameters=dict(mutable_parameters)
        )
        return self._csi.call(self._csi.controller.ControllerModifyVolume, request, _done)

    @hookimpl
    def storage_get_capacity(
        self,
        volume_capabilities: tuple[VolumeCapability, ...],
        parameters: Mapping[str, str],
        accessible_topology: Topology | None,
    ) -> GetCapacityResult:
        """CSI ``GetCapacity``."""
        request = pb.GetCapacityRequest(
            volume_capabilities=common.to_csi_volume_capabilities(volume_capabilities),
            parameters=dict(parameters),
        )
        if accessible_topology is not None:
            request.accessible_topology.CopyFrom(common.to_csi_topology(accessible_topology))
        return self._csi.call(self._csi.controller.GetCapacity, request, c.from_csi_get_capacity)

    @hookimpl
    def storage_controller_get_capabilities(self) -> tuple[ControllerServiceCapability, ...]:
        """CSI ``ControllerGetCapabilities``."""
        return self._csi.call(
            self._csi.controller.ControllerGetCapabilities,
            pb.ControllerGetCapabilitiesRequest(),
            c.from_csi_controller_capabilities,
        )

    @hookimpl
    def storage_create_snapshot(
        self,
        source_volume_id: str,
        name: str,
        secrets: Mapping[str, str],
        parameters: Mapping[str, str],
    ) -> Snapshot:
        """CSI ``CreateSnapshot``."""
        request = pb.CreateSnapshotRequest(
            source_volume_id=source_volume_id,
            name=name,
            secrets=dict(secrets),
            parameters=dict(parameters),
        )
        return self._csi.call(
            self._csi.controller.CreateSnapshot,
            request,
            lambda r: common.from_csi_snapshot(r.snapshot),
        )

    @hookimpl
    def storage_delete_snapshot(
        self, snapshot_id: str, secrets: Mapping[str, str]
    ) -> Literal[True]:
        """CSI ``DeleteSnapshot``."""
        request = pb.DeleteSnapshotRequest(snapshot_id=snapshot_id, secrets=dict(secrets))
        return self._csi.call(self._csi.controller.DeleteSnapshot, request, _done)

    @hookimpl
    def storage_list_snapshots(
        self,
        max_entries: int,
        starting_token: str,
        source_volume_id: str,
        snapshot_id: str,
        secrets: Mapping[str, str],
    ) -> ListSnapshotsResult:
        """CSI ``ListSnapshots``."""
        request = pb.ListSnapshotsRequest(
            max_entries=max_entries,
            starting_token=starting_token,
            source_volume_id=source_volume_id,
            snapshot_id=snapshot_id,
            secrets=dict(secrets),
        )
        return self._csi.call(
            self._csi.controller.ListSnapshots, request, c.from_csi_list_snapshots
        )

    @hookimpl
    def storage_controller_expand_volume(
        self,
        volume_id: str,
        capacity_range: CapacityRange,
        secrets: Mapping[str, str],
        volume_capability: VolumeCapability | None,
    ) -> ControllerExpandVolumeResult:
        """CSI ``ControllerExpandVolume``."""
        request = pb.ControllerExpandVolumeRequest(
            volume_id=volume_id,
            capacity_range=common.to_csi_capacity_range(capacity_range),
            secrets=dict(secrets),
        )
        if volume_capability is not None:
            capability = common.to_csi_volume_capability(volume_capability)
            request.volume_capability.CopyFrom(capability)
        return self._csi.call(
            self._csi.controller.ControllerExpandVolume,
            request,
            c.from_csi_controller_expand_volume,
        )


__all__ = ["ControllerHooks"]

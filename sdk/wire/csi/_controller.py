"""The CSI Controller service, served from a storage plugin's hooks.

Each method: ``from_csi_*`` request -> the storage facade's call for the
served driver -> ``to_csi_*`` response. Errors (podkit errors, missing
fields) are the instrumented wrapper's job
(:mod:`podkit.wire.csi._instrumented`); RPCs the plugin does not implement
raise :class:`~podkit.errors.UnimplementedError` from the plugin manager.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, final

from podkit.errors import UnimplementedError
from podkit.wire.csi import _convert_controller as c
from podkit.wire.csi._convert_common import to_csi_snapshot, to_csi_volume
from podkit.wire.csi._proto import csi_pb2 as pb
from podkit.wire.csi._proto import csi_pb2_grpc

if TYPE_CHECKING:
    import grpc

    from podkit.pluginmanager._facade_storage import StorageHooks

# The methods are the RPCs, named as the spec names them, with grpc's servicer
# signature, whose request and context not every RPC needs.
# ruff: noqa: N802, ARG002


@final
class ControllerServicer(csi_pb2_grpc.ControllerServicer):
    """``csi.v1.Controller`` for the driver ``driver`` of ``storage``."""

    def __init__(self, storage: StorageHooks, driver: str) -> None:
        self._storage = storage
        self._driver = driver

    def CreateVolume(
        self, request: pb.CreateVolumeRequest, context: grpc.ServicerContext
    ) -> pb.CreateVolumeResponse:
        """CSI ``CreateVolume``."""
        args = c.from_csi_create_volume_request(request)
        volume = self._storage.create_volume(self._driver, **args)
        return pb.CreateVolumeResponse(volume=to_csi_volume(volume))

    def DeleteVolume(
        self, request: pb.DeleteVolumeRequest, context: grpc.ServicerContext
    ) -> pb.DeleteVolumeResponse:
        """CSI ``DeleteVolume``."""
        self._storage.delete_volume(self._driver, **c.from_csi_delete_volume_request(request))
        return pb.DeleteVolumeResponse()

    def ControllerPublishVolume(
        self, request: pb.ControllerPublishVolumeRequest, context: grpc.ServicerContext
    ) -> pb.ControllerPublishVolumeResponse:
        """CSI ``ControllerPublishVolume``."""
        args = c.from_csi_controller_publish_volume_request(request)
        return c.to_csi_publish_context(
            self._storage.controller_publish_volume(self._driver, **args)
        )

    def ControllerUnpublishVolume(
        self, request: pb.ControllerUnpublishVolumeRequest, context: grpc.ServicerContext
    ) -> pb.ControllerUnpublishVolumeResponse:
        """CSI ``ControllerUnpublishVolume``."""
        args = c.from_csi_controller_unpublish_volume_request(request)
        self._storage.controller_unpublish_volume(self._driver, **args)
        return pb.ControllerUnpublishVolumeResponse()

    def ValidateVolumeCapabilities(
        self, request: pb.ValidateVolumeCapabilitiesRequest, context: grpc.ServicerContext
    ) -> pb.ValidateVolumeCapabilitiesResponse:
        """CSI ``ValidateVolumeCapabilities``."""
        args = c.from_csi_validate_volume_capabilities_request(request)
        return c.to_csi_validate_volume_capabilities(
            self._storage.validate_volume_capabilities(self._driver, **args)
        )

    def ListVolumes(
        self, request: pb.ListVolumesRequest, context: grpc.ServicerContext
    ) -> pb.ListVolumesResponse:
        """CSI ``ListVolumes``."""
        args = c.from_csi_list_volumes_request(request)
        return c.to_csi_list_volumes(self._storage.list_volumes(self._driver, **args))

    def ControllerGetVolume(
        self, request: pb.ControllerGetVolumeRequest, context: grpc.ServicerContext
    ) -> pb.ControllerGetVolumeResponse:
        """CSI ``ControllerGetVolume``."""
        args = c.from_csi_controller_get_volume_request(request)
        return c.to_csi_controller_get_volume(
            self._storage.controller_get_volume(self._driver, **args)
        )

    def ControllerModifyVolume(
        self, request: pb.ControllerModifyVolumeRequest, context: grpc.ServicerContext
    ) -> pb.ControllerModifyVolumeResponse:
        """CSI ``ControllerModifyVolume``."""
        args = c.from_csi_controller_modify_volume_request(request)
        self._storage.controller_modify_volume(self._driver, **args)
        return pb.ControllerModifyVolumeResponse()

    def GetCapacity(
        self, request: pb.GetCapacityRequest, context: grpc.ServicerContext
    ) -> pb.GetCapacityResponse:
        """CSI ``GetCapacity``."""
        args = c.from_csi_get_capacity_request(request)
        return c.to_csi_get_capacity(self._storage.get_capacity(self._driver, **args))

    def ControllerGetCapabilities(
        self, request: pb.ControllerGetCapabilitiesRequest, context: grpc.ServicerContext
    ) -> pb.ControllerGetCapabilitiesResponse:
        """CSI ``ControllerGetCapabilities``."""
        return c.to_csi_controller_capabilities(
            self._storage.controller_get_capabilities(self._driver)
        )

    def CreateSnapshot(
        self, request: pb.CreateSnapshotRequest, context: grpc.ServicerContext
    ) -> pb.CreateSnapshotResponse:
        """CSI ``CreateSnapshot``."""
        args = c.from_csi_create_snapshot_request(request)
        snapshot = self._storage.create_snapshot(self._driver, **args)
        return pb.CreateSnapshotResponse(snapshot=to_csi_snapshot(snapshot))

    def DeleteSnapshot(
        self, request: pb.DeleteSnapshotRequest, context: grpc.ServicerContext
    ) -> pb.DeleteSnapshotResponse:
        """CSI ``DeleteSnapshot``."""
        self._storage.delete_snapshot(self._driver, **c.from_csi_delete_snapshot_request(request))
        return pb.DeleteSnapshotResponse()

    def ListSnapshots(
        self, request: pb.ListSnapshotsRequest, context: grpc.ServicerContext
    ) -> pb.ListSnapshotsResponse:
        """CSI ``ListSnapshots``."""
        args = c.from_csi_list_snapshots_request(request)
        return c.to_csi_list_snapshots(self._storage.list_snapshots(self._driver, **args))

    def GetSnapshot(
        self, request: pb.GetSnapshotRequest, context: grpc.ServicerContext
    ) -> pb.GetSnapshotResponse:
        """CSI ``GetSnapshot`` (alpha): podkit has no hook for it."""
        msg = "GetSnapshot is not implemented: podkit has no storage hook for it"
        raise UnimplementedError(msg)

    def ControllerExpandVolume(
        self, request: pb.ControllerExpandVolumeRequest, context: grpc.ServicerContext
    ) -> pb.ControllerExpandVolumeResponse:
        """CSI ``ControllerExpandVolume``."""
        args = c.from_csi_controller_expand_volume_request(request)
        return c.to_csi_controller_expand_volume(
            self._storage.controller_expand_volume(self._driver, **args)
        )


__all__ = ["ControllerServicer"]

"""The CSI Node service, served from a storage plugin's hooks.

Each method: ``from_csi_*`` request -> the storage facade's call for the
served driver -> ``to_csi_*`` response. Errors are the instrumented
wrapper's job (:mod:`podkit.wire.csi._instrumented`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, final

from podkit.wire.csi import _convert_node as n
from podkit.wire.csi._proto import csi_pb2 as pb
from podkit.wire.csi._proto import csi_pb2_grpc

if TYPE_CHECKING:
    import grpc

    from podkit.pluginmanager._facade_storage import StorageHooks

# The methods are the RPCs, named as the spec names them, with grpc's servicer
# signature, whose request and context not every RPC needs.
# ruff: noqa: N802, ARG002


@final
class NodeServicer(csi_pb2_grpc.NodeServicer):
    """``csi.v1.Node`` for the driver ``driver`` of ``storage``."""

    def __init__(self, storage: StorageHooks, driver: str) -> None:
        self._storage = storage
        self._driver = driver

    def NodeStageVolume(
        self, request: pb.NodeStageVolumeRequest, context: grpc.ServicerContext
    ) -> pb.NodeStageVolumeResponse:
        """CSI ``NodeStageVolume``."""
        args = n.from_csi_node_stage_volume_request(request)
        self._storage.node_stage_volume(self._driver, **args)
        return pb.NodeStageVolumeResponse()

    def NodeUnstageVolume(
        self, request: pb.NodeUnstageVolumeRequest, context: grpc.ServicerContext
    ) -> pb.NodeUnstageVolumeResponse:
        """CSI ``NodeUnstageVolume``."""
        args = n.from_csi_node_unstage_volume_request(request)
        self._storage.node_unstage_volume(self._driver, **args)
        return pb.NodeUnstageVolumeResponse()

    def NodePublishVolume(
        self, request: pb.NodePublishVolumeRequest, context: grpc.ServicerContext
    ) -> pb.NodePublishVolumeResponse:
        """CSI ``NodePublishVolume``."""
        args = n.from_csi_node_publish_volume_request(request)
        self._storage.node_publish_volume(self._driver, **args)
        return pb.NodePublishVolumeResponse()

    def NodeUnpublishVolume(
        self, request: pb.NodeUnpublishVolumeRequest, context: grpc.ServicerContext
    ) -> pb.NodeUnpublishVolumeResponse:
        """CSI ``NodeUnpublishVolume``."""
        args = n.from_csi_node_unpublish_volume_request(request)
        self._storage.node_unpublish_volume(self._driver, **args)
        return pb.NodeUnpublishVolumeResponse()

    def NodeGetVolumeStats(
        self, request: pb.NodeGetVolumeStatsRequest, context: grpc.ServicerContext
    ) -> pb.NodeGetVolumeStatsResponse:
        """CSI ``NodeGetVolumeStats``."""
        args = n.from_csi_node_get_volume_stats_request(request)
        return n.to_csi_volume_stats(self._storage.node_get_volume_stats(self._driver, **args))

    def NodeExpandVolume(
        self, request: pb.NodeExpandVolumeRequest, context: grpc.ServicerContext
    ) -> pb.NodeExpandVolumeResponse:
        """CSI ``NodeExpandVolume``."""
        args = n.from_csi_node_expand_volume_request(request)
        capacity = self._storage.node_expand_volume(self._driver, **args)
        return pb.NodeExpandVolumeResponse(capacity_bytes=capacity)

    def NodeGetCapabilities(
        self, request: pb.NodeGetCapabilitiesRequest, context: grpc.ServicerContext
    ) -> pb.NodeGetCapabilitiesResponse:
        """CSI ``NodeGetCapabilities``."""
        return n.to_csi_node_capabilities(self._storage.node_get_capabilities(self._driver))

    def NodeGetInfo(
        self, request: pb.NodeGetInfoRequest, context: grpc.ServicerContext
    ) -> pb.NodeGetInfoResponse:
        """CSI ``NodeGetInfo``."""
        return n.to_csi_node_info(self._storage.node_get_info(self._driver))


__all__ = ["NodeServicer"]

"""The CSI Identity service, served from a storage plugin's hooks.

Each method: the request (empty here) -> the storage facade's call for the
served driver -> the response. Errors are the instrumented wrapper's job
(:mod:`podkit.wire.csi._instrumented`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, final

from podkit.wire.csi._convert_identity import (
    to_csi_plugin_capabilities,
    to_csi_plugin_info,
    to_csi_probe,
)
from podkit.wire.csi._proto import csi_pb2_grpc

if TYPE_CHECKING:
    import grpc

    from podkit.pluginmanager._facade_storage import StorageHooks
    from podkit.wire.csi._proto import csi_pb2 as pb

# The methods are the RPCs, named as the spec names them, with grpc's servicer
# signature, whose request and context not every RPC needs.
# ruff: noqa: N802, ARG002


@final
class IdentityServicer(csi_pb2_grpc.IdentityServicer):
    """``csi.v1.Identity`` for the driver ``driver`` of ``storage``."""

    def __init__(self, storage: StorageHooks, driver: str) -> None:
        self._storage = storage
        self._driver = driver

    def GetPluginInfo(
        self, request: pb.GetPluginInfoRequest, context: grpc.ServicerContext
    ) -> pb.GetPluginInfoResponse:
        """CSI ``GetPluginInfo``."""
        return to_csi_plugin_info(self._storage.get_plugin_info(self._driver))

    def GetPluginCapabilities(
        self, request: pb.GetPluginCapabilitiesRequest, context: grpc.ServicerContext
    ) -> pb.GetPluginCapabilitiesResponse:
        """CSI ``GetPluginCapabilities``."""
        return to_csi_plugin_capabilities(self._storage.get_plugin_capabilities(self._driver))

    def Probe(self, request: pb.ProbeRequest, context: grpc.ServicerContext) -> pb.ProbeResponse:
        """CSI ``Probe``."""
        return to_csi_probe(self._storage.probe(self._driver))


__all__ = ["IdentityServicer"]

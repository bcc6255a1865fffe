"""The Identity and Node hooks of :class:`~podkit.wire.csi.CsiClientPlugin`, over CSI.

Each hook builds the request from its arguments, field for field, and reads
the response back with a ``from_csi_*`` function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from podkit._markers import hookimpl
from podkit.wire.csi import _convert_common as common
from podkit.wire.csi import _convert_identity as i
from podkit.wire.csi import _convert_node as n
from podkit.wire.csi._proto import csi_pb2 as pb

if TYPE_CHECKING:
    from collections.abc import Mapping

    from podkit.models.storage import (
        CapacityRange,
        NodeGetInfoResult,
        NodeGetVolumeStatsResult,
        NodeServiceCapability,
        PluginCapability,
        PluginInfo,
        ProbeResult,
        VolumeCapability,
    )
    from podkit.wire.csi._connection import CsiConnection

# Hooks take the request's fields, as the spec's hooks do.
# ruff: noqa: FBT001, PLR0913, PLR0917


def _done(_response: object) -> Literal[True]:
    return True


class IdentityHooks:
    """The Identity service's hooks, calling ``self._csi``."""

    _csi: CsiConnection

    @hookimpl
    def storage_get_plugin_info(self) -> PluginInfo:
        """CSI ``GetPluginInfo``."""
        return self._csi.call(
            self._csi.identity.GetPluginInfo, pb.GetPluginInfoRequest(), i.from_csi_plugin_info
        )

    @hookimpl
    def storage_get_plugin_capabilities(self) -> tuple[PluginCapability, ...]:
        """CSI ``GetPluginCapabilities``."""
        return self._csi.call(
            self._csi.identity.GetPluginCapabilities,
            pb.GetPluginCapabilitiesRequest(),
            i.from_csi_plugin_capabilities,
        )

    @hookimpl
    def storage_probe(self) -> ProbeResult:
        """CSI ``Probe``."""
        return self._csi.call(self._csi.identity.Probe, pb.ProbeRequest(), i.from_csi_probe)


class NodeHooks:
    """The Node service's hooks, calling ``self._csi``."""

    _csi: CsiConnection

    @hookimpl
    def storage_node_stage_volume(
        self,
        volume_id: str,
        publish_context: Mapping[str, str],
        staging_target_path: str,
        volume_capability: VolumeCapability,
        secrets: Mapping[str, str],
        volume_context: Mapping[str, str],
    ) -> Literal[True]:
        """CSI ``NodeStageVolume``."""
        request = pb.NodeStageVolumeRequest(
            volume_id=volume_id,
            publish_context=dict(publish_context),
            staging_target_path=staging_target_path,
            volume_capability=common.to_csi_volume_capability(volume_capability),
            secrets=dict(secrets),
            volume_context=dict(volume_context),
        )
        return self._csi.call(self._csi.node.NodeStageVolume, request, _done)

    @hookimpl
    def storage_node_unstage_volume(
        self, volume_id: str, staging_target_path: str
    ) -> Literal[True]:
        """CSI ``NodeUnstageVolume``."""
        request = pb.NodeUnstageVolumeRequest(
            volume_id=volume_id, staging_target_path=staging_target_path
        )
        return self._csi.call(self._csi.node.NodeUnstageVolume, request, _done)

    @hookimpl
    def storage_node_publish_volume(
        self,
        volume_id: str,
        publish_context: Mapping[str, str],
        staging_target_path: str,
        target_path: str,
        volume_capability: VolumeCapability,
        readonly: bool,
        secrets: Mapping[str, str],
        volume_context: Mapping[str, str],
    ) -> Literal[True]:
        """CSI ``NodePublishVolume``."""
        request = pb.NodePublishVolumeRequest(
            volume_id=volume_id,
            publish_context=dict(publish_context),
            staging_target_path=staging_target_path,
            target_path=target_path,
            volume_capability=common.to_csi_volume_capability(volume_capability),
            readonly=readonly,
            secrets=dict(secrets),
            volume_context=dict(volume_context),
        )
        return self._csi.call(self._csi.node.NodePublishVolume, request, _done)

    @hookimpl
    def storage_node_unpublish_volume(self, volume_id: str, target_path: str) -> Literal[True]:
        """CSI ``NodeUnpublishVolume``."""
        request = pb.NodeUnpublishVolumeRequest(volume_id=volume_id, target_path=target_path)
        return self._csi.call(self._csi.node.NodeUnpublishVolume, request, _done)

    @hookimpl
    def storage_node_get_volume_stats(
        self, volume_id: str, volume_path: str, staging_target_path: str
    ) -> NodeGetVolumeStatsResult:
        """CSI ``NodeGetVolumeStats``."""
        request = pb.NodeGetVolumeStatsRequest(
            volume_id=volume_id, volume_path=volume_path, staging_target_path=staging_target_path
        )
        return self._csi.call(self._csi.node.NodeGetVolumeStats, request, n.from_csi_volume_stats)

    @hookimpl
    def storage_node_expand_volume(
        self,
        volume_id: str,
        volume_path: str,
        capacity_range: CapacityRange | None,
        staging_target_path: str,
        volume_capability: VolumeCapability | None,
        secrets: Mapping[str, str],
    ) -> int:
        """CSI ``NodeExpandVolume``."""
        request = pb.NodeExpandVolumeRequest(
            volume_id=volume_id,
            volume_path=volume_path,
            staging_target_path=staging_target_path,
            secrets=dict(secrets),
        )
        if capacity_range is not None:
            request.capacity_range.CopyFrom(common.to_csi_capacity_range(capacity_range))
        if volume_capability is not None:
            capability = common.to_csi_volume_capability(volume_capability)
            request.volume_capability.CopyFrom(capability)
        return self._csi.call(
            self._csi.node.NodeExpandVolume, request, lambda r: int(r.capacity_bytes)
        )

    @hookimpl
    def storage_node_get_capabilities(self) -> tuple[NodeServiceCapability, ...]:
        """CSI ``NodeGetCapabilities``."""
        return self._csi.call(
            self._csi.node.NodeGetCapabilities,
            pb.NodeGetCapabilitiesRequest(),
            n.from_csi_node_capabilities,
        )

    @hookimpl
    def storage_node_get_info(self) -> NodeGetInfoResult:
        """CSI ``NodeGetInfo``."""
        return self._csi.call(
            self._csi.node.NodeGetInfo, pb.NodeGetInfoRequest(), n.from_csi_node_info
        )


__all__ = ["IdentityHooks", "NodeHooks"]

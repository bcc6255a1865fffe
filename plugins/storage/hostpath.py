"""The hostpath CSI driver ``hostpath.csi.podkit.dev``: volumes are directories of the node.

In the manner of the upstream hostpath CSI driver (kubernetes-csi/csi-driver-host-path),
for one node: the Controller service creates volumes as directories under a
base dir with their size accounted against a capacity, cuts snapshots as tars
and restores or clones volumes from them; the Node service stages volumes and
publishes them by bind mounts. Every record is kept in a state file under
the base dir, so that the driver survives a restart.

This module is the plugin: one hook implementation per CSI RPC, each checking
its driver name (``answers_for``) and handing over to the modules that do the work.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, final

import podkit
from podkit.models.storage import (
    ControllerServiceCapability,
    NodeGetInfoResult,
    NodeServiceCapability,
    PluginInfo,
    PluginService,
    ProbeResult,
)
from podkit.plugins.storage import _common, _hostpath_node, _hostpath_snapshots
from podkit.plugins.storage import _hostpath_volumes as _volumes
from podkit.plugins.storage._hostpath_store import DEFAULT_BASE_DIR, HostPathStore

if TYPE_CHECKING:
    from collections.abc import Mapping

    from podkit.models.storage import (
        CapacityRange,
        GetCapacityResult,
        ListSnapshotsResult,
        ListVolumesResult,
        NodeGetVolumeStatsResult,
        Snapshot,
        ValidateVolumeCapabilitiesResult,
        Volume,
        VolumeCapability,
        VolumeContentSource,
    )

#: The CSI driver name.
DRIVER: Final = "hostpath.csi.podkit.dev"
_CONTROLLER: Final = (
    ControllerServiceCapability.CREATE_DELETE_VOLUME,
    ControllerServiceCapability.LIST_VOLUMES,
    ControllerServiceCapability.GET_CAPACITY,
    ControllerServiceCapability.CREATE_DELETE_SNAPSHOT,
    ControllerServiceCapability.LIST_SNAPSHOTS,
    ControllerServiceCapability.CLONE_VOLUME,
    ControllerServiceCapability.SINGLE_NODE_MULTI_WRITER,
)
_NODE: Final = (
    NodeServiceCapability.STAGE_UNSTAGE_VOLUME,
    NodeServiceCapability.GET_VOLUME_STATS,
    NodeServiceCapability.SINGLE_NODE_MULTI_WRITER,
)

# pluggy passes arguments by name: a boolean argument is positional in the spec,
# and hooks take the request's fields, however many.
# ruff: noqa: FBT001, PLR0913, PLR0917


@final
@podkit.answers_for(DRIVER)
class HostPathDriver:
    """The hostpath CSI driver, Controller and Node service, in-process.

    :param base_dir: where volumes, snapshots and the state file live.
    :param capacity: the bytes volumes may take in all; ``None`` for the size
        of the filesystem that holds ``base_dir``.
    :param max_volume_size: the largest volume; ``None`` for ``capacity``.
    :param node_id: the node's id for NodeGetInfo; the host name by default.

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        base_dir: str | os.PathLike[str] = DEFAULT_BASE_DIR,
        *,
        capacity: int | None = None,
        max_volume_size: int | None = None,
        node_id: str = "",
    ) -> None:
        self._store: Final = HostPathStore(
            Path(base_dir), capacity, max_volume_size, node_id or socket.gethostname()
        )

    # -- Identity service ------------------------------------------------------------

    @podkit.hookimpl
    def storage_get_plugin_info(self) -> PluginInfo:
        """GetPluginInfo."""
        return PluginInfo(name=DRIVER, vendor_version=_common.VENDOR_VERSION)

    @podkit.hookimpl
    def storage_get_plugin_capabilities(self) -> tuple[PluginService, ...]:
        """GetPluginCapabilities: a Controller service; no topology (one node)."""
        return (PluginService.CONTROLLER_SERVICE,)

    @podkit.hookimpl
    def storage_probe(self) -> ProbeResult:
        """Probe: ready when the base dir is, or can be made, a writable directory."""
        base = self._store.base_dir
        probe = next(p for p in (base, *base.parents) if p.exists())
        if not probe.is_dir() or not _writable(probe):
            msg = f"failed to probe {DRIVER}: base dir {str(base)!r} is not writable"
            raise podkit.FailedPreconditionError(msg)
        return ProbeResult(ready=True)

    # -- Controller service ----------------------------------------------------------

    @podkit.hookimpl
    def storage_controller_get_capabilities(self) -> tuple[ControllerServiceCapability, ...]:
        """ControllerGetCapabilities: what the hooks below implement."""
        return _CONTROLLER

    @podkit.hookimpl
    def storage_create_volume(
        self,
        name: str,
        capacity_range: CapacityRange | None,
        volume_capabilities: tuple[VolumeCapability, ...],
        parameters: Mapping[str, str],
        volume_content_source: VolumeContentSource | None,
        mutable_parameters: Mapping[str, str],
    ) -> Volume:
        """CreateVolume."""
        return _volumes.create_volume(
            self._store,
            name,
            capacity_range,
            volume_capabilities,
            parameters,
            volume_content_source,
            mutable_parameters,
        )

    @podkit.hookimpl
    def storage_delete_volume(self, volume_id: str) -> Literal[True]:
        """DeleteVolume."""
        _volumes.delete_volume(self._store, volume_id)
        return True

    @podkit.hookimpl
    def storage_validate_volume_capabilities(
        self,
        volume_id: str,
        volume_context: Mapping[str, str],
        volume_capabilities: tuple[VolumeCapability, ...],
        parameters: Mapping[str, str],
    ) -> ValidateVolumeCapabilitiesResult:
        """ValidateVolumeCapabilities."""
        return _volumes.validate_capabilities(
            self._store, volume_id, volume_context, volume_capabilities, parameters
        )

    @podkit.hookimpl
    def storage_list_volumes(self, max_entries: int, starting_token: str) -> ListVolumesResult:
        """ListVolumes."""
        return _volumes.list_volumes(self._store, max_entries, starting_token)

    @podkit.hookimpl
    def storage_get_capacity(
        self, volume_capabilities: tuple[VolumeCapability, ...], parameters: Mapping[str, str]
    ) -> GetCapacityResult:
        """GetCapacity."""
        return _volumes.get_capacity(self._store, volume_capabilities, parameters)

    @podkit.hookimpl
    def storage_create_snapshot(
        self, source_volume_id: str, name: str, parameters: Mapping[str, str]
    ) -> Snapshot:
        """CreateSnapshot."""
        return _hostpath_snapshots.create_snapshot(self._store, source_volume_id, name, parameters)

    @podkit.hookimpl
    def storage_delete_snapshot(self, snapshot_id: str) -> Literal[True]:
        """DeleteSnapshot."""
        _hostpath_snapshots.delete_snapshot(self._store, snapshot_id)
        return True

    @podkit.hookimpl
    def storage_list_snapshots(
        self, max_entries: int, starting_token: str, source_volume_id: str, snapshot_id: str
    ) -> ListSnapshotsResult:
        """ListSnapshots."""
        return _hostpath_snapshots.list_snapshots(
            self._store, max_entries, starting_token, source_volume_id, snapshot_id
        )

    # -- Node service ----------------------------------------------------------------

    @podkit.hookimpl
    def storage_node_get_capabilities(self) -> tuple[NodeServiceCapability, ...]:
        """NodeGetCapabilities: what the hooks below implement."""
        return _NODE

    @podkit.hookimpl
    def storage_node_get_info(self) -> NodeGetInfoResult:
        """NodeGetInfo."""
        return NodeGetInfoResult(node_id=self._store.node_id)

    @podkit.hookimpl
    def storage_node_stage_volume(
        self, volume_id: str, staging_target_path: str, volume_capability: VolumeCapability
    ) -> Literal[True]:
        """NodeStageVolume."""
        _hostpath_node.stage(self._store, volume_id, staging_target_path, volume_capability)
        return True

    @podkit.hookimpl
    def storage_node_unstage_volume(
        self, volume_id: str, staging_target_path: str
    ) -> Literal[True]:
        """NodeUnstageVolume."""
        _hostpath_node.unstage(self._store, volume_id, staging_target_path)
        return True

    @podkit.hookimpl
    def storage_node_publish_volume(
        self,
        volume_id: str,
        staging_target_path: str,
        target_path: str,
        volume_capability: VolumeCapability,
        readonly: bool,
    ) -> Literal[True]:
        """NodePublishVolume."""
        _hostpath_node.publish(
            self._store,
            volume_id,
            staging_target_path,
            target_path,
            volume_capability,
            readonly=readonly,
        )
        return True

    @podkit.hookimpl
    def storage_node_unpublish_volume(self, volume_id: str, target_path: str) -> Literal[True]:
        """NodeUnpublishVolume."""
        _hostpath_node.unpublish(self._store, volume_id, target_path)
        return True

    @podkit.hookimpl
    def storage_node_get_volume_stats(
        self, volume_id: str, volume_path: str
    ) -> NodeGetVolumeStatsResult:
        """NodeGetVolumeStats."""
        return _hostpath_node.volume_stats(self._store, volume_id, volume_path)


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK | os.X_OK)


__all__ = ["DRIVER", "HostPathDriver"]

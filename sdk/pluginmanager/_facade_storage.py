"""The typed storage hooks: ``pm.storage.node_publish_volume(driver, ...)``.

One method per hook of :mod:`podkit.hookspecs.storage`; see
:mod:`podkit.pluginmanager._facades` for what they share. Here, besides,
every ``secrets`` argument reaches the plugins (and the wrappers, the trace
plugin included) as a :class:`~podkit.models.storage.Secrets`, whose ``repr``
hides the values; ``None`` passes no secrets.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any, Final, Literal, cast, final

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from podkit.models.storage import (
        CapacityRange,
        ControllerExpandVolumeResult,
        ControllerGetVolumeResult,
        ControllerServiceCapability,
        GetCapacityResult,
        ListSnapshotsResult,
        ListVolumesResult,
        NodeGetInfoResult,
        NodeGetVolumeStatsResult,
        NodeServiceCapability,
        PluginCapability,
        PluginInfo,
        ProbeResult,
        Secrets,
        Snapshot,
        Topology,
        TopologyRequirement,
        ValidateVolumeCapabilitiesResult,
        Volume,
        VolumeCapability,
        VolumeContentSource,
    )

# As in the spec, ``readonly`` is a positional boolean (FBT001) and the
# request's fields are the arguments, however many (PLR0913, PLR0917).
# ruff: noqa: FBT001, PLR0913, PLR0917

_NO_ENTRIES: Final[Mapping[str, str]] = types.MappingProxyType({})


def _secrets(secrets: Mapping[str, str] | None) -> Secrets:
    """``secrets`` as :class:`~podkit.models.storage.Secrets`; ``None`` as no secrets."""
    from podkit.models.storage import Secrets  # noqa: PLC0415 - see _facades

    if isinstance(secrets, Secrets):
        return secrets
    return Secrets() if secrets is None else Secrets(secrets)


@final
class StorageHooks:
    """The storage hooks, one typed method each, called on the plugin for ``driver``.

    Reached as :attr:`PluginManager.storage <podkit.PluginManager.storage>`.
    ``pm.storage.probe("hostpath.csi.k8s.io")`` calls
    :func:`~podkit.hookspecs.storage.storage_probe` on the plugin that
    answers for that CSI driver and returns its
    :class:`~podkit.models.storage.ProbeResult`. Every method raises
    :class:`podkit.NoPluginError` when no storage plugin answers for
    ``driver`` and :class:`podkit.UnimplementedError` when the one that does
    lacks the hook; a ``secrets`` mapping with an invalid key raises
    :class:`podkit.InvalidArgumentError` before any plugin is called.

    :param call: the manager's :meth:`~podkit.PluginManager.call`.

    .. versionadded:: 0.1
    """

    __slots__ = ("_call",)

    def __init__(self, call: Callable[..., Any]) -> None:
        self._call: Final = call

    # -- Identity service -----------------------------------------------------------

    def get_plugin_info(self, driver: str) -> PluginInfo:
        """CSI ``GetPluginInfo``.

        See :func:`podkit.hookspecs.storage.storage_get_plugin_info`.
        """
        return cast("PluginInfo", self._call("storage_get_plugin_info", driver=driver))

    def get_plugin_capabilities(self, driver: str) -> tuple[PluginCapability, ...]:
        """CSI ``GetPluginCapabilities``.

        See :func:`podkit.hookspecs.storage.storage_get_plugin_capabilities`.
        """
        return cast(
            "tuple[PluginCapability, ...]",
            self._call("storage_get_plugin_capabilities", driver=driver),
        )

    def probe(self, driver: str) -> ProbeResult:
        """CSI ``Probe``.

        See :func:`podkit.hookspecs.storage.storage_probe`.
        """
        return cast("ProbeResult", self._call("storage_probe", driver=driver))

    # -- Controller service ---------------------------------------------------------

    def create_volume(
        self,
        driver: str,
        name: str,
        capacity_range: CapacityRange | None,
        volume_capabilities: tuple[VolumeCapability, ...],
        parameters: Mapping[str, str] = _NO_ENTRIES,
        secrets: Mapping[str, str] | None = None,
        volume_content_source: VolumeContentSource | None = None,
        accessibility_requirements: TopologyRequirement | None = None,
        mutable_parameters: Mapping[str, str] = _NO_ENTRIES,
    ) -> Volume:
        """CSI ``CreateVolume``.

        See :func:`podkit.hookspecs.storage.storage_create_volume`.
        """
        return cast(
            "Volume",
            self._call(
                "storage_create_volume",
                driver=driver,
                name=name,
                capacity_range=capacity_range,
                volume_capabilities=volume_capabilities,
                parameters=parameters,
                secrets=_secrets(secrets),
                volume_content_source=volume_content_source,
                accessibility_requirements=accessibility_requirements,
                mutable_parameters=mutable_parameters,
            ),
        )

    def delete_volume(
        self, driver: str, volume_id: str, secrets: Mapping[str, str] | None = None
    ) -> Literal[True]:
        """CSI ``DeleteVolume``.

        See :func:`podkit.hookspecs.storage.storage_delete_volume`.
        """
        return cast(
            "Literal[True]",
            self._call(
                "storage_delete_volume",
                driver=driver,
                volume_id=volume_id,
                secrets=_secrets(secrets),
            ),
        )

    def controller_publish_volume(
        self,
        driver: str,
        volume_id: str,
        node_id: str,
        volume_capability: VolumeCapability,
        readonly: bool,
        secrets: Mapping[str, str] | None = None,
        volume_context: Mapping[str, str] = _NO_ENTRIES,
    ) -> Mapping[str, str]:
        """CSI ``ControllerPublishVolume``.

        See :func:`podkit.hookspecs.storage.storage_controller_publish_volume`.
        """
        return cast(
            "Mapping[str, str]",
            self._call(
                "storage_controller_publish_volume",
                driver=driver,
                volume_id=volume_id,
                node_id=node_id,
                volume_capability=volume_capability,
                readonly=readonly,
                secrets=_secrets(secrets),
                volume_context=volume_context,
            ),
        )

    def controller_unpublish_volume(
        self, driver: str, volume_id: str, node_id: str, secrets: Mapping[str, str] | None = None
    ) -> Literal[True]:
        """CSI ``ControllerUnpublishVolume``.

        See :func:`podkit.hookspecs.storage.storage_controller_unpublish_volume`.
        """
        return cast(
            "Literal[True]",
            self._call(
                "storage_controller_unpublish_volume",
                driver=driver,
                volume_id=volume_id,
                node_id=node_id,
                secrets=_secrets(secrets),
            ),
        )

    def validate_volume_capabilities(
        self,
        driver: str,
        volume_id: str,
        volume_context: Mapping[str, str],
        volume_capabilities: tuple[VolumeCapability, ...],
        parameters: Mapping[str, str] = _NO_ENTRIES,
        secrets: Mapping[str, str] | None = None,
        mutable_parameters: Mapping[str, str] = _NO_ENTRIES,
    ) -> ValidateVolumeCapabilitiesResult:
        """CSI ``ValidateVolumeCapabilities``.

        See :func:`podkit.hookspecs.storage.storage_validate_volume_capabilities`.
        """
        return cast(
            "ValidateVolumeCapabilitiesResult",
            self._call(
                "storage_validate_volume_capabilities",
                driver=driver,
                volume_id=volume_id,
                volume_context=volume_context,
                volume_capabilities=volume_capabilities,
                parameters=parameters,
                secrets=_secrets(secrets),
                mutable_parameters=mutable_parameters,
            ),
        )

    def list_volumes(
        self, driver: str, max_entries: int = 0, starting_token: str = ""
    ) -> ListVolumesResult:
        """CSI ``ListVolumes``.

        See :func:`podkit.hookspecs.storage.storage_list_volumes`.
        """
        return cast(
            "ListVolumesResult",
            self._call(
                "storage_list_volumes",
                driver=driver,
                max_entries=max_entries,
                starting_token=starting_token,
            ),
        )

    def controller_get_volume(self, driver: str, volume_id: str) -> ControllerGetVolumeResult:
        """CSI ``ControllerGetVolume``.

        See :func:`podkit.hookspecs.storage.storage_controller_get_volume`.
        """
        return cast(
            "ControllerGetVolumeResult",
            self._call("storage_controller_get_volume", driver=driver, volume_id=volume_id),
        )

    def controller_modify_volume(
        self,
        driver: str,
        volume_id: str,
        secrets: Mapping[str, str] | None,
        mutable_parameters: Mapping[str, str],
    ) -> Literal[True]:
        """CSI ``ControllerModifyVolume``.

        See :func:`podkit.hookspecs.storage.storage_controller_modify_volume`.
        """
        return cast(
            "Literal[True]",
            self._call(
                "storage_controller_modify_volume",
                driver=driver,
                volume_id=volume_id,
                secrets=_secrets(secrets),
                mutable_parameters=mutable_parameters,
            ),
        )

    def get_capacity(
        self,
        driver: str,
        volume_capabilities: tuple[VolumeCapability, ...] = (),
        parameters: Mapping[str, str] = _NO_ENTRIES,
        accessible_topology: Topology | None = None,
    ) -> GetCapacityResult:
        """CSI ``GetCapacity``.

        See :func:`podkit.hookspecs.storage.storage_get_capacity`.
        """
        return cast(
            "GetCapacityResult",
            self._call(
                "storage_get_capacity",
                driver=driver,
                volume_capabilities=volume_capabilities,
                parameters=parameters,
                accessible_topology=accessible_topology,
            ),
        )

    def controller_get_capabilities(self, driver: str) -> tuple[ControllerServiceCapability, ...]:
        """CSI ``ControllerGetCapabilities``.

        See :func:`podkit.hookspecs.storage.storage_controller_get_capabilities`.
        """
        return cast(
            "tuple[ControllerServiceCapability, ...]",
            self._call("storage_controller_get_capabilities", driver=driver),
        )

    def create_snapshot(
        self,
        driver: str,
        source_volume_id: str,
        name: str,
        secrets: Mapping[str, str] | None = None,
        parameters: Mapping[str, str] = _NO_ENTRIES,
    ) -> Snapshot:
        """CSI ``CreateSnapshot``.

        See :func:`podkit.hookspecs.storage.storage_create_snapshot`.
        """
        return cast(
            "Snapshot",
            self._call(
                "storage_create_snapshot",
                driver=driver,
                source_volume_id=source_volume_id,
                name=name,
                secrets=_secrets(secrets),
                parameters=parameters,
            ),
        )

    def delete_snapshot(
        self, driver: str, snapshot_id: str, secrets: Mapping[str, str] | None = None
    ) -> Literal[True]:
        """CSI ``DeleteSnapshot``.

        See :func:`podkit.hookspecs.storage.storage_delete_snapshot`.
        """
        return cast(
            "Literal[True]",
            self._call(
                "storage_delete_snapshot",
                driver=driver,
                snapshot_id=snapshot_id,
                secrets=_secrets(secrets),
            ),
        )

    def list_snapshots(
        self,
        driver: str,
        max_entries: int = 0,
        starting_token: str = "",
        source_volume_id: str = "",
        snapshot_id: str = "",
        secrets: Mapping[str, str] | None = None,
    ) -> ListSnapshotsResult:
        """CSI ``ListSnapshots``.

        See :func:`podkit.hookspecs.storage.storage_list_snapshots`.
        """
        return cast(
            "ListSnapshotsResult",
            self._call(
                "storage_list_snapshots",
                driver=driver,
                max_entries=max_entries,
                starting_token=starting_token,
                source_volume_id=source_volume_id,
                snapshot_id=snapshot_id,
                secrets=_secrets(secrets),
            ),
        )

    def controller_expand_volume(
        self,
        driver: str,
        volume_id: str,
        capacity_range: CapacityRange,
        secrets: Mapping[str, str] | None = None,
        volume_capability: VolumeCapability | None = None,
    ) -> ControllerExpandVolumeResult:
        """CSI ``ControllerExpandVolume``.

        See :func:`podkit.hookspecs.storage.storage_controller_expand_volume`.
        """
        return cast(
            "ControllerExpandVolumeResult",
            self._call(
                "storage_controller_expand_volume",
                driver=driver,
                volume_id=volume_id,
                capacity_range=capacity_range,
                secrets=_secrets(secrets),
                volume_capability=volume_capability,
            ),
        )

    # -- Node service ---------------------------------------------------------------

    def node_stage_volume(
        self,
        driver: str,
        volume_id: str,
        publish_context: Mapping[str, str],
        staging_target_path: str,
        volume_capability: VolumeCapability,
        secrets: Mapping[str, str] | None = None,
        volume_context: Mapping[str, str] = _NO_ENTRIES,
    ) -> Literal[True]:
        """CSI ``NodeStageVolume``.

        See :func:`podkit.hookspecs.storage.storage_node_stage_volume`.
        """
        return cast(
            "Literal[True]",
            self._call(
                "storage_node_stage_volume",
                driver=driver,
                volume_id=volume_id,
                publish_context=publish_context,
                staging_target_path=staging_target_path,
                volume_capability=volume_capability,
                secrets=_secrets(secrets),
                volume_context=volume_context,
            ),
        )

    def node_unstage_volume(
        self, driver: str, volume_id: str, staging_target_path: str
    ) -> Literal[True]:
        """CSI ``NodeUnstageVolume``.

        See :func:`podkit.hookspecs.storage.storage_node_unstage_volume`.
        """
        return cast(
            "Literal[True]",
            self._call(
                "storage_node_unstage_volume",
                driver=driver,
                volume_id=volume_id,
                staging_target_path=staging_target_path,
            ),
        )

    def node_publish_volume(
        self,
        driver: str,
        volume_id: str,
        publish_context: Mapping[str, str],
        staging_target_path: str,
        target_path: str,
        volume_capability: VolumeCapability,
        readonly: bool,
        secrets: Mapping[str, str] | None = None,
        volume_context: Mapping[str, str] = _NO_ENTRIES,
    ) -> Literal[True]:
        """CSI ``NodePublishVolume``.

        See :func:`podkit.hookspecs.storage.storage_node_publish_volume`.
        """
        return cast(
            "Literal[True]",
            self._call(
                "storage_node_publish_volume",
                driver=driver,
                volume_id=volume_id,
                publish_context=publish_context,
                staging_target_path=staging_target_path,
                target_path=target_path,
                volume_capability=volume_capability,
                readonly=readonly,
                secrets=_secrets(secrets),
                volume_context=volume_context,
            ),
        )

    def node_unpublish_volume(self, driver: str, volume_id: str, target_path: str) -> Literal[True]:
        """CSI ``NodeUnpublishVolume``.

        See :func:`podkit.hookspecs.storage.storage_node_unpublish_volume`.
        """
        return cast(
            "Literal[True]",
            self._call(
                "storage_node_unpublish_volume",
                driver=driver,
                volume_id=volume_id,
                target_path=target_path,
            ),
        )

    def node_get_volume_stats(
        self, driver: str, volume_id: str, volume_path: str, staging_target_path: str = ""
    ) -> NodeGetVolumeStatsResult:
        """CSI ``NodeGetVolumeStats``.

        See :func:`podkit.hookspecs.storage.storage_node_get_volume_stats`.
        """
        return cast(
            "NodeGetVolumeStatsResult",
            self._call(
                "storage_node_get_volume_stats",
                driver=driver,
                volume_id=volume_id,
                volume_path=volume_path,
                staging_target_path=staging_target_path,
            ),
        )

    def node_expand_volume(
        self,
        driver: str,
        volume_id: str,
        volume_path: str,
        capacity_range: CapacityRange | None = None,
        staging_target_path: str = "",
        volume_capability: VolumeCapability | None = None,
        secrets: Mapping[str, str] | None = None,
    ) -> int:
        """CSI ``NodeExpandVolume``.

        See :func:`podkit.hookspecs.storage.storage_node_expand_volume`.
        """
        return cast(
            "int",
            self._call(
                "storage_node_expand_volume",
                driver=driver,
                volume_id=volume_id,
                volume_path=volume_path,
                capacity_range=capacity_range,
                staging_target_path=staging_target_path,
                volume_capability=volume_capability,
                secrets=_secrets(secrets),
            ),
        )

    def node_get_capabilities(self, driver: str) -> tuple[NodeServiceCapability, ...]:
        """CSI ``NodeGetCapabilities``.

        See :func:`podkit.hookspecs.storage.storage_node_get_capabilities`.
        """
        return cast(
            "tuple[NodeServiceCapability, ...]",
            self._call("storage_node_get_capabilities", driver=driver),
        )

    def node_get_info(self, driver: str) -> NodeGetInfoResult:
        """CSI ``NodeGetInfo``.

        See :func:`podkit.hookspecs.storage.storage_node_get_info`.
        """
        return cast("NodeGetInfoResult", self._call("storage_node_get_info", driver=driver))


__all__ = ["StorageHooks"]

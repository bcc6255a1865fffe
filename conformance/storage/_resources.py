"""The cleanup registry: everything a test makes on the driver is undone after it.

csi-sanity's ``Resources`` in Python. Tests create volumes, snapshots,
stagings and publications through a :class:`Resources`, or record the ones
they make themselves (``track_*``) before calling the driver; after the test,
pass or fail, :meth:`Resources.cleanup` unpublishes, unstages and deletes them
in the order the spec requires (every NodeUnpublishVolume before
NodeUnstageVolume, both before DeleteVolume). Undoing something already undone
is no error: every undo RPC is idempotent ("If the volume ... is not staged
... the Plugin MUST reply 0 OK").
"""

from __future__ import annotations

import contextlib
import types
from functools import partial
from typing import TYPE_CHECKING, Final, final

import attrs

import podkit
from podkit.conformance.storage._driver import MOUNT, unique_name
from podkit.models.storage import ControllerServiceCapability, NodeServiceCapability, Volume

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from podkit.conformance.storage._driver import Driver
    from podkit.models.storage import (
        CapacityRange,
        Snapshot,
        VolumeCapability,
        VolumeContentSource,
    )

_EMPTY: Final[Mapping[str, str]] = types.MappingProxyType({})


@final
@attrs.frozen(kw_only=True)
class NodeVolume:
    """A volume ready for NodePublishVolume: created, controller-published and staged as needed."""

    volume_id: str
    volume_context: Mapping[str, str] = _EMPTY
    secrets: Mapping[str, str] = _EMPTY
    #: What ControllerPublishVolume returned; empty without PUBLISH_UNPUBLISH_VOLUME.
    publish_context: Mapping[str, str] = _EMPTY
    #: Where the volume is staged; ``""`` without STAGE_UNSTAGE_VOLUME.
    staging_target_path: str = ""
    capability: VolumeCapability = MOUNT


@final
class Resources:
    """What a test made on the driver, undone by :meth:`cleanup`."""

    def __init__(self, driver: Driver) -> None:
        self._driver: Final = driver
        # dicts as ordered sets: undone newest first, each once
        self._publications: dict[tuple[str, str], None] = {}
        self._stagings: dict[tuple[str, str], None] = {}
        self._controller_publications: dict[tuple[str, str], None] = {}
        self._snapshots: dict[str, None] = {}
        self._volumes: dict[str, None] = {}
        self._directories: dict[Path, None] = {}

    # -- recording --------------------------------------------------------------------

    def track_volume(self, volume_id: str) -> None:
        """Delete ``volume_id`` after the test."""
        self._volumes[volume_id] = None

    def track_snapshot(self, snapshot_id: str) -> None:
        """Delete ``snapshot_id`` after the test."""
        self._snapshots[snapshot_id] = None

    def track_staging(self, volume_id: str, staging_target_path: str) -> None:
        """Unstage ``volume_id`` from ``staging_target_path`` after the test."""
        self._stagings[volume_id, staging_target_path] = None

    def track_publication(self, volume_id: str, target_path: str) -> None:
        """Unpublish ``volume_id`` from ``target_path`` after the test."""
        self._publications[volume_id, target_path] = None

    def make_directory(self, path: Path) -> Path:
        """Create the directory ``path`` (the CO's part, e.g. a staging path); removed after."""
        path.mkdir()
        self._directories[path] = None
        return path

    # -- making -----------------------------------------------------------------------

    def create_volume(
        self,
        name: str,
        *,
        capacity_range: CapacityRange | None = None,
        capabilities: tuple[VolumeCapability, ...] = (MOUNT,),
        source: VolumeContentSource | None = None,
    ) -> Volume:
        """CreateVolume, recording the volume for deletion."""
        storage = self._driver.target.manager.storage
        volume = storage.create_volume(
            self._driver.name, name, capacity_range, capabilities, volume_content_source=source
        )
        self.track_volume(volume.volume_id)
        return volume

    def create_snapshot(self, source_volume_id: str, name: str) -> Snapshot:
        """CreateSnapshot, recording the snapshot for deletion."""
        storage = self._driver.target.manager.storage
        snapshot = storage.create_snapshot(self._driver.name, source_volume_id, name)
        self.track_snapshot(snapshot.snapshot_id)
        return snapshot

    def controller_publish(self, volume: NodeVolume) -> Mapping[str, str]:
        """ControllerPublishVolume to this node; returns the publish context."""
        storage = self._driver.target.manager.storage
        node_id = storage.node_get_info(self._driver.name).node_id
        self._controller_publications[volume.volume_id, node_id] = None
        return storage.controller_publish_volume(
            self._driver.name,
            volume.volume_id,
            node_id,
            volume.capability,
            readonly=False,
            secrets=volume.secrets,
            volume_context=volume.volume_context,
        )

    def stage(self, volume: NodeVolume) -> None:
        """NodeStageVolume at ``volume.staging_target_path``."""
        self.track_staging(volume.volume_id, volume.staging_target_path)
        self._driver.target.manager.storage.node_stage_volume(
            self._driver.name,
            volume.volume_id,
            volume.publish_context,
            volume.staging_target_path,
            volume.capability,
            secrets=volume.secrets,
            volume_context=volume.volume_context,
        )

    def publish(
        self,
        volume: NodeVolume,
        target_path: str | Path,
        *,
        readonly: bool = False,
        capability: VolumeCapability | None = None,
    ) -> None:
        """NodePublishVolume at ``target_path``."""
        self.track_publication(volume.volume_id, str(target_path))
        self._driver.target.manager.storage.node_publish_volume(
            self._driver.name,
            volume.volume_id,
            volume.publish_context,
            volume.staging_target_path,
            str(target_path),
            capability or volume.capability,
            readonly,
            secrets=volume.secrets,
            volume_context=volume.volume_context,
        )

    def prepare_on_node(
        self,
        volume: NodeVolume | Volume | str,
        directory: Path,
        capability: VolumeCapability = MOUNT,
    ) -> NodeVolume:
        """Make ``volume`` ready for NodePublishVolume: controller-publish and stage it.

        A string is the name of a volume to create with ``capability``, a
        :class:`~podkit.models.storage.Volume` one that CreateVolume returned;
        a staging path is made in ``directory``.
        """
        if isinstance(volume, str):
            volume = self.create_volume(volume, capabilities=(capability,))
        if isinstance(volume, Volume):
            volume = NodeVolume(volume_id=volume.volume_id, volume_context=volume.volume_context)
        volume = attrs.evolve(volume, capability=capability)
        if self._driver.has(ControllerServiceCapability.PUBLISH_UNPUBLISH_VOLUME):
            context = self.controller_publish(volume)
            volume = attrs.evolve(volume, publish_context=context)
        if self._driver.has(NodeServiceCapability.STAGE_UNSTAGE_VOLUME):
            staging = self.make_directory(directory / unique_name("staging"))
            volume = attrs.evolve(volume, staging_target_path=str(staging))
            self.stage(volume)
        return volume

    # -- undoing ----------------------------------------------------------------------

    def cleanup(self) -> list[str]:
        """Undo everything recorded, newest first; return what could not be undone."""
        storage = self._driver.target.manager.storage
        name = self._driver.name
        steps: list[tuple[str, Callable[[], object]]] = []
        for volume_id, path in reversed(self._publications):
            undo = partial(storage.node_unpublish_volume, name, volume_id, path)
            steps.append((f"NodeUnpublishVolume({volume_id!r}, {path!r})", undo))
        for volume_id, path in reversed(self._stagings):
            undo = partial(storage.node_unstage_volume, name, volume_id, path)
            steps.append((f"NodeUnstageVolume({volume_id!r}, {path!r})", undo))
        for volume_id, node_id in reversed(self._controller_publications):
            undo = partial(storage.controller_unpublish_volume, name, volume_id, node_id)
            steps.append((f"ControllerUnpublishVolume({volume_id!r}, {node_id!r})", undo))
        for snapshot_id in reversed(self._snapshots):
            undo = partial(storage.delete_snapshot, name, snapshot_id)
            steps.append((f"DeleteSnapshot({snapshot_id!r})", undo))
        for volume_id in reversed(self._volumes):
            undo = partial(storage.delete_volume, name, volume_id)
            steps.append((f"DeleteVolume({volume_id!r})", undo))
        failed = [(what, undo) for what, undo in steps if _attempt(undo)]
        # Once more, what failed: a driver may refuse to delete a snapshot while a
        # volume made from it exists ("Snapshot in use | 9 FAILED_PRECONDITION").
        errors = [f"{what}: {error}" for what, undo in failed if (error := _attempt(undo))]
        for directory in reversed(self._directories):
            # rmdir only: never recurse into what may still be a mount of a volume
            with contextlib.suppress(FileNotFoundError):
                try:
                    directory.rmdir()
                except OSError as exc:
                    errors.append(f"remove directory {str(directory)!r}: {exc}")
        return errors


def _attempt(undo: Callable[[], object]) -> str:
    try:
        undo()
    except podkit.PodkitError as exc:
        return f"{type(exc).__name__}: {exc}"
    return ""


__all__ = ["NodeVolume", "Resources"]

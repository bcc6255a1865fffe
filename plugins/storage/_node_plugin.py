"""The shape shared by the node-only plugins: hostPath, emptyDir, Secret and ConfigMap.

These volumes have no Controller service: the kubelet publishes a pod's
volume (``volume_id`` names it) at a target path and unpublishes it when the
pod goes. The base class implements Identity, NodeGetInfo, NodeGetCapabilities,
NodeGetVolumeStats and the CSI rules of NodePublishVolume/NodeUnpublishVolume
(required fields, idempotency, target directory, rollback, records in a state
file); each plugin says how its volume is parsed, mounted and cleaned up.
"""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, Literal, TypeVar

import podkit
from podkit.errors import AlreadyExistsError, NotFoundError
from podkit.models.storage import (
    NodeGetInfoResult,
    NodeServiceCapability,
    PluginInfo,
    ProbeResult,
)
from podkit.plugins.storage import _common, _mount, _stats
from podkit.plugins.storage._state import StateFile

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from podkit.models.storage import (
        NodeGetVolumeStatsResult,
        PluginCapability,
        VolumeCapability,
    )

#: Where the node plugins keep their state and data, each in a folder of its own.
DEFAULT_STATE_ROOT: Final = Path("/var/lib/podkit/storage")

Record = dict[str, Any]
#: What a plugin parsed from a request: how to mount its volume.
Spec = TypeVar("Spec")

# pluggy passes arguments by name: a boolean argument is positional in the spec,
# and hooks take the request's fields, however many.
# ruff: noqa: FBT001, PLR0913, PLR0917


class NodePlugin(Generic[Spec]):
    """A node-only CSI driver; subclasses set :attr:`DRIVER` and the three steps.

    :param state_dir: where the plugin keeps its records (and data, for emptyDir).
    :param node_id: the node's id for NodeGetInfo; the host name by default.
    """

    #: The CSI driver name.
    DRIVER: ClassVar[str]
    #: What the volumes are called in messages ("emptyDir volume").
    KIND: ClassVar[str]

    def __init__(self, state_dir: str | os.PathLike[str], *, node_id: str = "") -> None:
        self.state_dir: Final = Path(state_dir)
        self.node_id: Final = node_id or socket.gethostname()
        self.state: Final = StateFile(self.state_dir, ("publications",))
        self.lock: Final = self.state.lock

    @property
    def publications(self) -> dict[str, Record]:
        """Publications by target path."""
        return self.state["publications"]

    # -- what each plugin does ---------------------------------------------------

    def parse(
        self, volume_id: str, volume_context: Mapping[str, str], secrets: Mapping[str, str]
    ) -> tuple[str, Spec]:
        """Validate the request; return what identifies the volume (for idempotency) and a spec."""
        raise NotImplementedError

    def mount(self, volume_id: str, target: str, spec: Spec, flags: int) -> None:
        """Mount the volume at ``target`` (an empty directory); undo what failed."""
        raise NotImplementedError

    def is_directory(self, spec: Spec) -> bool:  # noqa: ARG002 -- subclasses use it
        """Whether the target is a directory (or a file, for a file mounted alone)."""
        return True

    def update(self, target: str, spec: Spec, flags: int) -> None:
        """Publish again at a target already published with the same arguments."""

    def release(self, volume_id: str, target: str) -> None:
        """Clean up after ``target`` was unmounted (e.g. remove the data)."""

    # -- Identity service ---------------------------------------------------------------

    @podkit.hookimpl
    def storage_get_plugin_info(self) -> PluginInfo:
        """GetPluginInfo."""
        return PluginInfo(name=self.DRIVER, vendor_version=_common.VENDOR_VERSION)

    @podkit.hookimpl
    def storage_get_plugin_capabilities(self) -> tuple[PluginCapability, ...]:
        """GetPluginCapabilities: none; a node-only plugin."""
        return ()

    @podkit.hookimpl
    def storage_probe(self) -> ProbeResult:
        """Probe: nothing to wait for."""
        return ProbeResult(ready=True)

    # -- Node service -------------------------------------------------------------------

    @podkit.hookimpl
    def storage_node_get_capabilities(self) -> tuple[NodeServiceCapability, ...]:
        """NodeGetCapabilities: stats; no staging."""
        return (NodeServiceCapability.GET_VOLUME_STATS,)

    @podkit.hookimpl
    def storage_node_get_info(self) -> NodeGetInfoResult:
        """NodeGetInfo."""
        return NodeGetInfoResult(node_id=self.node_id)

    @podkit.hookimpl
    def storage_node_publish_volume(
        self,
        volume_id: str,
        target_path: str,
        volume_capability: VolumeCapability,
        readonly: bool,
        secrets: Mapping[str, str],
        volume_context: Mapping[str, str],
    ) -> Literal[True]:
        """NodePublishVolume: parse, then mount at ``target_path`` (or update it)."""
        action = f"publish {self.KIND} {volume_id!r}"
        _common.require(volume_id, "volume_id", f"publish {self.KIND}")
        _common.require(target_path, "target_path", action)
        _common.check_capability(volume_capability, action)
        identity, spec = self.parse(volume_id, volume_context, secrets)
        digest = _common.publish_digest(volume_capability, readonly=readonly, extra=identity)
        flags = _common.mount_flags(volume_capability, readonly=readonly)
        with self.lock:
            record = self.publications.get(target_path)
            if record is not None and record != {"volume_id": volume_id, "digest": digest}:
                msg = f"failed to {action}: published at {target_path!r} with other arguments"
                raise AlreadyExistsError(msg)
            if record is not None and _mount.is_mount_point(target_path):
                # "already been published ... and is compatible ... MUST reply 0 OK";
                # the kubelet re-publishes to update (Secret and ConfigMap data).
                self.update(target_path, spec, flags)
                return True
            self._publish(volume_id, target_path, spec, flags, digest, action)
        return True

    def _publish(
        self,
        volume_id: str,
        target: str,
        spec: Spec,
        flags: int,
        digest: str,
        action: str,
    ) -> None:
        with contextlib.ExitStack() as undo:
            if _common.ensure_target(target, action, directory=self.is_directory(spec)):
                undo.callback(_common.remove_target, target)
            self.mount(volume_id, target, spec, flags)
            undo.callback(self.release, volume_id, target)
            undo.callback(_mount.unmount, target)
            self.publications[target] = {"volume_id": volume_id, "digest": digest}
            self.state.save()
            undo.pop_all()

    @podkit.hookimpl
    def storage_node_unpublish_volume(self, volume_id: str, target_path: str) -> Literal[True]:
        """NodeUnpublishVolume: unmount, remove the target and clean up; nothing there is OK."""
        action = f"unpublish {self.KIND} {volume_id!r}"
        _common.require(volume_id, "volume_id", f"unpublish {self.KIND}")
        _common.require(target_path, "target_path", action)
        with self.lock:
            record = self.publications.get(target_path)
            if record is not None and record["volume_id"] != volume_id:
                msg = f"failed to {action}: {target_path!r} publishes {record['volume_id']!r}"
                raise NotFoundError(msg)
            _common.remove_target(target_path)
            self.publications.pop(target_path, None)
            self.release(volume_id, target_path)
            self.state.save()
        return True

    @podkit.hookimpl
    def storage_node_get_volume_stats(
        self, volume_id: str, volume_path: str
    ) -> NodeGetVolumeStatsResult:
        """NodeGetVolumeStats: statvfs of the published path."""
        action = f"get stats of {self.KIND} {volume_id!r}"
        _common.require(volume_id, "volume_id", f"get stats of {self.KIND}")
        _common.require(volume_path, "volume_path", action)
        with self.lock:
            record = self.publications.get(volume_path)
        if record is None or record["volume_id"] != volume_id:
            msg = f"failed to {action}: not published at {volume_path!r}"
            raise NotFoundError(msg)
        if not _mount.is_mount_point(volume_path):
            msg = f"failed to {action}: nothing is mounted at {volume_path!r}"
            raise NotFoundError(msg)
        return _stats.volume_stats(volume_path)


__all__ = ["DEFAULT_STATE_ROOT", "NodePlugin", "Record"]

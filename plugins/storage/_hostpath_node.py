"""The hostpath driver's Node RPCs: stage and publish a volume directory by bind mounts.

NodeStageVolume bind-mounts the volume directory at the staging path (which
the caller created); NodePublishVolume bind-mounts the staging path at the
target path (which it creates), read-only when asked, with a bind remount
(MS_RDONLY|MS_BIND|MS_REMOUNT: a bind mount ignores MS_RDONLY, mount(2)).
Stagings and publications are recorded, so a restarted driver still knows
them; a record whose mount is gone (e.g. after a reboot) is mounted again.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from podkit.errors import AlreadyExistsError, FailedPreconditionError, NotFoundError
from podkit.models.storage import NodeGetVolumeStatsResult
from podkit.plugins.storage import _common, _mount, _stats

if TYPE_CHECKING:
    from podkit.models.storage import NodeGetVolumeStatsResult, VolumeCapability
    from podkit.plugins.storage._hostpath_store import HostPathStore


def stage(
    store: HostPathStore, volume_id: str, staging_target_path: str, capability: VolumeCapability
) -> None:
    """NodeStageVolume: bind-mount the volume directory at ``staging_target_path``."""
    action = f"stage volume {volume_id!r}"
    _common.require(volume_id, "volume_id", "stage volume")
    _common.require(staging_target_path, "staging_target_path", action)
    _common.check_capability(capability, action)
    digest = _common.publish_digest(capability, readonly=False)
    with store.lock:
        store.volume(volume_id, action)
        record = store.stagings.get(staging_target_path)
        if record is not None and (record["volume_id"], record["digest"]) != (volume_id, digest):
            msg = f"failed to {action}: {staging_target_path!r} holds another staging"
            raise AlreadyExistsError(msg)
        if record is not None and _mount.is_mount_point(staging_target_path):
            return  # "already staged ... and is identical ... MUST reply 0 OK"
        if not Path(staging_target_path).is_dir():
            msg = f"failed to {action}: staging_target_path {staging_target_path!r} is no directory"
            raise FailedPreconditionError(msg)
        _mount.bind(str(store.volume_dir(volume_id)), staging_target_path)
        with contextlib.ExitStack() as undo:
            undo.callback(_mount.unmount, staging_target_path)
            store.stagings[staging_target_path] = {"volume_id": volume_id, "digest": digest}
            store.save()
            undo.pop_all()


def unstage(store: HostPathStore, volume_id: str, staging_target_path: str) -> None:
    """NodeUnstageVolume: unmount the staging path (which stays: the caller owns it)."""
    action = f"unstage volume {volume_id!r}"
    _common.require(volume_id, "volume_id", "unstage volume")
    _common.require(staging_target_path, "staging_target_path", action)
    with store.lock:
        record = store.stagings.get(staging_target_path)
        if record is None:
            return  # "not staged to the staging_target_path ... MUST reply 0 OK"
        _mount.unmount(staging_target_path)
        del store.stagings[staging_target_path]
        store.save()


def _check_other_publications(
    store: HostPathStore, volume_id: str, target_path: str, capability: VolumeCapability
) -> None:
    # The hookspec's table: at another path, only shared access modes may publish again.
    others = [
        path
        for path, record in store.publications.items()
        if record["volume_id"] == volume_id and path != target_path
    ]
    modes = {store.publications[p]["mode"] for p in others} | {capability.access_mode.name}
    shared = {m.name for m in _common.SHARED_MODES}
    if others and not modes <= shared:
        msg = (
            f"failed to publish volume {volume_id!r} at {target_path!r}: already published "
            f"at {sorted(others)!r} and access mode {capability.access_mode.name} allows one"
        )
        raise FailedPreconditionError(msg)


def publish(  # noqa: PLR0913 -- the fields of NodePublishVolumeRequest that matter here
    store: HostPathStore,
    volume_id: str,
    staging_target_path: str,
    target_path: str,
    capability: VolumeCapability,
    *,
    readonly: bool,
) -> None:
    """NodePublishVolume: bind-mount the staged volume at ``target_path``."""
    action = f"publish volume {volume_id!r}"
    _common.require(volume_id, "volume_id", "publish volume")
    _common.require(target_path, "target_path", action)
    _common.check_capability(capability, action)
    if not staging_target_path:  # we advertise STAGE_UNSTAGE_VOLUME
        msg = f"failed to {action}: staging_target_path is required (STAGE_UNSTAGE_VOLUME)"
        raise FailedPreconditionError(msg)
    digest = _common.publish_digest(capability, readonly=readonly)
    with store.lock:
        store.volume(volume_id, action)
        _check_staged(store, volume_id, staging_target_path, action)
        record = store.publications.get(target_path)
        if record is not None and (record["volume_id"], record["digest"]) != (volume_id, digest):
            msg = f"failed to {action}: published at {target_path!r} with other arguments"
            raise AlreadyExistsError(msg)
        if record is not None and _mount.is_mount_point(target_path):
            return  # "already been published ... and is compatible ... MUST reply 0 OK"
        _check_other_publications(store, volume_id, target_path, capability)
        flags = _common.mount_flags(capability, readonly=readonly)
        with contextlib.ExitStack() as undo:
            if _common.ensure_target(target_path, action):
                undo.callback(os.rmdir, target_path)
            _mount.bind(staging_target_path, target_path, flags=flags)
            undo.callback(_mount.unmount, target_path)
            mode = capability.access_mode.name
            store.publications[target_path] = {
                "volume_id": volume_id,
                "digest": digest,
                "mode": mode,
            }
            store.save()
            undo.pop_all()


def _check_staged(
    store: HostPathStore, volume_id: str, staging_target_path: str, action: str
) -> None:
    staged = store.stagings.get(staging_target_path)
    if (
        staged is None
        or staged["volume_id"] != volume_id
        or not _mount.is_mount_point(staging_target_path)
    ):
        msg = f"failed to {action}: not staged at {staging_target_path!r}"
        raise FailedPreconditionError(msg)


def unpublish(store: HostPathStore, volume_id: str, target_path: str) -> None:
    """NodeUnpublishVolume: unmount and remove ``target_path``; nothing there is success."""
    action = f"unpublish volume {volume_id!r}"
    _common.require(volume_id, "volume_id", "unpublish volume")
    _common.require(target_path, "target_path", action)
    with store.lock:
        record = store.publications.get(target_path)
        if record is not None and record["volume_id"] != volume_id:
            msg = f"failed to {action}: {target_path!r} publishes {record['volume_id']!r}"
            raise NotFoundError(msg)
        _common.remove_target(target_path)  # a mount left by a crash before save goes too
        if store.publications.pop(target_path, None) is not None:
            store.save()


def volume_stats(
    store: HostPathStore, volume_id: str, volume_path: str
) -> NodeGetVolumeStatsResult:
    """NodeGetVolumeStats: statvfs of a path where the volume is staged or published."""
    action = f"get stats of volume {volume_id!r}"
    _common.require(volume_id, "volume_id", "get volume stats")
    _common.require(volume_path, "volume_path", action)
    with store.lock:
        store.volume(volume_id, action)
        record = store.publications.get(volume_path) or store.stagings.get(volume_path)
        if record is None or record["volume_id"] != volume_id:
            msg = f"failed to {action}: not staged or published at {volume_path!r}"
            raise NotFoundError(msg)
    if not _mount.is_mount_point(volume_path):
        msg = f"failed to {action}: nothing is mounted at {volume_path!r}"
        raise NotFoundError(msg)
    return _stats.volume_stats(volume_path)


__all__ = ["publish", "stage", "unpublish", "unstage", "volume_stats"]

"""Node RPCs over CSI that mount: staging and publishing by bind mounts (root)."""

from __future__ import annotations

import grpc
import pytest
from pkg_csi_helpers import MIB, mount_capability, pb_mount_capability, status_of

from podkit.models.storage import CapacityRange, VolumeUsageUnit
from podkit.plugins.storage import _mount
from podkit.plugins.storage.hostpath import DRIVER
from podkit.wire.csi._proto import csi_pb2 as pb

pytestmark = pytest.mark.root


@pytest.fixture
def unmount_leftovers(pkg_dir):
    """Whatever a failed test left mounted under pkg_dir is unmounted."""
    yield pkg_dir
    for entry in reversed(_mount.mounts()):
        if entry.mount_point.startswith(str(pkg_dir)):
            _mount.unmount(entry.mount_point)


def _stage_and_publish(stubs, volume_id, stage, target, *, readonly=False):
    stubs.node.NodeStageVolume(
        pb.NodeStageVolumeRequest(
            volume_id=volume_id,
            staging_target_path=str(stage),
            volume_capability=pb_mount_capability(),
        )
    )
    publish = pb.NodePublishVolumeRequest(
        volume_id=volume_id,
        staging_target_path=str(stage),
        target_path=str(target),
        volume_capability=pb_mount_capability(),
        readonly=readonly,
        secrets={"token": "pkg-secret"},
    )
    stubs.node.NodePublishVolume(publish)
    return publish


def test_publish_and_unpublish_with_the_raw_stubs(stubs, unmount_leftovers):
    tmp = unmount_leftovers
    volume = stubs.controller.CreateVolume(
        pb.CreateVolumeRequest(
            name="pkg-node",
            capacity_range=pb.CapacityRange(required_bytes=MIB),
            volume_capabilities=[pb_mount_capability()],
        )
    ).volume
    stage, target = tmp / "stage", tmp / "pod" / "vol"
    stage.mkdir()
    target.parent.mkdir()
    publish = _stage_and_publish(stubs, volume.volume_id, stage, target)
    assert stubs.node.NodePublishVolume(publish) == pb.NodePublishVolumeResponse()  # idempotent
    assert _mount.is_mount_point(str(target))
    (target / "hello").write_text("through CSI")
    assert (tmp / "base" / "volumes" / volume.volume_id / "hello").read_text() == "through CSI"

    publish.readonly = True
    code, _ = status_of(stubs.node.NodePublishVolume, publish)
    assert code == grpc.StatusCode.ALREADY_EXISTS

    stats = stubs.node.NodeGetVolumeStats(
        pb.NodeGetVolumeStatsRequest(volume_id=volume.volume_id, volume_path=str(target))
    )
    units = {usage.unit for usage in stats.usage}
    assert pb.VolumeUsage.BYTES in units
    assert all(u.total > 0 for u in stats.usage if u.unit == pb.VolumeUsage.BYTES)

    unpublish = pb.NodeUnpublishVolumeRequest(volume_id=volume.volume_id, target_path=str(target))
    stubs.node.NodeUnpublishVolume(unpublish)
    stubs.node.NodeUnpublishVolume(unpublish)  # idempotent
    assert not target.exists()
    unstage = pb.NodeUnstageVolumeRequest(
        volume_id=volume.volume_id, staging_target_path=str(stage)
    )
    stubs.node.NodeUnstageVolume(unstage)
    stubs.node.NodeUnstageVolume(unstage)
    assert not _mount.is_mount_point(str(stage))
    stubs.controller.DeleteVolume(pb.DeleteVolumeRequest(volume_id=volume.volume_id))


def test_publish_of_an_unknown_volume_is_not_found(stubs, unmount_leftovers):
    request = pb.NodePublishVolumeRequest(
        volume_id="pkg-unknown",
        staging_target_path=str(unmount_leftovers / "stage"),
        target_path=str(unmount_leftovers / "target"),
        volume_capability=pb_mount_capability(),
    )
    code, _ = status_of(stubs.node.NodePublishVolume, request)
    assert code == grpc.StatusCode.NOT_FOUND
    assert not (unmount_leftovers / "target").exists()


def test_publish_and_unpublish_through_the_client_plugin(through_csi, unmount_leftovers):
    storage, tmp, cap = through_csi.storage, unmount_leftovers, mount_capability()
    volume = storage.create_volume(DRIVER, "pkg-client", CapacityRange(required_bytes=MIB), (cap,))
    stage, target = tmp / "stage", tmp / "target"
    stage.mkdir()
    assert storage.node_stage_volume(DRIVER, volume.volume_id, {}, str(stage), cap) is True
    assert (
        storage.node_publish_volume(
            DRIVER, volume.volume_id, {}, str(stage), str(target), cap, readonly=False
        )
        is True
    )
    assert _mount.is_mount_point(str(target))
    stats = storage.node_get_volume_stats(DRIVER, volume.volume_id, str(target))
    assert VolumeUsageUnit.BYTES in {usage.unit for usage in stats.usage}
    assert storage.node_unpublish_volume(DRIVER, volume.volume_id, str(target)) is True
    assert not target.exists()
    assert storage.node_unstage_volume(DRIVER, volume.volume_id, str(stage)) is True
    assert storage.delete_volume(DRIVER, volume.volume_id) is True

from __future__ import annotations

import errno
import json

import pytest
from pks_helpers import mount_capability

import podkit
from podkit.models.storage import AccessMode, CapacityRange, NodeServiceCapability, VolumeUsageUnit
from podkit.plugins.storage import _mount
from podkit.plugins.storage.hostpath import DRIVER, HostPathDriver

pytestmark = pytest.mark.root
MIB = 1 << 20


@pytest.fixture
def node(pks_dir, manager):
    """A driver, a volume staged at ``stage``; cleans up whatever a test left mounted."""
    base = pks_dir / "hostpath"
    storage = manager(HostPathDriver(base, capacity=10 * MIB)).storage
    stage = pks_dir / "stage"
    stage.mkdir()
    yield storage, base, stage, pks_dir
    for entry in reversed(_mount.mounts()):  # a failed test must not leak its mounts
        if entry.mount_point.startswith(str(pks_dir)):
            _mount.unmount(entry.mount_point)


def new_volume(storage, cap, name="pvc"):
    return storage.create_volume(DRIVER, name, CapacityRange(required_bytes=MIB), (cap,))


def stage_volume(storage, volume, stage, cap):
    return storage.node_stage_volume(DRIVER, volume.volume_id, {}, str(stage), cap)


def publish(storage, volume, stage, target, cap, *, readonly=False):
    return storage.node_publish_volume(
        DRIVER, volume.volume_id, {}, str(stage), str(target), cap, readonly
    )


def test_node_capabilities_and_info(node):
    storage, *_ = node
    caps = storage.node_get_capabilities(DRIVER)
    assert NodeServiceCapability.STAGE_UNSTAGE_VOLUME in caps
    assert NodeServiceCapability.GET_VOLUME_STATS in caps
    assert storage.node_get_info(DRIVER).node_id


def test_publish_bind_mounts_the_volume_and_unpublish_removes_the_target(node, cap):
    storage, base, stage, tmp = node
    volume = new_volume(storage, cap)
    assert stage_volume(storage, volume, stage, cap) is True
    assert stage_volume(storage, volume, stage, cap) is True  # idempotent
    target = tmp / "pod" / "volume"
    target.parent.mkdir()
    assert publish(storage, volume, stage, target, cap) is True
    assert publish(storage, volume, stage, target, cap) is True  # same args: OK
    (target / "hello").write_text("from the pod")
    assert (base / "volumes" / volume.volume_id / "hello").read_text() == "from the pod"
    assert storage.node_unpublish_volume(DRIVER, volume.volume_id, str(target)) is True
    assert not target.exists()
    assert storage.node_unpublish_volume(DRIVER, volume.volume_id, str(target)) is True
    assert storage.node_unstage_volume(DRIVER, volume.volume_id, str(stage)) is True
    assert storage.node_unstage_volume(DRIVER, volume.volume_id, str(stage)) is True
    assert not _mount.is_mount_point(str(stage))
    assert stage.is_dir()  # the caller's directory stays
    storage.delete_volume(DRIVER, volume.volume_id)


def test_read_only_publish_is_really_read_only(node, cap):
    storage, _, stage, tmp = node
    volume = new_volume(storage, cap)
    stage_volume(storage, volume, stage, cap)
    target = tmp / "ro"
    publish(storage, volume, stage, target, cap, readonly=True)
    with pytest.raises(OSError, match="Read-only file system") as caught:
        (target / "file").write_text("x")
    assert caught.value.errno == errno.EROFS
    assert _mount.find_mount(str(target)).read_only
    (stage / "via-stage").write_text("rw there")  # the staging mount stays writable
    storage.node_unpublish_volume(DRIVER, volume.volume_id, str(target))
    storage.node_unstage_volume(DRIVER, volume.volume_id, str(stage))


def test_mount_flags_are_applied(node):
    storage, _, stage, tmp = node
    cap = mount_capability(AccessMode.SINGLE_NODE_WRITER, "noexec", "nosuid")
    volume = new_volume(storage, cap)
    stage_volume(storage, volume, stage, cap)
    publish(storage, volume, stage, tmp / "t", cap)
    assert {"noexec", "nosuid"} <= _mount.find_mount(str(tmp / "t")).options
    storage.node_unpublish_volume(DRIVER, volume.volume_id, str(tmp / "t"))
    storage.node_unstage_volume(DRIVER, volume.volume_id, str(stage))


def test_publish_again_with_other_arguments_is_already_exists(node, cap):
    storage, _, stage, tmp = node
    volume = new_volume(storage, cap)
    stage_volume(storage, volume, stage, cap)
    publish(storage, volume, stage, tmp / "t", cap)
    with pytest.raises(podkit.AlreadyExistsError, match="other arguments"):
        publish(storage, volume, stage, tmp / "t", cap, readonly=True)
    # another path: SINGLE_NODE_WRITER allows one publication
    with pytest.raises(podkit.FailedPreconditionError, match="allows one"):
        publish(storage, volume, stage, tmp / "t2", cap)
    assert not (tmp / "t2").exists()  # nothing half-done
    storage.node_unpublish_volume(DRIVER, volume.volume_id, str(tmp / "t"))
    storage.node_unstage_volume(DRIVER, volume.volume_id, str(stage))


def test_a_shared_mode_publishes_at_several_paths(node):
    storage, _, stage, tmp = node
    cap = mount_capability(AccessMode.SINGLE_NODE_MULTI_WRITER)
    volume = new_volume(storage, cap)
    stage_volume(storage, volume, stage, cap)
    publish(storage, volume, stage, tmp / "a", cap)
    publish(storage, volume, stage, tmp / "b", cap)
    (tmp / "a" / "f").write_text("shared")
    assert (tmp / "b" / "f").read_text() == "shared"
    with pytest.raises(podkit.FailedPreconditionError, match="in use"):
        storage.delete_volume(DRIVER, volume.volume_id)
    for name in "ab":
        storage.node_unpublish_volume(DRIVER, volume.volume_id, str(tmp / name))
    storage.node_unstage_volume(DRIVER, volume.volume_id, str(stage))
    storage.delete_volume(DRIVER, volume.volume_id)


def test_publish_refuses_what_it_cannot_do(node, cap):
    storage, _, stage, tmp = node
    volume = new_volume(storage, cap)
    with pytest.raises(podkit.FailedPreconditionError, match="not staged"):
        publish(storage, volume, stage, tmp / "t", cap)
    with pytest.raises(podkit.FailedPreconditionError, match="staging_target_path"):
        publish(storage, volume, "", tmp / "t", cap)
    with pytest.raises(podkit.NotFoundError, match="does not exist"):
        storage.node_stage_volume(DRIVER, "missing", {}, str(stage), cap)
    with pytest.raises(podkit.InvalidArgumentError, match="target_path"):
        publish(storage, volume, stage, "", cap)
    multi = mount_capability(AccessMode.MULTI_NODE_MULTI_WRITER)
    with pytest.raises(podkit.FailedPreconditionError, match="single node"):
        publish(storage, volume, stage, tmp / "t", multi)
    stage_volume(storage, volume, stage, cap)
    with pytest.raises(podkit.FailedPreconditionError, match="parent"):
        publish(storage, volume, stage, tmp / "no" / "parent", cap)
    storage.node_unstage_volume(DRIVER, volume.volume_id, str(stage))
    assert not (tmp / "t").exists()


def test_volume_stats_report_bytes_and_inodes(node, cap):
    storage, _, stage, tmp = node
    volume = new_volume(storage, cap)
    stage_volume(storage, volume, stage, cap)
    publish(storage, volume, stage, tmp / "t", cap)
    stats = storage.node_get_volume_stats(DRIVER, volume.volume_id, str(tmp / "t"))
    units = {usage.unit: usage for usage in stats.usage}
    assert units[VolumeUsageUnit.BYTES].total > 0
    assert units[VolumeUsageUnit.INODES].used > 0
    assert storage.node_get_volume_stats(DRIVER, volume.volume_id, str(stage)).usage
    with pytest.raises(podkit.NotFoundError):
        storage.node_get_volume_stats(DRIVER, volume.volume_id, str(tmp / "elsewhere"))
    with pytest.raises(podkit.NotFoundError):
        storage.node_get_volume_stats(DRIVER, "missing", str(tmp / "t"))
    storage.node_unpublish_volume(DRIVER, volume.volume_id, str(tmp / "t"))
    storage.node_unstage_volume(DRIVER, volume.volume_id, str(stage))


def test_publications_survive_a_restart_of_the_plugin(node, manager, cap):
    storage, base, stage, tmp = node
    volume = new_volume(storage, cap)
    stage_volume(storage, volume, stage, cap)
    publish(storage, volume, stage, tmp / "t", cap)
    state = json.loads((base / "state.json").read_text())
    assert str(tmp / "t") in state["publications"]
    again = manager(HostPathDriver(base, capacity=10 * MIB)).storage
    assert publish(again, volume, stage, tmp / "t", cap) is True  # known: idempotent
    with pytest.raises(podkit.AlreadyExistsError):
        publish(again, volume, stage, tmp / "t", cap, readonly=True)
    again.node_unpublish_volume(DRIVER, volume.volume_id, str(tmp / "t"))
    again.node_unstage_volume(DRIVER, volume.volume_id, str(stage))
    again.delete_volume(DRIVER, volume.volume_id)
    assert not base.exists()


def test_unpublish_removes_a_mount_left_by_a_crash_before_it_was_recorded(node, cap):
    storage, base, _, tmp = node
    volume = new_volume(storage, cap)
    (tmp / "t").mkdir()
    _mount.bind(str(base / "volumes" / volume.volume_id), str(tmp / "t"))  # as if killed here
    assert storage.node_unpublish_volume(DRIVER, volume.volume_id, str(tmp / "t")) is True
    assert not (tmp / "t").exists()


def test_a_staging_whose_mount_is_gone_is_staged_again(node, cap):
    storage, _, stage, tmp = node
    volume = new_volume(storage, cap)
    stage_volume(storage, volume, stage, cap)
    _mount.unmount(str(stage))  # as after a reboot
    with pytest.raises(podkit.FailedPreconditionError, match="not staged"):
        publish(storage, volume, stage, tmp / "t", cap)
    assert stage_volume(storage, volume, stage, cap) is True
    assert _mount.is_mount_point(str(stage))
    storage.node_unstage_volume(DRIVER, volume.volume_id, str(stage))


def test_staging_with_other_arguments_is_already_exists(node, cap):
    storage, _, stage, _ = node
    volume = new_volume(storage, cap)
    other = new_volume(storage, cap, name="other")
    stage_volume(storage, volume, stage, cap)
    with pytest.raises(podkit.AlreadyExistsError, match="another staging"):
        stage_volume(storage, volume, stage, mount_capability(AccessMode.SINGLE_NODE_READER_ONLY))
    with pytest.raises(podkit.AlreadyExistsError, match="another staging"):
        stage_volume(storage, other, stage, cap)
    storage.node_unstage_volume(DRIVER, volume.volume_id, str(stage))

from __future__ import annotations

import errno

import pytest

import podkit
from podkit.models.storage import VolumeUsageUnit
from podkit.plugins.storage import _mount
from podkit.plugins.storage.emptydir import DRIVER, EmptyDirVolumes

pytestmark = pytest.mark.root
MIB = 1 << 20


@pytest.fixture
def emptydir(pks_dir, manager):
    state = pks_dir / "state"
    storage = manager(EmptyDirVolumes(state)).storage
    yield storage, state, pks_dir
    for entry in reversed(_mount.mounts()):
        if entry.mount_point.startswith(str(pks_dir)):
            _mount.unmount(entry.mount_point)


def publish(storage, target, cap, context=None, *, volume_id="pod-1-cache", readonly=False):
    return storage.node_publish_volume(
        DRIVER, volume_id, {}, "", str(target), cap, readonly, volume_context=context or {}
    )


def test_an_empty_dir_on_disk_is_shared_and_removed_with_its_last_publication(emptydir, cap):
    storage, state, tmp = emptydir
    assert publish(storage, tmp / "a", cap) is True
    assert publish(storage, tmp / "a", cap) is True
    publish(storage, tmp / "b", cap)  # a second container of the pod
    assert list((tmp / "a").iterdir()) == []
    (tmp / "a" / "f").write_text("x")
    assert (tmp / "b" / "f").read_text() == "x"
    data = state / "volumes" / "pod-1-cache"
    assert (data / "f").exists()
    assert storage.node_unpublish_volume(DRIVER, "pod-1-cache", str(tmp / "a")) is True
    assert (data / "f").exists()  # still published at b
    storage.node_unpublish_volume(DRIVER, "pod-1-cache", str(tmp / "b"))
    assert not data.exists()  # ephemeral: gone with the last publication
    assert storage.node_unpublish_volume(DRIVER, "pod-1-cache", str(tmp / "b")) is True
    assert not (state / "state.json").exists()


def test_memory_medium_is_a_tmpfs_with_the_size_limit(emptydir, cap):
    storage, state, tmp = emptydir
    publish(storage, tmp / "t", cap, {"medium": "Memory", "sizeLimit": "1Mi"})
    entry = _mount.find_mount(str(tmp / "t"))
    assert entry.fstype == "tmpfs"
    assert "size=1024k" in entry.super_options
    with pytest.raises(OSError, match="No space left") as caught:
        (tmp / "t" / "big").write_bytes(b"\0" * 2 * MIB)
    assert caught.value.errno == errno.ENOSPC
    stats = storage.node_get_volume_stats(DRIVER, "pod-1-cache", str(tmp / "t"))
    assert {u.unit: u for u in stats.usage}[VolumeUsageUnit.BYTES].total == MIB
    with pytest.raises(podkit.AlreadyExistsError):
        publish(storage, tmp / "t", cap, {"medium": "Memory", "sizeLimit": "2Mi"})
    storage.node_unpublish_volume(DRIVER, "pod-1-cache", str(tmp / "t"))
    assert not (state / "volumes").exists()
    assert not _mount.is_mount_point(str(tmp / "t"))


def test_read_only_empty_dir(emptydir, cap):
    storage, _, tmp = emptydir
    publish(storage, tmp / "t", cap, readonly=True)
    with pytest.raises(OSError, match="Read-only file system") as caught:
        (tmp / "t" / "f").write_text("x")
    assert caught.value.errno == errno.EROFS
    storage.node_unpublish_volume(DRIVER, "pod-1-cache", str(tmp / "t"))


def test_bad_context_is_refused_before_anything_is_made(emptydir, cap):
    storage, state, tmp = emptydir
    with pytest.raises(podkit.InvalidArgumentError, match="medium"):
        publish(storage, tmp / "t", cap, {"medium": "HugePages"})
    with pytest.raises(podkit.InvalidArgumentError, match="sizeLimit"):
        publish(storage, tmp / "t", cap, {"sizeLimit": "lots"})
    with pytest.raises(podkit.InvalidArgumentError, match="unknown"):
        publish(storage, tmp / "t", cap, {"size": "1Mi"})
    with pytest.raises(podkit.InvalidArgumentError, match="file name"):
        publish(storage, tmp / "t", cap, volume_id="../escape")
    assert not (tmp / "t").exists()
    assert not state.exists()


def test_publications_survive_a_restart(emptydir, manager, cap):
    storage, state, tmp = emptydir
    publish(storage, tmp / "t", cap, {"medium": "Memory", "sizeLimit": "1Mi"})
    again = manager(EmptyDirVolumes(state)).storage
    assert publish(again, tmp / "t", cap, {"medium": "Memory", "sizeLimit": "1Mi"}) is True
    again.node_unpublish_volume(DRIVER, "pod-1-cache", str(tmp / "t"))
    assert not (state / "volumes").exists()


def test_a_plugin_with_nothing_left_leaves_no_folder_it_made(pks_dir, manager, cap):
    state = pks_dir / "deep" / "state"
    storage = manager(EmptyDirVolumes(state)).storage
    publish(storage, pks_dir / "t", cap)
    assert (state / "state.json").exists()
    storage.node_unpublish_volume(DRIVER, "pod-1-cache", str(pks_dir / "t"))
    assert list(pks_dir.iterdir()) == []

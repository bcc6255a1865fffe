from __future__ import annotations

import json

import pytest
from pks_helpers import mount_capability

import podkit
from podkit.models.storage import (
    AccessMode,
    BlockVolume,
    CapacityRange,
    ControllerServiceCapability,
    MountVolume,
    PluginService,
    SnapshotSource,
    VolumeCapability,
    VolumeSource,
)
from podkit.plugins.storage.hostpath import DRIVER, HostPathDriver

MIB = 1 << 20


@pytest.fixture
def base(pks_dir):
    return pks_dir / "hostpath"


@pytest.fixture
def storage(manager, base):
    return manager(HostPathDriver(base, capacity=10 * MIB, max_volume_size=8 * MIB)).storage


def create(storage, name, cap, required=MIB, limit=0, **kwargs):
    wanted = CapacityRange(required_bytes=required, limit_bytes=limit)
    return storage.create_volume(DRIVER, name, wanted, (cap,), **kwargs)


def test_identity_names_the_driver_and_advertises_the_controller(storage):
    assert storage.get_plugin_info(DRIVER).name == "hostpath.csi.podkit.dev"
    assert storage.get_plugin_capabilities(DRIVER) == (PluginService.CONTROLLER_SERVICE,)
    assert storage.probe(DRIVER).ready
    caps = storage.controller_get_capabilities(DRIVER)
    assert ControllerServiceCapability.CREATE_DELETE_SNAPSHOT in caps
    assert ControllerServiceCapability.PUBLISH_UNPUBLISH_VOLUME not in caps


def test_create_volume_makes_a_directory_with_the_capacity_accounted(storage, base, cap):
    volume = create(storage, "pvc-1", cap, required=3 * MIB)
    assert volume.capacity_bytes == 3 * MIB
    assert (base / "volumes" / volume.volume_id).is_dir()
    assert storage.get_capacity(DRIVER, (), {}).available_capacity == 7 * MIB


def test_create_volume_with_the_same_name_and_arguments_returns_the_same_volume(storage, cap):
    first = create(storage, "pvc-1", cap)
    assert create(storage, "pvc-1", cap) == first
    assert len(storage.list_volumes(DRIVER, 0, "").entries) == 1


def test_create_volume_with_the_same_name_and_other_arguments_is_already_exists(storage, cap):
    create(storage, "pvc-1", cap, required=MIB)
    with pytest.raises(podkit.AlreadyExistsError, match="pvc-1"):
        create(storage, "pvc-1", cap, required=2 * MIB)
    with pytest.raises(podkit.AlreadyExistsError, match="parameters"):
        create(storage, "pvc-1", cap, parameters={"csi.storage.k8s.io/pvc/name": "x"})


def test_a_limit_below_the_source_is_out_of_range_and_too_big_is_exhausted(storage, cap):
    source = create(storage, "src", cap, required=4 * MIB)
    snapshot = storage.create_snapshot(DRIVER, source.volume_id, "snap")
    with pytest.raises(podkit.OutOfRangeError, match="below"):
        create(
            storage,
            "small",
            cap,
            required=MIB,
            limit=2 * MIB,
            volume_content_source=SnapshotSource(snapshot.snapshot_id),
        )
    with pytest.raises(podkit.OutOfRangeError, match="maximum"):
        create(storage, "huge", cap, required=9 * MIB)
    with pytest.raises(podkit.ResourceExhaustedError, match="do not fit"):
        create(storage, "big", cap, required=7 * MIB)
    assert create(storage, "fits", cap, required=6 * MIB).capacity_bytes == 6 * MIB


def test_a_request_without_a_size_gets_the_default_within_the_limit(storage, cap):
    volume = storage.create_volume(DRIVER, "pvc", CapacityRange(limit_bytes=2 * MIB), (cap,))
    assert volume.capacity_bytes == 2 * MIB


def test_bad_requests_name_the_field(storage, cap):
    with pytest.raises(podkit.InvalidArgumentError, match="name is required"):
        create(storage, "", cap)
    with pytest.raises(podkit.InvalidArgumentError, match="volume_capabilities"):
        storage.create_volume(DRIVER, "x", None, ())
    block = VolumeCapability(access_type=BlockVolume(), access_mode=AccessMode.SINGLE_NODE_WRITER)
    with pytest.raises(podkit.InvalidArgumentError, match="block"):
        create(storage, "x", block)
    with pytest.raises(podkit.InvalidArgumentError, match="single node"):
        create(storage, "x", mount_capability(AccessMode.MULTI_NODE_MULTI_WRITER))
    with pytest.raises(podkit.InvalidArgumentError, match="unknown parameters"):
        create(storage, "x", cap, parameters={"kind": "fast"})


def test_delete_volume_removes_it_and_a_missing_volume_is_ok(storage, base, cap):
    volume = create(storage, "pvc-1", cap)
    assert storage.delete_volume(DRIVER, volume.volume_id) is True
    assert storage.delete_volume(DRIVER, volume.volume_id) is True
    assert storage.delete_volume(DRIVER, "no-such-volume") is True
    assert not base.exists()  # nothing left: no state file, no folders


def test_list_volumes_pages_with_tokens_and_refuses_a_bad_token(storage, cap):
    ids = sorted(create(storage, f"pvc-{i}", cap, required=MIB).volume_id for i in range(5))
    seen, token = [], ""
    while True:
        page = storage.list_volumes(DRIVER, 2, token)
        assert len(page.entries) <= 2
        seen += [e.volume.volume_id for e in page.entries]
        token = page.next_token
        if not token:
            break
    assert seen == ids
    for bad in ("bogus", "99"):
        with pytest.raises(podkit.AbortedError, match="starting_token"):
            storage.list_volumes(DRIVER, 2, bad)
    with pytest.raises(podkit.InvalidArgumentError, match="max_entries"):
        storage.list_volumes(DRIVER, -1, "")


def test_validate_volume_capabilities_confirms_or_says_why_not(storage, cap):
    volume = create(storage, "pvc-1", cap)
    assert storage.validate_volume_capabilities(DRIVER, volume.volume_id, {}, (cap,)).confirmed
    multi = mount_capability(AccessMode.MULTI_NODE_READER_ONLY)
    result = storage.validate_volume_capabilities(DRIVER, volume.volume_id, {}, (multi,))
    assert result.confirmed is None
    assert "single node" in result.message
    with pytest.raises(podkit.NotFoundError):
        storage.validate_volume_capabilities(DRIVER, "missing", {}, (cap,))


def test_get_capacity_is_zero_for_unsupported_capabilities(storage):
    multi = mount_capability(AccessMode.MULTI_NODE_MULTI_WRITER)
    assert storage.get_capacity(DRIVER, (multi,), {}).available_capacity == 0
    result = storage.get_capacity(DRIVER, (), {})
    assert result.maximum_volume_size == 8 * MIB


def test_snapshot_lifecycle_create_list_restore_delete(storage, base, cap):
    source = create(storage, "src", cap, required=2 * MIB)
    (base / "volumes" / source.volume_id / "data.txt").write_text("hello")
    (base / "volumes" / source.volume_id / "sub").mkdir()
    (base / "volumes" / source.volume_id / "sub" / "x").write_text("nested")
    snapshot = storage.create_snapshot(DRIVER, source.volume_id, "snap-1")
    assert snapshot.ready_to_use
    assert snapshot.size_bytes == 2 * MIB
    assert storage.create_snapshot(DRIVER, source.volume_id, "snap-1") == snapshot
    other = create(storage, "other", cap)
    with pytest.raises(podkit.AlreadyExistsError):
        storage.create_snapshot(DRIVER, other.volume_id, "snap-1")
    with pytest.raises(podkit.NotFoundError, match="source volume"):
        storage.create_snapshot(DRIVER, "missing", "snap-2")
    listed = storage.list_snapshots(DRIVER, 0, "", source.volume_id, "")
    assert [e.snapshot for e in listed.entries] == [snapshot]
    assert storage.list_snapshots(DRIVER, 0, "", "", "nope").entries == ()
    # the snapshot outlives its source, and a volume made from it has its content
    storage.delete_volume(DRIVER, source.volume_id)
    restored = create(
        storage,
        "restored",
        cap,
        required=MIB,
        volume_content_source=SnapshotSource(snapshot.snapshot_id),
    )
    assert restored.capacity_bytes == 2 * MIB  # at least the snapshot's size
    assert restored.content_source == SnapshotSource(snapshot.snapshot_id)
    path = base / "volumes" / restored.volume_id
    assert (path / "data.txt").read_text() == "hello"
    assert (path / "sub" / "x").read_text() == "nested"
    assert storage.delete_snapshot(DRIVER, snapshot.snapshot_id) is True
    assert storage.delete_snapshot(DRIVER, snapshot.snapshot_id) is True
    assert storage.list_snapshots(DRIVER, 0, "", "", "").entries == ()
    with pytest.raises(podkit.NotFoundError, match="snapshot"):
        create(storage, "gone", cap, volume_content_source=SnapshotSource(snapshot.snapshot_id))


def test_list_snapshots_pages(storage, cap):
    volume = create(storage, "src", cap)
    ids = sorted(
        storage.create_snapshot(DRIVER, volume.volume_id, f"s{i}").snapshot_id for i in range(3)
    )
    first = storage.list_snapshots(DRIVER, 2, "", "", "")
    second = storage.list_snapshots(DRIVER, 2, first.next_token, "", "")
    assert [e.snapshot.snapshot_id for e in (*first.entries, *second.entries)] == ids
    assert second.next_token == ""
    with pytest.raises(podkit.AbortedError):
        storage.list_snapshots(DRIVER, 2, "x", "", "")


def test_clone_copies_the_source_volume(storage, base, cap):
    source = create(storage, "src", cap)
    (base / "volumes" / source.volume_id / "f").write_text("data")
    clone = create(storage, "clone", cap, volume_content_source=VolumeSource(source.volume_id))
    assert (base / "volumes" / clone.volume_id / "f").read_text() == "data"


def test_state_survives_a_restart_and_orphans_are_removed(manager, base, cap):
    storage = manager(HostPathDriver(base, capacity=10 * MIB)).storage
    volume = create(storage, "pvc-1", cap)
    snapshot = storage.create_snapshot(DRIVER, volume.volume_id, "snap")
    (base / "volumes" / "orphan-of-a-crash").mkdir()
    again = manager(HostPathDriver(base, capacity=10 * MIB)).storage
    assert create(again, "pvc-1", cap) == volume
    assert [e.snapshot for e in again.list_snapshots(DRIVER, 0, "", "", "").entries] == [snapshot]
    assert not (base / "volumes" / "orphan-of-a-crash").exists()
    state = json.loads((base / "state.json").read_text())
    assert set(state["volumes"]) == {volume.volume_id}


def test_a_state_file_of_another_version_is_refused(base):
    base.mkdir()
    (base / "state.json").write_text(json.dumps({"version": 99}))
    with pytest.raises(podkit.InternalError, match="version"):
        HostPathDriver(base)


def test_concurrent_creates_of_one_name_provision_one_volume(storage, cap):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        volumes = list(pool.map(lambda _: create(storage, "pvc-race", cap), range(16)))
    assert len({v.volume_id for v in volumes}) == 1
    assert len(storage.list_volumes(DRIVER, 0, "").entries) == 1


def test_mount_flags_are_checked_without_being_echoed_and_fs_type_is_advisory(storage):
    secret_flag = mount_capability(AccessMode.SINGLE_NODE_WRITER, "password=hunter2")
    with pytest.raises(podkit.InvalidArgumentError, match="mount flag") as caught:
        create(storage, "x", secret_flag)
    assert "hunter2" not in str(caught.value)
    ext4 = VolumeCapability(
        access_type=MountVolume(fs_type="ext4"), access_mode=AccessMode.SINGLE_NODE_WRITER
    )
    assert create(storage, "y", ext4).capacity_bytes == MIB

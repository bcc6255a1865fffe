from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from podkit import errors
from podkit.plugins.runtime._images import ImageStore
from podkit.plugins.runtime._images import _layers as layers_module

pytestmark = pytest.mark.root


@pytest.fixture
def store(tmp_path):
    return ImageStore(tmp_path / "pki-store")


def names(path):
    return sorted(entry.name for entry in path.iterdir()) if path.exists() else []


def test_a_leased_image_is_not_removed(store, busybox_image):
    record = store.import_oci_layout(busybox_image.path, ref="busybox")
    store.lease(record.id, "pki-ctr-1")
    with pytest.raises(errors.FailedPreconditionError, match="is in use by container pki-ctr-1"):
        store.remove("busybox")
    with pytest.raises(errors.FailedPreconditionError, match=f"image {record.id} is in use"):
        store.remove(record.id)
    assert store.resolve("busybox") == record
    assert store.layer_dirs(record)[0].is_dir()


def test_a_lease_outlives_a_restart_and_release_ends_it(store, busybox_image):
    record = store.import_oci_layout(busybox_image.path, ref="busybox")
    store.lease("busybox", "pki-ctr-1")
    restarted = ImageStore(store.root)
    with pytest.raises(errors.FailedPreconditionError):
        restarted.remove("busybox")
    restarted.release("pki-ctr-1")
    restarted.release("pki-ctr-1")  # idempotent
    restarted.remove("busybox")
    with pytest.raises(errors.NotFoundError):
        store.resolve(record.id)


def test_leasing_an_unknown_image_is_not_found(store):
    with pytest.raises(errors.NotFoundError, match="'busybox' not found"):
        store.lease("busybox", "pki-ctr-1")


def test_removing_an_image_frees_its_blobs_and_layers(store, busybox_image):
    store.import_oci_layout(busybox_image.path, ref="busybox")
    store.remove("busybox")
    assert store.list() == []
    assert names(store.root / "blobs" / "sha256") == []
    assert names(store.root / "layers") == []
    assert names(store.root / "images") == []


def test_removing_a_missing_image_is_no_error(store, busybox_image):
    store.remove("busybox")
    store.remove("sha256:" + "0" * 64)
    store.import_oci_layout(busybox_image.path, ref="busybox")
    store.remove("busybox")
    store.remove("busybox")


def test_removing_one_tag_of_several_only_untags(store, busybox_image):
    store.import_oci_layout(busybox_image.path, ref="busybox")
    record = store.import_oci_layout(busybox_image.path, ref="pki/other:v1")
    store.lease(record.id, "pki-ctr-1")
    store.remove("pki/other:v1")  # an untag, allowed while leased: the image stays
    assert store.resolve(record.id).repo_tags == ("docker.io/library/busybox:latest",)
    with pytest.raises(errors.FailedPreconditionError):
        store.remove("busybox")
    store.release("pki-ctr-1")
    store.remove("busybox")
    assert store.list() == []


def test_removing_by_id_removes_every_tag(store, busybox_image):
    store.import_oci_layout(busybox_image.path, ref="busybox")
    record = store.import_oci_layout(busybox_image.path, ref="pki/other:v1")
    store.remove(record.id)
    assert store.list() == []
    with pytest.raises(errors.NotFoundError):
        store.resolve("pki/other:v1")


def test_a_moved_tag_leaves_the_old_image_untagged(store, busybox_image, tmp_path, image_tools):
    old = store.import_oci_layout(busybox_image.path, ref="pki/app:v1")
    layout = image_tools.write_layout(
        tmp_path / "pki-layout", [image_tools.make_tar([image_tools.Entry("x")])]
    )
    new = store.import_oci_layout(layout.path, ref="pki/app:v1")
    assert store.resolve("pki/app:v1") == new
    assert store.resolve(old.id).repo_tags == ()
    assert len(store.list()) == 2


def test_gc_removes_unreferenced_blobs_layers_and_leftovers(store, busybox_image):
    record = store.import_oci_layout(busybox_image.path, ref="busybox")
    kept = (names(store.root / "blobs" / "sha256"), names(store.root / "layers"))
    (store.root / "blobs" / "sha256" / ("ab" * 32)).write_bytes(b"orphan")
    (store.root / "layers" / ("cd" * 32) / "fs").mkdir(parents=True)
    (store.root / "tmp" / "layer-interrupted" / "fs").mkdir(parents=True)
    (store.root / "tmp" / "blob-interrupted").write_bytes(b"half")
    (store.root / ".refs.json.x.tmp").write_bytes(b"{")
    store.gc()
    assert (names(store.root / "blobs" / "sha256"), names(store.root / "layers")) == kept
    assert names(store.root / "tmp") == []
    assert not (store.root / ".refs.json.x.tmp").exists()
    assert store.resolve("busybox") == record


def test_an_import_interrupted_mid_unpack_leaves_nothing(store, busybox_image, monkeypatch):
    def interrupt(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(layers_module, "_sync_filesystem", interrupt)
    with pytest.raises(KeyboardInterrupt):
        store.import_oci_layout(busybox_image.path, ref="busybox")
    assert store.list() == []
    assert names(store.root / "tmp") == []
    assert names(store.root / "layers") == []
    assert names(store.root / "blobs" / "sha256") == []


def test_usage_counts_the_bytes_and_inodes_of_the_store(store, busybox_image):
    empty_bytes, empty_inodes = store.usage()
    record = store.import_oci_layout(busybox_image.path, ref="busybox")
    used_bytes, inodes = store.usage()
    assert used_bytes - empty_bytes >= record.size
    assert inodes - empty_inodes > 200  # busybox and its applet symlinks
    store.remove("busybox")
    assert store.usage()[1] < inodes


def test_concurrent_imports_and_collections_agree(store, busybox_image):
    def work(number):
        if number % 2:
            store.gc()
            return None
        return store.import_oci_layout(busybox_image.path, ref=f"pki/c{number}:v1")

    with ThreadPoolExecutor(8) as pool:
        records = [r for r in pool.map(work, range(16)) if r is not None]
    [image] = store.list()
    assert {r.id for r in records} == {image.id}
    assert len(image.repo_tags) == 8
    assert len(names(store.root / "layers")) == 1
    assert (store.layer_dirs(image)[0] / "bin" / "busybox").is_file()
    assert names(store.root / "tmp") == []

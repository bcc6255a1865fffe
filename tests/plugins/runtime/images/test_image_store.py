from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from podkit import errors
from podkit.plugins.runtime._images import ImageRecord, ImageStore

pytestmark = pytest.mark.root


def names(path):
    return sorted(entry.name for entry in path.iterdir())


BUSYBOX = "docker.io/library/busybox:latest"


@pytest.fixture
def store(tmp_path):
    return ImageStore(tmp_path / "pki-store")


def leftovers(store):
    """Everything in the store but its state and lock files."""
    return sorted(
        str(path.relative_to(store.root))
        for path in store.root.rglob("*")
        if not path.is_dir() and not path.name.endswith((".lock", "refs.json", "leases.json"))
    )


def test_an_imported_layout_is_a_record_with_the_config_of_the_image(store, busybox_image):
    record = store.import_oci_layout(busybox_image.path, ref="busybox")
    assert isinstance(record, ImageRecord)
    assert record.id == busybox_image.config_digest
    assert record.repo_tags == (BUSYBOX,)
    assert record.repo_digests == (f"docker.io/library/busybox@{busybox_image.manifest_digest}",)
    assert record.diff_ids == busybox_image.diff_ids
    assert record.env == busybox_image.env
    assert record.cmd == ("sh",)
    assert record.working_dir == "/"
    assert record.size > Path("/bin/busybox").stat().st_size
    assert store.list() == [record]


def test_the_layer_dir_holds_busybox_and_its_applet_symlinks(store, busybox_image):
    record = store.import_oci_layout(busybox_image.path, ref="busybox")
    [layer] = store.layer_dirs(record)
    assert layer.name == "fs"
    assert (layer / "bin" / "busybox").stat().st_mode & 0o777 == 0o755
    assert str((layer / "bin" / "sh").readlink()) == "busybox"
    assert str((layer / "usr" / "bin" / "wget").readlink()) == "../../bin/busybox"
    assert (layer / "tmp").stat().st_mode & 0o7777 == 0o1777
    assert (layer / "etc" / "passwd").read_text().startswith("root:x:0:0:")


@pytest.mark.parametrize(
    "name",
    ["busybox", "busybox:latest", "library/busybox", BUSYBOX, "docker.io/busybox:latest"],
)
def test_an_image_resolves_by_any_spelling_of_its_name(store, busybox_image, name):
    record = store.import_oci_layout(busybox_image.path, ref="busybox:latest")
    assert store.resolve(name) == record


def test_an_image_resolves_by_id_prefix_and_repo_digest(store, busybox_image):
    record = store.import_oci_layout(busybox_image.path, ref="busybox")
    hex_id = record.id.removeprefix("sha256:")
    assert store.resolve(record.id) == record
    assert store.resolve(hex_id) == record
    assert store.resolve(hex_id[:12]) == record
    assert store.resolve(f"sha256:{hex_id[:4]}") == record
    assert store.resolve(f"busybox@{busybox_image.manifest_digest}") == record


@pytest.mark.parametrize(
    "name", ["alpine", "busybox:1.0", "0123456789ab", "sha256:" + "0" * 64, "Not A Ref"]
)
def test_an_unknown_image_is_not_found(store, busybox_image, name):
    store.import_oci_layout(busybox_image.path, ref="busybox")
    with pytest.raises(errors.NotFoundError, match="not found"):
        store.resolve(name)


def test_a_short_hex_name_is_never_taken_for_an_id_prefix(store, busybox_image):
    record = store.import_oci_layout(busybox_image.path, ref="busybox")
    with pytest.raises(errors.NotFoundError):
        store.resolve(record.id.removeprefix("sha256:")[:6])


def test_an_image_imported_twice_shares_its_unpacked_layer(store, busybox_image):
    first = store.import_oci_layout(busybox_image.path, ref="busybox")
    layer = store.layer_dirs(first)[0]
    inode = (layer / "bin" / "busybox").stat().st_ino
    second = store.import_oci_layout(busybox_image.path, ref="pki/other:v1")
    assert second.id == first.id
    assert second.repo_tags == (BUSYBOX, "docker.io/pki/other:v1")
    assert store.layer_dirs(second) == [layer]
    assert (layer / "bin" / "busybox").stat().st_ino == inode
    assert len(names(store.root / "layers")) == 1
    assert len(store.list()) == 1


def test_a_layout_without_a_full_name_gives_an_untagged_image(store, busybox_image):
    record = store.import_oci_layout(busybox_image.path)
    assert record.repo_tags == ()
    assert record.repo_digests == ()
    assert store.resolve(record.id) == record


def test_an_overlay_of_the_layer_dirs_is_the_image_rootfs(store, busybox_image, tmp_path):
    record = store.import_oci_layout(busybox_image.path, ref="busybox")
    lower = ":".join(str(path) for path in store.layer_dirs(record))
    upper, work, merged = (tmp_path / "pki-upper", tmp_path / "pki-work", tmp_path / "pki-root")
    for path in (upper, work, merged):
        path.mkdir()
    options = f"lowerdir={lower},upperdir={upper},workdir={work}"
    subprocess.run(["mount", "-t", "overlay", "pki-overlay", "-o", options, merged], check=True)
    try:
        assert (merged / "bin" / "sh").is_symlink()
        result = subprocess.run(
            ["chroot", merged, "/bin/sh", "-c", "echo hi > /tmp/x && cat /tmp/x && ls /sbin/ip"],
            capture_output=True,
            text=True,
            check=True,
            env={"PATH": "/bin:/sbin"},
        )
        assert result.stdout.split() == ["hi", "/sbin/ip"]
    finally:
        subprocess.run(["umount", merged], check=True)
    assert (upper / "tmp" / "x").read_text() == "hi\n"  # writes go to the upper dir only
    assert not (store.layer_dirs(record)[0] / "tmp" / "x").exists()


def corrupt_layer(busybox_image, tmp_path):
    """A copy of the busybox layout whose layer blob has other bytes of the same size."""
    layout = tmp_path / "pki-corrupt"
    shutil.copytree(busybox_image.path, layout)
    blob = layout / "blobs" / "sha256" / busybox_image.layer_digests[0].removeprefix("sha256:")
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))
    return layout


def test_a_corrupted_blob_is_refused_and_leaves_nothing_behind(store, busybox_image, tmp_path):
    layout = corrupt_layer(busybox_image, tmp_path)
    with pytest.raises(errors.InvalidArgumentError, match="hashes to"):
        store.import_oci_layout(layout, ref="busybox")
    assert store.list() == []
    assert leftovers(store) == []
    assert not (store.root / "layers").exists() or not names(store.root / "layers")
    with pytest.raises(errors.NotFoundError):
        store.resolve("busybox")


def test_a_blob_of_the_wrong_size_is_refused(store, busybox_image, tmp_path):
    layout = tmp_path / "pki-short"
    shutil.copytree(busybox_image.path, layout)
    blob = layout / "blobs" / "sha256" / busybox_image.config_digest.removeprefix("sha256:")
    blob.write_bytes(blob.read_bytes() + b" ")
    with pytest.raises(errors.InvalidArgumentError, match="larger than its descriptor"):
        store.import_oci_layout(layout, ref="busybox")
    assert leftovers(store) == []


def test_a_missing_layout_or_image_is_not_found(store, busybox_image, tmp_path):
    with pytest.raises(errors.NotFoundError, match="not a directory"):
        store.import_oci_layout(tmp_path / "nowhere")
    (tmp_path / "pki-empty").mkdir()
    with pytest.raises(errors.InvalidArgumentError, match="oci-layout"):
        store.import_oci_layout(tmp_path / "pki-empty")


def test_the_store_survives_a_restart(store, busybox_image):
    record = store.import_oci_layout(busybox_image.path, ref="busybox")
    again = ImageStore(store.root)
    assert again.resolve("busybox") == record
    assert again.layer_dirs(record) == store.layer_dirs(record)

from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile

import pytest

from podkit import errors
from podkit.plugins.runtime._images import ImageStore

pytestmark = pytest.mark.root


@pytest.fixture
def store(tmp_path):
    return ImageStore(tmp_path / "pki-store")


def tar_dir(directory, archive, *, mode="w"):
    with tarfile.open(archive, mode) as tar:
        for path in sorted(directory.rglob("*")):
            tar.add(path, arcname=str(path.relative_to(directory)), recursive=False)
    return archive


def name_layout(busybox_image, tmp_path, name):
    """A copy of the busybox layout whose index names the image as containerd does."""
    layout = tmp_path / "pki-named"
    shutil.copytree(busybox_image.path, layout)
    index = json.loads((layout / "index.json").read_text())
    index["manifests"][0]["annotations"]["io.containerd.image.name"] = name
    (layout / "index.json").write_text(json.dumps(index))
    return layout


def docker_save(busybox_image, tmp_path, tags):
    """The busybox image in the format of ``docker save``: manifest.json, config, layer tars."""
    root = tmp_path / "pki-docker"
    root.mkdir()
    config_hex = busybox_image.config_digest.removeprefix("sha256:")
    shutil.copy(busybox_image.blob_path(busybox_image.config_digest), root / f"{config_hex}.json")
    layer_dir = root / busybox_image.diff_ids[0].removeprefix("sha256:")
    layer_dir.mkdir()
    with gzip.open(busybox_image.layer_paths[0]) as stream:
        (layer_dir / "layer.tar").write_bytes(stream.read())
    manifest = [
        {
            "Config": f"{config_hex}.json",
            "RepoTags": tags,
            "Layers": [f"{layer_dir.name}/layer.tar"],
        }
    ]
    (root / "manifest.json").write_text(json.dumps(manifest))
    return tar_dir(root, tmp_path / "pki-docker.tar")


def test_a_tar_of_an_oci_layout_is_imported_with_its_name(store, busybox_image, tmp_path):
    layout = name_layout(busybox_image, tmp_path, "docker.io/pki/busybox:1")
    [record] = store.import_archive(tar_dir(layout, tmp_path / "pki.tar.gz", mode="w:gz"))
    assert record.id == busybox_image.config_digest
    assert record.repo_tags == ("docker.io/pki/busybox:1",)
    assert record.repo_digests == (f"docker.io/pki/busybox@{busybox_image.manifest_digest}",)
    assert (store.layer_dirs(record)[0] / "bin" / "busybox").is_file()
    assert not list((store.root / "tmp").iterdir())


def test_a_docker_save_archive_is_imported_with_its_repo_tags(store, busybox_image, tmp_path):
    archive = docker_save(busybox_image, tmp_path, ["busybox:latest", "pki/bb:1"])
    [record] = store.import_archive(archive)
    assert record.id == busybox_image.config_digest
    assert record.repo_tags == ("docker.io/library/busybox:latest", "docker.io/pki/bb:1")
    assert record.repo_digests == ()
    assert record.diff_ids == busybox_image.diff_ids
    assert record.cmd == ("sh",)
    assert str((store.layer_dirs(record)[0] / "bin" / "sh").readlink()) == "busybox"


def test_a_docker_archive_and_a_layout_of_one_image_share_everything(
    store, busybox_image, tmp_path
):
    from_layout = store.import_oci_layout(busybox_image.path, ref="busybox")
    [from_archive] = store.import_archive(docker_save(busybox_image, tmp_path, ["pki/bb:2"]))
    assert from_archive.id == from_layout.id
    assert store.layer_dirs(from_archive) == store.layer_dirs(from_layout)
    assert len(store.list()) == 1


def test_an_archive_escaping_its_dir_is_refused(store, tmp_path):
    archive = tmp_path / "pki-evil.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("../pki-evil")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(errors.InvalidArgumentError, match="not a valid tar archive"):
        store.import_archive(archive)
    assert not (tmp_path / "pki-evil").exists()
    assert store.list() == []


def test_a_docker_manifest_naming_files_outside_the_archive_is_refused(store, tmp_path):
    root = tmp_path / "pki-docker"
    root.mkdir()
    (root / "manifest.json").write_text(
        json.dumps([{"Config": "../../etc/passwd", "RepoTags": [], "Layers": []}])
    )
    with pytest.raises(errors.InvalidArgumentError, match="no file of the archive"):
        store.import_archive(tar_dir(root, tmp_path / "pki.tar"))


@pytest.mark.parametrize("content", [b"", b"not a tar at all" * 64])
def test_what_is_no_image_archive_is_refused(store, tmp_path, content):
    archive = tmp_path / "pki.tar"
    if content:
        archive.write_bytes(content)
    else:
        (tmp_path / "pki-nothing").mkdir()
        tar_dir(tmp_path / "pki-nothing", archive)
    with pytest.raises(errors.InvalidArgumentError):
        store.import_archive(archive)
    assert store.list() == []
    assert not (store.root / "tmp").exists() or not list((store.root / "tmp").iterdir())


def test_a_missing_archive_is_not_found(store, tmp_path):
    with pytest.raises(errors.NotFoundError):
        store.import_archive(tmp_path / "pki-none.tar")


def test_an_archive_with_one_bad_image_imports_none(store, busybox_image, tmp_path, image_tools):
    archive = docker_save(busybox_image, tmp_path, ["busybox:latest"])
    root = tmp_path / "pki-docker"
    (root / "bad").mkdir()
    (root / "bad" / "layer.tar").write_bytes(image_tools.make_tar([image_tools.Entry("x")]))
    config = json.loads(busybox_image.blob_path(busybox_image.config_digest).read_bytes())
    config["rootfs"]["diff_ids"] = ["sha256:" + "1" * 64]
    (root / "bad" / "config.json").write_text(json.dumps(config))
    [good] = json.loads((root / "manifest.json").read_text())
    bad = {"Config": "bad/config.json", "RepoTags": ["pki/bad:1"], "Layers": ["bad/layer.tar"]}
    (root / "manifest.json").write_text(json.dumps([good, bad]))
    archive.unlink()
    with pytest.raises(errors.InvalidArgumentError, match="its diff_id is"):
        store.import_archive(tar_dir(root, archive))
    assert store.list() == []
    with pytest.raises(errors.NotFoundError):
        store.resolve("busybox")

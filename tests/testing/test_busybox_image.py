"""The busybox image builder writes a valid, reproducible OCI image layout."""

from __future__ import annotations

import gzip
import hashlib
import json
import platform
import posixpath
import shutil
import subprocess
import tarfile
from pathlib import Path

import attrs
import pytest

from podkit import errors
from podkit.testing import (
    ANNOTATION_REF_NAME,
    DEFAULT_BUSYBOX,
    IMAGE_PATH,
    MEDIA_TYPE_CONFIG,
    MEDIA_TYPE_INDEX,
    MEDIA_TYPE_LAYER_GZIP,
    MEDIA_TYPE_MANIFEST,
    OciImage,
    build_busybox_image,
    machine_architecture,
    read_oci_layout,
)

# The applets the tests of the other packages rely on.
APPLETS = (
    "[", "awk", "cat", "date", "echo", "env", "false", "grep", "head", "hostname", "httpd",
    "id", "ip", "kill", "ls", "mkdir", "mount", "nc", "ping", "printf", "ps", "rm", "sed",
    "sh", "sleep", "tail", "test", "top", "touch", "true", "uname", "wget",
)  # fmt: skip


def _json(path: Path) -> dict[str, object]:
    value = json.loads(path.read_bytes())
    assert isinstance(value, dict)
    return value


def _members(image: OciImage) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(image.layer_paths[0], "r:gz") as tar:
        return {member.name: member for member in tar.getmembers()}


def test_the_layout_reads_back_as_the_image_built(busybox_image: OciImage) -> None:
    assert read_oci_layout(busybox_image.path) == busybox_image
    assert read_oci_layout(busybox_image.path, ref_name="latest") == busybox_image


def test_the_layout_has_the_marker_file_and_an_index_naming_the_image(
    busybox_image: OciImage,
) -> None:
    assert _json(busybox_image.path / "oci-layout") == {"imageLayoutVersion": "1.0.0"}
    index = _json(busybox_image.path / "index.json")
    manifest_size = busybox_image.blob_path(busybox_image.manifest_digest).stat().st_size
    assert index == {
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_INDEX,
        "manifests": [
            {
                "mediaType": MEDIA_TYPE_MANIFEST,
                "digest": busybox_image.manifest_digest,
                "size": manifest_size,
                "platform": {"architecture": machine_architecture(), "os": "linux"},
                "annotations": {ANNOTATION_REF_NAME: "latest"},
            }
        ],
    }


def test_every_blob_is_named_by_its_sha256(busybox_image: OciImage) -> None:
    blobs = sorted((busybox_image.path / "blobs" / "sha256").iterdir())
    assert len(blobs) == 3  # manifest, config, layer
    for blob in blobs:
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name


def test_the_manifest_describes_config_and_layer_with_their_digests_and_sizes(
    busybox_image: OciImage,
) -> None:
    manifest = _json(busybox_image.blob_path(busybox_image.manifest_digest))
    config = busybox_image.blob_path(busybox_image.config_digest)
    layer = busybox_image.layer_paths[0]
    assert manifest == {
        "schemaVersion": 2,
        "mediaType": MEDIA_TYPE_MANIFEST,
        "config": {
            "mediaType": MEDIA_TYPE_CONFIG,
            "digest": busybox_image.config_digest,
            "size": config.stat().st_size,
        },
        "layers": [
            {
                "mediaType": MEDIA_TYPE_LAYER_GZIP,
                "digest": busybox_image.layer_digests[0],
                "size": layer.stat().st_size,
            }
        ],
    }
    assert busybox_image.manifest_size == len(
        busybox_image.blob_path(busybox_image.manifest_digest).read_bytes()
    )


def test_the_config_runs_sh_on_this_architecture_with_the_uncompressed_layer_as_diff_id(
    busybox_image: OciImage,
) -> None:
    config = _json(busybox_image.blob_path(busybox_image.config_digest))
    uncompressed = gzip.decompress(busybox_image.layer_paths[0].read_bytes())
    diff_id = f"sha256:{hashlib.sha256(uncompressed).hexdigest()}"
    assert config == {
        "architecture": machine_architecture(),
        "os": "linux",
        "config": {"Env": [f"PATH={IMAGE_PATH}"], "Cmd": ["sh"], "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }
    assert busybox_image.diff_ids == (diff_id,)
    assert (busybox_image.cmd, busybox_image.env) == (("sh",), (f"PATH={IMAGE_PATH}",))


@pytest.mark.parametrize(
    ("machine", "architecture"),
    [("x86_64", "amd64"), ("aarch64", "arm64"), ("armv7l", "arm"), ("riscv64", "riscv64")],
)
def test_the_architecture_is_named_as_the_image_spec_does(
    monkeypatch: pytest.MonkeyPatch, machine: str, architecture: str
) -> None:
    monkeypatch.setattr(platform, "machine", lambda: machine)
    assert machine_architecture() == architecture


def test_the_same_busybox_gives_the_same_digests(busybox_image: OciImage, tmp_path: Path) -> None:
    again = build_busybox_image(tmp_path / "again")
    assert again == attrs.evolve(busybox_image, path=tmp_path / "again")
    for name in ("index.json", "oci-layout"):
        assert (again.path / name).read_bytes() == (busybox_image.path / name).read_bytes()


def test_the_layer_holds_busybox_and_a_symlink_for_each_applet(busybox_image: OciImage) -> None:
    members = _members(busybox_image)
    busybox = members["bin/busybox"]
    assert busybox.isreg()
    assert busybox.mode == 0o755
    with tarfile.open(busybox_image.layer_paths[0], "r:gz") as tar:
        extracted = tar.extractfile(busybox)
        assert extracted is not None
        assert extracted.read() == DEFAULT_BUSYBOX.read_bytes()
    links = {Path(name).name: m for name, m in members.items() if m.issym()}
    assert set(APPLETS) <= set(links)
    for member in links.values():
        target = posixpath.normpath(posixpath.join(posixpath.dirname(member.name), member.linkname))
        assert target == "bin/busybox", member.name
        assert posixpath.dirname(member.name) in {"bin", "sbin", "usr/bin", "usr/sbin"}
    assert links["sh"].name == "bin/sh"


def test_the_layer_has_the_usual_directories_and_users_all_owned_by_root_at_time_zero(
    busybox_image: OciImage,
) -> None:
    members = _members(busybox_image)
    for name in ("proc", "sys", "dev", "etc", "root", "var", "home", "tmp"):
        assert members[name].isdir(), name
    assert members["tmp"].mode == 0o1777
    assert {(m.uid, m.gid, m.mtime) for m in members.values()} == {(0, 0, 0)}
    with tarfile.open(busybox_image.layer_paths[0], "r:gz") as tar:
        files = {name: tar.extractfile(name) for name in ("etc/passwd", "etc/group")}
        passwd, group = (f.read().decode() if f else "" for f in files.values())
    assert [line.split(":")[:3] for line in passwd.splitlines()] == [
        ["root", "x", "0"],
        ["nobody", "x", "65534"],
    ]
    assert [line.split(":")[:3] for line in group.splitlines()] == [
        ["root", "x", "0"],
        ["nobody", "x", "65534"],
    ]


@pytest.mark.root
def test_the_image_runs(busybox_image: OciImage, tmp_path: Path) -> None:
    rootfs = tmp_path / "rootfs"
    with tarfile.open(busybox_image.layer_paths[0], "r:gz") as tar:
        # Our own layer; "fully_trusted" keeps /tmp's mode 1777.
        tar.extractall(rootfs, filter="fully_trusted")  # noqa: S202
    result = subprocess.run(
        [
            "chroot",
            str(rootfs),
            "/bin/sh",
            "-c",
            "id -un; ls /usr/bin/env; echo ok > /tmp/x; cat /tmp/x",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": IMAGE_PATH},
    )
    assert (result.returncode, result.stdout) == (0, "root\n/usr/bin/env\nok\n"), result.stderr


def test_a_missing_busybox_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(errors.NotFoundError, match=r"apt-get install busybox-static"):
        build_busybox_image(tmp_path / "layout", busybox=tmp_path / "no-busybox")
    assert not (tmp_path / "layout").exists()


def test_a_dynamically_linked_busybox_is_refused(tmp_path: Path) -> None:
    dynamic = shutil.which("ls")
    assert dynamic is not None
    with pytest.raises(errors.FailedPreconditionError, match="dynamically linked"):
        build_busybox_image(tmp_path / "layout", busybox=Path(dynamic))


def test_a_file_that_is_not_elf_is_refused(tmp_path: Path) -> None:
    script = tmp_path / "busybox"
    script.write_text("#!/bin/sh\n")
    with pytest.raises(errors.FailedPreconditionError, match="not an ELF executable"):
        build_busybox_image(tmp_path / "layout", busybox=script)


def test_a_non_empty_destination_is_refused(tmp_path: Path) -> None:
    (tmp_path / "something").write_text("")
    with pytest.raises(errors.AlreadyExistsError, match="not an empty dir"):
        build_busybox_image(tmp_path)


def test_the_ref_name_is_the_one_asked_for(tmp_path: Path) -> None:
    image = build_busybox_image(tmp_path / "layout", ref_name="1.36")
    assert image.ref_name == "1.36"
    assert read_oci_layout(image.path, ref_name="1.36") == image

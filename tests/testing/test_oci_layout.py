"""The OCI layout reader verifies every digest and size, and says what is wrong."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from podkit import errors
from podkit.testing import (
    ANNOTATION_REF_NAME,
    MEDIA_TYPE_INDEX,
    MEDIA_TYPE_LAYER,
    OciImage,
    read_oci_layout,
)

if TYPE_CHECKING:
    from collections.abc import Callable

_Json = dict[str, object]
_ANY_DIGEST = "sha256:" + "0" * 64


@pytest.fixture
def layout(busybox_image: OciImage, tmp_path: Path) -> Path:
    """Return a copy of the busybox layout that a test may break."""
    return Path(shutil.copytree(busybox_image.path, tmp_path / "layout"))


def _load(path: Path) -> _Json:
    value = json.loads(path.read_bytes())
    assert isinstance(value, dict)
    return value


def _blob(layout: Path, digest: object) -> Path:
    algorithm, _, encoded = str(digest).partition(":")
    return layout / "blobs" / algorithm / encoded


def _put(layout: Path, data: bytes) -> _Json:
    """Store ``data`` as a blob; return the digest and size of its descriptor."""
    digest = f"sha256:{hashlib.sha256(data).hexdigest()}"
    _blob(layout, digest).write_bytes(data)
    return {"digest": digest, "size": len(data)}


def _index(layout: Path) -> _Json:
    return _load(layout / "index.json")


def _descriptors(layout: Path) -> list[_Json]:
    manifests = _index(layout)["manifests"]
    assert isinstance(manifests, list)
    return manifests


def _manifest(layout: Path) -> _Json:
    return _load(_blob(layout, _descriptors(layout)[0]["digest"]))


def _set_index(layout: Path, index: _Json) -> None:
    (layout / "index.json").write_text(json.dumps(index))


def _set_manifest(layout: Path, manifest: _Json, **descriptor: object) -> None:
    """Store ``manifest`` and point the index's one descriptor at it."""
    index = _index(layout)
    (entry,) = _descriptors(layout)
    entry.update(_put(layout, json.dumps(manifest).encode()), **descriptor)
    _set_index(layout, {**index, "manifests": [entry]})


def _layer(manifest: _Json) -> _Json:
    layers = manifest["layers"]
    assert isinstance(layers, list)
    layer = layers[0]
    assert isinstance(layer, dict)
    return layer


def _config(manifest: _Json) -> _Json:
    config = manifest["config"]
    assert isinstance(config, dict)
    return config


def _set_config(layout: Path, change: Callable[[_Json], None]) -> None:
    """Change the config, store it, and point the manifest (and index) at it."""
    manifest = _manifest(layout)
    config = _load(_blob(layout, _config(manifest)["digest"]))
    change(config)
    _config(manifest).update(_put(layout, json.dumps(config).encode()))
    _set_manifest(layout, manifest)


def _read_fails(layout: Path, message: str) -> None:
    with pytest.raises(errors.InvalidArgumentError) as caught:
        read_oci_layout(layout)
    assert str(caught.value) == f"failed to read OCI image layout {str(layout)!r}: {message}"


def test_a_changed_byte_in_a_layer_is_caught(layout: Path) -> None:
    digest = str(_layer(_manifest(layout))["digest"])
    blob = _blob(layout, digest)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))
    actual = f"sha256:{hashlib.sha256(data).hexdigest()}"
    _read_fails(layout, f"layer 0 {digest} does not match its content, which hashes to {actual}")


def test_a_wrong_size_is_caught(layout: Path) -> None:
    manifest = _manifest(layout)
    layer = _layer(manifest)
    size = layer["size"]
    assert isinstance(size, int)
    layer["size"] = size + 1
    _set_manifest(layout, manifest)
    _read_fails(
        layout, f"layer 0 {layer['digest']} is {size} bytes, its descriptor says {size + 1}"
    )


def test_a_missing_blob_is_caught(layout: Path) -> None:
    digest = _config(_manifest(layout))["digest"]
    _blob(layout, digest).unlink()
    _read_fails(layout, f"config {digest} has no readable blob: No such file or directory")


def test_a_diff_id_that_is_not_the_uncompressed_layer_s_is_caught(layout: Path) -> None:
    layer = _layer(_manifest(layout))
    real = read_oci_layout(layout).diff_ids[0]

    def change(config: _Json) -> None:
        config["rootfs"] = {"type": "layers", "diff_ids": [_ANY_DIGEST]}

    _set_config(layout, change)
    _read_fails(
        layout,
        f"layer 0 ({layer['digest']}) uncompresses to {real}, "
        f"the config's diff_id is {_ANY_DIGEST}",
    )


def test_as_many_diff_ids_as_layers_are_required(layout: Path) -> None:
    def change(config: _Json) -> None:
        config["rootfs"] = {"type": "layers", "diff_ids": []}

    _set_config(layout, change)
    _read_fails(layout, "the manifest has 1 layers, the config 0 diff_ids")


def test_an_uncompressed_layer_is_its_own_diff_id(layout: Path) -> None:
    manifest = _manifest(layout)
    layer = _layer(manifest)
    tar = gzip.decompress(_blob(layout, layer["digest"]).read_bytes())
    layer.update(_put(layout, tar), mediaType=MEDIA_TYPE_LAYER)
    _set_manifest(layout, manifest)

    image = read_oci_layout(layout)
    assert image.layer_digests == image.diff_ids


def test_a_layer_that_is_not_gzip_is_caught(layout: Path) -> None:
    manifest = _manifest(layout)
    layer = _layer(manifest)
    layer.update(_put(layout, b"not gzip"))
    _set_manifest(layout, manifest)
    with pytest.raises(errors.InvalidArgumentError, match=r"is not a valid gzip stream"):
        read_oci_layout(layout)


def test_an_unknown_layer_type_is_unimplemented(layout: Path) -> None:
    manifest = _manifest(layout)
    _layer(manifest)["mediaType"] = "application/vnd.oci.image.layer.v1.tar+zstd"
    _set_manifest(layout, manifest)
    with pytest.raises(errors.UnimplementedError, match=r"tar\+zstd"):
        read_oci_layout(layout)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"imageLayoutVersion": "2.0.0"}', "imageLayoutVersion is '2.0.0', expected '1.0.0'"),
        ("{}", "oci-layout has no 'imageLayoutVersion'"),
        ("[", "oci-layout is not valid JSON: Expecting value: line 1 column 2 (char 1)"),
        ("[]", "oci-layout must be a JSON object, got []"),
    ],
)
def test_a_bad_oci_layout_file_is_caught(layout: Path, content: str, message: str) -> None:
    (layout / "oci-layout").write_text(content)
    _read_fails(layout, message)


def test_a_missing_index_is_caught(layout: Path) -> None:
    (layout / "index.json").unlink()
    _read_fails(layout, "cannot read index.json: No such file or directory")


def test_a_malformed_descriptor_is_caught(layout: Path) -> None:
    manifest = _manifest(layout)
    _config(manifest)["size"] = "268"
    _set_manifest(layout, manifest)
    _read_fails(layout, "config 'size' must be a JSON integer, got '268'")


def test_an_unsupported_digest_algorithm_is_caught(layout: Path) -> None:
    manifest = _manifest(layout)
    _config(manifest)["digest"] = "md5:d41d8cd98f00b204e9800998ecf8427e"
    _set_manifest(layout, manifest)
    _read_fails(
        layout,
        "config has an unsupported or malformed digest 'md5:d41d8cd98f00b204e9800998ecf8427e'",
    )


def test_a_manifest_that_disagrees_with_its_descriptor_is_caught(layout: Path) -> None:
    manifest = _manifest(layout)
    manifest["mediaType"] = "application/vnd.docker.distribution.manifest.v2+json"
    _set_manifest(layout, manifest)
    _read_fails(
        layout,
        "the manifest says its media type is "
        "'application/vnd.docker.distribution.manifest.v2+json', "
        "its descriptor says 'application/vnd.oci.image.manifest.v1+json'",
    )


def test_a_config_of_another_type_is_caught(layout: Path) -> None:
    manifest = _manifest(layout)
    _config(manifest)["mediaType"] = "application/json"
    _set_manifest(layout, manifest)
    _read_fails(layout, "the config descriptor has media type 'application/json'")


def test_an_image_is_found_by_ref_name(layout: Path) -> None:
    with pytest.raises(errors.NotFoundError, match=r"failed to find image 'other' in OCI"):
        read_oci_layout(layout, ref_name="other")


def test_a_layout_with_several_images_needs_a_ref_name(layout: Path) -> None:
    index = _index(layout)
    (entry,) = _descriptors(layout)
    other = {**entry, "annotations": {ANNOTATION_REF_NAME: "other"}}
    _set_index(layout, {**index, "manifests": [entry, other]})

    _read_fails(layout, "index.json has 2 manifests ['latest', 'other']; pass ref_name")
    assert read_oci_layout(layout, ref_name="other").ref_name == "other"


def test_a_nested_index_is_unimplemented(layout: Path) -> None:
    _set_manifest(layout, {"schemaVersion": 2, "manifests": []}, mediaType=MEDIA_TYPE_INDEX)
    with pytest.raises(errors.UnimplementedError, match="nested indexes"):
        read_oci_layout(layout)


def test_a_path_that_is_no_directory_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(errors.NotFoundError, match="not a directory"):
        read_oci_layout(tmp_path / "nothing")


def test_an_image_description_holds_only_digests(busybox_image: OciImage) -> None:
    fields = {
        "path": busybox_image.path,
        "manifest_digest": _ANY_DIGEST,
        "manifest_size": 1,
        "config_digest": _ANY_DIGEST,
        "architecture": "amd64",
        "layer_digests": [_ANY_DIGEST],
        "diff_ids": [_ANY_DIGEST],
    }
    assert OciImage(**fields).layer_paths == (busybox_image.path / "blobs/sha256" / ("0" * 64),)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="config_digest must be a sha256 or sha512 digest"):
        OciImage(**{**fields, "config_digest": "sha256:abc"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="one diff_id per layer"):
        OciImage(**{**fields, "diff_ids": []})  # type: ignore[arg-type]

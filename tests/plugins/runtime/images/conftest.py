from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from typing import NamedTuple

import pytest

from podkit.testing import machine_architecture


class Entry(NamedTuple):
    """One tar member: name, type, and data / link target / (major, minor)."""

    name: str
    type: bytes = tarfile.REGTYPE
    data: bytes = b""
    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    linkname: str = ""
    device: tuple[int, int] = (0, 0)
    pax: dict[str, str] | None = None


def make_tar(entries):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            info = tarfile.TarInfo(entry.name)
            info.type = entry.type
            info.mode = entry.mode
            info.uid, info.gid = entry.uid, entry.gid
            info.mtime = 1_000_000
            info.linkname = entry.linkname
            info.devmajor, info.devminor = entry.device
            if entry.pax:
                info.pax_headers = dict(entry.pax)
            if entry.type == tarfile.REGTYPE:
                info.size = len(entry.data)
                tar.addfile(info, io.BytesIO(entry.data))
            else:
                tar.addfile(info)
    return buffer.getvalue()


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout(NamedTuple):
    path: object
    manifest_digest: str
    config_digest: str
    layer_digests: tuple[str, ...]
    diff_ids: tuple[str, ...]

    def blob(self, digest):
        return self.path / "blobs" / "sha256" / digest.removeprefix("sha256:")


def write_layout(path, layers, *, compress=True, ref_name="latest", config=None, diff_ids=None):
    """Write an OCI layout holding one image of the uncompressed tars ``layers``."""
    blobs = path / "blobs" / "sha256"
    blobs.mkdir(parents=True)

    def put(data):
        digest = sha256(data)
        (blobs / digest.removeprefix("sha256:")).write_bytes(data)
        return digest

    layer_type = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if compress else "")
    stored = [gzip.compress(layer, mtime=0) if compress else layer for layer in layers]
    real_diff_ids = [sha256(layer) for layer in layers]
    config_doc = {
        "architecture": machine_architecture(),
        "os": "linux",
        "config": config or {"Cmd": ["sh"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids or real_diff_ids},
    }
    config_data = json.dumps(config_doc).encode()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": put(config_data),
            "size": len(config_data),
        },
        "layers": [
            {"mediaType": layer_type, "digest": put(blob), "size": len(blob)} for blob in stored
        ],
    }
    manifest_data = json.dumps(manifest).encode()
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": put(manifest_data),
                "size": len(manifest_data),
                "annotations": {"org.opencontainers.image.ref.name": ref_name},
            }
        ],
    }
    (path / "index.json").write_text(json.dumps(index))
    (path / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    return Layout(
        path,
        sha256(manifest_data),
        sha256(config_data),
        tuple(sha256(blob) for blob in stored),
        tuple(real_diff_ids),
    )


@pytest.fixture
def image_tools():
    """The helpers above, for tests that build their own images."""

    class Tools:
        Entry = globals()["Entry"]
        make_tar = staticmethod(make_tar)
        sha256 = staticmethod(sha256)
        write_layout = staticmethod(write_layout)

    return Tools


@pytest.fixture
def registry(tmp_path):
    """A docker-registry on 127.0.0.1 and a free port, stopped by PID at teardown."""
    from podkit.testing import require_binary
    from podkit.testing.registry import LocalRegistry

    require_binary("skopeo")
    with LocalRegistry(tmp_path) as registry:
        yield registry

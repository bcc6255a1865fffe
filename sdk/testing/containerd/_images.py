"""The images of :mod:`podkit.testing.containerd`: a sandbox ("pause") image, and archives.

No registry is reachable, so containerd gets its images from ``ctr images
import``: OCI layouts tarred by :func:`image_archive`. Its CRI plugin needs
its sandbox image present locally; :func:`build_sandbox_image` makes one of
the node's busybox.

.. versionadded:: 0.1
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from typing import TYPE_CHECKING, Final

from podkit.testing._busybox import DEFAULT_BUSYBOX, build_busybox_image
from podkit.testing._oci import MEDIA_TYPE_CONFIG, MEDIA_TYPE_MANIFEST, blob_path, read_oci_layout

if TYPE_CHECKING:
    from pathlib import Path

    from podkit.testing._oci import OciImage

#: The name the sandbox image is imported as and the CRI plugin is told to use.
SANDBOX_IMAGE: Final = "localhost/podkit/sandbox:latest"
#: The name :func:`build_sandbox_image`'s busybox is imported as by default.
BUSYBOX_IMAGE: Final = "docker.io/library/busybox:latest"
#: The sandbox's process: sleeps until a TERM (or KILL) ends it, as ``pause`` does.
SANDBOX_ENTRYPOINT: Final = (
    "/bin/sh",
    "-c",
    "trap 'exit 0' TERM INT; while true; do sleep 3600 & wait $!; done",
)


def build_sandbox_image(
    dest: Path, *, ref_name: str = SANDBOX_IMAGE, busybox: Path = DEFAULT_BUSYBOX
) -> OciImage:
    """Write an OCI layout of a sandbox ("pause") image: busybox sleeping until TERM.

    The busybox image of :func:`podkit.testing.build_busybox_image` with
    :data:`SANDBOX_ENTRYPOINT` as its entrypoint and no command.

    .. versionadded:: 0.1
    """
    image = build_busybox_image(dest, busybox=busybox, ref_name=ref_name)
    config = json.loads(blob_path(dest, image.config_digest).read_bytes())
    config["config"] = {**config["config"], "Entrypoint": list(SANDBOX_ENTRYPOINT)}
    config["config"].pop("Cmd", None)
    config_blob = _write_json_blob(dest, config)
    manifest = json.loads(blob_path(dest, image.manifest_digest).read_bytes())
    manifest["config"] = _descriptor(MEDIA_TYPE_CONFIG, config_blob)
    manifest_blob = _write_json_blob(dest, manifest)
    index = json.loads((dest / "index.json").read_bytes())
    index["manifests"][0].update(_descriptor(MEDIA_TYPE_MANIFEST, manifest_blob))
    (dest / "index.json").write_bytes(_canonical(index))
    for stale in (image.config_digest, image.manifest_digest):
        blob_path(dest, stale).unlink()
    return read_oci_layout(dest)


def image_archive(layout: Path, dest: Path) -> Path:
    """Tar an OCI image layout into ``dest``, as ``ctr images import`` reads it."""
    with tarfile.open(dest, "w") as tar:
        for entry in sorted(layout.iterdir()):
            tar.add(entry, arcname=entry.name)
    return dest


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def _write_json_blob(layout: Path, value: object) -> bytes:
    blob = _canonical(value)
    blob_path(layout, "sha256:" + hashlib.sha256(blob).hexdigest()).write_bytes(blob)
    return blob


def _descriptor(media_type: str, blob: bytes) -> dict[str, object]:
    return {
        "mediaType": media_type,
        "digest": "sha256:" + hashlib.sha256(blob).hexdigest(),
        "size": len(blob),
    }


__all__ = [
    "BUSYBOX_IMAGE",
    "SANDBOX_ENTRYPOINT",
    "SANDBOX_IMAGE",
    "build_sandbox_image",
    "image_archive",
]

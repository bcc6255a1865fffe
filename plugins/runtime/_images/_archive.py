"""Image archives: a tar of an OCI image layout, or the output of ``docker save``.

An archive is unpacked into a temporary dir of the store with tarfile's ``data``
filter (no absolute names, no ``..``, no links out, no devices), then read either
as an OCI layout (it has ``oci-layout``; Docker 25 and later write both formats in
one archive) or as Docker's format: ``manifest.json`` listing, per image, its
config file, its layer tars and its ``RepoTags``
(moby ``image/tarexport``). Docker's format has no descriptors, so this module
makes them from the files; the importer then verifies the layers as for any image.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import json
import lzma
import tarfile
import zlib
from typing import IO, TYPE_CHECKING, Any, Final, NoReturn, final

from podkit import errors
from podkit.plugins.runtime._images import _oci
from podkit.plugins.runtime._images._blobs import chunks
from podkit.plugins.runtime._images._layout import LayoutSource, name_of
from podkit.plugins.runtime._images._reference import parse_reference

if TYPE_CHECKING:
    from pathlib import Path

    from podkit.plugins.runtime._images._importer import Imported, Importer

_DOCKER_LAYER: Final = "application/vnd.docker.image.rootfs.diff.tar"


def extract_archive(archive: Path, dest: Path) -> None:
    """Unpack the (possibly compressed) tar ``archive`` into ``dest``, safely."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(dest, filter="data")
    except FileNotFoundError as exc:
        msg = f"failed to import archive {str(archive)!r}: no such file"
        raise errors.NotFoundError(msg) from exc
    except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error, lzma.LZMAError) as exc:
        msg = f"failed to import archive {str(archive)!r}: not a valid tar archive: {exc}"
        raise errors.InvalidArgumentError(msg) from exc
    except OSError as exc:
        kind = errors.ResourceExhaustedError if exc.errno == errno.ENOSPC else errors.InternalError
        msg = f"failed to import archive {str(archive)!r}: {exc}"
        raise kind(msg) from exc


def import_extracted(
    importer: Importer, root: Path, platform: _oci.Platform, what: str
) -> list[Imported]:
    """Store every image of the unpacked archive at ``root``, for the caller to commit."""
    if (root / "oci-layout").exists():
        return _import_layout(importer, LayoutSource(root), platform, what)
    if (root / "manifest.json").exists():
        return _import_docker(importer, root, what)
    msg = f"failed to import {what}: it has neither 'oci-layout' nor 'manifest.json'"
    raise errors.InvalidArgumentError(msg)


def _import_layout(
    importer: Importer, source: LayoutSource, platform: _oci.Platform, what: str
) -> list[Imported]:
    entries = source.entries()
    # An index listing one manifest per platform (and no names) holds one image for us.
    mine = [e for e in entries if e.platform is None or e.platform == platform]
    if not mine and entries:
        mine = [_oci.select_platform(entries, platform, what)]
    images = []
    for entry in mine:
        name = name_of(entry)
        entry_what = f"image {str(name or entry.digest)!r} of {what}"
        images.append(importer.import_descriptor(source, entry, name=name, what=entry_what))
    return images


@final
class _DockerSource:
    """The files of a ``docker save`` archive, by the digests computed from them."""

    def __init__(self, root: Path, what: str) -> None:
        self._root = root
        self._what = what
        self._files: dict[str, Path] = {}

    def descriptor(self, name: object, media_type: str) -> _oci.Descriptor:
        """Describe the file ``name`` (relative to the archive), hashing it."""
        if not isinstance(name, str):
            self.fail(f"manifest.json names the file {name!r}, not a string")
        path = (self._root / name).resolve()
        if not path.is_relative_to(self._root.resolve()) or not path.is_file():
            self.fail(f"manifest.json names {name!r}, which is no file of the archive")
        hasher = hashlib.sha256()
        size = 0
        with path.open("rb") as stream:
            for chunk in chunks(stream):
                hasher.update(chunk)
                size += len(chunk)
        digest = f"sha256:{hasher.hexdigest()}"
        self._files[digest] = path
        return _oci.Descriptor(media_type=media_type, digest=digest, size=size)

    def open(self, descriptor: _oci.Descriptor) -> IO[bytes]:
        """Open the file described by ``descriptor``."""
        return self._files[descriptor.digest].open("rb")

    def fail(self, cause: str) -> NoReturn:
        msg = f"failed to import {self._what}: {cause}"
        raise errors.InvalidArgumentError(msg)


def _import_docker(importer: Importer, root: Path, what: str) -> list[Imported]:
    source = _DockerSource(root, what)
    try:
        images = json.loads((root / "manifest.json").read_bytes())
    except ValueError as exc:
        msg = f"failed to import {what}: manifest.json is not valid JSON: {exc}"
        raise errors.InvalidArgumentError(msg) from exc
    if not isinstance(images, list):
        source.fail("manifest.json is not a list of images")
    return [_import_docker_image(importer, source, image, what) for image in images]


def _import_docker_image(
    importer: Importer,
    source: _DockerSource,
    image: Any,  # noqa: ANN401 - a JSON value, checked here
    what: str,
) -> Imported:
    if not isinstance(image, dict) or not isinstance(image.get("Layers"), list):
        source.fail(f"manifest.json holds {image!r}, not an image with 'Config' and 'Layers'")
    tags = image.get("RepoTags") or []
    if not isinstance(tags, list):
        source.fail(f"manifest.json holds RepoTags {tags!r}, not a list")
    refs = [parse_reference(tag).tagged for tag in tags]
    manifest = _oci.Manifest(
        config=source.descriptor(image.get("Config"), _oci.DOCKER_CONFIG),
        layers=tuple(source.descriptor(layer, _DOCKER_LAYER) for layer in image["Layers"]),
    )
    image_what = f"image {(refs or [manifest.config.digest])[0]!r} of {what}"
    return importer.import_manifest(source, manifest, kept=[], refs=refs, what=image_what)


__all__ = ["extract_archive", "import_extracted"]

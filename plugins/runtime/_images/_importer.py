"""Bring one image into the store from any source: layout, archive or registry.

The steps are the same for every source, which only knows how to open a blob by its
descriptor: follow an index to this platform's manifest, store the manifest, the
config and each layer blob (each verified against its descriptor), unpack each layer
(verified against the config's ``diff_id``) unless it is already unpacked. Only then
are the image records and refs committed, all images of one import together. A
failure at any step leaves no record and no ref; the blobs and layers it stored are
garbage that the store collects.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, Final, Protocol, final

import attrs

from podkit import errors
from podkit.plugins.runtime._images import _oci

if TYPE_CHECKING:
    import contextlib
    from collections.abc import Iterable, Mapping

    from podkit.plugins.runtime._images._blobs import BlobStore
    from podkit.plugins.runtime._images._layers import LayerStore
    from podkit.plugins.runtime._images._reference import Reference
    from podkit.plugins.runtime._images._state import State

# An index may point at an index (a layout of a multi-arch image); deeper is refused.
_MAX_INDEX_DEPTH: Final = 2


@final
@attrs.frozen(kw_only=True)
class Imported:
    """An image whose blobs and layers are stored, waiting for its record to be committed."""

    document: Mapping[str, Any]
    refs: tuple[str, ...]

    @property
    def image_id(self) -> str:
        """The image ID: its config digest."""
        return str(self.document["id"])


class BlobSource(Protocol):
    """Where an image's blobs come from."""

    def open(self, descriptor: _oci.Descriptor) -> contextlib.AbstractContextManager[IO[bytes]]:
        """Open the blob ``descriptor`` for reading (the store verifies it)."""
        ...


@final
class Importer:
    """Imports images into the blob store, layer store and state of one store."""

    def __init__(
        self, blobs: BlobStore, layers: LayerStore, state: State, platform: _oci.Platform
    ) -> None:
        self._blobs = blobs
        self._layers = layers
        self._state = state
        self._platform = platform

    def import_descriptor(
        self,
        source: BlobSource,
        top: _oci.Descriptor,
        *,
        name: Reference | None,
        what: str,
        platform: _oci.Platform | None = None,
    ) -> Imported:
        """Store the image (or index) ``top``, to be tagged ``name``.

        ``name@top.digest`` becomes a repo digest of the image. From an index, the
        manifest for ``platform`` (by default the importer's) is imported.
        """
        kept: list[str] = []
        descriptor = self._follow_index(source, top, kept, what, platform or self._platform)
        data = self._fetch_json(source, descriptor, kept, f"the manifest of {what}")
        manifest = _oci.parse_manifest(data, f"the manifest of {what}")
        refs = []
        if name is not None:
            refs = [ref for ref in (name.tagged, name.with_digest(top.digest)) if ref]
        return self.import_manifest(source, manifest, kept=kept, refs=refs, what=what)

    def import_manifest(
        self,
        source: BlobSource,
        manifest: _oci.Manifest,
        *,
        kept: list[str],
        refs: list[str],
        what: str,
    ) -> Imported:
        """Store the image of ``manifest``, to be pointed at by ``refs``."""
        config_data = self._fetch_json(source, manifest.config, kept, f"the config of {what}")
        config = _oci.parse_config(config_data, f"the config of {what}")
        if len(config.diff_ids) != len(manifest.layers):
            msg = (
                f"failed to import {what}: the manifest has {len(manifest.layers)} layers, "
                f"the config {len(config.diff_ids)} diff_ids"
            )
            raise errors.InvalidArgumentError(msg)
        for number, (layer, diff_id) in enumerate(
            zip(manifest.layers, config.diff_ids, strict=True)
        ):
            layer_what = f"layer {number} of {what}"
            if not self._layers.has(diff_id):
                self._fetch(source, layer, layer_what)
                self._layers.ensure(diff_id, self._blobs.path(layer.digest), layer_what)
            kept.append(layer.digest)
        size = sum(self._layers.size(diff_id) for diff_id in set(config.diff_ids))
        document = _document(manifest.config.digest, config, size, kept)
        return Imported(document=document, refs=tuple(refs))

    def commit(self, images: Iterable[Imported]) -> None:
        """Write the records of ``images`` and point their refs at them."""
        with self._state.locked():
            index = self._state.refs()
            for image in images:
                document = dict(image.document)
                existing = self._state.image(image.image_id)
                if existing is not None:  # the same config from another manifest or source
                    document["blobs"] = sorted({*existing["blobs"], *document["blobs"]})
                self._state.save_image(document)
                index.update(dict.fromkeys(image.refs, image.image_id))
            self._state.save_refs(index)

    def _follow_index(
        self,
        source: BlobSource,
        top: _oci.Descriptor,
        kept: list[str],
        what: str,
        platform: _oci.Platform,
    ) -> _oci.Descriptor:
        descriptor = top
        for _ in range(_MAX_INDEX_DEPTH + 1):
            if descriptor.media_type in _oci.MANIFEST_TYPES:
                return descriptor
            if descriptor.media_type not in _oci.INDEX_TYPES:
                msg = f"failed to import {what}: media type {descriptor.media_type!r} is no image"
                raise errors.InvalidArgumentError(msg)
            data = self._fetch_json(source, descriptor, kept, f"the index of {what}")
            manifests = _oci.parse_index(data, f"the index of {what}")
            descriptor = _oci.select_platform(manifests, platform, what)
        msg = f"failed to import {what}: indexes nested deeper than {_MAX_INDEX_DEPTH}"
        raise errors.UnimplementedError(msg)

    def _fetch(self, source: BlobSource, descriptor: _oci.Descriptor, what: str) -> None:
        if self._blobs.has(descriptor.digest):
            return
        with source.open(descriptor) as stream:
            self._blobs.ingest(descriptor, stream, what)

    def _fetch_json(
        self, source: BlobSource, descriptor: _oci.Descriptor, kept: list[str], what: str
    ) -> bytes:
        self._fetch(source, descriptor, what)
        kept.append(descriptor.digest)
        return self._blobs.read(descriptor.digest)


def _document(
    image_id: str, config: _oci.ImageConfig, size: int, blobs: list[str]
) -> dict[str, Any]:
    return {
        "id": image_id,
        "blobs": sorted(set(blobs)),
        "size": size,
        "diff_ids": list(config.diff_ids),
        "env": list(config.env),
        "entrypoint": list(config.entrypoint),
        "cmd": list(config.cmd),
        "working_dir": config.working_dir,
        "user": config.user,
        "stop_signal": config.stop_signal,
        "os": config.platform.os,
        "architecture": config.platform.architecture,
    }


__all__ = ["BlobSource", "Imported", "Importer"]

"""OCI image layouts on disk (image-spec image-layout.md) as a source of images.

The store reads a layout itself rather than through ``podkit.testing``: nothing in
it is trusted, so the layout only opens blobs, and the importer verifies each one
against its descriptor. This module also picks the images of ``index.json`` to
import and the names to give them.
"""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Final, final

from podkit import errors
from podkit.plugins.runtime._images import _oci
from podkit.plugins.runtime._images._reference import Reference, parse_reference

if TYPE_CHECKING:
    from pathlib import Path

#: The one ``imageLayoutVersion`` the image-spec defines.
_LAYOUT_VERSION: Final = "1.0.0"


@final
class LayoutSource:
    """The blobs of the layout at ``path``; :meth:`entries` is its ``index.json``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._what = f"OCI image layout {str(path)!r}"
        if not path.is_dir():
            msg = f"failed to read {self._what}: not a directory"
            raise errors.NotFoundError(msg)
        try:
            marker = json.loads((path / "oci-layout").read_bytes())
        except (OSError, ValueError) as exc:
            msg = f"failed to read {self._what}: no valid 'oci-layout' file: {exc}"
            raise errors.InvalidArgumentError(msg) from exc
        version = marker.get("imageLayoutVersion") if isinstance(marker, dict) else None
        if version != _LAYOUT_VERSION:
            msg = f"failed to read {self._what}: imageLayoutVersion {version!r} is not 1.0.0"
            raise errors.InvalidArgumentError(msg)

    def open(self, descriptor: _oci.Descriptor) -> IO[bytes]:
        """Open the blob of ``descriptor`` (``blobs/sha256/<hex>``)."""
        algorithm, _, encoded = descriptor.digest.partition(":")
        try:
            return (self.path / "blobs" / algorithm / encoded).open("rb")
        except FileNotFoundError as exc:
            msg = f"failed to read {self._what}: it has no blob {descriptor.digest}"
            raise errors.InvalidArgumentError(msg) from exc

    def entries(self) -> tuple[_oci.Descriptor, ...]:
        """The descriptors of ``index.json``."""
        try:
            data = (self.path / "index.json").read_bytes()
        except OSError as exc:
            msg = f"failed to read {self._what}: cannot read index.json: {exc.strerror}"
            raise errors.InvalidArgumentError(msg) from exc
        return _oci.parse_index(data, f"index.json of {self._what}")

    def select(self, ref: str | None, platform: _oci.Platform) -> _oci.Descriptor:
        """The one entry to import for ``ref`` (a ref name or an image name), if given.

        :raises podkit.errors.NotFoundError: no entry is named ``ref``.
        :raises podkit.errors.InvalidArgumentError: several entries remain; name one.
        """
        entries = self.entries()
        if ref is not None and len(entries) > 1:
            names = {ref, *_names_of(ref)}
            entries = tuple(e for e in entries if e.ref_name and e.ref_name in names)
            if not entries:
                msg = f"failed to find image {ref!r} in {self._what}"
                raise errors.NotFoundError(msg)
        if len(entries) > 1 and all(e.platform is not None for e in entries):
            return _oci.select_platform(entries, platform, self._what)
        if len(entries) != 1:
            found = sorted(e.ref_name for e in entries)
            msg = f"failed to read {self._what}: it has {len(entries)} images {found}; pass ref"
            raise errors.InvalidArgumentError(msg)
        return entries[0]


def _names_of(ref: str) -> set[str]:
    """What a layout may call the image ``ref``: its tag, or its full name."""
    try:
        parsed = parse_reference(ref)
    except errors.InvalidArgumentError:
        return set()
    return {parsed.tag, parsed.tagged, str(parsed)} - {""}


def name_of(entry: _oci.Descriptor) -> Reference | None:
    """The image name an index entry carries, if its ref name is a full reference.

    ``org.opencontainers.image.ref.name`` is often only a tag (``latest``), which
    names no repository; ``io.containerd.image.name`` and ``docker save`` put the full
    ``name:tag`` there.
    """
    if "/" not in entry.ref_name and ":" not in entry.ref_name:
        return None
    try:
        return parse_reference(entry.ref_name)
    except errors.InvalidArgumentError:
        return None


__all__ = ["LayoutSource", "name_of"]

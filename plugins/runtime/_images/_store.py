"""The reference runtime's image store: :class:`ImageStore`.

One directory holds everything (``root``, e.g. ``/var/lib/podkit/runtime/images``)::

    blobs/sha256/<hex>      manifests, configs and layer blobs, content-addressed
    layers/<hex>/fs         unpacked layers by diff_id, each an overlayfs lowerdir
    layers/<hex>/layer.json the layer's diff_id and size
    images/<hex>.json       one image, by config digest (the image ID)
    refs.json, leases.json  tags and repo digests; which container uses which image
    tmp/                    blobs and layers being written; removed by gc()

Images come in from an OCI layout, an archive (:mod:`._archive`) or a registry
(:mod:`._registry`), all through :class:`~._importer.Importer`. The CRI image
service (PullImage, ListImages, ImageStatus, RemoveImage, ImageFsInfo) and the
container side (a rootfs from :meth:`ImageStore.layer_dirs`) sit on this class.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, final

from podkit import errors
from podkit.plugins.runtime._images import _oci
from podkit.plugins.runtime._images._archive import extract_archive, import_extracted
from podkit.plugins.runtime._images._auth import Credentials
from podkit.plugins.runtime._images._blobs import BlobStore
from podkit.plugins.runtime._images._importer import Importer
from podkit.plugins.runtime._images._layers import LayerStore
from podkit.plugins.runtime._images._layout import LayoutSource, name_of
from podkit.plugins.runtime._images._record import ImageRecord
from podkit.plugins.runtime._images._reference import parse_reference
from podkit.plugins.runtime._images._registry import RegistryClient, RegistrySource
from podkit.plugins.runtime._images._state import State

if TYPE_CHECKING:
    import builtins
    from collections.abc import Iterator

_FULL_ID: Final = re.compile(r"sha256:[a-f0-9]{64}")
_ID_PREFIX: Final = re.compile(r"(?:sha256:)?([a-f0-9]{1,64})")
# A bare hex prefix must be as long as Docker's short IDs, so that a short image name
# such as "bee" or "cafe" is never taken for the ID of some other image.
_MIN_BARE_PREFIX: Final = 12


@final
class ImageStore:
    """A content-addressed image store in the directory ``root``.

    Safe to share between threads and processes: the state files are guarded by
    ``flock(2)``, and garbage collection waits for running imports.

    :param root: the store's directory; created when missing.
    :param platform: the platform to select from multi-platform images; this
        machine's (``linux/amd64``...) by default.
    :param leases: the file of the containers' leases; ``root/leases.json`` by default.

    .. versionadded:: 0.1
    """

    def __init__(
        self, root: Path, *, platform: tuple[str, str] | None = None, leases: Path | None = None
    ) -> None:
        self.root = Path(root)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._platform = _platform(platform)
        self._tmp = self.root / "tmp"
        self._blobs = BlobStore(self.root / "blobs", self._tmp)
        self._layers = LayerStore(self.root / "layers", self._tmp)
        self._state = State(self.root, leases)
        self._importer = Importer(self._blobs, self._layers, self._state, self._platform)

    # -- import --------------------------------------------------------------------

    def import_oci_layout(self, path: Path, *, ref: str | None = None) -> ImageRecord:
        """Import one image of the OCI image layout at ``path``.

        :param ref: the name to tag the image with (``busybox:latest``); also picks
            the image from a layout holding several, by its ``ref.name`` annotation.
            Without it, the image is named by its annotation when that is a full
            ``name:tag``, and left untagged otherwise.
        :raises podkit.errors.InvalidArgumentError: the layout, a blob or a layer is
            malformed or does not match its digest; nothing is imported.
        :raises podkit.errors.NotFoundError: ``path`` is no directory, or has no image ``ref``.
        """
        name = parse_reference(ref) if ref is not None else None
        source = LayoutSource(Path(path))
        with self._importing():
            entry = source.select(ref, self._platform)
            name = name or name_of(entry)
            what = f"image {str(name or entry.digest)!r} from {str(path)!r}"
            image = self._importer.import_descriptor(source, entry, name=name, what=what)
            self._importer.commit([image])
        return self.resolve(image.image_id)

    def import_archive(self, path: Path) -> builtins.list[ImageRecord]:
        """Import every image of a tar archive: an OCI layout, or ``docker save`` output.

        The archive may be compressed. Images are tagged with the names the archive
        gives them (``RepoTags``, ``io.containerd.image.name`` or a full
        ``org.opencontainers.image.ref.name``); an image for another platform is
        skipped.

        :returns: the images imported, in the archive's order.
        :raises podkit.errors.InvalidArgumentError: the archive or an image in it is
            malformed or does not match its digests; then nothing is imported.
        :raises podkit.errors.NotFoundError: ``path`` does not exist.
        """
        what = f"archive {str(path)!r}"
        with self._importing():
            self._tmp.mkdir(parents=True, exist_ok=True)
            unpacked = Path(tempfile.mkdtemp(dir=self._tmp, prefix="archive-"))
            try:
                extract_archive(Path(path), unpacked)
                images = import_extracted(self._importer, unpacked, self._platform, what)
            finally:
                shutil.rmtree(unpacked, ignore_errors=True)
            self._importer.commit(images)
        refs = self._state.refs()
        ids = dict.fromkeys(image.image_id for image in images)
        return [self._record(image_id, refs) for image_id in ids]

    def pull(  # noqa: PLR0913 - the CRI AuthConfig fields, flattened
        self,
        ref: str,
        *,
        username: str = "",
        password: str = "",
        auth: str = "",
        registry_token: str = "",
        insecure: bool = False,
        platform: tuple[str, str] | None = None,
    ) -> ImageRecord:
        """Pull ``ref`` from its registry over the OCI distribution API (CRI PullImage).

        From a multi-platform image, the manifest for ``platform`` (``(os, arch)``;
        the store's by default) is pulled. The image is tagged ``ref`` (when it has a
        tag) and gets the repo digest of the manifest or index ``ref`` resolved to.

        :param username: with ``password``, for basic auth or for the token server.
        :param auth: base64 ``username:password``, when ``username`` is not given.
        :param registry_token: a bearer token sent to the registry as it is.
        :param insecure: speak plain HTTP (always done for loopback registries).
        :raises podkit.errors.InvalidArgumentError: ``ref`` is malformed, or a manifest,
            config or layer does not match its digest; nothing is imported.
        :raises podkit.errors.NotFoundError: the registry has no such image, or none
            for this platform.
        :raises podkit.errors.UnauthenticatedError: the registry refuses the credentials.
        :raises podkit.errors.UnavailableError: the registry cannot be reached.
        """
        name = parse_reference(ref)
        credentials = Credentials.from_cri(
            username=username, password=password, auth=auth, registry_token=registry_token
        )
        client = RegistryClient(name, credentials, insecure=insecure)
        wanted = _platform(platform) if platform is not None else None
        with self._importing():
            top, data = client.manifest(name.digest or name.tag)
            source = RegistrySource(client, {top.digest: data})
            image = self._importer.import_descriptor(
                source, top, name=name, what=f"image {client.what}", platform=wanted
            )
            self._importer.commit([image])
        return self.resolve(image.image_id)

    @contextlib.contextmanager
    def _importing(self) -> Iterator[None]:
        """Hold off garbage collection while importing; collect what a failure left."""
        try:
            with self._state.importing():
                yield
        except BaseException:
            self._collect(blocking=False)
            raise

    # -- lookup --------------------------------------------------------------------

    def resolve(self, ref_or_id: str) -> ImageRecord:
        """Find an image by ref (``busybox``, ``name:tag``, ``name@digest``) or ID.

        An ID may be given whole, as its 64 hex digits, or as a unique prefix
        (``sha256:`` and any number of digits, or at least 12 bare digits).

        :raises podkit.errors.NotFoundError: no such image.
        :raises podkit.errors.InvalidArgumentError: an ID prefix matches several images.
        """
        refs = self._state.refs()
        return self._record(self._find(ref_or_id, refs), refs)

    def list(self) -> builtins.list[ImageRecord]:
        """Every image in the store, by ID."""
        refs = self._state.refs()
        return [self._from_document(doc, refs) for doc in self._state.images()]

    def layer_dirs(self, image: ImageRecord) -> builtins.list[Path]:
        """The unpacked layer dirs of ``image``, top layer first: an overlayfs ``lowerdir``.

        A layer found twice in the stack is listed once, at its topmost place, which
        gives the same filesystem.

        :raises podkit.errors.NotFoundError: a layer is not unpacked (image removed).
        """
        dirs: list[Path] = []
        for diff_id in dict.fromkeys(reversed(image.diff_ids)):
            if not self._layers.has(diff_id):
                msg = f"failed to find layer {diff_id} of image {image.id}: not unpacked"
                raise errors.NotFoundError(msg)
            dirs.append(self._layers.fs(diff_id))
        return dirs

    def _find(self, text: str, refs: dict[str, str]) -> str:
        if _FULL_ID.fullmatch(text) and self._state.image(text) is not None:
            return text
        found = self._find_ref(text, refs)
        if found is not None:
            return found
        prefix = _ID_PREFIX.fullmatch(text)
        if prefix is not None and (text.startswith("sha256:") or len(text) >= _MIN_BARE_PREFIX):
            found = self._find_prefix(text, prefix.group(1))
            if found is not None:
                return found
        msg = f"image {text!r} not found"
        raise errors.NotFoundError(msg)

    @staticmethod
    def _find_ref(text: str, refs: dict[str, str]) -> str | None:
        try:
            ref = parse_reference(text)
        except errors.InvalidArgumentError:
            return None
        key = ref.with_digest(ref.digest) if ref.digest else ref.tagged
        return refs.get(key)

    def _find_prefix(self, text: str, prefix: str) -> str | None:
        ids = [doc["id"] for doc in self._state.images() if doc["id"][7:].startswith(prefix)]
        if len(ids) > 1:
            msg = f"image ID prefix {text!r} is ambiguous: it matches {len(ids)} images"
            raise errors.InvalidArgumentError(msg)
        return ids[0] if ids else None

    def _record(self, image_id: str, refs: dict[str, str]) -> ImageRecord:
        doc = self._state.image(image_id)
        if doc is None:
            msg = f"image {image_id!r} not found"
            raise errors.NotFoundError(msg)
        return self._from_document(doc, refs)

    @staticmethod
    def _from_document(doc: dict[str, Any], refs: dict[str, str]) -> ImageRecord:
        mine = sorted(ref for ref, image_id in refs.items() if image_id == doc["id"])
        return ImageRecord(
            id=doc["id"],
            repo_tags=[ref for ref in mine if "@" not in ref],
            repo_digests=[ref for ref in mine if "@" in ref],
            size=doc["size"],
            diff_ids=doc["diff_ids"],
            env=doc["env"],
            entrypoint=doc["entrypoint"],
            cmd=doc["cmd"],
            working_dir=doc["working_dir"],
            user=doc["user"],
            stop_signal=doc["stop_signal"],
        )

    # -- removal -------------------------------------------------------------------

    def lease(self, image_id: str, holder: str) -> None:
        """Record that ``holder`` (a container ID) uses the image; persisted.

        :raises podkit.errors.NotFoundError: no such image.
        """
        with self._state.locked():
            found = self._find(image_id, self._state.refs())
            leases = self._state.leases()
            if leases.get(holder) != found:
                leases[holder] = found
                self._state.save_leases(leases)

    def release(self, holder: str) -> None:
        """Forget the lease of ``holder``; idempotent."""
        with self._state.locked():
            leases = self._state.leases()
            if leases.pop(holder, None) is not None:
                self._state.save_leases(leases)

    def keep_leases(self, holders: set[str]) -> None:
        """Forget the leases of every holder not in ``holders`` (containers gone meanwhile)."""
        with self._state.locked():
            leases = self._state.leases()
            kept = {h: i for h, i in leases.items() if h in holders}
            if kept != leases:
                self._state.save_leases(kept)

    def remove(self, ref_or_id: str) -> None:
        """Remove an image, or only a tag of it when it has others.

        CRI RemoveImage: "This call is idempotent, and must not return an error if
        the image has already been removed." So an unknown image is no error.

        :raises podkit.errors.FailedPreconditionError: the image would go while a
            container leases it.
        """
        with self._state.locked():
            refs = self._state.refs()
            try:
                image_id = self._find(ref_or_id, refs)
            except errors.NotFoundError:
                return
            ref = self._ref_key(ref_or_id, refs)
            tags = [r for r, i in refs.items() if i == image_id and "@" not in r]
            if ref is not None and set(tags) - {ref}:
                del refs[ref]
                self._state.save_refs(refs)
                return
            self._check_unleased(ref_or_id, image_id)
            self._state.save_refs({r: i for r, i in refs.items() if i != image_id})
            self._state.delete_image(image_id)
        self._collect(blocking=False)

    def _ref_key(self, text: str, refs: dict[str, str]) -> str | None:
        """The key of ``refs`` that ``text`` names, if it names one (not an ID)."""
        if _FULL_ID.fullmatch(text):
            return None
        with contextlib.suppress(errors.InvalidArgumentError):
            ref = parse_reference(text)
            key = ref.with_digest(ref.digest) if ref.digest else ref.tagged
            return key if key in refs else None
        return None

    def _check_unleased(self, text: str, image_id: str) -> None:
        holders = sorted(h for h, i in self._state.leases().items() if i == image_id)
        if holders:
            msg = (
                f"failed to remove image {text!r}: image {image_id} is in use by "
                f"container {', '.join(holders)}"
            )
            raise errors.FailedPreconditionError(msg)

    # -- space ---------------------------------------------------------------------

    def usage(self) -> tuple[int, int]:
        """``(used_bytes, inodes_used)`` of the store, for CRI ImageFsInfo."""
        seen: set[tuple[int, int]] = set()
        used = 0
        for directory, subdirs, files in os.walk(self.root):
            for name in (*subdirs, *files):
                with contextlib.suppress(FileNotFoundError):
                    info = (Path(directory) / name).lstat()
                    if (info.st_dev, info.st_ino) not in seen:
                        seen.add((info.st_dev, info.st_ino))
                        used += info.st_blocks * 512
        return used, len(seen)

    def gc(self) -> None:
        """Remove blobs and layers no image references, and leftovers of imports.

        Waits for running imports to finish first.
        """
        self._collect(blocking=True)

    def _collect(self, *, blocking: bool) -> None:
        with self._state.collecting(blocking=blocking) as taken:
            if not taken:
                return  # an import runs; the next collection will do
            with self._state.locked():
                documents = self._state.images()
            blobs = {digest for doc in documents for digest in doc["blobs"]}
            layers = {diff_id for doc in documents for diff_id in doc["diff_ids"]}
            for digest in self._blobs.digests() - blobs:
                self._blobs.remove(digest)
            for diff_id in self._layers.diff_ids() - layers:
                self._layers.remove(diff_id)
            shutil.rmtree(self._tmp, ignore_errors=True)
            for directory in (self.root, self.root / "images"):
                for leftover in directory.glob(".*.tmp"):  # of statefiles writes cut short
                    leftover.unlink(missing_ok=True)


def _platform(platform: tuple[str, str] | None) -> _oci.Platform:
    if platform is None:
        return _oci.this_platform()
    os_name, architecture = platform
    return _oci.Platform(os=os_name, architecture=architecture)


__all__ = ["ImageStore"]

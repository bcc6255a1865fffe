"""The CRI ImageService hooks, answered by the image store (:mod:`._images`).

The store (written alongside) does the work: references, content, layers,
leases. These hooks translate between its :class:`ImageRecord` and the CRI
models, and open the store only when first needed, so that constructing the
plugin touches no directory.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Literal

import podkit
from podkit import errors
from podkit.models.runtime import (
    FilesystemIdentifier,
    FilesystemUsage,
    Image,
    ImageFsInfoResponse,
    ImageSpec,
    ImageStatusResponse,
)
from podkit.plugins.runtime._images import ImageRecord, ImageStore

if TYPE_CHECKING:
    from pathlib import Path

    from podkit.models.runtime import AuthConfig, ImageFilter, PodSandboxConfig

# ``verbose`` is positional and ``filter`` the upstream name, as in the hookspec.
# ruff: noqa: FBT001, A002


def to_cri_image(record: ImageRecord) -> Image:
    """The CRI ``Image`` of a store record."""
    user, _, _ = record.user.partition(":")
    return Image(
        id=record.id,
        repo_tags=record.repo_tags,
        repo_digests=record.repo_digests,
        size=record.size,
        uid=int(user) if user.isdigit() else None,
        username="" if user.isdigit() else user,
        spec=ImageSpec(image=record.id),
    )


class ImageHooks:
    """The image hooks of :class:`NamespaceRuntime`, over a lazily opened store."""

    def __init__(self, images_dir: Path, leases: Path) -> None:
        self._images_dir = images_dir
        self._leases = leases
        self._store: ImageStore | None = None

    @property
    def store(self) -> ImageStore:
        """The image store, opened (and its directory made) on first use."""
        if self._store is None:
            self._store = ImageStore(self._images_dir, leases=self._leases)
        return self._store

    @podkit.hookimpl
    def runtime_pull_image(
        self, image: ImageSpec, auth: AuthConfig | None, sandbox_config: PodSandboxConfig | None
    ) -> str:
        """Pull into the store; the image id is the ``image_ref``."""
        del sandbox_config
        auth = auth or None
        record = self.store.pull(
            image.image,
            username=auth.username if auth else "",
            password=auth.password if auth else "",
            auth=auth.auth if auth else "",
            registry_token=auth.registry_token if auth else "",
        )
        return record.id

    @podkit.hookimpl
    def runtime_list_images(self, filter: ImageFilter) -> tuple[Image, ...]:
        """Every image, or the one the filter names."""
        if filter.image is not None and filter.image.image:
            try:
                return (to_cri_image(self.store.resolve(filter.image.image)),)
            except errors.NotFoundError:
                return ()
        return tuple(to_cri_image(r) for r in self.store.list())

    @podkit.hookimpl
    def runtime_image_status(self, image: ImageSpec, verbose: bool) -> ImageStatusResponse:
        """The image, or ``image=None`` when absent (no error)."""
        del verbose
        try:
            record = self.store.resolve(image.image)
        except errors.NotFoundError:
            return ImageStatusResponse()
        return ImageStatusResponse(image=to_cri_image(record))

    @podkit.hookimpl
    def runtime_remove_image(self, image: ImageSpec) -> Literal[True]:
        """Remove the image with all its tags; absent is fine."""
        try:
            record = self.store.resolve(image.image)
        except errors.NotFoundError:
            return True  # "must not return an error if the image has already been removed"
        self.store.remove(record.id)
        return True

    @podkit.hookimpl
    def runtime_image_fs_info(self) -> ImageFsInfoResponse:
        """Bytes and inodes of the store."""
        used, inodes = self.store.usage()
        usage = FilesystemUsage(
            timestamp=time.time_ns(),
            fs_id=FilesystemIdentifier(mountpoint=str(self._images_dir)),
            used_bytes=used,
            inodes_used=inodes,
        )
        return ImageFsInfoResponse(image_filesystems=(usage,))


__all__ = ["ImageHooks", "to_cri_image"]

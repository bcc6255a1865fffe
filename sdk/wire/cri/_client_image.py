"""The ImageService hooks of :class:`~podkit.wire.cri.CriClientPlugin`, over CRI.

Each hook builds the request from its arguments and reads the response
back with a ``from_cri_*`` function of :mod:`podkit.wire.cri._convert_image`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from podkit._markers import hookimpl
from podkit.errors import NotFoundError
from podkit.wire.cri import _convert_image as i
from podkit.wire.cri._proto import api_pb2 as pb

if TYPE_CHECKING:
    from podkit.models.runtime import (
        AuthConfig,
        Image,
        ImageFilter,
        ImageFsInfoResponse,
        ImageSpec,
        ImageStatusResponse,
        PodSandboxConfig,
    )
    from podkit.wire.cri._connection import CriConnection

# ``filter`` and ``verbose`` are the upstream names.
# ruff: noqa: FBT001, A002


class ImageServiceHooks:
    """The ImageService's hooks, calling ``self._cri``."""

    _cri: CriConnection

    @hookimpl
    def runtime_pull_image(
        self, image: ImageSpec, auth: AuthConfig | None, sandbox_config: PodSandboxConfig | None
    ) -> str:
        """CRI ``PullImage``."""
        request = i.to_cri_pull_image_request(image, auth, sandbox_config)
        return self._cri.call(self._cri.images.PullImage, request, lambda r: str(r.image_ref))

    @hookimpl
    def runtime_list_images(self, filter: ImageFilter) -> tuple[Image, ...]:
        """CRI ``ListImages``."""
        request = i.to_cri_list_images_request(filter)
        return self._cri.call(self._cri.images.ListImages, request, i.from_cri_list_images_response)

    @hookimpl
    def runtime_image_status(self, image: ImageSpec, verbose: bool) -> ImageStatusResponse:
        """CRI ``ImageStatus``."""
        request = i.to_cri_image_status_request(image, verbose)
        return self._cri.call(
            self._cri.images.ImageStatus, request, i.from_cri_image_status_response
        )

    @hookimpl
    def runtime_remove_image(self, image: ImageSpec) -> Literal[True]:
        """CRI ``RemoveImage``; an image the runtime lacks is removed already."""
        request = i.to_cri_remove_image_request(image)
        try:
            return self._cri.call(self._cri.images.RemoveImage, request, lambda _r: True)
        except NotFoundError:
            return True

    @hookimpl
    def runtime_image_fs_info(self) -> ImageFsInfoResponse:
        """CRI ``ImageFsInfo``."""
        return self._cri.call(
            self._cri.images.ImageFsInfo,
            pb.ImageFsInfoRequest(),
            i.from_cri_image_fs_info_response,
        )


__all__ = ["ImageServiceHooks"]

"""ImageService: requests and responses, both ways.

As in :mod:`podkit.wire.cri._convert_sandbox`: ``from_cri_*`` read what
arrives into models, ``to_cri_*`` write models into messages. A request
naming no image (``image`` unset or its reference empty) is refused with
``INVALID_ARGUMENT``. An image's ``runtime_handler`` picks the handler whose
store the call goes to; empty means the server's default handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podkit.errors import InvalidArgumentError
from podkit.models.runtime import (
    AuthConfig,
    Image,
    ImageFilter,
    ImageFsInfoResponse,
    ImageSpec,
    ImageStatusResponse,
    PodSandboxConfig,
)
from podkit.wire.cri._messages import (
    from_cri,
    optional_from_cri,
    required_from_cri,
    to_cri,
    to_cri_as,
)
from podkit.wire.cri._proto import api_pb2 as pb

if TYPE_CHECKING:
    from collections.abc import Iterable


def _image_spec(
    request: pb.ImageStatusRequest | pb.PullImageRequest | pb.RemoveImageRequest,
) -> ImageSpec:
    image = required_from_cri(ImageSpec, request, "image")
    if not image.image:
        msg = "invalid image.image: must not be empty"
        raise InvalidArgumentError(msg)
    return image


# -- PullImage ----------------------------------------------------------------------------


def from_cri_pull_image_request(
    request: pb.PullImageRequest,
) -> tuple[ImageSpec, AuthConfig | None, PodSandboxConfig | None]:
    """The image to pull, the credentials and the sandbox's config, both optional."""
    return (
        _image_spec(request),
        optional_from_cri(AuthConfig, request, "auth"),
        optional_from_cri(PodSandboxConfig, request, "sandbox_config"),
    )


def to_cri_pull_image_request(
    image: ImageSpec, auth: AuthConfig | None, sandbox_config: PodSandboxConfig | None
) -> pb.PullImageRequest:
    """CRI ``PullImageRequest``."""
    request = pb.PullImageRequest(image=to_cri(image))
    if auth is not None:
        request.auth.CopyFrom(to_cri(auth))
    if sandbox_config is not None:
        request.sandbox_config.CopyFrom(to_cri(sandbox_config))
    return request


# -- ListImages ---------------------------------------------------------------------------


def from_cri_image_filter(request: pb.ListImagesRequest | pb.StreamImagesRequest) -> ImageFilter:
    """The request's filter; an unset one matches every image."""
    return optional_from_cri(ImageFilter, request, "filter") or ImageFilter()


def to_cri_list_images_request(conditions: ImageFilter) -> pb.ListImagesRequest:
    """CRI ``ListImagesRequest``."""
    return pb.ListImagesRequest(filter=to_cri(conditions))


def to_cri_images(images: Iterable[Image]) -> list[pb.Image]:
    """CRI ``Image`` messages, for ``ListImagesResponse`` and its stream."""
    return [to_cri(image) for image in images]


def from_cri_list_images_response(response: pb.ListImagesResponse) -> tuple[Image, ...]:
    """The images of a ``ListImagesResponse``."""
    return tuple(
        from_cri(Image, item, f"images[{index}]") for index, item in enumerate(response.images)
    )


# -- ImageStatus, RemoveImage -------------------------------------------------------------


def from_cri_image_status_request(request: pb.ImageStatusRequest) -> tuple[ImageSpec, bool]:
    """The image asked about, and whether to be verbose."""
    return _image_spec(request), request.verbose


def to_cri_image_status_request(image: ImageSpec, verbose: bool) -> pb.ImageStatusRequest:  # noqa: FBT001 - the request's field
    """CRI ``ImageStatusRequest``."""
    return pb.ImageStatusRequest(image=to_cri(image), verbose=verbose)


def to_cri_image_status_response(response: ImageStatusResponse) -> pb.ImageStatusResponse:
    """CRI ``ImageStatusResponse``; an image the store lacks leaves ``image`` unset."""
    return to_cri_as(pb.ImageStatusResponse, response)


def from_cri_image_status_response(response: pb.ImageStatusResponse) -> ImageStatusResponse:
    """The model of an ``ImageStatusResponse``."""
    return from_cri(ImageStatusResponse, response)


def from_cri_remove_image_request(request: pb.RemoveImageRequest) -> ImageSpec:
    """The image to remove."""
    return _image_spec(request)


def to_cri_remove_image_request(image: ImageSpec) -> pb.RemoveImageRequest:
    """CRI ``RemoveImageRequest``."""
    return pb.RemoveImageRequest(image=to_cri(image))


# -- ImageFsInfo --------------------------------------------------------------------------


def to_cri_image_fs_info_response(response: ImageFsInfoResponse) -> pb.ImageFsInfoResponse:
    """CRI ``ImageFsInfoResponse``."""
    return to_cri_as(pb.ImageFsInfoResponse, response)


def from_cri_image_fs_info_response(response: pb.ImageFsInfoResponse) -> ImageFsInfoResponse:
    """The model of an ``ImageFsInfoResponse``."""
    return from_cri(ImageFsInfoResponse, response)


__all__ = [
    "from_cri_image_filter",
    "from_cri_image_fs_info_response",
    "from_cri_image_status_request",
    "from_cri_image_status_response",
    "from_cri_list_images_response",
    "from_cri_pull_image_request",
    "from_cri_remove_image_request",
    "to_cri_image_fs_info_response",
    "to_cri_image_status_request",
    "to_cri_image_status_response",
    "to_cri_images",
    "to_cri_list_images_request",
    "to_cri_pull_image_request",
    "to_cri_remove_image_request",
]

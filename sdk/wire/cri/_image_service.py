"""The CRI ImageService, served from the runtime hooks.

Each call goes to the image store of one handler: the one the request's
``ImageSpec.runtime_handler`` names (the kubelet sets it for pods of a
RuntimeClass), else the server's default handler. Errors are the
instrumented wrapper's job (:mod:`podkit.wire.cri._instrumented`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, final

from podkit.wire.cri import _convert_image as i
from podkit.wire.cri._proto import api_pb2 as pb
from podkit.wire.cri._proto import api_pb2_grpc

if TYPE_CHECKING:
    from collections.abc import Iterator

    import grpc

    from podkit.models.runtime import Image, ImageFilter, ImageSpec
    from podkit.runtimelayer import RuntimeLayer

# The methods are the RPCs, named as upstream names them, with grpc's servicer
# signature, whose request and context not every RPC needs.
# ruff: noqa: N802, ARG002


@final
class ImageServicer(api_pb2_grpc.ImageServiceServicer):
    """``runtime.v1.ImageService`` over the runtime hooks of ``layer``'s plugins."""

    def __init__(self, layer: RuntimeLayer) -> None:
        self._runtime = layer.runtime
        self._default = layer.default_handler

    def _handler(self, image: ImageSpec | None) -> str:
        return (image.runtime_handler if image is not None else "") or self._default

    def _list(self, conditions: ImageFilter) -> tuple[Image, ...]:
        return self._runtime.list_images(self._handler(conditions.image), conditions)

    def ListImages(
        self, request: pb.ListImagesRequest, context: grpc.ServicerContext
    ) -> pb.ListImagesResponse:
        """CRI ``ListImages``."""
        found = self._list(i.from_cri_image_filter(request))
        return pb.ListImagesResponse(images=i.to_cri_images(found))

    def StreamImages(
        self, request: pb.StreamImagesRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.StreamImagesResponse]:
        """CRI ``StreamImages``: the list, in one response (none when empty)."""
        found = self._list(i.from_cri_image_filter(request))
        if found:
            yield pb.StreamImagesResponse(images=i.to_cri_images(found))

    def ImageStatus(
        self, request: pb.ImageStatusRequest, context: grpc.ServicerContext
    ) -> pb.ImageStatusResponse:
        """CRI ``ImageStatus``; an image the store lacks leaves ``image`` unset."""
        image, verbose = i.from_cri_image_status_request(request)
        response = self._runtime.image_status(self._handler(image), image, verbose)
        return i.to_cri_image_status_response(response)

    def PullImage(
        self, request: pb.PullImageRequest, context: grpc.ServicerContext
    ) -> pb.PullImageResponse:
        """CRI ``PullImage``."""
        image, auth, sandbox_config = i.from_cri_pull_image_request(request)
        image_ref = self._runtime.pull_image(self._handler(image), image, auth, sandbox_config)
        return pb.PullImageResponse(image_ref=image_ref)

    def RemoveImage(
        self, request: pb.RemoveImageRequest, context: grpc.ServicerContext
    ) -> pb.RemoveImageResponse:
        """CRI ``RemoveImage`` (idempotent)."""
        image = i.from_cri_remove_image_request(request)
        self._runtime.remove_image(self._handler(image), image)
        return pb.RemoveImageResponse()

    def ImageFsInfo(
        self, request: pb.ImageFsInfoRequest, context: grpc.ServicerContext
    ) -> pb.ImageFsInfoResponse:
        """CRI ``ImageFsInfo`` of the default handler's store."""
        return i.to_cri_image_fs_info_response(self._runtime.image_fs_info(self._default))


__all__ = ["ImageServicer"]

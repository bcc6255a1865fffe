"""What the CRI ImageService carries: image specs, images, credentials, usage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, final

import attrs

from podkit.errors import InvalidArgumentError
from podkit.models.runtime import _fields

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


@final
@attrs.frozen(kw_only=True)
class ImageSpec:
    """An image as a request names it (CRI ``ImageSpec``)."""

    #: A reference (``docker.io/library/busybox:1.36``), a digest or an image id.
    image: str = attrs.field(default="", validator=_fields.string)
    #: Hints such as the platform to pick from a multi-arch index.
    annotations: Mapping[str, str] = _fields.string_map_field()
    #: The reference as the user wrote it in the pod spec, when known.
    user_specified_image: str = attrs.field(default="", validator=_fields.string)
    #: The runtime handler the image is pulled for; empty for the default one.
    runtime_handler: str = attrs.field(default="", validator=_fields.string)
    #: For image volumes: the digest of the image used.
    image_ref: str = attrs.field(default="", validator=_fields.string)


@final
@attrs.frozen(kw_only=True)
class AuthConfig:
    """Registry credentials for a pull (CRI ``AuthConfig``).

    The secret fields are left out of ``repr()``, as the proto marks them
    ``debug_redact``.
    """

    username: str = attrs.field(default="", validator=_fields.string)
    password: str = attrs.field(default="", validator=_fields.string, repr=False)
    #: ``base64(username:password)``, as in a Docker config file.
    auth: str = attrs.field(default="", validator=_fields.string, repr=False)
    server_address: str = attrs.field(default="", validator=_fields.string)
    #: A token to obtain a registry access token with.
    identity_token: str = attrs.field(default="", validator=_fields.string, repr=False)
    #: A bearer token to send to the registry.
    registry_token: str = attrs.field(default="", validator=_fields.string, repr=False)


def _uid_or_username(instance: Image, attribute: attrs.Attribute[Any], value: str) -> None:
    # api.proto says that uid and username are "mutually exclusive".
    if value and instance.uid is not None:
        msg = f"{_fields.where(instance, attribute)} must be empty when uid is set"
        raise InvalidArgumentError(msg)


@final
@attrs.frozen(kw_only=True)
class Image:
    """An image in the node's store (CRI ``Image``)."""

    #: The image's id on the node; equal to what ``PullImage`` returned for it.
    id: str = attrs.field(validator=[_fields.string, _fields.non_empty])
    repo_tags: tuple[str, ...] = attrs.field(
        default=(), converter=_fields.strings, validator=_fields.string_tuple
    )
    repo_digests: tuple[str, ...] = attrs.field(
        default=(), converter=_fields.strings, validator=_fields.string_tuple
    )
    #: Bytes; upstream requires it to be > 0.
    size: int = attrs.field(default=0, validator=_fields.uint64)
    #: The image config's user when numeric; ``None`` when unset or a name.
    uid: int | None = attrs.field(default=None, validator=_fields.optional_int64)
    #: The image config's user when a name.
    username: str = attrs.field(default="", validator=[_fields.string, _uid_or_username])
    #: The spec, with the annotations the image was pulled with.
    spec: ImageSpec | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(ImageSpec)
    )
    #: A recommendation to exempt the image from garbage collection.
    pinned: bool = attrs.field(default=False, validator=_fields.boolean)


@final
@attrs.frozen(kw_only=True)
class ImageFilter:
    """Which images ``ListImages`` returns (CRI ``ImageFilter``).

    The default, no :attr:`image`, matches every image.
    """

    image: ImageSpec | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(ImageSpec)
    )


@final
@attrs.frozen(kw_only=True)
class ImageStatusResponse:
    """The answer to ``ImageStatus`` (CRI ``ImageStatusResponse``)."""

    #: The image; ``None`` when it is not present (not an error in CRI).
    image: Image | None = attrs.field(default=None, validator=_fields.optional_instance_of(Image))
    #: Debug information, values in JSON; only when asked to be verbose.
    info: Mapping[str, str] = _fields.string_map_field()


@final
@attrs.frozen
class FilesystemIdentifier:
    """Which filesystem a usage is about (CRI ``FilesystemIdentifier``)."""

    mountpoint: str = attrs.field(default="", validator=_fields.string)


@final
@attrs.frozen(kw_only=True)
class FilesystemUsage:
    """Space and inodes used on one filesystem (CRI ``FilesystemUsage``)."""

    #: When the numbers were taken, nanoseconds since the epoch.
    timestamp: int = attrs.field(default=0, validator=_fields.non_negative)
    fs_id: FilesystemIdentifier | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(FilesystemIdentifier)
    )
    #: Bytes used by images (or by the writable layer); ``None`` if unknown.
    used_bytes: int | None = attrs.field(default=None, validator=_fields.optional_uint64)
    #: Inodes used by images (or by the writable layer); ``None`` if unknown.
    inodes_used: int | None = attrs.field(default=None, validator=_fields.optional_uint64)


def _usages(value: Iterable[FilesystemUsage]) -> tuple[FilesystemUsage, ...]:
    return _fields.freeze(value)


@final
@attrs.frozen(kw_only=True)
class ImageFsInfoResponse:
    """The answer to ``ImageFsInfo`` (CRI ``ImageFsInfoResponse``)."""

    image_filesystems: tuple[FilesystemUsage, ...] = attrs.field(
        default=(), converter=_usages, validator=_fields.tuple_of(FilesystemUsage)
    )
    #: Only when containers' writable layers live on other filesystems.
    container_filesystems: tuple[FilesystemUsage, ...] = attrs.field(
        default=(), converter=_usages, validator=_fields.tuple_of(FilesystemUsage)
    )


__all__ = [
    "AuthConfig",
    "FilesystemIdentifier",
    "FilesystemUsage",
    "Image",
    "ImageFilter",
    "ImageFsInfoResponse",
    "ImageSpec",
    "ImageStatusResponse",
]

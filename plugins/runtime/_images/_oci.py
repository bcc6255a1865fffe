"""The JSON documents of an image: index, manifest and config, read and checked.

The same documents arrive from an OCI layout on disk, a ``docker save`` archive and a
registry, in their OCI (image-spec 1.1) or Docker (schema 2) media types. This module
reads them into small models and refuses anything malformed with a message naming
the document and the field, so that a bad image never gets half-way into the store.
"""

from __future__ import annotations

import json
import platform
import re
from typing import TYPE_CHECKING, Final, NoReturn, TypeVar, final

import attrs

from podkit import errors

if TYPE_CHECKING:
    from collections.abc import Mapping

OCI_INDEX: Final = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST: Final = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG: Final = "application/vnd.oci.image.config.v1+json"
OCI_LAYER: Final = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP: Final = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_LIST: Final = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST: Final = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG: Final = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER_GZIP: Final = "application/vnd.docker.image.rootfs.diff.tar.gzip"
#: ``org.opencontainers.image.ref.name`` (image-spec annotations.md) and containerd's
#: ``io.containerd.image.name``, which name a manifest inside a layout's index.
ANNOTATION_REF_NAME: Final = "org.opencontainers.image.ref.name"
ANNOTATION_IMAGE_NAME: Final = "io.containerd.image.name"

INDEX_TYPES: Final = frozenset({OCI_INDEX, DOCKER_LIST})
MANIFEST_TYPES: Final = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
_CONFIG_TYPES: Final = frozenset({OCI_CONFIG, DOCKER_CONFIG})
# Compression is detected by magic when unpacking; the media type only has to be a layer.
LAYER_TYPES: Final = frozenset(
    {
        OCI_LAYER,
        OCI_LAYER_GZIP,
        DOCKER_LAYER_GZIP,
        "application/vnd.docker.image.rootfs.diff.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    }
)
# image-spec descriptor.md; only sha256 is stored (the registered, required algorithm).
_DIGEST: Final = re.compile(r"sha256:[a-f0-9]{64}")
# platform.machine() to GOARCH (image-spec config.md, "architecture").
_GOARCH: Final[Mapping[str, str]] = {
    "x86_64": "amd64",
    "aarch64": "arm64",
    "armv7l": "arm",
    "armv6l": "arm",
    "i386": "386",
    "i686": "386",
}

_T = TypeVar("_T")


@final
@attrs.frozen(kw_only=True)
class Platform:
    """An ``os``/``architecture`` pair (image-spec image-index.md, "platform")."""

    os: str
    architecture: str

    def __str__(self) -> str:
        return f"{self.os}/{self.architecture}"


@final
@attrs.frozen(kw_only=True)
class Descriptor:
    """A pointer to a blob: its media type, digest and size (descriptor.md)."""

    media_type: str
    digest: str
    size: int
    platform: Platform | None = None
    #: The ``io.containerd.image.name`` or ``org.opencontainers.image.ref.name`` annotation.
    ref_name: str = ""


@final
@attrs.frozen(kw_only=True)
class Manifest:
    """An image manifest: one config and the layers, bottom first."""

    config: Descriptor
    layers: tuple[Descriptor, ...]


@final
@attrs.frozen(kw_only=True)
class ImageConfig:
    """What the store keeps of an image config (config.md)."""

    platform: Platform
    diff_ids: tuple[str, ...]
    env: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    working_dir: str = ""
    user: str = ""
    stop_signal: str = ""


def this_platform() -> Platform:
    """This machine's platform, as image indexes name it (``linux/amd64``)."""
    machine = platform.machine().lower()
    return Platform(os="linux", architecture=_GOARCH.get(machine, machine))


def check_digest(digest: str, what: str) -> str:
    """Return ``digest`` if it is a sha256 digest; raise InvalidArgumentError otherwise."""
    if not _DIGEST.fullmatch(digest):
        msg = f"failed to read {what}: digest {digest!r} is not a sha256 digest"
        raise errors.InvalidArgumentError(msg)
    return digest


@final
@attrs.frozen
class _Document:
    """One JSON document being read; its errors name it."""

    what: str

    def fail(self, cause: str) -> NoReturn:
        msg = f"failed to read {self.what}: {cause}"
        raise errors.InvalidArgumentError(msg)

    def load(self, data: bytes) -> dict[str, object]:
        try:
            value = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.fail(f"not valid JSON: {exc}")
        return self.expect(value, dict, "the document")

    def expect(self, value: object, kind: type[_T], what: str) -> _T:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(f"{what} must be a JSON {kind.__name__}, got {value!r}")
        return value

    def field(self, obj: Mapping[str, object], key: str, kind: type[_T]) -> _T:
        if key not in obj:
            self.fail(f"{key!r} is missing")
        return self.expect(obj[key], kind, repr(key))

    def optional(self, obj: Mapping[str, object], key: str, kind: type[_T], default: _T) -> _T:
        value = obj.get(key)
        return default if value is None else self.expect(value, kind, repr(key))

    def strings(self, obj: Mapping[str, object], key: str) -> tuple[str, ...]:
        items = self.optional(obj, key, list, [])
        return tuple(self.expect(item, str, f"an item of {key!r}") for item in items)

    def descriptor(self, value: object) -> Descriptor:
        obj = self.expect(value, dict, "a descriptor")
        size = self.field(obj, "size", int)
        if size < 0:
            self.fail(f"descriptor size {size} is negative")
        annotations = self.optional(obj, "annotations", dict, {})
        name = annotations.get(ANNOTATION_IMAGE_NAME) or annotations.get(ANNOTATION_REF_NAME)
        return Descriptor(
            media_type=self.field(obj, "mediaType", str),
            digest=check_digest(self.field(obj, "digest", str), self.what),
            size=size,
            platform=self.platform(obj.get("platform")),
            ref_name=name if isinstance(name, str) else "",
        )

    def platform(self, value: object) -> Platform | None:
        if value is None:
            return None
        obj = self.expect(value, dict, "'platform'")
        return Platform(
            os=self.field(obj, "os", str), architecture=self.field(obj, "architecture", str)
        )


def media_type_of(data: bytes, what: str) -> str:
    """The media type a manifest or index declares, or guesses from its fields."""
    document = _Document(what)
    obj = document.load(data)
    declared = document.optional(obj, "mediaType", str, "")
    if declared:
        return declared
    return OCI_INDEX if "manifests" in obj else OCI_MANIFEST


def parse_index(data: bytes, what: str) -> tuple[Descriptor, ...]:
    """The manifest descriptors of an image index or Docker manifest list."""
    document = _Document(what)
    obj = document.load(data)
    if document.field(obj, "schemaVersion", int) != 2:  # noqa: PLR2004 - image-index.md
        document.fail("'schemaVersion' is not 2")
    return tuple(document.descriptor(item) for item in document.field(obj, "manifests", list))


def parse_manifest(data: bytes, what: str) -> Manifest:
    """An image manifest (OCI or Docker schema 2), with supported media types only."""
    document = _Document(what)
    obj = document.load(data)
    if document.field(obj, "schemaVersion", int) != 2:  # noqa: PLR2004 - manifest.md
        document.fail("'schemaVersion' is not 2 (schema 1 manifests are not supported)")
    config = document.descriptor(obj.get("config"))
    if config.media_type not in _CONFIG_TYPES:
        document.fail(f"config media type {config.media_type!r} is not an image config")
    layers = tuple(document.descriptor(item) for item in document.field(obj, "layers", list))
    for layer in layers:
        if layer.media_type not in LAYER_TYPES:
            msg = f"failed to read {what}: layer media type {layer.media_type!r} is not supported"
            raise errors.UnimplementedError(msg)
    return Manifest(config=config, layers=layers)


def parse_config(data: bytes, what: str) -> ImageConfig:
    """The parts of an image config the runtime needs."""
    document = _Document(what)
    obj = document.load(data)
    rootfs = document.field(obj, "rootfs", dict)
    if rootfs.get("type") != "layers":
        document.fail(f"rootfs.type is {rootfs.get('type')!r}, not 'layers'")
    diff_ids = tuple(check_digest(d, what) for d in document.strings(rootfs, "diff_ids"))
    settings = document.optional(obj, "config", dict, {})
    return ImageConfig(
        platform=Platform(
            os=document.field(obj, "os", str),
            architecture=document.field(obj, "architecture", str),
        ),
        diff_ids=diff_ids,
        env=document.strings(settings, "Env"),
        entrypoint=document.strings(settings, "Entrypoint"),
        cmd=document.strings(settings, "Cmd"),
        working_dir=document.optional(settings, "WorkingDir", str, ""),
        user=document.optional(settings, "User", str, ""),
        stop_signal=document.optional(settings, "StopSignal", str, ""),
    )


def select_platform(manifests: tuple[Descriptor, ...], wanted: Platform, what: str) -> Descriptor:
    """Pick the manifest for ``wanted`` from an index (image-index.md, "platform").

    :raises podkit.errors.NotFoundError: no manifest is for ``wanted``.
    """
    for descriptor in manifests:
        found = descriptor.platform
        if found is not None and (found.os, found.architecture) == (wanted.os, wanted.architecture):
            return descriptor
    available = sorted(str(d.platform) for d in manifests if d.platform is not None)
    msg = f"failed to select a manifest of {what}: none is for {wanted}, only for {available}"
    raise errors.NotFoundError(msg)


__all__ = [
    "ANNOTATION_IMAGE_NAME",
    "ANNOTATION_REF_NAME",
    "DOCKER_CONFIG",
    "DOCKER_LAYER_GZIP",
    "DOCKER_LIST",
    "DOCKER_MANIFEST",
    "INDEX_TYPES",
    "LAYER_TYPES",
    "MANIFEST_TYPES",
    "OCI_CONFIG",
    "OCI_INDEX",
    "OCI_LAYER",
    "OCI_LAYER_GZIP",
    "OCI_MANIFEST",
    "Descriptor",
    "ImageConfig",
    "Manifest",
    "Platform",
    "check_digest",
    "media_type_of",
    "parse_config",
    "parse_index",
    "parse_manifest",
    "select_platform",
    "this_platform",
]

"""OCI image layouts on disk: what an image is, and a reader that trusts nothing.

The busybox builder writes image layouts (image-spec ``image-layout.md``); the tests,
and later the reference runtime's image store, read them back with
:func:`read_oci_layout`. The reader checks every descriptor against its blob, as the
spec asks of consumers ("the content SHOULD be verified against the digest",
``descriptor.md``), and checks each layer's ``diff_id`` against the uncompressed
layer, so a corrupt or hand-edited layout fails with a message that names the blob.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Final, NoReturn, TypeVar, final

import attrs

from podkit import errors

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping
    from typing import BinaryIO

#: The one ``imageLayoutVersion`` the image-spec defines.
OCI_LAYOUT_VERSION: Final = "1.0.0"
MEDIA_TYPE_INDEX: Final = "application/vnd.oci.image.index.v1+json"
MEDIA_TYPE_MANIFEST: Final = "application/vnd.oci.image.manifest.v1+json"
MEDIA_TYPE_CONFIG: Final = "application/vnd.oci.image.config.v1+json"
MEDIA_TYPE_LAYER: Final = "application/vnd.oci.image.layer.v1.tar"
MEDIA_TYPE_LAYER_GZIP: Final = "application/vnd.oci.image.layer.v1.tar+gzip"
#: The annotation that names a manifest inside a layout's ``index.json``.
ANNOTATION_REF_NAME: Final = "org.opencontainers.image.ref.name"

# Docker's schema 2 types are accepted on read: registries and skopeo still hand them out.
_MANIFEST_TYPES: Final = frozenset(
    {MEDIA_TYPE_MANIFEST, "application/vnd.docker.distribution.manifest.v2+json"}
)
_CONFIG_TYPES: Final = frozenset(
    {MEDIA_TYPE_CONFIG, "application/vnd.docker.container.image.v1+json"}
)
_GZIP_LAYER_TYPES: Final = frozenset(
    {MEDIA_TYPE_LAYER_GZIP, "application/vnd.docker.image.rootfs.diff.tar.gzip"}
)
_INDEX_TYPES: Final = frozenset(
    {MEDIA_TYPE_INDEX, "application/vnd.docker.distribution.manifest.list.v2+json"}
)
# image-spec descriptor.md: the registered algorithms and their encodings.
_DIGEST: Final = re.compile(r"(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})")
_CHUNK: Final = 1 << 20

_T = TypeVar("_T")


def _check_digest(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    _check_digest_value(attribute.name, value)


def _check_digests(
    _: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    for digest in value:
        _check_digest_value(attribute.name, digest)


def _check_digest_value(name: str, value: str) -> None:
    if not _DIGEST.fullmatch(value):
        msg = f"{name} must be a sha256 or sha512 digest, got {value!r}"
        raise ValueError(msg)


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def blob_path(layout: Path, digest: str) -> Path:
    """Return where the blob with ``digest`` lives in the layout at ``layout``."""
    algorithm, _, encoded = digest.partition(":")
    return layout / "blobs" / algorithm / encoded


@final
@attrs.frozen(kw_only=True)
class OciImage:
    """One image of an OCI image layout, as the builder wrote it or the reader found it.

    .. versionadded:: 0.1
    """

    #: The image layout directory (the one holding ``oci-layout``).
    path: Path = attrs.field(converter=Path)
    #: The ``org.opencontainers.image.ref.name`` annotation of the manifest, or ``""``.
    ref_name: str = ""
    manifest_digest: str = attrs.field(validator=_check_digest)
    manifest_size: int = attrs.field(validator=attrs.validators.ge(0))
    config_digest: str = attrs.field(validator=_check_digest)
    #: The GOARCH-style architecture of the config (``amd64``, ``arm64``...).
    architecture: str
    os: str = "linux"
    #: The layer blobs' digests (compressed, as stored), bottom layer first.
    layer_digests: tuple[str, ...] = attrs.field(converter=_strings, validator=_check_digests)
    #: The digests of the uncompressed layers (config ``rootfs.diff_ids``), in order.
    diff_ids: tuple[str, ...] = attrs.field(converter=_strings, validator=_check_digests)
    #: The config's ``Env``, ``Entrypoint``, ``Cmd``, ``WorkingDir`` and ``User``.
    env: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    entrypoint: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    cmd: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    working_dir: str = ""
    user: str = ""

    def __attrs_post_init__(self) -> None:
        """Check that every layer has its ``diff_id``."""
        if len(self.layer_digests) != len(self.diff_ids):
            msg = (
                f"an image has one diff_id per layer: got {len(self.layer_digests)} layers "
                f"and {len(self.diff_ids)} diff_ids"
            )
            raise ValueError(msg)

    def blob_path(self, digest: str) -> Path:
        """Return the path of the blob with ``digest`` in this image's layout."""
        return blob_path(self.path, digest)

    @property
    def layer_paths(self) -> tuple[Path, ...]:
        """The layer blobs' paths, bottom layer first."""
        return tuple(self.blob_path(digest) for digest in self.layer_digests)


@final
@attrs.frozen
class _Layout:
    """A layout being read; makes the errors name it."""

    path: Path

    def fail(self, cause: str, *, exc: BaseException | None = None) -> NoReturn:
        message = f"failed to read OCI image layout {str(self.path)!r}: {cause}"
        raise errors.InvalidArgumentError(message) from exc

    def json(self, data: bytes, what: str) -> dict[str, object]:
        try:
            value = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self.fail(f"{what} is not valid JSON: {exc}", exc=exc)
        return self.expect(value, dict, what)

    def expect(self, value: object, kind: type[_T], what: str) -> _T:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(f"{what} must be a JSON {_JSON_NAMES[kind]}, got {value!r}")
        return value

    def field(self, obj: Mapping[str, object], key: str, kind: type[_T], what: str) -> _T:
        if key not in obj:
            self.fail(f"{what} has no {key!r}")
        return self.expect(obj[key], kind, f"{what} {key!r}")

    def strings(self, obj: Mapping[str, object], key: str, what: str) -> tuple[str, ...]:
        value = obj.get(key) or []
        items = self.expect(value, list, f"{what} {key!r}")
        return tuple(self.expect(item, str, f"{what} {key!r} item") for item in items)

    def blob(self, descriptor: Mapping[str, object], what: str) -> tuple[str, Path]:
        """Find the blob ``descriptor`` points at; check its size and digest."""
        digest = self.field(descriptor, "digest", str, what)
        size = self.field(descriptor, "size", int, what)
        if not _DIGEST.fullmatch(digest):
            self.fail(f"{what} has an unsupported or malformed digest {digest!r}")
        path = blob_path(self.path, digest)
        try:
            actual_size = path.stat().st_size
            with path.open("rb") as stream:
                actual = _digest_of(digest.partition(":")[0], _chunks(stream))
        except OSError as exc:
            self.fail(f"{what} {digest} has no readable blob: {exc.strerror}", exc=exc)
        if actual_size != size:
            self.fail(f"{what} {digest} is {actual_size} bytes, its descriptor says {size}")
        if actual != digest:
            self.fail(f"{what} {digest} does not match its content, which hashes to {actual}")
        return digest, path

    def json_blob(self, descriptor: Mapping[str, object], what: str) -> tuple[str, bytes]:
        digest, path = self.blob(descriptor, what)
        data = path.read_bytes()
        return digest, data


_JSON_NAMES: Final[Mapping[type, str]] = {
    dict: "object",
    list: "array",
    str: "string",
    int: "integer",
}


def _digest_of(algorithm: str, chunks: Iterable[bytes]) -> str:
    hasher = hashlib.new(algorithm)
    for chunk in chunks:
        hasher.update(chunk)
    return f"{algorithm}:{hasher.hexdigest()}"


def _chunks(stream: BinaryIO | gzip.GzipFile) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def _select_manifest(
    layout: _Layout, index: Mapping[str, object], ref_name: str | None
) -> dict[str, object]:
    manifests = [
        layout.expect(item, dict, "an index.json manifest")
        for item in layout.field(index, "manifests", list, "index.json")
    ]
    if ref_name is not None:
        manifests = [m for m in manifests if _ref_name(layout, m) == ref_name]
        if not manifests:
            msg = f"failed to find image {ref_name!r} in OCI image layout {str(layout.path)!r}"
            raise errors.NotFoundError(msg)
    if len(manifests) != 1:
        names = sorted(_ref_name(layout, m) for m in manifests)
        layout.fail(f"index.json has {len(manifests)} manifests {names}; pass ref_name")
    descriptor = manifests[0]
    media_type = layout.field(descriptor, "mediaType", str, "the manifest descriptor")
    if media_type in _INDEX_TYPES:
        msg = f"failed to read OCI image layout {str(layout.path)!r}: nested indexes"
        raise errors.UnimplementedError(msg)
    if media_type not in _MANIFEST_TYPES:
        layout.fail(f"the manifest descriptor has media type {media_type!r}")
    return descriptor


def _ref_name(layout: _Layout, descriptor: Mapping[str, object]) -> str:
    annotations = layout.expect(descriptor.get("annotations") or {}, dict, "annotations")
    return str(annotations.get(ANNOTATION_REF_NAME, ""))


def _diff_id(layout: _Layout, descriptor: Mapping[str, object], digest: str, path: Path) -> str:
    media_type = layout.field(descriptor, "mediaType", str, f"layer {digest}")
    if media_type == MEDIA_TYPE_LAYER:
        return digest
    if media_type not in _GZIP_LAYER_TYPES:
        msg = f"failed to read layer {digest}: media type {media_type!r}"
        raise errors.UnimplementedError(msg)
    try:
        with gzip.open(path, "rb") as stream:
            return _digest_of("sha256", _chunks(stream))
    except (OSError, EOFError) as exc:
        layout.fail(f"layer {digest} is not a valid gzip stream: {exc}", exc=exc)


def read_oci_layout(path: Path, *, ref_name: str | None = None) -> OciImage:
    """Read and verify one image of the OCI image layout at ``path``.

    Checks the ``oci-layout`` version, then every blob the image references:
    the manifest, the config and each layer, against the size and digest of its
    descriptor, and each layer's uncompressed digest against the config's
    ``rootfs.diff_ids``.

    :param path: the layout directory, the one holding ``oci-layout``.
    :param ref_name: the ``org.opencontainers.image.ref.name`` of the image to read;
        may be left out when ``index.json`` lists exactly one manifest.
    :returns: the image, verified.
    :raises podkit.errors.NotFoundError: ``path`` is not a directory, or no manifest
        is named ``ref_name``.
    :raises podkit.errors.InvalidArgumentError: anything in the layout is missing,
        malformed or does not match its digest or size; the message names it.
    :raises podkit.errors.UnimplementedError: a nested index, or a layer media type
        other than tar and tar+gzip.

    .. versionadded:: 0.1
    """
    path = Path(path)
    if not path.is_dir():
        msg = f"failed to read OCI image layout {str(path)!r}: not a directory"
        raise errors.NotFoundError(msg)
    layout = _Layout(path)
    marker = layout.json(_read(layout, "oci-layout"), "oci-layout")
    version = layout.field(marker, "imageLayoutVersion", str, "oci-layout")
    if version != OCI_LAYOUT_VERSION:
        layout.fail(f"imageLayoutVersion is {version!r}, expected {OCI_LAYOUT_VERSION!r}")
    index = layout.json(_read(layout, "index.json"), "index.json")
    descriptor = _select_manifest(layout, index, ref_name)
    manifest_digest, manifest_data = layout.json_blob(descriptor, "manifest")
    manifest = layout.json(manifest_data, f"manifest {manifest_digest}")
    _check_media_type(layout, manifest, descriptor)
    config_descriptor = layout.field(manifest, "config", dict, "the manifest")
    config_type = layout.field(config_descriptor, "mediaType", str, "the config descriptor")
    if config_type not in _CONFIG_TYPES:
        layout.fail(f"the config descriptor has media type {config_type!r}")
    config_digest, config_data = layout.json_blob(config_descriptor, "config")
    config = layout.json(config_data, f"config {config_digest}")
    layer_digests, diff_ids = _verified_layers(layout, manifest, config)
    settings = layout.expect(config.get("config") or {}, dict, "the config's 'config'")
    return OciImage(
        path=path,
        ref_name=_ref_name(layout, descriptor),
        manifest_digest=manifest_digest,
        manifest_size=len(manifest_data),
        config_digest=config_digest,
        architecture=layout.field(config, "architecture", str, "the config"),
        os=layout.field(config, "os", str, "the config"),
        layer_digests=layer_digests,
        diff_ids=diff_ids,
        env=layout.strings(settings, "Env", "the config"),
        entrypoint=layout.strings(settings, "Entrypoint", "the config"),
        cmd=layout.strings(settings, "Cmd", "the config"),
        working_dir=layout.expect(settings.get("WorkingDir", ""), str, "WorkingDir"),
        user=layout.expect(settings.get("User", ""), str, "User"),
    )


def _read(layout: _Layout, name: str) -> bytes:
    try:
        return (layout.path / name).read_bytes()
    except OSError as exc:
        layout.fail(f"cannot read {name}: {exc.strerror}", exc=exc)


def _check_media_type(
    layout: _Layout, manifest: Mapping[str, object], descriptor: Mapping[str, object]
) -> None:
    if layout.field(manifest, "schemaVersion", int, "the manifest") != 2:  # noqa: PLR2004
        layout.fail("the manifest's schemaVersion is not 2")
    declared = manifest.get("mediaType")
    if declared is not None and declared != descriptor.get("mediaType"):
        layout.fail(
            f"the manifest says its media type is {declared!r}, "
            f"its descriptor says {descriptor.get('mediaType')!r}"
        )


def _verified_layers(
    layout: _Layout, manifest: Mapping[str, object], config: Mapping[str, object]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    rootfs = layout.field(config, "rootfs", dict, "the config")
    if rootfs.get("type") != "layers":
        layout.fail(f"the config's rootfs.type is {rootfs.get('type')!r}, not 'layers'")
    diff_ids = layout.strings(rootfs, "diff_ids", "the config's rootfs")
    layers = layout.field(manifest, "layers", list, "the manifest")
    if len(layers) != len(diff_ids):
        layout.fail(f"the manifest has {len(layers)} layers, the config {len(diff_ids)} diff_ids")
    digests = []
    for number, (item, diff_id) in enumerate(zip(layers, diff_ids, strict=True)):
        descriptor = layout.expect(item, dict, f"layer descriptor {number}")
        digest, path = layout.blob(descriptor, f"layer {number}")
        actual = _diff_id(layout, descriptor, digest, path)
        if actual != diff_id:
            layout.fail(
                f"layer {number} ({digest}) uncompresses to {actual}, "
                f"the config's diff_id is {diff_id}"
            )
        digests.append(digest)
    return tuple(digests), diff_ids


__all__ = [
    "ANNOTATION_REF_NAME",
    "MEDIA_TYPE_CONFIG",
    "MEDIA_TYPE_INDEX",
    "MEDIA_TYPE_LAYER",
    "MEDIA_TYPE_LAYER_GZIP",
    "MEDIA_TYPE_MANIFEST",
    "OCI_LAYOUT_VERSION",
    "OciImage",
    "blob_path",
    "read_oci_layout",
]

"""Build the test image: Debian's static busybox, packed as an OCI image layout.

Tests need a real image without a registry or network, and without skopeo or umoci
doing the packing (DESIGN.md, "Real components"). One static busybox binary gives a
shell and the usual tools; this module lays them out as ``busybox --install`` would,
in one gzip layer, and writes the layout by hand. Every tar header is fixed (owner
0:0, mtime 0) and gzip gets mtime 0 and no file name, so the same busybox always
gives the same digests.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import platform
import posixpath
import struct
import subprocess
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING, Final

from podkit import errors
from podkit.testing._oci import (
    ANNOTATION_REF_NAME,
    MEDIA_TYPE_CONFIG,
    MEDIA_TYPE_INDEX,
    MEDIA_TYPE_LAYER_GZIP,
    MEDIA_TYPE_MANIFEST,
    OCI_LAYOUT_VERSION,
    OciImage,
    blob_path,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

#: Where Debian's ``busybox-static`` installs the binary.
DEFAULT_BUSYBOX: Final = Path("/bin/busybox")
#: The ``PATH`` of the image config (the usual one of Debian and of Docker images).
IMAGE_PATH: Final = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

_INSTALL_HINT: Final = "install it with `apt-get install busybox-static`"
# platform.machine() to the GOARCH names of the image-spec (config.md, "architecture").
_GOARCH: Final[Mapping[str, str]] = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv7l": "arm",
    "armv6l": "arm",
    "i386": "386",
    "i686": "386",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
}
# The directories of the root filesystem and their modes; /tmp is sticky and world-writable.
_DIRECTORIES: Final = (
    ("bin", 0o755),
    ("dev", 0o755),
    ("etc", 0o755),
    ("home", 0o755),
    ("proc", 0o555),
    ("root", 0o700),
    ("sbin", 0o755),
    ("sys", 0o555),
    ("tmp", 0o1777),
    ("usr", 0o755),
    ("usr/bin", 0o755),
    ("usr/sbin", 0o755),
    ("var", 0o755),
)
_APPLET_DIRS: Final = frozenset({"bin", "sbin", "usr/bin", "usr/sbin"})
_PASSWD: Final = b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n"
_GROUP: Final = b"root:x:0:\nnobody:x:65534:\n"
# ELF: e_ident[EI_CLASS] 1 = 32-bit, 2 = 64-bit; e_ident[EI_DATA] 1 = little, 2 = big endian.
_ELF_MAGIC: Final = b"\x7fELF"
_ELF_HEADER_SIZE: Final = 64
_PT_INTERP: Final = 3


def build_busybox_image(
    dest: Path, *, busybox: Path = DEFAULT_BUSYBOX, ref_name: str = "latest"
) -> OciImage:
    """Write an OCI image layout at ``dest`` holding one busybox image.

    The image has one gzip layer: ``/bin/busybox``, a symlink for each of its applets
    where ``busybox --install`` would put it (``/bin/sh``, ``/sbin/ip``,
    ``/usr/bin/wget``...), ``/etc/passwd`` and ``/etc/group`` with root and nobody,
    an empty sticky ``/tmp`` and the usual empty directories, all owned by 0:0. Its
    config runs ``sh`` with the usual ``PATH``, for the machine's architecture.
    The same busybox binary always gives the same digests.

    :param dest: the layout directory to create; must not exist or be empty.
    :param busybox: a statically linked busybox binary.
    :param ref_name: the image's ``org.opencontainers.image.ref.name`` in ``index.json``.
    :returns: the image written.
    :raises podkit.errors.NotFoundError: ``busybox`` does not exist; the message says
        to ``apt-get install busybox-static``.
    :raises podkit.errors.FailedPreconditionError: ``busybox`` is not a static busybox.
    :raises podkit.errors.AlreadyExistsError: ``dest`` is a non-empty directory.

    .. versionadded:: 0.1
    """
    dest = Path(dest)
    binary = _read_static_busybox(Path(busybox))
    layer = _layer_tar(binary, _applets(Path(busybox)))
    _prepare(dest)
    diff_id = _sha256(layer)
    layer_gz = _gzip(layer)
    architecture = machine_architecture()
    config = _canonical_json(
        {
            "architecture": architecture,
            "os": "linux",
            "config": {"Env": [f"PATH={IMAGE_PATH}"], "Cmd": ["sh"], "WorkingDir": "/"},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        }
    )
    manifest = _canonical_json(
        {
            "schemaVersion": 2,
            "mediaType": MEDIA_TYPE_MANIFEST,
            "config": _descriptor(MEDIA_TYPE_CONFIG, config),
            "layers": [_descriptor(MEDIA_TYPE_LAYER_GZIP, layer_gz)],
        }
    )
    for blob in (layer_gz, config, manifest):
        _write_blob(dest, blob)
    manifest_descriptor = {
        **_descriptor(MEDIA_TYPE_MANIFEST, manifest),
        "platform": {"architecture": architecture, "os": "linux"},
        "annotations": {ANNOTATION_REF_NAME: ref_name},
    }
    index = {"schemaVersion": 2, "mediaType": MEDIA_TYPE_INDEX, "manifests": [manifest_descriptor]}
    (dest / "index.json").write_bytes(_canonical_json(index))
    (dest / "oci-layout").write_bytes(_canonical_json({"imageLayoutVersion": OCI_LAYOUT_VERSION}))
    return OciImage(
        path=dest,
        ref_name=ref_name,
        manifest_digest=_sha256(manifest),
        manifest_size=len(manifest),
        config_digest=_sha256(config),
        architecture=architecture,
        os="linux",
        layer_digests=(_sha256(layer_gz),),
        diff_ids=(diff_id,),
        env=(f"PATH={IMAGE_PATH}",),
        cmd=("sh",),
        working_dir="/",
    )


def machine_architecture() -> str:
    """Return this machine's architecture as the image-spec names it (``amd64``...).

    .. versionadded:: 0.1
    """
    machine = platform.machine().lower()
    return _GOARCH.get(machine, machine)


def _read_static_busybox(busybox: Path) -> bytes:
    try:
        binary = busybox.read_bytes()
    except FileNotFoundError as exc:
        msg = f"failed to build the busybox image: {str(busybox)!r} does not exist; {_INSTALL_HINT}"
        raise errors.NotFoundError(msg) from exc
    if _is_dynamic_elf(binary, busybox):
        msg = (
            f"failed to build the busybox image: {str(busybox)!r} is dynamically linked "
            f"and would not run in an empty image; {_INSTALL_HINT}"
        )
        raise errors.FailedPreconditionError(msg)
    return binary


def _is_dynamic_elf(binary: bytes, busybox: Path) -> bool:
    """Tell whether the ELF ``binary`` asks for a program interpreter (``PT_INTERP``)."""
    if len(binary) < _ELF_HEADER_SIZE or binary[:4] != _ELF_MAGIC or not {1, 2} >= {*binary[4:6]}:
        msg = f"failed to build the busybox image: {str(busybox)!r} is not an ELF executable"
        raise errors.FailedPreconditionError(msg)
    order = "<" if binary[5] == 1 else ">"
    if binary[4] == 1:  # 32-bit: e_phoff at 28, e_phentsize and e_phnum at 42
        (phoff,) = struct.unpack_from(order + "I", binary, 28)
        entsize, count = struct.unpack_from(order + "HH", binary, 42)
    else:  # 64-bit: e_phoff at 32, e_phentsize and e_phnum at 54
        (phoff,) = struct.unpack_from(order + "Q", binary, 32)
        entsize, count = struct.unpack_from(order + "HH", binary, 54)
    kinds = (struct.unpack_from(order + "I", binary, phoff + i * entsize)[0] for i in range(count))
    return _PT_INTERP in kinds


def _applets(busybox: Path) -> list[str]:
    """Ask busybox where ``--install`` would put its applets: ``bin/sh``, ``sbin/ip``..."""
    result = subprocess.run(  # noqa: S603 - a fixed argv, no shell
        [str(busybox), "--list-full"], capture_output=True, text=True, check=False, timeout=30
    )
    if result.returncode != 0:
        msg = (
            f"failed to build the busybox image: `{busybox} --list-full` failed: "
            f"{result.stderr.strip() or result.returncode}"
        )
        raise errors.FailedPreconditionError(msg)
    paths = {line.strip().lstrip("/") for line in result.stdout.splitlines()}
    return sorted(p for p in paths if posixpath.dirname(p) in _APPLET_DIRS and p != "bin/busybox")


def _layer_tar(binary: bytes, applets: Iterable[str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, mode in _DIRECTORIES:
            tar.addfile(_header(name, tarfile.DIRTYPE, mode))
        _add_file(tar, "bin/busybox", binary, 0o755)
        _add_file(tar, "etc/group", _GROUP, 0o644)
        _add_file(tar, "etc/passwd", _PASSWD, 0o644)
        for applet in applets:
            link = _header(applet, tarfile.SYMTYPE, 0o777)
            link.linkname = posixpath.relpath("bin/busybox", posixpath.dirname(applet))
            tar.addfile(link)
    return buffer.getvalue()


def _header(name: str, kind: bytes, mode: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mtime = 0
    return info


def _add_file(tar: tarfile.TarFile, name: str, data: bytes, mode: int) -> None:
    info = _header(name, tarfile.REGTYPE, mode)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _gzip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as out:
        out.write(data)
    return buffer.getvalue()


def _sha256(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def _canonical_json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def _descriptor(media_type: str, blob: bytes) -> dict[str, object]:
    return {"mediaType": media_type, "digest": _sha256(blob), "size": len(blob)}


def _prepare(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        msg = f"failed to build the busybox image: {str(dest)!r} exists and is not an empty dir"
        raise errors.AlreadyExistsError(msg)
    (dest / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)


def _write_blob(dest: Path, blob: bytes) -> None:
    blob_path(dest, _sha256(blob)).write_bytes(blob)


__all__ = ["DEFAULT_BUSYBOX", "IMAGE_PATH", "build_busybox_image", "machine_architecture"]

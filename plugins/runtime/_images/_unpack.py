"""Unpack one layer tar into a directory that overlayfs can stack as a ``lowerdir``.

Each unpacked layer is one lower directory of the container's overlay mount, so the
OCI whiteouts (image-spec layer.md, "Whiteouts") are turned into overlayfs's own
format (kernel Documentation/filesystems/overlayfs.rst, "whiteouts and opaque
directories"): ``.wh.<name>`` becomes a 0/0 character device ``<name>``, and
``.wh..wh..opq`` sets ``trusted.overlay.opaque=y`` on its directory.

The tar is untrusted. Members are placed inside the destination only: leading ``/``
is stripped (tarfile's ``data`` filter does the same), ``..`` is refused, and no
member is written through a symlink, since a layer could otherwise plant ``etc ->
/etc`` and then write ``etc/passwd`` on the host. Ownership, modes (setuid
included: images need ``su`` and ``ping``), times, file capabilities and other
xattrs, hard links within the layer and device nodes are kept, as containerd's
``archive.Apply`` keeps them. The uncompressed stream is hashed on the way and must
match the config's ``diff_id``.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import hashlib
import os
import posixpath
import shutil
import stat
import tarfile
import zlib
from typing import IO, TYPE_CHECKING, Final, NoReturn, final

from podkit import errors
from podkit.plugins.runtime._images._blobs import CHUNK, chunks

if TYPE_CHECKING:
    from pathlib import Path


_GZIP_MAGIC: Final = b"\x1f\x8b"
_ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"
_WHITEOUT: Final = ".wh."
_OPAQUE: Final = ".wh..wh..opq"
_WHITEOUT_META: Final = ".wh..wh."  # AUFS internals (.wh..wh.plnk...), never applied
OPAQUE_XATTR: Final = "trusted.overlay.opaque"
_PAX_XATTR: Final = "SCHILY.xattr."
# A layer must not speak overlayfs's language behind our back (redirects, metacopy...).
_RESERVED_XATTR: Final = "trusted.overlay."
_DEVICE_TYPES: Final = {tarfile.CHRTYPE: stat.S_IFCHR, tarfile.BLKTYPE: stat.S_IFBLK}


@final
class _HashingReader:
    """A read-only stream that hashes what passes through it."""

    def __init__(self, stream: IO[bytes] | gzip.GzipFile) -> None:
        self._stream = stream
        self._hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._hash.update(data)
        return data

    @property
    def digest(self) -> str:
        return f"sha256:{self._hash.hexdigest()}"


def unpack_layer(blob: Path, dest: Path, *, diff_id: str, what: str) -> int:
    """Unpack the layer ``blob`` (tar or tar+gzip) into the empty directory ``dest``.

    :returns: the bytes of file content unpacked.
    :raises podkit.errors.InvalidArgumentError: the layer is not a valid tar, holds an
        unsafe member, or does not hash to ``diff_id``.
    :raises podkit.errors.UnimplementedError: the layer is zstd-compressed.
    """
    with blob.open("rb") as raw:
        magic = raw.read(len(_ZSTD_MAGIC))
        raw.seek(0)
        if magic == _ZSTD_MAGIC:
            msg = f"failed to unpack {what}: zstd-compressed layers are not supported"
            raise errors.UnimplementedError(msg)
        stream: IO[bytes] | gzip.GzipFile = (
            gzip.GzipFile(fileobj=raw, mode="rb") if magic[:2] == _GZIP_MAGIC else raw
        )
        reader = _HashingReader(stream)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
                size = _Extractor(dest, what).run(tar)
            for _ in chunks(reader):  # type: ignore[arg-type]
                pass  # the tar's end padding counts for the diff_id too
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            msg = f"failed to unpack {what}: not a valid tar stream: {exc}"
            raise errors.InvalidArgumentError(msg) from exc
        except OSError as exc:
            kind = (
                errors.ResourceExhaustedError if exc.errno == errno.ENOSPC else errors.InternalError
            )
            msg = f"failed to unpack {what}: {exc}"
            raise kind(msg) from exc
    if reader.digest != diff_id:
        msg = (
            f"failed to unpack {what}: it uncompresses to {reader.digest}, its diff_id is {diff_id}"
        )
        raise errors.InvalidArgumentError(msg)
    return size


@final
class _Extractor:
    """Places the members of one tar stream under ``dest``, safely."""

    def __init__(self, dest: Path, what: str) -> None:
        self._dest = dest
        self._what = what
        self._chown = os.geteuid() == 0
        self._safe_dirs: set[str] = set()  # relative dirs known to be real directories
        self._dirs: list[tuple[Path, tarfile.TarInfo]] = []
        self._size = 0

    def run(self, tar: tarfile.TarFile) -> int:
        for member in tar:
            self._extract(tar, member)
        for path, member in reversed(self._dirs):  # children changed their parents' mtimes
            os.utime(path, (member.mtime, member.mtime), follow_symlinks=False)
        return self._size

    def fail(self, member: tarfile.TarInfo, cause: str) -> NoReturn:
        msg = f"failed to unpack {self._what}: member {member.name!r} {cause}"
        raise errors.InvalidArgumentError(msg)

    def _extract(self, tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
        relative = self._relative(member, member.name)
        if not relative:
            return  # the layer's root: the lowerdir itself
        parent, base = posixpath.split(relative)
        self._ensure_parent(member, parent)
        if base == _OPAQUE:
            os.setxattr(self._path(parent), OPAQUE_XATTR, b"y", follow_symlinks=False)
        elif base.startswith(_WHITEOUT_META):
            return
        elif base.startswith(_WHITEOUT):
            self._whiteout(member, posixpath.join(parent, base[len(_WHITEOUT) :]))
        else:
            self._create(tar, member, relative)

    def _relative(self, member: tarfile.TarInfo, name: str) -> str:
        parts = [part for part in name.lstrip("/").split("/") if part not in {"", "."}]
        if ".." in parts:
            self.fail(member, "has '..' in its path")
        return "/".join(parts)

    def _path(self, relative: str) -> Path:
        return self._dest / relative if relative else self._dest

    def _ensure_parent(self, member: tarfile.TarInfo, parent: str) -> None:
        """Create the missing directories of ``parent``; refuse symlinks and files on the way."""
        if not parent or parent in self._safe_dirs:
            return
        done = ""
        for part in parent.split("/"):
            done = posixpath.join(done, part)
            if done in self._safe_dirs:
                continue
            path = self._path(done)
            try:
                mode = path.lstat().st_mode
            except FileNotFoundError:
                path.mkdir()
                path.chmod(0o755)
                mode = stat.S_IFDIR
            if stat.S_ISLNK(mode):
                self.fail(member, f"would be written through the symlink {done!r}")
            if not stat.S_ISDIR(mode):
                self.fail(member, f"has the non-directory {done!r} as a parent")
            self._safe_dirs.add(done)

    def _clear(self, path: Path, *, keep_dir: bool) -> None:
        """Remove what is at ``path`` (an earlier member of this layer) to replace it."""
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            return
        if stat.S_ISDIR(mode):
            if keep_dir:
                return
            shutil.rmtree(path)
        else:
            path.unlink()
        self._safe_dirs.clear()

    def _whiteout(self, member: tarfile.TarInfo, relative: str) -> None:
        if posixpath.basename(relative) in {"", ".", ".."}:
            self.fail(member, "is a whiteout without a name")
        path = self._path(relative)
        self._clear(path, keep_dir=False)
        os.mknod(path, stat.S_IFCHR, os.makedev(0, 0))

    def _create(self, tar: tarfile.TarFile, member: tarfile.TarInfo, relative: str) -> None:
        path = self._path(relative)
        self._clear(path, keep_dir=member.isdir())
        if member.isdir():
            with contextlib.suppress(FileExistsError):
                path.mkdir(mode=0o700)
            self._dirs.append((path, member))
        elif member.isreg():
            self._write_file(tar, member, path)
        elif member.issym():
            path.symlink_to(member.linkname)
        elif member.islnk():
            self._hardlink(member, path)
            return  # a hard link shares its target's inode, owner, mode and times
        elif member.type in _DEVICE_TYPES:
            device = os.makedev(member.devmajor, member.devminor)
            os.mknod(path, _DEVICE_TYPES[member.type] | 0o600, device)
        elif member.isfifo():
            os.mkfifo(path, 0o600)
        else:
            self.fail(member, f"has the unsupported tar type {member.type!r}")
        self._set_metadata(member, path)

    def _write_file(self, tar: tarfile.TarFile, member: tarfile.TarInfo, path: Path) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        source = tar.extractfile(member)
        if source is None:
            self.fail(member, "has no data")
        with os.fdopen(os.open(path, flags, 0o600), "wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        self._size += member.size

    def _hardlink(self, member: tarfile.TarInfo, path: Path) -> None:
        target = self._relative(member, member.linkname)
        parent = posixpath.dirname(target)
        if parent and parent not in self._safe_dirs:
            self._ensure_parent(member, parent)
        try:
            os.link(self._path(target), path, follow_symlinks=False)
        except FileNotFoundError:
            self.fail(member, f"links to {member.linkname!r}, which is not in the layer before it")

    def _set_metadata(self, member: tarfile.TarInfo, path: Path) -> None:
        if self._chown:
            os.chown(path, member.uid, member.gid, follow_symlinks=False)
        for key, value in member.pax_headers.items():
            name = key.removeprefix(_PAX_XATTR)
            if key.startswith(_PAX_XATTR) and not name.startswith(_RESERVED_XATTR):
                raw = value.encode("utf-8", "surrogateescape")
                os.setxattr(path, name, raw, follow_symlinks=False)
        if not member.issym():
            # After chown, which clears setuid and setgid.
            path.chmod(member.mode & 0o7777)
            os.utime(path, (member.mtime, member.mtime))
        else:
            os.utime(path, (member.mtime, member.mtime), follow_symlinks=False)


__all__ = ["OPAQUE_XATTR", "unpack_layer"]

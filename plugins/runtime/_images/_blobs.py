"""The content-addressed blob store: ``blobs/sha256/<hex>``, verified before it exists.

A blob enters the store only whole and only when it hashes to its digest and has
its descriptor's size (image-spec descriptor.md: "the content SHOULD be verified
against the digest ... before the content is consumed"). It is streamed into a
temporary file under ``tmp/``, fsynced, and renamed into place, so a reader never
sees a partial blob and an interrupted write leaves only a temporary file, which
garbage collection removes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, NoReturn, final

from podkit import errors, statefiles

if TYPE_CHECKING:
    from collections.abc import Iterator

    from podkit.plugins.runtime._images._oci import Descriptor

CHUNK: Final = 1 << 20
_ALGORITHM: Final = "sha256"


def sha256_of(data: bytes) -> str:
    """The ``sha256:<hex>`` digest of ``data``."""
    return f"{_ALGORITHM}:{hashlib.sha256(data).hexdigest()}"


def hex_of(digest: str) -> str:
    """The hex part of ``sha256:<hex>``: a file name in the store."""
    return digest.partition(":")[2]


def chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """Read ``stream`` to its end in chunks."""
    while chunk := stream.read(CHUNK):
        yield chunk


@final
class BlobStore:
    """Blobs by digest under ``root``; temporary files under ``tmp``."""

    def __init__(self, root: Path, tmp: Path) -> None:
        self._root = root / _ALGORITHM
        self._tmp = tmp

    def path(self, digest: str) -> Path:
        """Where the blob ``digest`` lives (whether or not it is there)."""
        return self._root / hex_of(digest)

    def has(self, digest: str) -> bool:
        """Tell whether the blob ``digest`` is in the store."""
        return self.path(digest).is_file()

    def read(self, digest: str) -> bytes:
        """The content of the stored blob ``digest``."""
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError as exc:
            msg = f"failed to read blob {digest}: not in the image store"
            raise errors.NotFoundError(msg) from exc

    def ingest(self, descriptor: Descriptor, stream: IO[bytes], what: str) -> bool:
        """Store the blob ``descriptor`` from ``stream``, verifying digest and size.

        :returns: whether the blob was written (``False``: it was already stored and
            ``stream`` was not read).
        :raises podkit.errors.InvalidArgumentError: the content does not match.
        """
        if self.has(descriptor.digest):
            return False
        self._root.mkdir(parents=True, exist_ok=True)
        self._tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self._tmp, prefix="blob-")
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as file:
                _copy_verified(descriptor, stream, file, what)
                file.flush()
                os.fsync(file.fileno())
            tmp.chmod(0o644)
            tmp.replace(self.path(descriptor.digest))
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        statefiles.fsync_dir(self._root)
        return True

    def digests(self) -> set[str]:
        """The digests of all stored blobs."""
        if not self._root.is_dir():
            return set()
        return {f"{_ALGORITHM}:{entry.name}" for entry in os.scandir(self._root)}

    def remove(self, digest: str) -> None:
        """Delete the blob ``digest``; a missing blob is no error."""
        with contextlib.suppress(FileNotFoundError):
            self.path(digest).unlink()


def _copy_verified(descriptor: Descriptor, stream: IO[bytes], out: IO[bytes], what: str) -> None:
    hasher = hashlib.new(_ALGORITHM)
    size = 0
    while chunk := stream.read(min(CHUNK, descriptor.size + 1 - size)):
        size += len(chunk)
        if size > descriptor.size:
            _mismatch(descriptor, what, f"it is larger than its descriptor's {descriptor.size}")
        hasher.update(chunk)
        out.write(chunk)
    if size != descriptor.size:
        _mismatch(descriptor, what, f"it is {size} bytes, its descriptor says {descriptor.size}")
    actual = f"{_ALGORITHM}:{hasher.hexdigest()}"
    if actual != descriptor.digest:
        _mismatch(descriptor, what, f"its content hashes to {actual}")


def _mismatch(descriptor: Descriptor, what: str, cause: str) -> NoReturn:
    msg = f"failed to verify {what} {descriptor.digest}: {cause}"
    raise errors.InvalidArgumentError(msg)


__all__ = ["CHUNK", "BlobStore", "chunks", "hex_of", "sha256_of"]

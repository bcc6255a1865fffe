"""Unpacked layers, shared between images: ``layers/<diff_id hex>/fs``.

Every layer dir is one overlayfs ``lowerdir`` holding only that layer's changes
(whiteouts included), so it does not depend on the layers below it: a layer is
unpacked once per ``diff_id`` and shared by every image that has it, wherever it
sits in their stacks. A layer is unpacked into a temporary dir under ``tmp/``,
synced to disk and renamed into place, so ``layers/`` holds only complete layers;
an interrupted unpack leaves a temporary dir that garbage collection removes.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Final, final

from podkit import errors, statefiles
from podkit.plugins.runtime._images._blobs import hex_of
from podkit.plugins.runtime._images._unpack import unpack_layer

_FS: Final = "fs"
_META: Final = "layer.json"


@final
class LayerStore:
    """Unpacked layer dirs under ``root``; temporary dirs under ``tmp``."""

    def __init__(self, root: Path, tmp: Path) -> None:
        self._root = root
        self._tmp = tmp

    def fs(self, diff_id: str) -> Path:
        """The unpacked layer dir of ``diff_id``: an overlayfs ``lowerdir``."""
        return self._root / hex_of(diff_id) / _FS

    def has(self, diff_id: str) -> bool:
        """Tell whether the layer ``diff_id`` is unpacked (complete: it has its metadata)."""
        return (self._root / hex_of(diff_id) / _META).is_file()

    def size(self, diff_id: str) -> int:
        """The bytes of file content in the layer ``diff_id``."""
        try:
            meta = json.loads((self._root / hex_of(diff_id) / _META).read_bytes())
        except FileNotFoundError as exc:
            msg = f"failed to find layer {diff_id}: not unpacked in the image store"
            raise errors.NotFoundError(msg) from exc
        return int(meta["size"])

    def ensure(self, diff_id: str, blob: Path, what: str) -> bool:
        """Unpack the layer blob ``blob`` as ``diff_id`` unless it is already there.

        :returns: whether the layer was unpacked now.
        """
        if self.has(diff_id):
            return False
        self._root.mkdir(parents=True, exist_ok=True)
        self._tmp.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=self._tmp, prefix="layer-"))
        try:
            (tmp / _FS).mkdir(mode=0o755)
            size = unpack_layer(blob, tmp / _FS, diff_id=diff_id, what=what)
            _sync_filesystem(tmp)
            statefiles.write_json(tmp / _META, {"diff_id": diff_id, "size": size}, mode=0o644)
            tmp.chmod(0o755)
            tmp.rename(self._root / hex_of(diff_id))
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            if self.has(diff_id):  # unpacked meanwhile by a concurrent import
                return False
            raise
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        statefiles.fsync_dir(self._root)
        return True

    def diff_ids(self) -> set[str]:
        """The ``diff_id`` of every layer dir (complete or not)."""
        if not self._root.is_dir():
            return set()
        return {f"sha256:{entry.name}" for entry in os.scandir(self._root)}

    def remove(self, diff_id: str) -> None:
        """Delete the layer ``diff_id``: renamed out of ``layers/`` first, then removed."""
        self._tmp.mkdir(parents=True, exist_ok=True)
        doomed = Path(tempfile.mkdtemp(dir=self._tmp, prefix="removed-"))
        with contextlib.suppress(FileNotFoundError):
            (self._root / hex_of(diff_id)).rename(doomed / "layer")
            statefiles.fsync_dir(self._root)
        shutil.rmtree(doomed, ignore_errors=True)


def _sync_filesystem(path: Path) -> None:
    """``syncfs(2)`` the filesystem of ``path``: one call instead of an fsync per file."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if libc.syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
    finally:
        os.close(fd)


__all__ = ["LayerStore"]

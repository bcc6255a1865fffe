"""The store's metadata on disk: image records, the refs index, leases, and the locks.

- ``images/<id hex>.json``: one image: its config settings, diff_ids, size and the
  blobs it references (what garbage collection keeps).
- ``refs.json``: ``name:tag`` and ``name@digest`` refs to image IDs. Tags move
  between images, so a record's tags are looked up here, never stored in it.
- ``leases.json``: holder (a container ID) to image ID; a leased image is not removed.
  A store may keep it elsewhere (``leases``): the runtime keeps it in its state dir,
  beside the containers it is about, so that it is as cheap to write as their records
  (a tmpfs, on a node) and goes with them when the node reboots. It is deleted when
  no lease is left.

All are written with :mod:`podkit.statefiles`, but the leases (see
:meth:`State.save_leases`). Two ``flock(2)`` locks order the
work of threads and processes sharing a store: ``state.lock`` (exclusive, brief)
around every read-modify-write of the files above, and ``gc.lock``, held shared by
imports for their whole run and exclusively by garbage collection, so that garbage
collection never removes the blobs and layers of an image being imported.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from typing import TYPE_CHECKING, Any, final

from podkit import statefiles
from podkit.plugins.runtime import _atomicfile
from podkit.plugins.runtime._images._blobs import hex_of

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@contextlib.contextmanager
def flocked(path: Path, *, shared: bool = False, blocking: bool = True) -> Iterator[bool]:
    """Hold ``flock(2)`` on ``path``; yield whether it was taken (always, when blocking)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        operation = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | (
            0 if blocking else fcntl.LOCK_NB
        )
        try:
            fcntl.flock(fd, operation)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


@final
class State:
    """The JSON files of a store rooted at ``root``."""

    def __init__(self, root: Path, leases: Path | None = None) -> None:
        self._root = root
        self._images = root / "images"
        self._leases = leases or root / "leases.json"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the state lock for a read-modify-write."""
        with flocked(self._root / "state.lock"):
            yield

    def importing(self) -> contextlib.AbstractContextManager[bool]:
        """Hold the gc lock shared, for the whole of an import."""
        return flocked(self._root / "gc.lock", shared=True)

    def collecting(self, *, blocking: bool) -> contextlib.AbstractContextManager[bool]:
        """Hold the gc lock exclusively: no import runs meanwhile."""
        return flocked(self._root / "gc.lock", blocking=blocking)

    def refs(self) -> dict[str, str]:
        """Ref to image ID."""
        return self._load(self._root / "refs.json")

    def save_refs(self, refs: dict[str, str]) -> None:
        """Replace the refs index."""
        statefiles.write_json(self._root / "refs.json", refs)

    def leases(self) -> dict[str, str]:
        """Holder to image ID."""
        return self._load(self._leases)

    def save_leases(self, leases: dict[str, str]) -> None:
        """Replace the leases; none left deletes the file.

        Atomic but not fsynced: a lease is about a container, which a power
        loss ends, and the runtime keeps them beside its containers in its
        state dir, a tmpfs on a node (:mod:`.._atomicfile` says why that is
        enough).
        """
        if leases:
            self._leases.parent.mkdir(parents=True, exist_ok=True)
            data = json.dumps(leases, sort_keys=True, separators=(",", ":")).encode()
            _atomicfile.replace(self._leases, data)
            return
        with contextlib.suppress(FileNotFoundError):
            self._leases.unlink()

    def image(self, image_id: str) -> dict[str, Any] | None:
        """The stored document of ``image_id``, or ``None``."""
        path = self._images / f"{hex_of(image_id)}.json"
        try:
            value: dict[str, Any] = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        return value

    def images(self) -> list[dict[str, Any]]:
        """Every stored image document."""
        if not self._images.is_dir():
            return []
        ids = (
            f"sha256:{path.stem}"
            for path in self._images.iterdir()
            if path.suffix == ".json" and not path.name.startswith(".")
        )
        return [doc for image_id in sorted(ids) if (doc := self.image(image_id)) is not None]

    def save_image(self, document: dict[str, Any]) -> None:
        """Write an image document (keyed by its ``id``)."""
        statefiles.write_json(self._images / f"{hex_of(document['id'])}.json", document)

    def delete_image(self, image_id: str) -> None:
        """Delete an image document; a missing one is no error."""
        with contextlib.suppress(FileNotFoundError):
            (self._images / f"{hex_of(image_id)}.json").unlink()
            statefiles.fsync_dir(self._images)

    @staticmethod
    def _load(path: Path) -> dict[str, str]:
        try:
            value: dict[str, str] = json.loads(path.read_bytes())
        except FileNotFoundError:
            return {}
        return value


__all__ = ["State", "flocked"]

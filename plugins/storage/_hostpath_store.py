"""Where the hostpath CSI driver keeps volumes, snapshots and its state, under one base dir.

Layout (all under ``base_dir``)::

    state.json                  volumes, snapshots, stagings, publications (no secret)
    volumes/<volume_id>/        a volume's data: a plain directory
    snapshots/<snapshot_id>.tar a snapshot: a tar of the volume directory

Capacity is accounted, not enforced, as in the upstream hostpath driver for
directory volumes: a volume's size counts against the driver's capacity from
CreateVolume to DeleteVolume.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from podkit.errors import InvalidArgumentError, NotFoundError
from podkit.plugins.storage._state import StateFile

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Where the driver keeps its volumes unless told otherwise.
DEFAULT_BASE_DIR: Final = Path("/var/lib/podkit/storage/hostpath")
#: Prefix of the creation parameters the external-provisioner adds
#: (``--extra-create-metadata``): accepted and ignored.
PROVISIONER_PREFIX: Final = "csi.storage.k8s.io/"
_TABLES: Final = ("volumes", "snapshots", "stagings", "publications")

Record = dict[str, Any]


class HostPathStore:
    """The driver's configuration, records and directories."""

    def __init__(
        self, base_dir: Path, capacity: int | None, max_volume_size: int | None, node_id: str
    ) -> None:
        self.base_dir: Final = base_dir
        self.capacity: Final = capacity if capacity is not None else _filesystem_size(base_dir)
        self.max_volume_size: Final = max_volume_size or self.capacity
        self.node_id: Final = node_id
        self.state: Final = StateFile(base_dir, _TABLES)
        self.lock: Final = self.state.lock
        self._remove_orphans()

    # -- records -----------------------------------------------------------------------

    @property
    def volumes(self) -> dict[str, Record]:
        """Volumes by volume id."""
        return self.state["volumes"]

    @property
    def snapshots(self) -> dict[str, Record]:
        """Snapshots by snapshot id."""
        return self.state["snapshots"]

    @property
    def stagings(self) -> dict[str, Record]:
        """Staged volumes by staging target path."""
        return self.state["stagings"]

    @property
    def publications(self) -> dict[str, Record]:
        """Published volumes by target path."""
        return self.state["publications"]

    def volume(self, volume_id: str, action: str) -> Record:
        """The record of ``volume_id``; NotFoundError when there is none."""
        record = self.volumes.get(volume_id)
        if record is None:
            msg = f"failed to {action}: volume {volume_id!r} does not exist"
            raise NotFoundError(msg)
        return record

    def used(self) -> int:
        """Bytes accounted to volumes."""
        return sum(int(v["capacity"]) for v in self.volumes.values())

    def available(self) -> int:
        """Bytes left for new volumes."""
        return max(self.capacity - self.used(), 0)

    def save(self) -> None:
        """Persist every record, atomically."""
        self.state.save()

    # -- directories -------------------------------------------------------------------

    def volume_dir(self, volume_id: str) -> Path:
        """The directory holding the data of ``volume_id``."""
        return self.base_dir / "volumes" / volume_id

    def snapshot_file(self, snapshot_id: str) -> Path:
        """The tar holding snapshot ``snapshot_id``."""
        return self.base_dir / "snapshots" / f"{snapshot_id}.tar"

    def _remove_orphans(self) -> None:
        # A CreateVolume or CreateSnapshot killed before its record was saved
        # leaves a directory or tar that no record names: remove it.
        for entry in _entries(self.base_dir / "volumes"):
            if entry.name not in self.volumes:
                shutil.rmtree(entry, ignore_errors=True)
        for entry in _entries(self.base_dir / "snapshots"):
            if entry.name.removesuffix(".tar") not in self.snapshots:
                entry.unlink(missing_ok=True)

    def remove_empty_dirs(self) -> None:
        """Remove the layout's folders once empty (the base dir too, if nothing is left)."""
        for folder in (self.base_dir / "volumes", self.base_dir / "snapshots", self.base_dir):
            with contextlib.suppress(OSError):  # not empty (or gone): keep it
                folder.rmdir()
        self.state.remove_created_dirs()


def check_parameters(parameters: Mapping[str, str], action: str) -> None:
    """Refuse creation parameters this driver does not know ("Invalid parameter")."""
    if stray := sorted(k for k in parameters if not k.startswith(PROVISIONER_PREFIX)):
        msg = f"failed to {action}: unknown parameters {stray!r}"
        raise InvalidArgumentError(msg)


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except FileNotFoundError:
        return []


def _filesystem_size(path: Path) -> int:
    probe = path
    while not probe.exists():
        probe = probe.parent
    st = os.statvfs(probe)
    return st.f_blocks * st.f_frsize


__all__ = ["DEFAULT_BASE_DIR", "PROVISIONER_PREFIX", "HostPathStore", "Record", "check_parameters"]

"""The hostpath driver's snapshots: a tar of the volume directory, as upstream hostpath cuts them.

CreateSnapshot is idempotent by name; a snapshot outlives its source volume;
a volume created from a snapshot gets the tar's content (untarred with the
``tar`` extraction filter, so that no member lands outside the volume).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tarfile
import time
import uuid
from typing import TYPE_CHECKING

from podkit import statefiles
from podkit.errors import AlreadyExistsError, InternalError, NotFoundError
from podkit.models.storage import ListSnapshotsEntry, ListSnapshotsResult, Snapshot
from podkit.plugins.storage import _common, _paging
from podkit.plugins.storage._hostpath_store import check_parameters

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from podkit.plugins.storage._hostpath_store import HostPathStore, Record


def archive(volume_dir: Path, tar_path: Path) -> None:
    """Write a tar of ``volume_dir`` to ``tar_path`` atomically (temporary file, fsync, rename)."""
    tar_path.parent.mkdir(parents=True, exist_ok=True)
    partial = tar_path.with_name(f".{tar_path.name}.partial")
    try:
        with tarfile.open(partial, "w") as tar:
            tar.add(volume_dir, arcname=".")
        with partial.open("rb") as file:
            os.fsync(file.fileno())
        partial.replace(tar_path)
    finally:
        partial.unlink(missing_ok=True)
    statefiles.fsync_dir(tar_path.parent)


def restore(tar_path: Path, volume_dir: Path) -> None:
    """Extract snapshot ``tar_path`` into ``volume_dir``."""
    with tarfile.open(tar_path) as tar:
        if hasattr(tarfile, "tar_filter"):  # Python >= 3.11.4 (PEP 706)
            tar.extractall(volume_dir, filter="tar")
            return
        for member in tar.getmembers():  # what the "tar" filter refuses, by hand
            if member.name.startswith("/") or ".." in member.name.split("/"):
                msg = f"failed to restore {str(tar_path)!r}: member {member.name!r} escapes"
                raise InternalError(msg)
        tar.extractall(volume_dir)  # noqa: S202 -- members checked above


def copy_tree(source: Path, volume_dir: Path) -> None:
    """Copy the content of ``source`` into ``volume_dir`` (a clone), symlinks as symlinks."""
    shutil.copytree(source, volume_dir, symlinks=True, dirs_exist_ok=True)


def to_snapshot(snapshot_id: str, record: Record) -> Snapshot:
    """The CSI Snapshot of a record."""
    return Snapshot(
        snapshot_id=snapshot_id,
        source_volume_id=record["source_volume_id"],
        size_bytes=int(record["size"]),
        creation_time=int(record["creation_time"]),
        ready_to_use=True,
    )


def create_snapshot(
    store: HostPathStore, source_volume_id: str, name: str, parameters: Mapping[str, str]
) -> Snapshot:
    """CreateSnapshot: tar the volume, or return the snapshot of that name if from it."""
    _common.require(name, "name", "create snapshot")
    action = f"create snapshot {name!r}"
    _common.require(source_volume_id, "source_volume_id", action)
    check_parameters(parameters, action)
    with store.lock:
        for snapshot_id, record in store.snapshots.items():
            if record["name"] == name:
                if record["source_volume_id"] != source_volume_id:
                    msg = f"failed to {action}: exists, cut from {record['source_volume_id']!r}"
                    raise AlreadyExistsError(msg)
                return to_snapshot(snapshot_id, record)
        volume = store.volumes.get(source_volume_id)
        if volume is None:
            msg = f"failed to {action}: source volume {source_volume_id!r} does not exist"
            raise NotFoundError(msg)
        snapshot_id = str(uuid.uuid4())
        record = {
            "name": name,
            "source_volume_id": source_volume_id,
            # as upstream hostpath: the source's size, the least a restored volume needs
            "size": int(volume["capacity"]),
            "creation_time": time.time_ns(),
        }
        with contextlib.ExitStack() as undo:
            undo.callback(store.remove_empty_dirs)
            tar_path = store.snapshot_file(snapshot_id)
            undo.callback(tar_path.unlink, missing_ok=True)
            archive(store.volume_dir(source_volume_id), tar_path)
            store.snapshots[snapshot_id] = record
            undo.callback(store.snapshots.pop, snapshot_id)
            store.save()
            undo.pop_all()
        return to_snapshot(snapshot_id, record)


def delete_snapshot(store: HostPathStore, snapshot_id: str) -> None:
    """DeleteSnapshot: remove the tar; an unknown snapshot is already deleted."""
    _common.require(snapshot_id, "snapshot_id", "delete snapshot")
    with store.lock:
        if store.snapshots.pop(snapshot_id, None) is None:
            return  # "does not exist ... the Plugin MUST reply 0 OK"
        store.save()
        store.snapshot_file(snapshot_id).unlink(missing_ok=True)
        store.remove_empty_dirs()


def list_snapshots(
    store: HostPathStore,
    max_entries: int,
    starting_token: str,
    source_volume_id: str,
    snapshot_id: str,
) -> ListSnapshotsResult:
    """ListSnapshots: by snapshot id, filtered, a page at a time."""
    with store.lock:
        snapshots = [
            to_snapshot(i, store.snapshots[i])
            for i in sorted(store.snapshots)
            if (not snapshot_id or i == snapshot_id)
            and (not source_volume_id or store.snapshots[i]["source_volume_id"] == source_volume_id)
        ]
    entries, next_token = _paging.page(snapshots, max_entries, starting_token, "snapshots")
    return ListSnapshotsResult(
        entries=[ListSnapshotsEntry(s) for s in entries], next_token=next_token
    )


__all__ = [
    "archive",
    "copy_tree",
    "create_snapshot",
    "delete_snapshot",
    "list_snapshots",
    "restore",
    "to_snapshot",
]

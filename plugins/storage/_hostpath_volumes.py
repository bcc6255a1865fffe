"""The hostpath driver's volume RPCs: CreateVolume, DeleteVolume, and the queries.

A volume is a directory under the base dir; its requested size is accounted
against the driver's capacity. CreateVolume is idempotent by name, and can
pre-populate a volume from a snapshot (untar) or another volume (copy).
"""

from __future__ import annotations

import contextlib
import shutil
import time
import uuid
from typing import TYPE_CHECKING

from podkit.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    OutOfRangeError,
    ResourceExhaustedError,
)
from podkit.models.storage import (
    ConfirmedCapabilities,
    GetCapacityResult,
    ListVolumesEntry,
    ListVolumesResult,
    SnapshotSource,
    ValidateVolumeCapabilitiesResult,
    Volume,
    VolumeSource,
)
from podkit.plugins.storage import _common, _hostpath_snapshots, _paging
from podkit.plugins.storage._hostpath_store import check_parameters

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from podkit.models.storage import CapacityRange, VolumeCapability, VolumeContentSource
    from podkit.plugins.storage._hostpath_store import HostPathStore, Record

#: The size of a volume whose request names no size (upstream hostpath: 1 GiB).
DEFAULT_VOLUME_SIZE = 1 << 30


def _source_record(source: VolumeContentSource | None) -> dict[str, str] | None:
    if isinstance(source, SnapshotSource):
        return {"snapshot_id": source.snapshot_id}
    if isinstance(source, VolumeSource):
        return {"volume_id": source.volume_id}
    return None


def _source_model(record: Mapping[str, str] | None) -> VolumeContentSource | None:
    if not record:
        return None
    if "snapshot_id" in record:
        return SnapshotSource(record["snapshot_id"])
    return VolumeSource(record["volume_id"])


def to_volume(volume_id: str, record: Record) -> Volume:
    """The CSI Volume of a record."""
    return Volume(
        volume_id=volume_id,
        capacity_bytes=int(record["capacity"]),
        content_source=_source_model(record.get("source")),
    )


def _check_request(
    name: str,
    capabilities: tuple[VolumeCapability, ...],
    parameters: Mapping[str, str],
    mutable_parameters: Mapping[str, str],
) -> None:
    action = f"create volume {name!r}"
    _common.require(name, "name", "create volume")
    if not capabilities:
        msg = f"failed to {action}: volume_capabilities is required"
        raise InvalidArgumentError(msg)
    for capability in capabilities:
        if reason := _common.unsupported_reason(capability):
            msg = f"failed to {action}: {reason}"
            raise InvalidArgumentError(msg)
    check_parameters(parameters, action)
    if mutable_parameters:
        msg = f"failed to {action}: mutable_parameters are not supported (no MODIFY_VOLUME)"
        raise InvalidArgumentError(msg)


def _fits(capacity: int, capacity_range: CapacityRange | None) -> bool:
    if capacity_range is None:
        return True
    limit = capacity_range.limit_bytes
    return capacity >= capacity_range.required_bytes and (not limit or capacity <= limit)


def _size(store: HostPathStore, name: str, wanted: CapacityRange | None, least: int) -> int:
    """The size to give a new volume, or OutOfRange/ResourceExhausted (the spec's table)."""
    required = wanted.required_bytes if wanted else 0
    limit = wanted.limit_bytes if wanted else 0
    action = f"failed to create volume {name!r}"
    if limit and limit < least:
        msg = f"{action}: limit_bytes {limit} is below the source's size {least}"
        raise OutOfRangeError(msg)
    if required > store.max_volume_size:
        msg = f"{action}: required_bytes {required} exceeds the maximum {store.max_volume_size}"
        raise OutOfRangeError(msg)
    size = max(required or min(DEFAULT_VOLUME_SIZE, limit or DEFAULT_VOLUME_SIZE), least)
    if size > store.available():
        msg = f"{action}: {size} bytes do not fit in the {store.available()} bytes left"
        raise ResourceExhaustedError(msg)
    return size


def _source_size(store: HostPathStore, source: VolumeContentSource | None, name: str) -> int:
    action = f"failed to create volume {name!r}"
    if isinstance(source, SnapshotSource):
        snapshot = store.snapshots.get(source.snapshot_id)
        if snapshot is None:
            msg = f"{action}: source snapshot {source.snapshot_id!r} does not exist"
            raise NotFoundError(msg)
        return int(snapshot["size"])
    if isinstance(source, VolumeSource):
        volume = store.volumes.get(source.volume_id)
        if volume is None:
            msg = f"{action}: source volume {source.volume_id!r} does not exist"
            raise NotFoundError(msg)
        return int(volume["capacity"])
    return 0


def _existing(store: HostPathStore, name: str) -> tuple[str, Record] | None:
    return next(((i, r) for i, r in store.volumes.items() if r["name"] == name), None)


def create_volume(  # noqa: PLR0913, PLR0917 -- the fields of CreateVolumeRequest that matter here
    store: HostPathStore,
    name: str,
    capacity_range: CapacityRange | None,
    volume_capabilities: tuple[VolumeCapability, ...],
    parameters: Mapping[str, str],
    volume_content_source: VolumeContentSource | None,
    mutable_parameters: Mapping[str, str],
) -> Volume:
    """CreateVolume: a new directory, or the existing volume of that name if compatible."""
    _check_request(name, volume_capabilities, parameters, mutable_parameters)
    with store.lock:
        if found := _existing(store, name):
            return _same_volume(found, name, capacity_range, parameters, volume_content_source)
        least = _source_size(store, volume_content_source, name)
        record = {
            "name": name,
            "capacity": _size(store, name, capacity_range, least),
            "parameters": dict(parameters),
            "source": _source_record(volume_content_source),
            "created": time.time_ns(),
        }
        volume_id = str(uuid.uuid4())
        with contextlib.ExitStack() as undo:
            undo.callback(store.remove_empty_dirs)
            path = store.volume_dir(volume_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.mkdir(0o777)
            path.chmod(0o777)  # as upstream hostpath: any pod user may write (umask aside)
            undo.callback(shutil.rmtree, path, ignore_errors=True)
            _populate(store, path, volume_content_source)
            store.volumes[volume_id] = record
            undo.callback(store.volumes.pop, volume_id)
            store.save()
            undo.pop_all()
        return to_volume(volume_id, record)


def _populate(store: HostPathStore, path: Path, source: VolumeContentSource | None) -> None:
    if isinstance(source, SnapshotSource):
        _hostpath_snapshots.restore(store.snapshot_file(source.snapshot_id), path)
    elif isinstance(source, VolumeSource):
        _hostpath_snapshots.copy_tree(store.volume_dir(source.volume_id), path)


def _same_volume(
    found: tuple[str, Record],
    name: str,
    capacity_range: CapacityRange | None,
    parameters: Mapping[str, str],
    source: VolumeContentSource | None,
) -> Volume:
    volume_id, record = found
    if not _fits(int(record["capacity"]), capacity_range):
        reason = f"capacity {record['capacity']} is outside the requested range"
    elif dict(parameters) != record["parameters"]:
        reason = "parameters differ"
    elif _source_record(source) != record.get("source"):
        reason = "volume_content_source differs"
    else:
        return to_volume(volume_id, record)
    msg = f"failed to create volume {name!r}: exists as {volume_id!r}, but {reason}"
    raise AlreadyExistsError(msg)


def delete_volume(store: HostPathStore, volume_id: str) -> None:
    """DeleteVolume: remove the directory; an unknown volume is already deleted."""
    _common.require(volume_id, "volume_id", "delete volume")
    with store.lock:
        if volume_id not in store.volumes:
            return  # "does not exist ... the Plugin MUST reply 0 OK"
        users = [
            p
            for p, r in (store.publications | store.stagings).items()
            if r["volume_id"] == volume_id
        ]
        if users:
            msg = f"failed to delete volume {volume_id!r}: in use at {sorted(users)!r}"
            raise FailedPreconditionError(msg)
        del store.volumes[volume_id]
        store.save()
        shutil.rmtree(store.volume_dir(volume_id), ignore_errors=True)
        store.remove_empty_dirs()


def validate_capabilities(
    store: HostPathStore,
    volume_id: str,
    volume_context: Mapping[str, str],
    volume_capabilities: tuple[VolumeCapability, ...],
    parameters: Mapping[str, str],
) -> ValidateVolumeCapabilitiesResult:
    """ValidateVolumeCapabilities: confirmed, or a message saying why not."""
    action = f"validate volume {volume_id!r}"
    _common.require(volume_id, "volume_id", "validate volume")
    if not volume_capabilities:
        msg = f"failed to {action}: volume_capabilities is required"
        raise InvalidArgumentError(msg)
    with store.lock:
        record = store.volume(volume_id, action)
        reasons = [_common.unsupported_reason(c) for c in volume_capabilities]
        if dict(parameters) and dict(parameters) != record["parameters"]:
            reasons.append("parameters differ from the volume's")
        if message := "; ".join(r for r in reasons if r):
            return ValidateVolumeCapabilitiesResult(message=message)
    confirmed = ConfirmedCapabilities(
        volume_context=volume_context,
        volume_capabilities=volume_capabilities,
        parameters=parameters,
    )
    return ValidateVolumeCapabilitiesResult(confirmed=confirmed)


def list_volumes(store: HostPathStore, max_entries: int, starting_token: str) -> ListVolumesResult:
    """ListVolumes: by volume id, a page at a time."""
    with store.lock:
        volumes = [to_volume(i, store.volumes[i]) for i in sorted(store.volumes)]
    entries, next_token = _paging.page(volumes, max_entries, starting_token, "volumes")
    return ListVolumesResult(
        entries=[ListVolumesEntry(volume=v) for v in entries], next_token=next_token
    )


def get_capacity(
    store: HostPathStore,
    volume_capabilities: tuple[VolumeCapability, ...],
    parameters: Mapping[str, str],
) -> GetCapacityResult:
    """GetCapacity: what is left; 0 for capabilities no volume of ours can have."""
    check_parameters(parameters, "get capacity")
    if any(_common.unsupported_reason(c) for c in volume_capabilities):
        return GetCapacityResult(available_capacity=0)
    with store.lock:
        available = store.available()
    return GetCapacityResult(
        available_capacity=available, maximum_volume_size=store.max_volume_size
    )


__all__ = [
    "DEFAULT_VOLUME_SIZE",
    "create_volume",
    "delete_volume",
    "get_capacity",
    "list_volumes",
    "to_volume",
    "validate_capabilities",
]

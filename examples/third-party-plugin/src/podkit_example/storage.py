"""CSI driver ``example.podkit.dev``: volumes kept in memory.

It shows the shape of a storage plugin: identity, capabilities advertised
truthfully, CreateVolume idempotent by name (same size: same volume; another
size: ALREADY_EXISTS), DeleteVolume of a missing volume a success, and
ListVolumes with pagination tokens.
"""

from __future__ import annotations

import socket
import threading
import uuid
from typing import TYPE_CHECKING, Literal

import podkit
from podkit.models.storage import (
    ControllerServiceCapability,
    ListVolumesEntry,
    ListVolumesResult,
    NodeGetInfoResult,
    PluginInfo,
    PluginService,
    ProbeResult,
    Volume,
)

if TYPE_CHECKING:
    from podkit.models.storage import CapacityRange

DRIVER = "example.podkit.dev"
DEFAULT_SIZE = 1 << 30


@podkit.answers_for(DRIVER)
class ExampleStorage:
    """A controller that tracks volumes by name; no data is stored."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._volumes: dict[str, Volume] = {}  # by name

    @podkit.hookimpl
    def storage_get_plugin_info(self) -> PluginInfo:
        """Name and version."""
        return PluginInfo(name=DRIVER, vendor_version="0.1.0")

    @podkit.hookimpl
    def storage_get_plugin_capabilities(self) -> tuple[PluginService, ...]:
        """Advertise the controller service."""
        return (PluginService.CONTROLLER_SERVICE,)

    @podkit.hookimpl
    def storage_probe(self) -> ProbeResult:
        """Report ready: nothing can go wrong in memory."""
        return ProbeResult(ready=True)

    @podkit.hookimpl
    def storage_controller_get_capabilities(self) -> tuple[ControllerServiceCapability, ...]:
        """Advertise what the controller below implements."""
        return (
            ControllerServiceCapability.CREATE_DELETE_VOLUME,
            ControllerServiceCapability.LIST_VOLUMES,
        )

    @podkit.hookimpl
    def storage_create_volume(self, name: str, capacity_range: CapacityRange | None) -> Volume:
        """Create, or return the volume of that name if it has the same size."""
        if not name:
            msg = "failed to create volume: name is required"
            raise podkit.InvalidArgumentError(msg)
        size = (capacity_range.required_bytes if capacity_range else 0) or DEFAULT_SIZE
        with self._lock:
            existing = self._volumes.get(name)
            if existing is not None:
                if existing.capacity_bytes != size:
                    msg = f"failed to create volume {name!r}: exists with another capacity"
                    raise podkit.AlreadyExistsError(msg)
                return existing
            volume = Volume(volume_id=str(uuid.uuid4()), capacity_bytes=size)
            self._volumes[name] = volume
            return volume

    @podkit.hookimpl
    def storage_delete_volume(self, volume_id: str) -> Literal[True]:
        """Forget the volume; an unknown id is a success (the spec's idempotency)."""
        with self._lock:
            for name, volume in list(self._volumes.items()):
                if volume.volume_id == volume_id:
                    del self._volumes[name]
        return True

    @podkit.hookimpl
    def storage_list_volumes(self, max_entries: int, starting_token: str) -> ListVolumesResult:
        """Page through the volumes; the token is the index of the next one."""
        with self._lock:
            volumes = sorted(self._volumes.values(), key=lambda v: v.volume_id)
        try:
            start = int(starting_token or "0")
        except ValueError as exc:
            msg = f"failed to list volumes: invalid starting_token {starting_token!r}"
            raise podkit.AbortedError(msg) from exc
        end = len(volumes) if max_entries == 0 else start + max_entries
        page = volumes[start:end]
        next_token = str(end) if end < len(volumes) else ""
        return ListVolumesResult(
            entries=tuple(ListVolumesEntry(volume=v) for v in page), next_token=next_token
        )

    @podkit.hookimpl
    def storage_node_get_info(self) -> NodeGetInfoResult:
        """Report this host as the node."""
        return NodeGetInfoResult(node_id=socket.gethostname())

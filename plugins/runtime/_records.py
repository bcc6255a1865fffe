"""What the plugin keeps on disk about sandboxes and containers, and where.

Every hook must still find every sandbox and container after the agent was
killed and restarted (hookspec, "State and concurrency"), so each record is a
JSON file written atomically (:mod:`._atomicfile`) and the plugin reads
them all back when it is constructed. The monitor process of a container adds
two files of its own, ``started.json`` and ``exit.json`` (see
:mod:`._monitor`), in plain JSON.

Layout, under the state directory (``/run/podkit/runtime`` by default)::

    sandboxes/<id>/sandbox.json      the SandboxRecord
    sandboxes/<id>/ns/{net,ipc,uts,pid}   bind-mounted namespace files
    sandboxes/<id>/{hostname,hosts,resolv.conf}
    containers/<id>/container.json   the ContainerRecord
    containers/<id>/spec.json        what the monitor launches (see _spec)
    containers/<id>/{started,exit}.json   written by the monitor
    containers/<id>/rootfs           mountpoint, inside the container only
    image-leases.json                which container uses which image (see _images)
    zygote-<version>.sock            the monitor zygote's socket (see _zygote)

and under the root directory (``/var/lib/podkit/runtime``)::

    containers/<id>/{upper,work}     the overlayfs writable layer
    images/                          the image store
    mountpoints/etc/{hostname,hosts,resolv.conf}   empty, under every container's root
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Mapping
from pathlib import Path  # noqa: TC003 - get_type_hints() needs it at runtime
from typing import Any, Final, final

import attrs

from podkit.models.runtime import (
    ContainerConfig,
    LinuxContainerResources,
    PodSandboxConfig,
    PodSandboxState,
)
from podkit.plugins.runtime import _atomicfile
from podkit.plugins.runtime._codec import from_json, to_json

SANDBOX_FILE: Final = "sandbox.json"
CONTAINER_FILE: Final = "container.json"
SPEC_FILE: Final = "spec.json"
STARTED_FILE: Final = "started.json"
EXIT_FILE: Final = "exit.json"

_ = Mapping  # get_type_hints() resolves the models' Mapping annotations with it


@final
@attrs.frozen
class ProcessId:
    """A process, by PID and start time (so a reused PID is not mistaken for it)."""

    pid: int
    start: int


@final
@attrs.frozen(kw_only=True)
class SandboxRecord:
    """A sandbox as the plugin keeps it."""

    id: str
    handler: str
    created_at: int
    state: PodSandboxState
    config: PodSandboxConfig
    #: Bind-mounted namespace files; ``""`` for the node's namespace.
    net_path: str = ""
    ipc_path: str = ""
    uts_path: str = ""
    pid_path: str = ""
    #: The init of the pod's PID namespace, when the pod shares one.
    pid_init: ProcessId | None = None
    #: The sandbox's cgroup, relative to the hierarchies' roots.
    cgroup: str = ""


@final
@attrs.frozen(kw_only=True)
class ContainerRecord:
    """A container as the plugin keeps it (what the monitor writes is apart)."""

    id: str
    sandbox_id: str
    handler: str
    created_at: int
    config: ContainerConfig
    image_id: str
    image_ref: str
    #: The absolute log path; ``""`` when the kubelet asked for none.
    log_path: str
    cgroup: str
    #: The image's ``StopSignal``, ``""`` for the default.
    stop_signal: str = ""
    uid: int = 0
    gid: int = 0
    groups: tuple[int, ...] = ()
    resources: LinuxContainerResources = attrs.field(factory=LinuxContainerResources)


@final
@attrs.frozen(kw_only=True)
class Layout:
    """Where the plugin's files are."""

    state: Path
    root: Path

    def sandbox_dir(self, sandbox_id: str) -> Path:
        """The directory of one sandbox."""
        return self.state / "sandboxes" / sandbox_id

    def container_dir(self, container_id: str) -> Path:
        """The directory of one container's records."""
        return self.state / "containers" / container_id

    def layer_dir(self, container_id: str) -> Path:
        """The directory of one container's writable layer."""
        return self.root / "containers" / container_id

    @property
    def images(self) -> Path:
        """The image store's root."""
        return self.root / "images"

    @property
    def mountpoints(self) -> Path:
        """The shared layer of mount points above the image's (see _mountpoints)."""
        return self.root / "mountpoints"

    @property
    def leases(self) -> Path:
        """Which container uses which image: a run-time fact, kept with the containers."""
        return self.state / "image-leases.json"


def remove_tree(directory: Path) -> None:
    """Remove ``directory``, and its parent if that is left empty (no stray folders)."""
    shutil.rmtree(directory, ignore_errors=True)
    with contextlib.suppress(OSError):
        directory.parent.rmdir()


def write_json(path: Path, value: object) -> None:
    """Write ``value`` as compact JSON, atomically; the folder must exist.

    Compact on purpose: ``json`` encodes in C only without ``indent``, and a
    container record is written on every CreateContainer. Not fsynced: these
    records live in the state dir, a tmpfs on a node, and only need to
    survive a kill -9 (:mod:`._atomicfile` says why).
    """
    _atomicfile.replace(path, json.dumps(value, separators=(",", ":")).encode())


def save(path: Path, record: object) -> None:
    """Write a record atomically."""
    write_json(path, to_json(record))


def load_all(parent: Path, name: str, cls: type[Any]) -> dict[str, Any]:
    """Read every ``<parent>/<id>/<name>`` record; unreadable ones are skipped."""
    records: dict[str, Any] = {}
    if not parent.is_dir():
        return records
    for directory in sorted(parent.iterdir()):
        try:
            data = json.loads((directory / name).read_text())
            records[directory.name] = from_json(cls, data)
        except (OSError, ValueError, TypeError, KeyError):
            continue
    return records


def read_json(path: Path) -> dict[str, Any] | None:
    """Read a JSON object the monitor wrote, ``None`` when absent or torn."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


__all__ = [
    "CONTAINER_FILE",
    "EXIT_FILE",
    "SANDBOX_FILE",
    "SPEC_FILE",
    "STARTED_FILE",
    "ContainerRecord",
    "Layout",
    "ProcessId",
    "SandboxRecord",
    "load_all",
    "read_json",
    "remove_tree",
    "save",
    "write_json",
]

"""The launch spec: everything the monitor needs to start a container, as JSON.

CreateContainer validates the configuration and decides everything here
(paths, namespaces, mounts, process), so that StartContainer only runs the
monitor, and the monitor (which imports no models) only follows the spec.
It is podkit's small cousin of an OCI runtime spec, read by :mod:`._init`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Final

from podkit import errors
from podkit.models.runtime import MountPropagation, NamespaceMode
from podkit.plugins.runtime import _dnsfiles, _process, _seccomp

if TYPE_CHECKING:
    from pathlib import Path

    from podkit.models.runtime import ContainerConfig, Mount
    from podkit.plugins.runtime._images import ImageRecord
    from podkit.plugins.runtime._records import SandboxRecord

_PROPAGATION: Final = {
    MountPropagation.PROPAGATION_PRIVATE: "private",
    MountPropagation.PROPAGATION_HOST_TO_CONTAINER: "rslave",
    MountPropagation.PROPAGATION_BIDIRECTIONAL: "rshared",
}
# containerd's defaults (pkg/oci/spec.go populateDefaultUnixSpec), used
# when the kubelet sends none.
DEFAULT_MASKED_PATHS: Final = (
    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
    "/sys/firmware", "/sys/devices/virtual/powercap",
)  # fmt: skip
DEFAULT_READONLY_PATHS: Final = (
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
)  # fmt: skip


def _mount(mount: Mount, name: str) -> dict[str, Any]:
    if mount.image is not None:
        msg = f"failed to create container {name!r}: image volumes are not supported"
        raise errors.UnimplementedError(msg)
    source = os.path.realpath(mount.host_path)
    if not mount.host_path or not os.path.exists(source):  # noqa: PTH110
        msg = (
            f"failed to create container {name!r}: Mount.host_path {mount.host_path!r} "
            f"(for {mount.container_path!r}) does not exist"
        )
        raise errors.NotFoundError(msg)
    return {
        "source": source,
        "destination": mount.container_path,
        "readonly": mount.readonly,
        "propagation": _PROPAGATION[mount.propagation],
    }


def mounts(config: ContainerConfig) -> list[dict[str, Any]]:
    """The bind mounts of the configuration's mounts and devices."""
    name = config.metadata.name
    found = [_mount(m, name) for m in config.mounts]
    for device in config.devices:
        if not os.path.exists(device.host_path):  # noqa: PTH110
            msg = f"failed to create container {name!r}: device {device.host_path!r} not found"
            raise errors.NotFoundError(msg)
        destination = device.container_path or device.host_path
        found.append(
            {
                "source": device.host_path,
                "destination": destination,
                "readonly": False,
                "propagation": "private",
            }
        )
    return found


def namespaces(
    config: ContainerConfig, sandbox: SandboxRecord, target_pid_ns: str
) -> dict[str, Any]:
    """Which namespaces the init joins, and whether it gets a PID namespace of its own."""
    options = config.linux.security_context.namespace_options
    found: dict[str, Any] = {
        "net": "" if options.network is NamespaceMode.NODE else sandbox.net_path,
        "ipc": "" if options.ipc is NamespaceMode.NODE else sandbox.ipc_path,
        "uts": sandbox.uts_path,
        "pid": "",
        "new_pid": False,
    }
    if options.pid is NamespaceMode.POD and sandbox.pid_path:
        found["pid"] = sandbox.pid_path
    elif options.pid is NamespaceMode.TARGET:
        found["pid"] = target_pid_ns
    elif options.pid is not NamespaceMode.NODE:
        found["new_pid"] = True
    return found


def build(  # noqa: PLR0913 - the pieces a container is made of
    *,
    config: ContainerConfig,
    image: ImageRecord,
    layers: list[Path],
    mountpoints: list[Path],
    sandbox: SandboxRecord,
    sandbox_dir: Path,
    hostname: str,
    layer_dir: Path,
    rootfs: Path,
    log_path: str,
    cgroup_procs: list[str],
    oom_file: str,
    target_pid_ns: str,
) -> tuple[dict[str, Any], _process.User]:
    """The launch spec of a container, and the user it runs as.

    ``layers`` are the image's (topmost first), ``mountpoints`` the shared layer
    that goes above them (:mod:`._mountpoints`).
    """
    context = config.linux.security_context
    user = _process.resolve_user(context, image, layers)
    caps, ambient = _process.capabilities(context)
    oom = config.linux.resources.oom_score_adj
    privileged = context.privileged
    spec = {
        "rootfs": {
            "lower": [str(p) for p in (*mountpoints, *layers)],
            "upper": str(layer_dir / "upper"),
            "work": str(layer_dir / "work"),
            "target": str(rootfs),
            "readonly": context.readonly_rootfs,
        },
        "namespaces": namespaces(config, sandbox, target_pid_ns),
        "cgroup_procs": cgroup_procs,
        "oom_file": oom_file,
        "mounts": mounts(config),
        "etc": {name: str(sandbox_dir / name) for name in _dnsfiles.FILES},
        "privileged": privileged,
        "masked_paths": list(context.masked_paths or ((not privileged) * DEFAULT_MASKED_PATHS)),
        "readonly_paths": list(
            context.readonly_paths or ((not privileged) * DEFAULT_READONLY_PATHS)
        ),
        "log_path": log_path,
        "process": {
            "args": _process.argv(config, image),
            "env": _process.environment(config, image, hostname),
            "cwd": config.working_dir or image.working_dir or "/",
            "uid": user.uid,
            "gid": user.gid,
            "groups": list(user.groups),
            "capabilities": caps,
            "ambient": ambient,
            "no_new_privs": context.no_new_privs,
            "oom_score_adj": oom or None,
            "seccomp": _seccomp.program_for(context.seccomp, caps, privileged=privileged),
        },
    }
    return spec, user


__all__ = ["DEFAULT_MASKED_PATHS", "DEFAULT_READONLY_PATHS", "build", "mounts", "namespaces"]

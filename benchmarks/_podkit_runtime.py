"""podkit's side of the runtime benchmark: ``NamespaceRuntime`` in-process on temp dirs.

:class:`PodkitRuntime` runs the reference runtime plugin through a plugin
manager, with its state and root dirs, cgroups (``podkit/pkb-<hex>``) and logs
all its own, imports the busybox image from an OCI layout, and takes every
sandbox and container away again in :meth:`PodkitRuntime.close`, also after
a Ctrl-C half-way: a fresh plugin on the same dirs removes what the records
name, then the cgroups and mounts are swept by prefix.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final

import podkit
from benchmarks._common import PREFIX, shielded, token
from podkit.models.runtime import (
    ContainerConfig,
    ContainerMetadata,
    ContainerState,
    ImageSpec,
    LinuxPodSandboxConfig,
    LinuxSandboxSecurityContext,
    NamespaceMode,
    NamespaceOption,
    PodSandboxConfig,
    PodSandboxMetadata,
)
from podkit.plugins.runtime import NamespaceRuntime
from podkit.testing import sweep_cgroups, sweep_mounts

if TYPE_CHECKING:
    from collections.abc import Sequence

HANDLER: Final = "namespace"
_POLL: Final = 0.001
_EXIT_TIMEOUT: Final = 60.0


class PodkitRuntime:
    """The reference runtime on the directories under ``tmp``; :meth:`close` removes all."""

    def __init__(self, tmp: Path, busybox_layout: Path) -> None:
        self.tmp = tmp
        self.state_dir = tmp / "state"
        _mount_tmpfs(self.state_dir)
        self.root_dir = tmp / "root"
        self.log_dir = tmp / "logs"
        self.cgroup_parent = f"podkit/{PREFIX}-{token()}"
        self.plugin = self._new_plugin()
        self.pm = podkit.PluginManager.load(entry_points=False)
        self.pm.register(self.plugin, name="namespace-runtime", kind="runtime")
        self.plugin.store.import_oci_layout(busybox_layout, ref="busybox:latest")
        self.sandboxes: list[str] = []

    def _new_plugin(self) -> NamespaceRuntime:
        return NamespaceRuntime(
            HANDLER,
            state_dir=self.state_dir,
            root_dir=self.root_dir,
            cgroup_parent=self.cgroup_parent,
        )

    def start(self, name: str, command: Sequence[str]) -> str:
        """RunPodSandbox, CreateContainer, StartContainer; return the container id."""
        sandbox = PodSandboxConfig(
            metadata=PodSandboxMetadata(name=name, uid=token(), namespace=PREFIX),
            hostname=name,
            log_directory=str(self.log_dir / name),
            linux=LinuxPodSandboxConfig(
                security_context=LinuxSandboxSecurityContext(
                    namespace_options=NamespaceOption(pid=NamespaceMode.CONTAINER)
                )
            ),
        )
        sandbox_id = self.pm.runtime.run_pod_sandbox(HANDLER, sandbox)
        self.sandboxes.append(sandbox_id)
        config = ContainerConfig(
            metadata=ContainerMetadata(name="c"),
            image=ImageSpec(image="busybox"),
            command=tuple(command),
            log_path="c.log",
        )
        container_id = self.pm.runtime.create_container(HANDLER, sandbox_id, config, sandbox)
        self.pm.runtime.start_container(HANDLER, container_id)
        return container_id

    def wait_exited(self, container_id: str) -> None:
        """Poll ContainerStatus (every millisecond) until the container has exited."""
        deadline = time.monotonic() + _EXIT_TIMEOUT
        while time.monotonic() < deadline:
            status = self.pm.runtime.container_status(HANDLER, container_id).status
            if status.state is ContainerState.CONTAINER_EXITED:
                return
            time.sleep(_POLL)
        msg = f"container {container_id} did not exit in {_EXIT_TIMEOUT} s"
        raise TimeoutError(msg)

    def run_true(self, name: str) -> tuple[float, float]:
        """Seconds from RunPodSandbox to ``/bin/true`` running, and to its exit."""
        begin = time.perf_counter()
        container_id = self.start(name, ["/bin/true"])
        running = time.perf_counter() - begin
        self.wait_exited(container_id)
        return running, time.perf_counter() - begin

    def remove_all(self) -> None:
        """RemovePodSandbox for every sandbox made so far (containers go with them)."""
        while self.sandboxes:
            self.pm.runtime.remove_pod_sandbox(HANDLER, self.sandboxes.pop())

    def monitor_pids(self) -> list[int]:
        """The PIDs of the monitors of this runtime's running containers."""
        found = []
        for container_id in list(self.plugin.containers.records):
            observed = self.plugin.containers.observe(container_id)
            if observed.state is ContainerState.CONTAINER_RUNNING:
                found.append(observed.monitor_pid)
        return found

    def zygote_pids(self) -> list[int]:
        """The PIDs of this runtime's zygote, its spare monitor and the spare's waiting init."""
        names = {"podkit-zygote", "podkit-spare", "podkit-preinit"}
        return [pid for pid, comm in self._processes() if comm in names]

    def _processes(self) -> list[tuple[int, str]]:
        """Processes whose command line names a socket in our state dir (zygotes, monitors)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
                comm = (entry / "comm").read_text().strip()
            except OSError:
                continue
            if any(arg.startswith(bytes(self.state_dir)) for arg in argv):
                found.append((int(entry.name), comm))
        return found

    def close(self) -> None:
        """Remove every sandbox and container, the cgroups, the mounts and the dirs."""
        with shielded():
            self._close()

    def _close(self) -> None:
        with contextlib.suppress(Exception):
            self.remove_all()
        fresh = self._new_plugin()
        for sandbox_id in list(fresh.sandboxes.records):
            with contextlib.suppress(Exception):
                fresh.runtime_remove_pod_sandbox(sandbox_id)
        for container_id in list(fresh.containers.records):
            with contextlib.suppress(Exception):
                fresh.runtime_remove_container(container_id)
        for pid, _ in self._processes():  # monitors and zygotes left by a failure
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        sweep_cgroups(fresh.cgroups.dirs(self.cgroup_parent))
        sweep_mounts(self.tmp)
        shutil.rmtree(self.tmp, ignore_errors=True)


def _mount_tmpfs(path: Path) -> None:
    """A tmpfs on ``path``: the state dir is on one on a node (``/run``)."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "mode=0700,size=64m", "pkb-state", str(path)],  # noqa: S607
        check=True,
        capture_output=True,
    )


__all__ = ["HANDLER", "PodkitRuntime"]

"""Helpers of the NamespaceRuntime tests: configs, and a plugin on temp dirs cleaned up for sure.

Every resource the plugin makes is named with the ``pkr`` prefix (cgroups under
``podkit/pkr-<random>``) and lives under the test's temporary directories, so the
teardown can find and remove it even when the test failed half-way: it builds a
fresh plugin on the same directories (re-adoption from disk), removes every
sandbox and container it finds, then sweeps the cgroups and mounts by prefix.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import TYPE_CHECKING

import podkit
from podkit.models.runtime import (
    ContainerConfig,
    ContainerMetadata,
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
    from pathlib import Path

    from podkit.plugins.runtime._cgroups import Cgroups

HANDLER = "namespace"


def sandbox_config(name: str = "pod", **kwargs) -> PodSandboxConfig:
    """A sandbox config with a unique uid; pid CONTAINER as the kubelet sends it."""
    options = kwargs.pop("namespace_options", NamespaceOption(pid=NamespaceMode.CONTAINER))
    kwargs.setdefault("hostname", f"pkr-{name}")
    return PodSandboxConfig(
        metadata=PodSandboxMetadata(name=name, uid=secrets.token_hex(8), namespace="pkr-test"),
        linux=LinuxPodSandboxConfig(
            security_context=LinuxSandboxSecurityContext(namespace_options=options),
            sysctls=kwargs.pop("sysctls", {}),
        ),
        **kwargs,
    )


def container_config(*command: str, name: str = "c", **kwargs) -> ContainerConfig:
    """A busybox container config running ``command``, logging to ``<name>/0.log``."""
    kwargs.setdefault("log_path", f"{name}/0.log")
    return ContainerConfig(
        metadata=ContainerMetadata(name=name),
        image=ImageSpec(image="busybox"),
        command=command,
        **kwargs,
    )


class RuntimeEnv:
    """The plugin under test, its directories and a plugin manager that routes to it."""

    def __init__(self, tmp_path: Path, state_dir: Path, cgroups: Cgroups | None = None) -> None:
        self.state_dir = state_dir
        self.cgroups = cgroups
        self.root_dir = tmp_path / "root"
        self.log_dir = tmp_path / "logs"
        self.cgroup_parent = f"podkit/pkr-{secrets.token_hex(4)}"
        self.plugin = self.new_plugin()
        self.pm = podkit.PluginManager()
        self.pm.register(self.plugin, name="namespace-runtime", kind="runtime")

    def new_plugin(self) -> NamespaceRuntime:
        """Another plugin instance on the same directories (as after a restart)."""
        return NamespaceRuntime(
            HANDLER,
            state_dir=self.state_dir,
            root_dir=self.root_dir,
            cgroup_parent=self.cgroup_parent,
            cgroups=self.cgroups,
        )

    def import_busybox(self, layout: Path) -> str:
        """Import the busybox image; return its id."""
        return self.plugin.store.import_oci_layout(layout, ref="busybox:latest").id

    def cleanup(self) -> None:
        """Remove whatever is left, through a fresh instance and then by prefix."""
        fresh = self.new_plugin()
        for sandbox_id in list(fresh.sandboxes.records):
            with contextlib.suppress(Exception):
                fresh.runtime_remove_pod_sandbox(sandbox_id)
        for container_id in list(fresh.containers.records):
            with contextlib.suppress(Exception):
                fresh.runtime_remove_container(container_id)
        sweep_cgroups(fresh.cgroups.dirs(self.cgroup_parent))
        sweep_mounts(self.state_dir)

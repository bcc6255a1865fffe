"""The kubelet tests' node: real plugins on temporary directories, cleaned up for sure.

Everything is named with the ``pkk`` prefix: the bridge ``pkk<hex>``, the nft
table ``podkit_pkk<hex>``, the runtime's cgroups under ``podkit/pkk-<hex>``.
The plugins keep their state under the test's temporary directory. After the
node is closed (which tears every pod down), :meth:`NodeEnv.cleanup` sweeps
whatever a failed test may have left: sandboxes and containers through a
fresh runtime plugin, cgroups and mounts by prefix, the bridge and the table.
"""

from __future__ import annotations

import contextlib
import json
import random
import secrets
import subprocess
from pathlib import Path

import podkit
from podkit.kubelet import BackOffPolicy, SyncNode
from podkit.plugins.network import BridgePlugin, HostLocalPlugin, LoopbackPlugin, PortmapPlugin
from podkit.plugins.runtime import NamespaceRuntime
from podkit.plugins.storage.emptydir import EmptyDirVolumes
from podkit.plugins.storage.hostpath_volume import HostPathVolumes
from podkit.plugins.storage.projected import ConfigMapVolumes, SecretVolumes
from podkit.testing import sweep_cgroups, sweep_mounts


class NodeEnv:
    """A plugin manager with every reference plugin on temp dirs, and a SyncNode on it."""

    def __init__(self, tmp_path: Path, image: str, *, tag: str = "", octet: int = 0):
        self.tmp = tmp_path
        self.image = image
        self.tag = tag = tag or secrets.token_hex(4)
        self.bridge = f"pkk{tag}"
        self.nat_table = f"podkit_pkk{tag}"
        self.cgroup_parent = f"podkit/pkk-{tag}"
        self.octet = octet or random.randint(10, 250)  # noqa: S311 - keeps parallel runs apart
        self.subnet = f"10.253.{self.octet}.0/24"
        self.gateway = f"10.253.{self.octet}.1"
        self.plugins = tmp_path / "plugins"
        self.conf_dir = tmp_path / "net.d"
        self.conf_dir.mkdir(exist_ok=True)
        self.write_network()
        self.pm = podkit.PluginManager()
        self.pm.register(self.new_runtime(), name="namespace", kind="runtime")
        self.pm.register(
            BridgePlugin(
                nat_table=self.nat_table,
                default_data_dir=self.plugins / "cni",
                enable_ip_forward=False,
            ),
            name="bridge",
            kind="network",
        )
        self.pm.register(HostLocalPlugin(self.plugins / "cni"), name="host-local", kind="network")
        self.pm.register(LoopbackPlugin(), name="loopback", kind="network")
        self.pm.register(PortmapPlugin(nat_table=self.nat_table), name="portmap", kind="network")
        storage = {
            "hostpath-volumes": HostPathVolumes(self.plugins / "hostpath"),
            "emptydir": EmptyDirVolumes(self.plugins / "emptydir"),
            "secret": SecretVolumes(self.plugins / "secret"),
            "configmap": ConfigMapVolumes(self.plugins / "configmap"),
        }
        for name, plugin in storage.items():
            self.pm.register(plugin, name=name, kind="storage")
        self.state_dir = tmp_path / "kubelet"
        self.run_dir = tmp_path / "run"
        self.node: SyncNode | None = None

    def settings(self):
        """What makes another NodeEnv on the same plugins and directories (for an agent)."""
        return {"tmp": str(self.tmp), "image": self.image, "tag": self.tag, "octet": self.octet}

    @classmethod
    def from_settings(cls, settings):
        return cls(
            Path(settings["tmp"]), settings["image"], tag=settings["tag"], octet=settings["octet"]
        )

    def write_network(self):
        conflist = {
            "cniVersion": "1.0.0",
            "name": f"pkk-{self.bridge}",
            "plugins": [
                {
                    "type": "bridge",
                    "bridge": self.bridge,
                    "isGateway": True,
                    "ipam": {
                        "type": "host-local",
                        "dataDir": str(self.plugins / "cni"),
                        "ranges": [[{"subnet": self.subnet}]],
                    },
                },
                {"type": "portmap", "capabilities": {"portMappings": True}},
            ],
        }
        (self.conf_dir / "10-pkk.conflist").write_text(json.dumps(conflist))

    def new_runtime(self) -> NamespaceRuntime:
        return NamespaceRuntime(
            "namespace",
            state_dir=self.plugins / "runtime-state",
            root_dir=self.plugins / "runtime-root",
            cgroup_parent=self.cgroup_parent,
        )

    def start(self, **kwargs) -> SyncNode:
        kwargs.setdefault("backoff", BackOffPolicy(base=0.2, max=1.0))
        kwargs.setdefault("sync_period", 0.1)
        self.node = SyncNode(
            self.pm,
            state_dir=self.state_dir,
            run_dir=self.run_dir,
            cni_conf_dir=self.conf_dir,
            node_name="pkk-node",
            **kwargs,
        )
        return self.node

    def leftovers(self):
        """What the pods left that only the node should have removed (none, if it works)."""
        fresh = self.new_runtime()
        found = [f"sandbox {i}" for i in fresh.sandboxes.records]
        found += [f"container {i}" for i in fresh.containers.records]
        mountinfo = Path("/proc/self/mountinfo").read_text().splitlines()
        found += [f"mount {line.split()[4]}" for line in mountinfo if str(self.tmp) in line]
        found += [
            f"cgroup {d}"
            for top in fresh.cgroups.dirs(self.cgroup_parent)
            if top.exists()
            for d in top.iterdir()
            if d.is_dir()
        ]
        ports = subprocess.run(
            ["ip", "-o", "link", "show", "master", self.bridge],
            capture_output=True,
            text=True,
            check=False,
        )
        found += [f"bridge port {line.split()[1]}" for line in ports.stdout.splitlines()]
        found += [f"address {p.name}" for p in (self.plugins / "cni").rglob("10.253.*")]
        found += [f"pod dir {p}" for p in self.state_dir.glob("pods/*")]
        found += [f"log dir {p}" for p in self.state_dir.glob("logs/*")]
        found += [f"sandbox record {p.name}" for p in self.run_dir.glob("sandboxes/*")]
        found += [f"container record {p.name}" for p in self.run_dir.glob("containers/*")]
        found += [f"network attachment {p.name}" for p in self.run_dir.glob("cni-results/*")]
        found += [f"node state {p}" for p in self.state_dir.glob("desired/**/*") if p.is_file()]
        return found

    def cleanup(self):
        """Close the node, check that it left nothing, then sweep whatever it did leave."""
        if self.node is not None:
            with contextlib.suppress(Exception):
                self.node.close()
        try:
            return self.leftovers()
        finally:
            self.sweep()

    def sweep(self):
        fresh = self.new_runtime()
        for sandbox_id in list(fresh.sandboxes.records):
            with contextlib.suppress(Exception):
                fresh.runtime_remove_pod_sandbox(sandbox_id)
        for container_id in list(fresh.containers.records):
            with contextlib.suppress(Exception):
                fresh.runtime_remove_container(container_id)
        sweep_cgroups(fresh.cgroups.dirs(self.cgroup_parent))
        sweep_mounts(self.tmp)
        subprocess.run(["ip", "link", "del", self.bridge], check=False, capture_output=True)
        for family in ("ip", "ip6"):
            subprocess.run(
                ["nft", "delete", "table", family, self.nat_table], check=False, capture_output=True
            )


def pod_manifest(name, *containers, restart_policy="Never", init=(), volumes=(), **spec):
    """A Pod as a manifest dict."""
    body = {"restartPolicy": restart_policy, "containers": list(containers), **spec}
    if init:
        body["initContainers"] = list(init)
    if volumes:
        body["volumes"] = list(volumes)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": body}

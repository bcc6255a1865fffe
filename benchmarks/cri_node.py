"""Manifest to all containers Running: podkit's Node in-process versus on containerd (issue 6.7).

The same pod -- one busybox ``sleep 3600`` container with a Secret volume, on
a bridge + host-local network -- applied to a :class:`podkit.SyncNode` with
the same storage plugin (Secret, podkit's), on two runtimes:

- podkit: the reference runtime and podkit's bridge in-process (the runtime
  layer attaches the network through the network hooks);
- containerd: :class:`podkit.CriClientPlugin` to Debian's containerd 1.6 with
  runc and Debian's Go bridge and host-local (containerd attaches the network).

Timed: ``apply`` until the pod is Running (all containers running), and
``delete`` until it is gone; one pod at a time, then N at once (threads).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final

import podkit
from benchmarks._common import PREFIX, concurrent, header, note, row, shielded, token
from podkit import manifests
from podkit.kubelet import PodPhase, SyncNode
from podkit.plugins.network import BridgePlugin, HostLocalPlugin, LoopbackPlugin
from podkit.plugins.runtime import NamespaceRuntime
from podkit.plugins.storage.projected import SecretVolumes
from podkit.testing import build_busybox_image
from podkit.testing.containerd import (
    BUSYBOX_IMAGE,
    UPSTREAM_CNI_DIR,
    BridgeNetwork,
    Containerd,
    build_sandbox_image,
)
from podkit.wire.cri import CriClientPlugin

if TYPE_CHECKING:
    from collections.abc import Callable

    from podkit.models.kube import KubeObject

NAMESPACE: Final = "default"
HANDLER_PODKIT: Final = "namespace"
HANDLER_CONTAINERD: Final = "pkcd-containerd"
SUBNETS: Final = {"podkit": "10.78.11.0/24", "containerd": "10.78.12.0/24"}
_TIMEOUT: Final = 120.0
SECRET: Final = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "pkcd-bench"},
    "stringData": {"token": "pkcd"},
}


def _objects(name: str) -> list[KubeObject]:
    container = {
        "name": "main",
        "image": BUSYBOX_IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "command": ["sleep", "3600"],
        "volumeMounts": [{"name": "creds", "mountPath": "/creds"}],
    }
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "containers": [container],
            "terminationGracePeriodSeconds": 0,
            "volumes": [{"name": "creds", "secret": {"secretName": "pkcd-bench"}}],
        },
    }
    text = "".join(f"---\n{json.dumps(d)}\n" for d in (SECRET, pod))
    return list(manifests.load(text))


class _Peer:
    """A SyncNode on one runtime; :meth:`close` deletes its pods and stops what it runs."""

    def __init__(self, tmp: Path, name: str) -> None:
        self.tmp = tmp / name
        self.tmp.mkdir()
        self.network = BridgeNetwork(
            name=f"pkcd-node-{name}",
            bridge=f"pkcd-n{token()}",
            subnet=SUBNETS[name],
            data_dir=self.tmp / "ipam",
            bin_dir=UPSTREAM_CNI_DIR,
        )
        self.manager = podkit.PluginManager()
        self.manager.register(SecretVolumes(self.tmp / "secret"), name="secret", kind="storage")
        self.cleanups: list[Callable[[], object]] = []
        self.node: SyncNode | None = None

    def start_node(self, handler: str, cni_conf_dir: Path) -> SyncNode:
        self.node = SyncNode(
            self.manager,
            state_dir=self.tmp / "kubelet",
            run_dir=self.tmp / "run",
            cni_conf_dir=cni_conf_dir,
            node_name="pkcd-node",
            runtime_handler=handler,
            sync_period=0.1,
        )
        return self.node

    def close(self) -> None:
        with shielded():
            if self.node is not None:
                with contextlib.suppress(Exception):
                    self.node.close()
            for cleanup in reversed(self.cleanups):
                with contextlib.suppress(Exception):
                    cleanup()


def _podkit_peer(tmp: Path) -> _Peer:
    peer = _Peer(tmp, "podkit")
    cgroup_parent = f"podkit/pkcd-{token()}"
    nat_table = f"podkit_pkcd{token()}"
    runtime = NamespaceRuntime(
        HANDLER_PODKIT,
        state_dir=peer.tmp / "runtime-state",
        root_dir=peer.tmp / "runtime-root",
        cgroup_parent=cgroup_parent,
    )
    layout = build_busybox_image(peer.tmp / "busybox", ref_name=BUSYBOX_IMAGE).path
    runtime.store.import_oci_layout(layout, ref=BUSYBOX_IMAGE)
    peer.manager.register(runtime, name="namespace", kind="runtime")
    peer.manager.register(
        BridgePlugin(nat_table=nat_table, default_data_dir=peer.tmp / "ipam"),
        name="bridge",
        kind="network",
    )
    peer.manager.register(HostLocalPlugin(peer.tmp / "ipam"), name="host-local", kind="network")
    peer.manager.register(LoopbackPlugin(), name="loopback", kind="network")
    conf_dir = peer.tmp / "net.d"
    conf_dir.mkdir()
    (conf_dir / "10-pkcd.conflist").write_text(json.dumps(peer.network.conflist()))
    peer.cleanups.append(lambda: _sweep_podkit(peer, cgroup_parent))
    peer.start_node(HANDLER_PODKIT, conf_dir)
    return peer


def _sweep_podkit(peer: _Peer, cgroup_parent: str) -> None:
    for top in Path("/sys/fs/cgroup").glob(f"*/{cgroup_parent}"):
        for directory, _, _ in sorted(os.walk(top), key=lambda e: -len(e[0])):
            with contextlib.suppress(OSError):
                Path(directory).rmdir()
    subprocess.run(
        ["/usr/sbin/ip", "link", "del", peer.network.bridge], capture_output=True, check=False
    )


def _containerd_peer(tmp: Path) -> _Peer:
    peer = _Peer(tmp, "containerd")
    daemon = Containerd(peer.tmp / "daemon", network=peer.network)
    peer.cleanups.append(daemon.stop)
    daemon.start()
    daemon.import_image(build_sandbox_image(peer.tmp / "sandbox").path)
    busybox = build_busybox_image(peer.tmp / "busybox", ref_name=BUSYBOX_IMAGE)
    daemon.import_image(busybox.path)
    client = CriClientPlugin(daemon.endpoint, HANDLER_CONTAINERD)
    peer.cleanups.append(client.close)
    peer.manager.register(client, name="pkcd-cri", kind="runtime")
    conf_dir = peer.tmp / "net.d"
    conf_dir.mkdir()
    peer.start_node(HANDLER_CONTAINERD, conf_dir)
    return peer


def _measure(node: SyncNode, one: int, many: int) -> dict[str, list[float] | float]:
    def start(name: str) -> float:
        begin = time.perf_counter()
        node.apply(_objects(name))
        node.wait_for(NAMESPACE, name, PodPhase.RUNNING, timeout=_TIMEOUT)
        return time.perf_counter() - begin

    def delete(name: str) -> float:
        begin = time.perf_counter()
        node.delete(NAMESPACE, name, grace_period=0)
        return time.perf_counter() - begin

    # A node runs some pod at all times: the warm-up pod stays up while the others
    # are measured (for podkit it keeps the runtime's monitor zygote up).
    start(f"{PREFIX}-warm")
    starts, deletes = [], []
    for i in range(one):
        starts.append(start(f"{PREFIX}-one-{i}"))
        deletes.append(delete(f"{PREFIX}-one-{i}"))
    starts_all, wall_start = concurrent(lambda i: start(f"{PREFIX}-many-{i}"), many)
    deletes_all, wall_delete = concurrent(lambda i: delete(f"{PREFIX}-many-{i}"), many)
    delete(f"{PREFIX}-warm")
    return {
        "start": starts,
        "delete": deletes,
        "start_all": starts_all,
        "delete_all": deletes_all,
        "wall_start": wall_start,
        "wall_delete": wall_delete,
    }


def _run(make: Callable[[Path], _Peer], tmp: Path, one: int, many: int) -> dict:  # type: ignore[type-arg]
    peer = make(tmp)
    try:
        assert peer.node is not None
        return _measure(peer.node, one, many)
    finally:
        peer.close()


def _converge(tmp: Path, n: int) -> dict[str, float]:
    """``n`` pods Running; the node closed as if killed (pods kept); a new node takes over.

    Timed from making the new node until every pod reads Running again, and
    checked: no container was restarted or replaced by the takeover.
    """
    peer = _podkit_peer(tmp)
    try:
        assert peer.node is not None
        names = [f"{PREFIX}-r{i}" for i in range(n)]
        peer.node.apply([obj for name in names for obj in _objects(name)])
        for name in names:
            peer.node.wait_for(NAMESPACE, name, PodPhase.RUNNING, timeout=_TIMEOUT)
        before = {
            name: peer.node.status(NAMESPACE, name).container("main").container_id for name in names
        }
        peer.node.close(keep_pods=True)
        peer.node = None
        begin = time.perf_counter()
        node = peer.start_node(HANDLER_PODKIT, peer.tmp / "net.d")
        taken_over = time.perf_counter() - begin
        for name in names:
            node.wait_for(NAMESPACE, name, PodPhase.RUNNING, timeout=_TIMEOUT)
        converged = time.perf_counter() - begin
        for name in names:
            main = node.status(NAMESPACE, name).container("main")
            if (main.container_id, main.restart_count) != (before[name], 0):
                msg = f"{name}: the takeover restarted or replaced its container"
                raise RuntimeError(msg)
        return {"taken_over": taken_over, "converged": converged}
    finally:
        peer.close()


def main(tmp: Path, *, quick: bool = False) -> None:
    """Print the node table: podkit in-process against the Node on containerd."""
    one, many = (3, 3) if quick else (10, 20)
    header(
        f"node: manifest to Running, pod with a Secret volume ({one} one by one, {many} at once)",
        [
            "podkit.SyncNode, sync_period 0.1 s, same Secret plugin; bridge + host-local",
            "in-process: namespace runtime + podkit bridge through the hooks",
            "containerd: CriClientPlugin -> containerd + runc + Go bridge",
            "delete: grace period 0, until the pod is gone",
        ],
    )
    ours = _run(_podkit_peer, tmp, one, many)
    peer = _run(_containerd_peer, tmp, one, many)
    for key, label in (
        ("start", "to Running, one at a time"),
        ("delete", "delete, one at a time"),
        ("start_all", f"to Running, {many} at once"),
        ("delete_all", f"delete, {many} at once"),
    ):
        row(f"{label}: Node on containerd", peer[key])  # type: ignore[arg-type]
        row(f"{label}: Node in-process", ours[key], peer[key])  # type: ignore[arg-type]
    for name, result in (("in-process", ours), ("containerd", peer)):
        note(
            f"{name}: {many} at once all Running after {result['wall_start'] * 1e3:.0f} ms,"
            f" all deleted after {result['wall_delete'] * 1e3:.0f} ms"
        )
    pods = 10 if quick else 100
    header(
        f"node: converge after a restart with {pods} pods running (podkit in-process)",
        [
            "the node is closed keeping its pods (as a kill -9 would leave them); a new",
            "SyncNode on the same state dir takes them over: none restarted (checked)",
        ],
    )
    (tmp / "converge").mkdir()
    restart = _converge(tmp / "converge", pods)
    row("new node made (pods adopted)", [restart["taken_over"]])
    row(f"all {pods} pods Running again", [restart["converged"]])


__all__ = ["main"]

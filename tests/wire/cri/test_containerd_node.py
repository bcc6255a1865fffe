"""The kubelet core runs end-to-end pods on containerd, through the CRI client.

``podkit.SyncNode`` with :class:`podkit.CriClientPlugin` as its runtime
handler, on a containerd 1.6 of the test's own that runs podkit's CNI plugins
through ``podkit-cni``: the runtime layer attaches no network for that
handler (containerd does it in RunPodSandbox) and reports the address
containerd gave. Volumes are podkit's storage plugins, on the node side, as
a kubelet's are; containerd bind-mounts their host paths. Each test starts
and stops its node inside the leak check; containerd is module-scoped.
"""

from __future__ import annotations

import ipaddress
import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from pkcd_containerd import pkcd_layouts, running_containerd

import podkit
from podkit import manifests
from podkit.kubelet import BackOffPolicy, PodPhase, SyncNode
from podkit.models.runtime import PodSandboxFilter
from podkit.plugins.storage.emptydir import EmptyDirVolumes
from podkit.plugins.storage.hostpath_volume import HostPathVolumes
from podkit.plugins.storage.projected import SecretVolumes
from podkit.testing.containerd import BUSYBOX_IMAGE
from podkit.wire.cri import CriClientPlugin

pytestmark = [pytest.mark.root, pytest.mark.netns, pytest.mark.integration, pytest.mark.slow]

__all__ = ["pkcd_layouts"]  # the fixture, imported for pytest

HANDLER = "pkcd-containerd"


@pytest.fixture(scope="module")
def containerd(pkcd_layouts):
    """containerd on podkit-cni, with one pod run and removed so that the bridge exists."""
    with running_containerd(pkcd_layouts) as daemon:
        client = CriClientPlugin(daemon.endpoint, HANDLER)
        try:
            _warm_up(client)
        finally:
            client.close()
        yield daemon


def _warm_up(client: CriClientPlugin) -> None:
    from podkit.models.runtime import PodSandboxConfig, PodSandboxMetadata

    metadata = PodSandboxMetadata(name="pkcd-warm-up", uid="pkcd-warm-up", namespace="pkcd")
    sandbox_id = client.runtime_run_pod_sandbox(PodSandboxConfig(metadata=metadata))
    client.runtime_remove_pod_sandbox(sandbox_id)


class ContainerdNode:
    """A SyncNode whose runtime is containerd through the CRI client; storage on temp dirs."""

    def __init__(self, daemon):
        self.daemon = daemon
        self.tmp = Path(tempfile.mkdtemp(prefix="pkcd-node-"))
        self.client = CriClientPlugin(daemon.endpoint, HANDLER)
        self.manager = podkit.PluginManager()
        self.manager.register(self.client, name="pkcd-cri", kind="runtime")
        storage = {
            "pkcd-secret": SecretVolumes(self.tmp / "secret"),
            "pkcd-emptydir": EmptyDirVolumes(self.tmp / "emptydir"),
            "pkcd-hostpath": HostPathVolumes(self.tmp / "hostpath"),
        }
        for name, plugin in storage.items():
            self.manager.register(plugin, name=name, kind="storage")
        self.node = SyncNode(
            self.manager,
            state_dir=self.tmp / "kubelet",
            run_dir=self.tmp / "run",
            cni_conf_dir=self.tmp / "net.d",
            node_name="pkcd-node",
            runtime_handler=HANDLER,
            backoff=BackOffPolicy(base=0.2, max=1.0),
            sync_period=0.1,
        )

    def close(self):
        """Close the node (every pod deleted); what containerd still holds of it."""
        try:
            self.node.close()
            return [
                *(
                    f"sandbox {s.id}"
                    for s in self.client.runtime_list_pod_sandbox(PodSandboxFilter())
                ),
                *(f"address {a}" for a in self.daemon.network.reservations()),
                *(f"volume dir {p}" for p in (self.tmp / "kubelet").glob("pods/*")),
            ]
        finally:
            self.client.close()
            shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture
def node(containerd):
    made = ContainerdNode(containerd)
    try:
        yield made
    finally:
        left = made.close()
    assert left == []


def _load(*documents):
    return manifests.load("".join(f"---\n{json.dumps(d)}\n" for d in documents))


def _container(name, script, **fields):
    return {
        "name": name,
        "image": BUSYBOX_IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "command": ["sh", "-c", script],
        **fields,
    }


def _pod(name, *containers, restart_policy="Never", **spec):
    body = {"restartPolicy": restart_policy, "containers": list(containers), **spec}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": body}


SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "pkcd-creds"},
    "stringData": {"token": "pkcd-s3cr3t"},
}


def test_a_pod_with_init_containers_a_secret_and_a_shared_network_runs_on_containerd(node):
    """Init container first; a Secret as a file and a variable; two containers on localhost."""
    secret_env = {
        "name": "TOKEN",
        "valueFrom": {"secretKeyRef": {"name": "pkcd-creds", "key": "token"}},
    }
    init = _container(
        "init",
        "echo prepared > /work/index.html",
        volumeMounts=[{"name": "work", "mountPath": "/work"}],
    )
    server = _container(
        "server",
        "cp /creds/token /work/token; exec httpd -f -p 8080 -h /work",
        volumeMounts=[
            {"name": "creds", "mountPath": "/creds"},
            {"name": "work", "mountPath": "/work"},
        ],
    )
    client = _container(
        "client",
        'until wget -qO- http://127.0.0.1:8080/token; do sleep 0.2; done; echo; echo "env=$TOKEN";'
        " wget -qO- http://127.0.0.1:8080/index.html; exec sleep 3600",
        env=[secret_env],
    )
    volumes = [
        {"name": "creds", "secret": {"secretName": "pkcd-creds"}},
        {"name": "work", "emptyDir": {}},
    ]
    pod = _pod("pkcd-web", server, client, initContainers=[init], volumes=volumes)
    node.node.apply(_load(SECRET, pod))
    status = node.node.wait_for("default", "pkcd-web", PodPhase.RUNNING, timeout=90)
    assert status.init_container_statuses[0].state.exit_code == 0
    address = status.pod_ip
    assert ipaddress.ip_address(address) in ipaddress.ip_network(node.daemon.network.subnet)
    (sandbox,) = node.client.runtime_list_pod_sandbox(PodSandboxFilter())
    assert node.daemon.network.reservations() == {address: sandbox.id}
    expected = "pkcd-s3cr3t\nenv=pkcd-s3cr3t\nprepared\n"
    deadline = time.monotonic() + 60
    while (logs := node.node.logs("default", "pkcd-web", "client")) != expected:
        assert time.monotonic() < deadline, logs
        time.sleep(0.1)
    seen = node.node.exec("default", "pkcd-web", "server", ["hostname"])
    assert seen.stdout == b"pkcd-web\n"
    node.node.delete("default", "pkcd-web", grace_period=1)
    assert node.daemon.network.reservations() == {}


def test_liveness_restarts_and_pre_stop_run_through_containerd(node, tmp_path):
    """A failing exec liveness probe (ExecSync over CRI) restarts the container; preStop runs."""
    out = tmp_path / "pkcd-out"
    probe = {
        "exec": {"command": ["cat", "/healthy"]},
        "periodSeconds": 1,
        "failureThreshold": 1,
    }
    container = _container(
        "main",
        "touch /healthy; sleep 2; rm /healthy; exec sleep 3600",
        livenessProbe=probe,
        lifecycle={"preStop": {"exec": {"command": ["sh", "-c", "echo bye > /out/hook"]}}},
        volumeMounts=[{"name": "out", "mountPath": "/out"}],
    )
    volume = {"name": "out", "hostPath": {"path": str(out), "type": "DirectoryOrCreate"}}
    pod = _pod("pkcd-live", container, restart_policy="Always", volumes=[volume])
    node.node.apply(_load(pod))
    node.node.wait_for(
        "default",
        "pkcd-live",
        lambda status: (
            status.container("main").restart_count >= 1 and status.phase is PodPhase.RUNNING
        ),
        timeout=90,
    )
    node.node.delete("default", "pkcd-live", grace_period=5)
    assert (out / "hook").read_text() == "bye\n"


def test_readiness_gates_ready_through_exec_sync_on_containerd(node):
    """A readiness probe (ExecSync over CRI) keeps the pod unready until it passes."""
    probe = {"exec": {"command": ["test", "-f", "/ready"]}, "periodSeconds": 1}
    container = _container("main", "sleep 2; touch /ready; exec sleep 3600", readinessProbe=probe)
    node.node.apply(_load(_pod("pkcd-ready", container, restart_policy="Always")))
    running = node.node.wait_for("default", "pkcd-ready", PodPhase.RUNNING, timeout=90)
    assert not running.condition("Ready")
    ready = node.node.wait_for(
        "default", "pkcd-ready", lambda status: status.condition("Ready"), timeout=60
    )
    assert ready.container("main").ready
    node.node.delete("default", "pkcd-ready", grace_period=0)


def test_a_crash_looping_pod_restarts_with_back_off_and_is_deleted_on_containerd(node):
    """Restarts with back-off; deleting it mid-loop removes every attempt.

    containerd refuses to remove a container it still runs: the kubelet stops
    each container before removing it, whatever its own view says.
    """
    container = _container("main", "echo try; sleep 0.2; exit 1")
    node.node.apply(_load(_pod("pkcd-crashy", container, restart_policy="Always")))
    status = node.node.wait_for(
        "default", "pkcd-crashy", lambda s: s.container("main").restart_count >= 2, timeout=90
    )
    assert any(event.reason == "BackOff" for event in status.events)
    node.node.delete("default", "pkcd-crashy", grace_period=0)
    assert [p.metadata.name for p in node.node.pods()] == []

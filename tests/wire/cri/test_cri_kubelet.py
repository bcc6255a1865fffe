"""The kubelet core runs pods on a CRI runtime through CriClientPlugin.

The CRI runtime is ``podkit serve cri`` (a subprocess) with a bridge
network in its CNI configuration directory: the runtime attaches pod
networks itself, so the kubelet's runtime layer must attach none and report
the address the runtime gave. The test image is the node's static busybox,
served by the conformance suite's registry on 127.0.0.1 and pulled through
CRI ``PullImage``.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess

import pytest
from pkcw_server import ServerProcess, remove_parent_cgroups

import podkit
from podkit import manifests
from podkit.conformance.runtime._registry import LocalRegistry
from podkit.kubelet import BackOffPolicy, SyncNode
from podkit.testing import DEFAULT_BUSYBOX, build_busybox_image
from podkit.wire.cri import CriClientPlugin

pytestmark = [pytest.mark.root, pytest.mark.netns, pytest.mark.integration]

BRIDGE = "pkcw1"
SUBNET = ipaddress.ip_network("10.251.8.0/24")
HANDLER = "pkcw-cri"


@pytest.fixture
def image(tmp_path):
    if not DEFAULT_BUSYBOX.exists():
        pytest.skip(f"needs {DEFAULT_BUSYBOX} (apt-get install busybox-static)")
    layout = tmp_path / "layout"
    build_busybox_image(layout)
    with LocalRegistry() as registry:
        registry.serve("pkcw/busybox", layout)
        yield registry.reference("pkcw/busybox", "latest")


@pytest.fixture
def node(pkcw_dir, image):
    conflist = {
        "cniVersion": "1.0.0",
        "name": "pkcw-kubelet",
        "plugins": [
            {
                "type": "bridge",
                "bridge": BRIDGE,
                "isGateway": True,
                "ipMasq": False,
                "ipam": {
                    "type": "host-local",
                    "ranges": [[{"subnet": str(SUBNET)}]],
                    "dataDir": str(pkcw_dir / "ipam"),
                },
            }
        ],
    }
    (pkcw_dir / "net.d").mkdir()
    (pkcw_dir / "net.d" / "10-pkcw.conflist").write_text(json.dumps(conflist))
    server = ServerProcess(pkcw_dir, "bridge", "host-local", "loopback")
    client = CriClientPlugin(f"unix://{server.socket}", HANDLER)
    manager = podkit.PluginManager()
    manager.register(client, name="pkcw-cri", kind="runtime")
    sync = SyncNode(
        manager,
        state_dir=pkcw_dir / "kubelet",
        run_dir=pkcw_dir / "run",
        cni_conf_dir=pkcw_dir / "kubelet-net.d",
        node_name="pkcw-node",
        runtime_handler=HANDLER,
        backoff=BackOffPolicy(base=0.2, max=1.0),
        sync_period=0.1,
    )
    yield sync, image, client
    try:
        sync.close()
        leftovers = client.runtime_list_pod_sandbox(podkit.models.runtime.PodSandboxFilter())
    finally:
        client.close()
        code = server.stop()
        subprocess.run(["ip", "link", "del", BRIDGE], check=False, capture_output=True)
        remove_parent_cgroups()
    assert leftovers == ()
    assert code == 0, server.output()


def _pod(name, image, script):
    container = {"name": "main", "image": image, "command": ["sh", "-c", script]}
    body = {"restartPolicy": "Never", "containers": [container]}
    document = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": body}
    return manifests.load(json.dumps(document))


def test_a_pod_runs_to_completion_with_its_logs_on_the_cri_runtime(node):
    sync, image, _ = node
    sync.apply(_pod("pkcw-echo", image, "echo hello through cri; exit 0"))
    status = sync.wait_for("default", "pkcw-echo", "Succeeded", timeout=90)
    assert status.container("main").state.exit_code == 0
    assert sync.logs("default", "pkcw-echo", "main") == "hello through cri\n"


def test_a_running_pod_gets_its_address_from_the_runtime_s_network(node):
    sync, image, _ = node
    sync.apply(_pod("pkcw-sleep", image, "sleep 3600"))
    status = sync.wait_for("default", "pkcw-sleep", "Running", timeout=90)
    assert ipaddress.ip_address(status.pod_ip) in SUBNET
    assert sync.exec("default", "pkcw-sleep", "main", ["hostname"]).exit_code == 0
    sync.delete("default", "pkcw-sleep", grace_period=0)

"""Pod networks through CRI: the server attaches them; a layer over the client attaches none.

``podkit serve cri`` runs the reference runtime with the bridge, host-local
and loopback plugins and a bridge network in its CNI configuration
directory, as containerd runs CNI. On the other side, a runtime layer (what
the kubelet core runs pods through) holds a CriClientPlugin and a network
plugin that records calls: since the remote runtime sets up pod networks
itself, the layer must call no network hook, and must report the address
the remote runtime gave.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
import subprocess

import grpc
import pytest
from pkcw_server import ServerProcess, remove_parent_cgroups

import podkit
from podkit.models.runtime import (
    NETWORK_READY,
    PodSandboxConfig,
    PodSandboxMetadata,
)
from podkit.runtimelayer import RuntimeLayer
from podkit.wire.cri import CriClientPlugin
from podkit.wire.cri._proto import api_pb2 as pb
from podkit.wire.cri._proto import api_pb2_grpc

pytestmark = [pytest.mark.root, pytest.mark.netns, pytest.mark.integration]

BRIDGE = "pkcw0"
SUBNET = ipaddress.ip_network("10.251.7.0/24")
CLIENT = "pkcw-cri"


@podkit.answers_for("bridge", "loopback")
class RecordingNetwork:
    """Fails the test if the client-side layer runs any CNI operation."""

    def __init__(self):
        self.calls = []

    def network_add(self, config, attachment):
        self.calls.append(("ADD", config.type, attachment.container_id))
        msg = "the layer must not attach networks for a CRI runtime"
        raise podkit.FailedPreconditionError(msg)

    def network_del(self, config, attachment):
        self.calls.append(("DEL", config.type, attachment.container_id))
        return True


def _conflist(folder):
    return {
        "cniVersion": "1.0.0",
        "name": "pkcw-net",
        "plugins": [
            {
                "type": "bridge",
                "bridge": BRIDGE,
                "isGateway": True,
                "ipMasq": False,
                "ipam": {
                    "type": "host-local",
                    "ranges": [[{"subnet": str(SUBNET)}]],
                    "dataDir": str(folder / "ipam"),
                },
            }
        ],
    }


@pytest.fixture
def networked_server(pkcw_dir):
    (pkcw_dir / "net.d").mkdir()
    (pkcw_dir / "net.d" / "10-pkcw.conflist").write_text(json.dumps(_conflist(pkcw_dir)))
    server = ServerProcess(pkcw_dir, "bridge", "host-local", "loopback")
    yield server
    code = server.stop()
    subprocess.run(["ip", "link", "del", BRIDGE], check=False, capture_output=True)
    remove_parent_cgroups()
    assert code == 0, server.output()


@pytest.fixture
def client_layer(networked_server, pkcw_dir):
    client = CriClientPlugin(f"unix://{networked_server.socket}", CLIENT)
    network = RecordingNetwork()
    manager = podkit.PluginManager()
    manager.register(client, name="pkcw-cri", kind="runtime")
    manager.register(network, name="pkcw-network", kind="network")
    (pkcw_dir / "client-net.d").mkdir()
    conf = pkcw_dir / "client-net.d" / "10-pkcw.conflist"
    conf.write_text(json.dumps(_conflist(pkcw_dir)))
    layer = RuntimeLayer(
        manager,
        state_dir=pkcw_dir / "client-state",
        cni_conf_dir=pkcw_dir / "client-net.d",
        default_handler=CLIENT,
    )
    yield layer, network
    client.close()


def _config():
    uid = secrets.token_hex(6)
    return PodSandboxConfig(
        metadata=PodSandboxMetadata(name=f"pkcw-net-{uid}", uid=uid, namespace="pkcw"),
        hostname=f"pkcw-{uid}",
    )


def test_the_server_attaches_the_cni_network_and_reports_the_address(networked_server):
    with grpc.insecure_channel(f"unix://{networked_server.socket}") as channel:
        runtime = api_pb2_grpc.RuntimeServiceStub(channel)
        conditions = runtime.Status(pb.StatusRequest()).status.conditions
        assert [c.status for c in conditions if c.type == NETWORK_READY] == [True]
        from podkit.wire.cri._messages import to_cri

        sandbox_id = runtime.RunPodSandbox(
            pb.RunPodSandboxRequest(config=to_cri(_config()))
        ).pod_sandbox_id
        try:
            status = runtime.PodSandboxStatus(
                pb.PodSandboxStatusRequest(pod_sandbox_id=sandbox_id)
            ).status
            assert ipaddress.ip_address(status.network.ip) in SUBNET
            links = subprocess.run(
                ["ip", "-j", "link", "show", "master", BRIDGE],
                check=True,
                capture_output=True,
                text=True,
            )
            assert len(json.loads(links.stdout)) == 1  # the sandbox's veth
        finally:
            runtime.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=sandbox_id))
        links = subprocess.run(
            ["ip", "-j", "link", "show", "master", BRIDGE], check=True, capture_output=True
        )
        assert json.loads(links.stdout or b"[]") == []


def test_a_layer_over_the_cri_client_attaches_nothing_and_reports_the_remote_address(
    client_layer,
):
    layer, network = client_layer
    assert layer.sets_up_pod_network(CLIENT)
    sandbox_id = layer.run_pod_sandbox(_config(), CLIENT)
    try:
        status = layer.pod_sandbox_status(sandbox_id).status
        assert status.network is not None
        assert ipaddress.ip_address(status.network.ip) in SUBNET
        layer.stop_pod_sandbox(sandbox_id)
    finally:
        layer.remove_pod_sandbox(sandbox_id)
    assert network.calls == []
    assert layer.list_pod_sandbox() == []

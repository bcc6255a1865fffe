"""containerd's CRI plugin runs pods on podkit's CNI plugins, through ``podkit-cni``.

containerd 1.6 is configured with a CNI bin dir of ``podkit-cni`` links
(bridge, host-local, loopback, portmap) and a bridge + host-local conflist;
a sandbox run through CRI (the raw generated stubs) gets its address from
podkit's host-local (its reservation file names the sandbox), its veth is a
port of podkit's bridge, and the container sees the address on ``eth0``.
The same runs on Debian's Go plugins, the benchmark's peer. Everything,
containerd included, is started and removed inside the leak check.
"""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
from pathlib import Path

import grpc
import pytest
from pkcd_containerd import pkcd_layouts, running_containerd

from podkit.testing.containerd import BUSYBOX_IMAGE
from podkit.wire.cri._proto import api_pb2, api_pb2_grpc

pytestmark = [pytest.mark.root, pytest.mark.netns, pytest.mark.integration]

__all__ = ["pkcd_layouts"]  # the fixture, imported for pytest


def _ports(bridge: str) -> set[str]:
    brif = Path("/sys/class/net", bridge, "brif")
    return {p.name for p in brif.iterdir()} if brif.is_dir() else set()


@pytest.mark.parametrize("plugins", ["podkit", "upstream"])
def test_a_containerd_sandbox_gets_its_address_from_the_cni_plugins(pkcd_layouts, plugins):
    with (
        running_containerd(pkcd_layouts, plugins) as daemon,
        contextlib.closing(grpc.insecure_channel(daemon.endpoint)) as channel,
    ):
        network = daemon.network
        assert network is not None
        runtime = api_pb2_grpc.RuntimeServiceStub(channel)
        ready = {
            c.type: c.status for c in runtime.Status(api_pb2.StatusRequest()).status.conditions
        }
        assert ready == {"RuntimeReady": True, "NetworkReady": True}
        config = api_pb2.PodSandboxConfig(
            metadata=api_pb2.PodSandboxMetadata(
                name="pkcd-net", uid=secrets.token_hex(8), namespace="pkcd"
            ),
            log_directory=str(daemon.directory / "logs"),
        )
        sandbox_id = runtime.RunPodSandbox(
            api_pb2.RunPodSandboxRequest(config=config)
        ).pod_sandbox_id
        try:
            status = runtime.PodSandboxStatus(
                api_pb2.PodSandboxStatusRequest(pod_sandbox_id=sandbox_id)
            ).status
            address = status.network.ip
            assert ipaddress.ip_address(address) in ipaddress.ip_network(network.subnet)
            assert network.reservations() == {address: sandbox_id}
            (port,) = _ports(network.bridge)
            assert port.startswith("veth")
            container = api_pb2.ContainerConfig(
                metadata=api_pb2.ContainerMetadata(name="pkcd-c"),
                image=api_pb2.ImageSpec(image=BUSYBOX_IMAGE),
                command=["sleep", "3600"],
                log_path="c.log",
            )
            container_id = runtime.CreateContainer(
                api_pb2.CreateContainerRequest(
                    pod_sandbox_id=sandbox_id, config=container, sandbox_config=config
                )
            ).container_id
            runtime.StartContainer(api_pb2.StartContainerRequest(container_id=container_id))
            seen = runtime.ExecSync(
                api_pb2.ExecSyncRequest(
                    container_id=container_id, cmd=["ip", "-o", "-4", "addr", "show"], timeout=30
                )
            )
            assert seen.exit_code == 0, seen.stderr
            assert f" eth0    inet {address}/" in seen.stdout.decode().replace("\\", " ")
        finally:
            runtime.StopPodSandbox(api_pb2.StopPodSandboxRequest(pod_sandbox_id=sandbox_id))
            runtime.RemovePodSandbox(api_pb2.RemovePodSandboxRequest(pod_sandbox_id=sandbox_id))
        assert network.reservations() == {}
        assert _ports(network.bridge) == set()

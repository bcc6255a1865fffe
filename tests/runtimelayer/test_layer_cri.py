"""What the runtime layer does for CRI: runtimes that network their own pods, and Status.

A runtime plugin in front of a CRI runtime (containerd through
CriClientPlugin) says with ``podkit_sets_up_pod_network`` that the runtime
attaches pod networks itself: the layer then runs no network hook for its
handler and reports the addresses the runtime's PodSandboxStatus gives.
``RuntimeLayer.status`` adds ``NetworkReady`` as a CRI runtime reports it.
Test doubles only: nothing is made on the host.
"""

from __future__ import annotations

import json
import uuid

import pytest

import podkit
from podkit.models.runtime import (
    NETWORK_READY,
    RUNTIME_READY,
    LinuxPodSandboxStatus,
    Namespace,
    PodIP,
    PodSandboxConfig,
    PodSandboxMetadata,
    PodSandboxNetworkStatus,
    PodSandboxState,
    PodSandboxStatus,
    PodSandboxStatusResponse,
    RuntimeCondition,
    RuntimeStatus,
    StatusResponse,
)
from podkit.runtimelayer import SETS_UP_POD_NETWORK, RuntimeLayer

REMOTE = PodSandboxNetworkStatus(ip="10.9.8.7", additional_ips=(PodIP("fd00::7"),))


class FakeRuntime:
    """A runtime double whose sandboxes have a network namespace path, and optionally an IP."""

    def __init__(self, handler, network=None, conditions=()):
        self.podkit_names = (handler,)
        self.network = network
        self.conditions = conditions
        self.sandboxes = {}

    def runtime_run_pod_sandbox(self, config):
        sandbox_id = uuid.uuid4().hex
        self.sandboxes[sandbox_id] = config
        return sandbox_id

    def runtime_pod_sandbox_status(self, pod_sandbox_id):
        if pod_sandbox_id not in self.sandboxes:
            raise podkit.NotFoundError(pod_sandbox_id)
        return PodSandboxStatusResponse(
            status=PodSandboxStatus(
                id=pod_sandbox_id,
                metadata=self.sandboxes[pod_sandbox_id].metadata,
                state=PodSandboxState.SANDBOX_READY,
                network=self.network,
                linux=LinuxPodSandboxStatus(namespaces=Namespace(network_path="/proc/1/ns/net")),
            )
        )

    def runtime_stop_pod_sandbox(self):
        return True

    def runtime_remove_pod_sandbox(self, pod_sandbox_id):
        self.sandboxes.pop(pod_sandbox_id, None)
        return True

    def runtime_status(self):
        return StatusResponse(status=RuntimeStatus(conditions=self.conditions))


class CriLikeRuntime(FakeRuntime):
    """As CriClientPlugin: the runtime behind it attaches pod networks."""

    podkit_sets_up_pod_network = True


@podkit.answers_for("pkl-recorded")
class RecordingNetwork:
    def __init__(self):
        self.calls = []
        self.ready = True

    def network_add(self, config, attachment):
        self.calls.append("ADD")
        msg = "pkl: no attach expected"
        raise podkit.FailedPreconditionError(msg)

    def network_del(self):
        self.calls.append("DEL")
        return True

    def network_status(self):
        self.calls.append("STATUS")
        if not self.ready:
            msg = "pkl: the daemon is down"
            raise podkit.UnavailableError(msg)
        return True


def _layer(tmp_path, *runtimes, network=None, conf=True):
    manager = podkit.PluginManager()
    for index, runtime in enumerate(runtimes):
        manager.register(runtime, name=f"pkl-runtime-{index}", kind="runtime")
    if network is not None:
        manager.register(network, name="pkl-network", kind="network")
    conf_dir = tmp_path / "net.d"
    conf_dir.mkdir()
    if conf:
        body = {"cniVersion": "1.1.0", "name": "pkl", "plugins": [{"type": "pkl-recorded"}]}
        (conf_dir / "10-pkl.conflist").write_text(json.dumps(body))
    return RuntimeLayer(
        manager,
        state_dir=tmp_path / "state",
        cni_conf_dir=conf_dir,
        default_handler=runtimes[0].podkit_names[0],
    )


def _config():
    return PodSandboxConfig(metadata=PodSandboxMetadata(name="pkl", uid="u", namespace="pkl"))


def test_the_attribute_is_the_one_cri_client_plugin_sets():
    from podkit.wire.cri import CriClientPlugin

    client = CriClientPlugin("unix:///tmp/pkl-nowhere.sock", "pkl-cri")
    assert getattr(client, SETS_UP_POD_NETWORK) is True
    client.close()


def test_a_runtime_that_networks_its_pods_gets_no_network_hook_call(tmp_path):
    network = RecordingNetwork()
    layer = _layer(tmp_path, CriLikeRuntime("pkl-cri", network=REMOTE), network=network)
    assert layer.sets_up_pod_network("pkl-cri")
    sandbox_id = layer.run_pod_sandbox(_config(), "pkl-cri")
    assert layer.pod_sandbox_status(sandbox_id).status.network == REMOTE
    layer.stop_pod_sandbox(sandbox_id)
    layer.remove_pod_sandbox(sandbox_id)
    assert network.calls == []


def test_other_handlers_still_get_their_networks_attached(tmp_path):
    network = RecordingNetwork()
    local = FakeRuntime("pkl-local")
    layer = _layer(tmp_path, local, CriLikeRuntime("pkl-cri", network=REMOTE), network=network)
    assert not layer.sets_up_pod_network("pkl-local")
    with pytest.raises(podkit.FailedPreconditionError, match="no attach expected"):
        layer.run_pod_sandbox(_config(), "pkl-local")
    assert network.calls[0] == "ADD"  # the layer tried, then rolled back
    assert local.sandboxes == {}


def test_status_adds_network_ready_from_cni_status(tmp_path):
    ready = RuntimeCondition(type=RUNTIME_READY, status=True)
    network = RecordingNetwork()
    layer = _layer(tmp_path, FakeRuntime("pkl-local", conditions=(ready,)), network=network)
    conditions = layer.status().status.conditions
    assert conditions == (ready, RuntimeCondition(type=NETWORK_READY, status=True))
    assert network.calls == ["STATUS"]
    network.ready = False
    failed = layer.status().status.conditions[1]
    assert (failed.status, failed.reason) == (False, "NetworkPluginNotReady")
    assert "the daemon is down" in failed.message


def test_status_without_a_network_configuration_is_not_network_ready(tmp_path):
    layer = _layer(tmp_path, FakeRuntime("pkl-local"), conf=False)
    (condition,) = layer.status().status.conditions
    assert condition.type == NETWORK_READY
    assert not condition.status
    assert "no network configuration found in" in condition.message


def test_status_keeps_the_network_ready_a_cri_runtime_reports(tmp_path):
    own = RuntimeCondition(type=NETWORK_READY, status=False, reason="NoCNI", message="pkl")
    network = RecordingNetwork()
    layer = _layer(tmp_path, CriLikeRuntime("pkl-cri", conditions=(own,)), network=network)
    assert layer.status().status.conditions == (own,)
    assert network.calls == []

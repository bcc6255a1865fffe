"""The runtime layer: a sandbox's networks attached, detached and rolled back.

Networks are real: Debian's upstream bridge and host-local plugins through
the CNI exec client, on a real network namespace. The runtime plugin is a
test double (``NetnsOnlyRuntime``) that makes nothing but that namespace:
the reference runtime is tested on its own.
"""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest

import podkit
from podkit.models.network import Result
from podkit.models.runtime import (
    LinuxPodSandboxConfig,
    LinuxPodSandboxStatus,
    LinuxSandboxSecurityContext,
    Namespace,
    NamespaceMode,
    NamespaceOption,
    PodSandbox,
    PodSandboxConfig,
    PodSandboxMetadata,
    PodSandboxState,
    PodSandboxStatus,
    PodSandboxStatusResponse,
    PortMapping,
)
from podkit.runtimelayer import RuntimeLayer
from podkit.testing import require_binary

pytestmark = [pytest.mark.root, pytest.mark.netns]


@podkit.answers_for("pkl-netns")
class NetnsOnlyRuntime:
    """Test double of a runtime plugin: a sandbox is just a named network namespace."""

    def __init__(self):
        self.sandboxes = {}

    def runtime_run_pod_sandbox(self, config):
        sandbox_id = f"pkl-{uuid.uuid4().hex[:10]}"
        host = config.linux.security_context.namespace_options.network == NamespaceMode.NODE
        if not host:
            subprocess.run(["ip", "netns", "add", sandbox_id], check=True)
        self.sandboxes[sandbox_id] = (config, host)
        return sandbox_id

    def runtime_pod_sandbox_status(self, pod_sandbox_id):
        config, host = self.sandboxes[pod_sandbox_id]
        path = "" if host else f"/run/netns/{pod_sandbox_id}"
        return PodSandboxStatusResponse(
            status=PodSandboxStatus(
                id=pod_sandbox_id,
                metadata=config.metadata,
                state=PodSandboxState.SANDBOX_READY,
                linux=LinuxPodSandboxStatus(namespaces=Namespace(network_path=path)),
            )
        )

    def runtime_list_pod_sandbox(self):
        return tuple(
            PodSandbox(id=i, metadata=c.metadata, state=PodSandboxState.SANDBOX_READY)
            for i, (c, _) in self.sandboxes.items()
        )

    def runtime_stop_pod_sandbox(self):
        return True

    def runtime_remove_pod_sandbox(self, pod_sandbox_id):
        if self.sandboxes.pop(pod_sandbox_id, None) is not None:
            subprocess.run(["ip", "netns", "del", pod_sandbox_id], check=False)
        return True


@podkit.answers_for("pkl-fail")
class FailingNetwork:
    def network_add(self, config):
        msg = f"failed to add network {config.name!r}: refused by the test"
        raise podkit.UnavailableError(msg)

    def network_del(self):
        return True


@podkit.answers_for("pkl-capture")
class CapturingNetwork:
    def __init__(self):
        self.seen = []

    def network_add(self, config):
        self.seen.append(config)
        return config.prev_result or Result(cni_version=config.cni_version)

    def network_del(self):
        return True


@pytest.fixture
def bridge():
    require_binary("/usr/lib/cni/bridge")
    name = f"pkl{uuid.uuid4().hex[:8]}"
    yield name
    subprocess.run(["ip", "link", "del", name], check=False, capture_output=True)


@pytest.fixture
def setup(tmp_path, bridge):
    conf_dir = tmp_path / "net.d"
    conf_dir.mkdir()
    ipam_dir = tmp_path / "ipam"
    runtime, capture = NetnsOnlyRuntime(), CapturingNetwork()
    manager = podkit.PluginManager()
    manager.register(runtime, name="netns-only", kind="runtime")
    manager.register(podkit.CniExecPlugin(["/usr/lib/cni"]), name="upstream", kind="network")
    manager.register(FailingNetwork, name="failing", kind="network")
    manager.register(capture, name="capture", kind="network")

    def write(*plugins, name="pkl-pods"):
        conflist = {"cniVersion": "1.0.0", "name": name, "plugins": list(plugins)}
        (conf_dir / "10-pods.conflist").write_text(json.dumps(conflist))

    bridge_conf = {
        "type": "bridge",
        "bridge": bridge,
        "isGateway": True,
        "ipam": {
            "type": "host-local",
            "dataDir": str(ipam_dir),
            "ranges": [[{"subnet": "198.51.100.0/28"}]],
        },
    }
    layer = RuntimeLayer(
        manager,
        state_dir=tmp_path / "state",
        cni_conf_dir=conf_dir,
        default_handler="pkl-netns",
    )
    yield layer, manager, write, bridge_conf, ipam_dir, runtime, capture
    for sandbox_id in list(runtime.sandboxes):
        layer.remove_pod_sandbox(sandbox_id)


def _config(name="web", *, host_network=False, ports=()):
    mode = NamespaceMode.NODE if host_network else NamespaceMode.POD
    return PodSandboxConfig(
        metadata=PodSandboxMetadata(name=name, namespace="default", uid=f"uid-{name}"),
        port_mappings=ports,
        linux=LinuxPodSandboxConfig(
            security_context=LinuxSandboxSecurityContext(
                namespace_options=NamespaceOption(network=mode)
            )
        ),
    )


def _addresses(netns):
    out = subprocess.run(
        ["ip", "-n", netns, "-j", "addr", "show", "eth0"],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return []
    return [a["local"] for a in json.loads(out.stdout)[0]["addr_info"] if a["family"] == "inet"]


def _lo_is_up(netns):
    out = subprocess.run(
        ["ip", "-n", netns, "-j", "link", "show", "lo"], capture_output=True, text=True, check=True
    )
    return "UP" in json.loads(out.stdout)[0]["flags"]


def _reservations(ipam_dir):
    folder = ipam_dir / "pkl-pods"
    return (
        sorted(p.name for p in folder.iterdir() if p.name[0].isdigit()) if folder.exists() else []
    )


def test_a_sandbox_gets_its_network_and_loses_it_when_stopped(setup):
    layer, _, write, bridge_conf, ipam_dir, runtime, _ = setup
    write(bridge_conf)
    sandbox_id = layer.run_pod_sandbox(_config())
    status = layer.pod_sandbox_status(sandbox_id).status
    assert status.network is not None
    assert status.network.ip.startswith("198.51.100.")
    assert _addresses(sandbox_id) == [status.network.ip]
    assert _reservations(ipam_dir) == [status.network.ip]
    assert _lo_is_up(sandbox_id)  # the loopback plugin ran first, as in containerd
    layer.check_pod_network(sandbox_id)

    layer.stop_pod_sandbox(sandbox_id)
    assert _addresses(sandbox_id) == []
    assert _reservations(ipam_dir) == []
    assert layer.pod_sandbox_status(sandbox_id).status.network is None
    layer.stop_pod_sandbox(sandbox_id)  # idempotent

    layer.remove_pod_sandbox(sandbox_id)
    assert sandbox_id not in runtime.sandboxes
    layer.remove_pod_sandbox(sandbox_id)  # idempotent
    with pytest.raises(podkit.NotFoundError):
        layer.pod_sandbox_status(sandbox_id)


def test_a_failure_half_way_rolls_everything_back(setup):
    layer, _, write, bridge_conf, ipam_dir, runtime, _ = setup
    write(bridge_conf, {"type": "pkl-fail"})
    with pytest.raises(podkit.UnavailableError, match="refused by the test"):
        layer.run_pod_sandbox(_config())
    assert runtime.sandboxes == {}
    assert _reservations(ipam_dir) == []
    assert layer.list_pod_sandbox() == []


def test_a_restarted_layer_still_knows_the_addresses_and_detaches(setup, tmp_path):
    layer, manager, write, bridge_conf, ipam_dir, _, _ = setup
    write(bridge_conf)
    sandbox_id = layer.run_pod_sandbox(_config())
    ip = layer.pod_sandbox_status(sandbox_id).status.network.ip
    again = RuntimeLayer(manager, state_dir=tmp_path / "state", cni_conf_dir=tmp_path / "net.d")
    assert again.pod_sandbox_status(sandbox_id).status.network.ip == ip
    (tmp_path / "net.d" / "10-pods.conflist").unlink()  # DEL works from the cached config
    again.stop_pod_sandbox(sandbox_id)
    assert _reservations(ipam_dir) == []


def test_port_mappings_reach_only_plugins_that_ask_for_them(setup):
    layer, _, write, _, _, _, capture = setup
    write({"type": "pkl-capture"}, {"type": "pkl-capture", "capabilities": {"portMappings": True}})
    layer.run_pod_sandbox(
        _config(
            ports=(PortMapping(container_port=80, host_port=8080), PortMapping(container_port=81))
        )
    )
    without, with_ports = capture.seen
    assert without.runtime_config.port_mappings == ()
    [mapping] = with_ports.runtime_config.port_mappings
    assert (mapping.host_port, mapping.container_port, mapping.protocol) == (8080, 80, "tcp")


def test_a_host_network_sandbox_is_not_attached(setup):
    layer, _, write, bridge_conf, ipam_dir, _, _ = setup
    write(bridge_conf)
    sandbox_id = layer.run_pod_sandbox(_config(host_network=True))
    assert layer.pod_sandbox_status(sandbox_id).status.network is None
    assert _reservations(ipam_dir) == []


def test_a_broken_configuration_file_is_named(setup, tmp_path):
    layer, *_ = setup
    (tmp_path / "net.d" / "10-pods.conflist").write_text("{not json")
    with pytest.raises(podkit.InvalidArgumentError, match=r"10-pods\.conflist"):
        layer.run_pod_sandbox(_config())

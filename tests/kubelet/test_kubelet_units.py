"""The kubelet's small pieces: phases, back-off, CRI logs, the default network, volume requests."""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

import podkit.errors
from podkit import manifests
from podkit.kubelet import (
    BackOffPolicy,
    ContainerStateRunning,
    ContainerStateTerminated,
    ContainerStateWaiting,
    ContainerStatus,
    PodPhase,
)
from podkit.kubelet._backoff import BackOff
from podkit.kubelet._logs import parse_cri_log
from podkit.kubelet._network import ensure_default_network
from podkit.kubelet._objects import ObjectStore
from podkit.kubelet._status import pod_conditions, pod_phase
from podkit.kubelet._volumes import VolumeManager
from podkit.models.kube import RestartPolicy
from podkit.plugins.storage.emptydir import EmptyDirVolumes
from podkit.plugins.storage.hostpath_volume import HostPathVolumes
from podkit.plugins.storage.projected import ConfigMapVolumes, SecretVolumes

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def running(name="c"):
    return ContainerStatus(name=name, state=ContainerStateRunning(started_at=NOW), ready=True)


def exited(code, name="c"):
    return ContainerStatus(name=name, state=ContainerStateTerminated(exit_code=code))


def waiting(name="c", *, ran=False):
    last = ContainerStateTerminated(exit_code=1) if ran else None
    return ContainerStatus(
        name=name, state=ContainerStateWaiting(reason="CrashLoopBackOff"), last_state=last
    )


@pytest.mark.parametrize(
    ("init", "app", "policy", "phase"),
    [
        ([], [waiting()], RestartPolicy.NEVER, PodPhase.PENDING),
        ([running()], [waiting()], RestartPolicy.ALWAYS, PodPhase.PENDING),
        ([exited(1)], [waiting()], RestartPolicy.NEVER, PodPhase.FAILED),
        ([exited(1)], [waiting()], RestartPolicy.ON_FAILURE, PodPhase.PENDING),
        ([exited(0)], [running()], RestartPolicy.NEVER, PodPhase.RUNNING),
        ([], [exited(0), exited(0)], RestartPolicy.NEVER, PodPhase.SUCCEEDED),
        ([], [exited(0), exited(3)], RestartPolicy.NEVER, PodPhase.FAILED),
        ([], [exited(0)], RestartPolicy.ALWAYS, PodPhase.RUNNING),
        ([], [waiting(ran=True)], RestartPolicy.ON_FAILURE, PodPhase.RUNNING),
        ([], [exited(0), running()], RestartPolicy.ON_FAILURE, PodPhase.RUNNING),
    ],
)
def test_the_phase_is_the_kubelets(init, app, policy, phase):
    assert pod_phase(init, app, policy) is phase


def test_ready_follows_the_containers_and_a_completed_pod_is_not_ready():
    conditions = {c.type: c for c in pod_conditions(PodPhase.RUNNING, [exited(0)], [running()])}
    assert conditions["Initialized"].status
    assert conditions["Ready"].status
    done = {c.type: c for c in pod_conditions(PodPhase.SUCCEEDED, [], [exited(0)])}
    assert not done["Ready"].status
    assert done["Ready"].reason == "PodCompleted"


def test_back_off_doubles_to_its_maximum_and_resets_after_a_long_run():
    backoff = BackOff(BackOffPolicy(base=10, max=40, reset=600))
    assert [backoff.next_delay(1) for _ in range(5)] == [0, 10, 20, 40, 40]
    assert backoff.next_delay(601) == 0
    assert backoff.next_delay(1) == 10


def test_cri_logs_are_read_back_with_partial_lines_joined():
    data = (
        b"2026-01-01T00:00:00.000000000Z stdout F hello\n"
        b"2026-01-01T00:00:00.000000001Z stderr P par\n"
        b"2026-01-01T00:00:00.000000002Z stdout F world\n"
        b"2026-01-01T00:00:00.000000003Z stderr F tial\n"
        b"2026-01-01T00:00:00.000000004Z stdout F \n"
    )
    assert parse_cri_log(data) == "hello\nworld\npartial\n\n"
    assert parse_cri_log(data, frozenset({"stderr"})) == "partial\n"


def test_the_default_network_is_written_only_into_an_empty_directory(tmp_path):
    conf_dir = tmp_path / "net.d"
    path = ensure_default_network(conf_dir)
    assert path is not None
    body = json.loads(path.read_text())
    bridge, portmap = body["plugins"]
    assert (body["cniVersion"], bridge["bridge"]) == ("1.0.0", "podkit0")
    assert bridge["ipam"]["ranges"] == [[{"subnet": "10.88.0.0/16"}]]
    assert bridge["isGateway"]
    assert bridge["ipMasq"]
    assert portmap == {"type": "portmap", "capabilities": {"portMappings": True}}
    assert ensure_default_network(conf_dir) is None


POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "namespace": "ns", "uid": "uid-1"},
    "spec": {
        "containers": [{"name": "c", "image": "busybox:1.36"}],
        "volumes": [
            {"name": "h", "hostPath": {"path": "/srv", "type": "DirectoryOrCreate"}},
            {"name": "e", "emptyDir": {"medium": "Memory", "sizeLimit": "8Mi"}},
            {
                "name": "s",
                "secret": {
                    "secretName": "sec",
                    "defaultMode": 0o400,
                    "items": [{"key": "k", "path": "dir/k", "mode": 0o600}],
                },
            },
            {"name": "m", "configMap": {"name": "cm", "optional": True}},
            {"name": "i", "csi": {"driver": "x.example.com", "volumeAttributes": {"a": "b"}}},
        ],
    },
}
SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "sec", "namespace": "ns"},
    "data": {"k": base64.b64encode(b"\x00bin").decode()},
}
CONFIG_MAP = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "cm", "namespace": "ns"},
    "data": {"t": "text"},
    "binaryData": {"b": base64.b64encode(b"\xff").decode()},
}


def publications(tmp_path, *documents):
    objects = manifests.load("".join(f"---\n{json.dumps(d)}\n" for d in documents))
    store = ObjectStore()
    for obj in objects[1:]:
        store.put(obj)
    pod = objects[0]
    manager = VolumeManager(storage=None, pods_dir=tmp_path / "pods", objects=store)
    return {v.name: manager.publication(pod, v) for v in pod.spec.volumes}


def test_volume_requests_follow_each_reference_drivers_conventions(tmp_path):
    found = publications(tmp_path, POD, SECRET, CONFIG_MAP)
    for name, publication in found.items():
        assert publication.target == str(tmp_path / "pods" / "uid-1" / "volumes" / name)
        assert publication.volume_id == f"uid-1-{name}"
    plugins = tmp_path / "plugins"
    host = HostPathVolumes(plugins / "h").parse("v", found["h"].volume_context, {})[1]
    assert (host.path, host.type) == ("/srv", "DirectoryOrCreate")
    empty = EmptyDirVolumes(plugins / "e").parse("v", found["e"].volume_context, {})[1]
    assert (empty.medium.value, empty.size_limit) == ("Memory", 8 << 20)
    secret = found["s"]
    assert secret.readonly
    payload = SecretVolumes(plugins / "s").parse("v", secret.volume_context, secret.secrets)[1]
    assert payload == {"dir/k": (b"\x00bin", 0o600)}
    config = found["m"]
    payload = ConfigMapVolumes(plugins / "m").parse("v", config.volume_context, {})[1]
    assert payload == {"t": (b"text", 0o644), "b": (b"\xff", 0o644)}
    csi = found["i"]
    assert csi.driver == "x.example.com"
    assert csi.volume_context["a"] == "b"
    assert csi.volume_context["csi.storage.k8s.io/ephemeral"] == "true"
    assert csi.volume_context["csi.storage.k8s.io/pod.uid"] == "uid-1"


def test_a_missing_secret_fails_the_volume_and_an_optional_config_map_is_empty(tmp_path):
    from podkit.errors import NotFoundError

    objects = manifests.load(json.dumps(POD))
    manager = VolumeManager(storage=None, pods_dir=tmp_path, objects=ObjectStore())
    volumes = {v.name: v for v in objects[0].spec.volumes}
    with pytest.raises(NotFoundError, match='secret "sec" not found'):
        manager.publication(objects[0], volumes["s"])
    optional = manager.publication(objects[0], volumes["m"])
    payload = ConfigMapVolumes(tmp_path / "m").parse("v", optional.volume_context, {})[1]
    assert payload == {}


def test_podkit_run_refuses_pods_that_would_never_finish(tmp_path):
    manifest = tmp_path / "forever.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: forever}\nspec:\n"
        "  containers:\n  - {name: main, image: busybox:1.36}\n"
    )
    result = subprocess.run(
        [str(Path(sys.executable).parent / "podkit"), "run", "-f", str(manifest)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "restartPolicy Always" in result.stderr


class FakeStorage:
    """Records publish/unpublish calls; fails publishing the volume named ``fail``."""

    def __init__(self):
        self.calls = []

    def node_publish_volume(self, driver, volume_id, *args, **kwargs):
        if volume_id.endswith("-fail"):
            msg = "refused by the test"
            raise podkit.errors.UnavailableError(msg)
        self.calls.append(("publish", volume_id))
        return True

    def node_unpublish_volume(self, driver, volume_id, target):
        self.calls.append(("unpublish", volume_id))
        return True


def test_publishing_is_all_or_nothing_and_unpublishing_goes_in_reverse(tmp_path):
    volumes = [{"name": n, "emptyDir": {}} for n in ("a", "b", "fail")]
    spec = {"containers": [{"name": "c", "image": "busybox:1.36"}], "volumes": volumes}
    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "uid": "u"}, "spec": spec}
    (pod,) = manifests.load(json.dumps(doc))
    storage = FakeStorage()
    manager = VolumeManager(storage, tmp_path / "pods", ObjectStore())
    with pytest.raises(podkit.errors.UnavailableError):
        manager.publish(pod)
    assert storage.calls == [
        ("publish", "u-a"),
        ("publish", "u-b"),
        ("unpublish", "u-b"),
        ("unpublish", "u-a"),
    ]
    storage.calls.clear()
    manager.unpublish(pod)
    manager.unpublish(pod)  # idempotent
    assert storage.calls == [("unpublish", f"u-{n}") for n in ("fail", "b", "a")] * 2
    assert not (tmp_path / "pods" / "u").exists()

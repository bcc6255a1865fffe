"""The Node API without root: a node whose plugins cannot run anything, and what it says."""

from __future__ import annotations

import json

import pytest

import podkit
from podkit import manifests
from podkit.errors import (
    AlreadyExistsError,
    DeadlineExceededError,
    FailedPreconditionError,
    NotFoundError,
)
from podkit.kubelet import BackOffPolicy, PodPhase, SyncNode


def pod(name="p", command=("true",)):
    doc = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "c", "image": "busybox:1.36", "command": list(command)}]},
    }
    return manifests.load(json.dumps(doc))


@pytest.fixture
def node(tmp_path):
    with SyncNode(
        podkit.PluginManager(),  # no plugin: every sandbox fails to start
        state_dir=tmp_path / "state",
        run_dir=tmp_path / "run",
        cni_conf_dir=tmp_path / "net.d",
        node_name="pkk-api",
        backoff=BackOffPolicy(base=0.05, max=0.1),
        sync_period=0.05,
    ) as sync_node:
        yield sync_node


def test_a_pod_whose_sandbox_cannot_start_stays_pending_with_an_event(node, tmp_path):
    (applied,) = node.apply(pod())
    assert applied.metadata.uid
    assert applied.spec.node_name == "pkk-api"
    status = node.wait_for(
        "default", "p", lambda s: any(e.reason == "FailedCreatePodSandBox" for e in s.events)
    )
    assert status.phase is PodPhase.PENDING
    assert status.container("c").state.reason == "ContainerCreating"
    assert status.condition("PodScheduled")
    assert not status.condition("Ready")
    assert status.qos_class == "BestEffort"
    assert (tmp_path / "net.d" / "10-podkit.conflist").is_file()  # the default network


def test_waiting_too_long_says_where_the_pod_is(node):
    node.apply(pod())
    with pytest.raises(DeadlineExceededError, match=r"did not reach .* it is Pending"):
        node.wait_for("default", "p", "Running", timeout=0.2)


def test_applying_the_same_pod_again_changes_nothing_and_another_spec_is_refused(node):
    (first,) = node.apply(pod())
    (again,) = node.apply(pod())
    assert again.metadata.uid == first.metadata.uid
    with pytest.raises(AlreadyExistsError, match="delete it first"):
        node.apply(pod(command=("false",)))


def test_a_deleted_pod_is_gone_and_unknown_pods_are_not_found(node):
    node.apply(pod())
    node.delete("default", "p")
    assert node.pods() == []
    with pytest.raises(NotFoundError, match='pods "p" not found'):
        node.status("default", "p")
    with pytest.raises(NotFoundError):
        node.delete("default", "p")
    with pytest.raises(NotFoundError):
        node.logs("default", "nope", "c")


def test_exec_in_a_container_that_is_not_running_is_refused(node):
    node.apply(pod())
    with pytest.raises(podkit.FailedPreconditionError, match="not running"):
        node.exec("default", "p", "c", ["true"])


def test_the_node_is_public_from_podkit():
    assert podkit.Node is podkit.kubelet.Node
    assert podkit.SyncNode is SyncNode


def test_calling_the_sync_node_from_a_wait_for_condition_is_an_error_not_a_deadlock(node):
    node.apply(pod("looped", ("sleep", "30")))

    def condition(_status):
        return node.status("default", "looped")  # runs on the node's loop

    with pytest.raises(FailedPreconditionError, match="node's own loop"):
        node.wait_for("default", "looped", condition, timeout=10)
    node.delete("default", "looped", grace_period=0)

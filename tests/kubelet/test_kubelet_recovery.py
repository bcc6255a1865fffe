"""A node started again on the same state_dir takes its pods over (issue 6, point 3).

In-process and deterministic: a node stopped with ``close(keep_pods=True)``
leaves everything as a node killed between two operations would; a new node
on the same directories must adopt running containers without restarting
them, keep restart counts and earlier runs, finish deletions, and collect
what no pod owns. The random kill -9 test is test_kubelet_crash.py.
"""

from __future__ import annotations

import json
import time

import pytest
from pkk_helpers import pod_manifest

from podkit import manifests
from podkit.kubelet import ContainerStateRunning, ContainerStateTerminated, PodPhase
from podkit.kubelet._convert import POD_UID_LABEL, sandbox_config
from podkit.kubelet._store import NodeStore
from podkit.models.kube import Container as KubeContainer
from podkit.models.kube import ObjectMeta, Pod, PodSpec
from podkit.models.runtime import PodSandboxFilter

pytestmark = [pytest.mark.root, pytest.mark.netns, pytest.mark.integration]

LOOP = "trap 'exit 0' TERM; echo run; while true; do sleep 0.2; done"


def load(*documents):
    return manifests.load("".join(f"---\n{json.dumps(d)}\n" for d in documents))


def sh(node_env, name, script, **fields):
    return {
        "name": name,
        "image": node_env.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["sh", "-c", script],
        **fields,
    }


def restart(env):
    """Stop the node as a crash would leave things, and start a new one on the same dirs."""
    assert env.node is not None
    env.node.close(keep_pods=True)
    env.node = None
    return env.start()


def test_a_running_pod_is_adopted_without_a_restart_and_reapplying_it_changes_nothing(env):
    node = env.start()
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "pkkc-creds"},
        "stringData": {"token": "t0k3n"},
    }
    main = sh(
        env,
        "main",
        LOOP,
        env=[{"name": "T", "valueFrom": {"secretKeyRef": {"name": "pkkc-creds", "key": "token"}}}],
        volumeMounts=[
            {"name": "creds", "mountPath": "/creds"},
            {"name": "scratch", "mountPath": "/scratch"},
        ],
    )
    manifest = pod_manifest(
        "web",
        main,
        restart_policy="Always",
        volumes=[
            {"name": "creds", "secret": {"secretName": "pkkc-creds"}},
            {"name": "scratch", "emptyDir": {}},
        ],
    )
    (applied,) = node.apply(load(secret, manifest))
    node.wait_for("default", "web", "Running", timeout=60)
    node.wait_for("default", "web", lambda s: s.container("main").ready, timeout=30)
    before = node.status("default", "web").container("main")
    wrote = node.exec("default", "web", "main", ["sh", "-c", "echo kept > /scratch/data"])
    assert wrote.exit_code == 0

    node = restart(env)
    assert [p.metadata.uid for p in node.pods()] == [applied.metadata.uid]
    after = node.wait_for("default", "web", "Running", timeout=30).container("main")
    assert after.container_id == before.container_id
    assert after.restart_count == 0
    assert isinstance(after.state, ContainerStateRunning)
    assert after.state.started_at == before.state.started_at
    assert node.logs("default", "web", "main") == "run\n"
    read = node.exec("default", "web", "main", ["cat", "/scratch/data", "/creds/token"])
    assert read.stdout == b"kept\nt0k3n"
    (again,) = node.apply(load(secret, manifest))
    assert again.metadata.uid == applied.metadata.uid
    assert len(node.pods()) == 1
    # the Secret came back from the node's state: a new pod can use it
    other = pod_manifest("user", sh(env, "main", 'echo "$T"', env=main["env"]))
    node.apply(load(other))
    node.wait_for("default", "user", "Succeeded", timeout=60)
    assert node.logs("default", "user", "main") == "t0k3n\n"
    node.delete("default", "web", grace_period=5)
    node.delete("default", "user")
    assert node.pods() == []


def test_restart_counts_and_the_previous_run_survive_a_restart(env):
    node = env.start()
    script = "echo attempt; sleep 0.3; exit 1"
    node.apply(load(pod_manifest("loop", sh(env, "main", script), restart_policy="Always")))
    node.wait_for("default", "loop", lambda s: s.container("main").restart_count >= 2, timeout=60)
    before = node.status("default", "loop").container("main")

    node = restart(env)
    after = node.status("default", "loop").container("main")
    assert after.restart_count >= before.restart_count
    assert isinstance(after.last_state, ContainerStateTerminated)
    assert after.last_state.exit_code == 1
    assert node.logs("default", "loop", "main", previous=True) == "attempt\n"
    node.wait_for(
        "default",
        "loop",
        lambda s: s.container("main").restart_count > after.restart_count,
        timeout=60,
    )


def test_a_finished_pod_stays_finished_after_a_restart(env):
    node = env.start()
    node.apply(load(pod_manifest("done", sh(env, "main", "echo finished"))))
    node.wait_for("default", "done", "Succeeded", timeout=60)
    before = node.status("default", "done").container("main")

    node = restart(env)
    status = node.status("default", "done")
    assert status.phase is PodPhase.SUCCEEDED
    assert status.container("main").container_id == before.container_id
    assert node.logs("default", "done", "main") == "finished\n"


def test_the_events_of_the_earlier_run_are_still_there_after_a_restart(env):
    node = env.start()
    node.apply(load(pod_manifest("told", sh(env, "main", LOOP), restart_policy="Always")))
    node.wait_for("default", "told", "Running", timeout=60)
    before = [(e.reason, e.message) for e in node.status("default", "told").events]
    assert ("Started", "Started container main") in before

    node = restart(env)
    after = [(e.reason, e.message) for e in node.status("default", "told").events]
    assert after[: len(before)] == before  # oldest first, then what the new run adds
    (uid_file,) = (env.state_dir / "desired" / "events").iterdir()
    node.delete("default", "told", grace_period=0)
    assert not uid_file.exists()  # the events go with the pod


def test_a_deletion_cut_short_is_finished_by_the_next_node(env):
    node = env.start()
    (pod,) = node.apply(load(pod_manifest("gone", sh(env, "main", LOOP), restart_policy="Always")))
    node.wait_for("default", "gone", "Running", timeout=60)
    env.node.close(keep_pods=True)
    env.node = None
    NodeStore(env.state_dir / "desired").save_pod(pod, deleting=True)  # as delete() does first

    node = env.start()
    for _ in range(300):
        if not node.pods():
            break
        time.sleep(0.1)
    assert node.pods() == []
    node.close()
    env.node = None
    assert env.leftovers() == []


def test_what_no_pod_owns_is_collected(env):
    node = env.start()
    node.apply(load(pod_manifest("kept", sh(env, "main", LOOP), restart_policy="Always")))
    node.wait_for("default", "kept", "Running", timeout=60)
    stray = Pod(
        metadata=ObjectMeta(name="stray", namespace="default", uid="pkkc-stray-uid"),
        spec=PodSpec(containers=(KubeContainer(name="c", image=env.image),)),
    )
    inner = node.node
    config = sandbox_config(
        stray, logs_dir=inner.context.logs_dir, labels=inner.context.sandbox_labels
    )
    sandbox_id = inner.layer.run_pod_sandbox(config)
    assert node.collect_orphans() == ["pkkc-stray-uid"]
    labels = {POD_UID_LABEL: "pkkc-stray-uid"}
    assert inner.layer.list_pod_sandbox(PodSandboxFilter(label_selector=labels)) == []
    assert sandbox_id not in {s.id for s in inner.layer.list_pod_sandbox()}
    assert node.status("default", "kept").phase is PodPhase.RUNNING


def test_what_the_runtime_layer_holds_of_a_crash_is_collected(env):
    node = env.start()
    inner = node.node
    labels = inner.context.sandbox_labels

    def config_of(uid):
        pod = Pod(
            metadata=ObjectMeta(name=uid, namespace="default", uid=uid),
            spec=PodSpec(containers=(KubeContainer(name="c", image=env.image),)),
        )
        return sandbox_config(pod, logs_dir=inner.context.logs_dir, labels=labels)

    # killed between RunPodSandbox and the layer's record: the runtime has it, the layer not
    unrecorded = env.pm.runtime.run_pod_sandbox("namespace", config_of("pkkc-unrecorded"))
    # killed between the runtime's RemovePodSandbox and dropping the layer's record
    gone = inner.layer.run_pod_sandbox(config_of("pkkc-gone"))
    inner.layer.stop_pod_sandbox(gone)
    env.pm.runtime.remove_pod_sandbox("namespace", gone)
    # killed while attaching: an address reserved, the result not cached yet
    cut = inner.layer.run_pod_sandbox(config_of("pkkc-cut"))
    record = env.run_dir / "sandboxes" / f"{cut}.json"
    record.write_text(json.dumps({**json.loads(record.read_text()), "ips": [], "attaching": True}))
    for cached in (env.run_dir / "cni-results").glob("*.json"):
        cached.unlink()
    assert list((env.plugins / "cni").rglob("10.253.*"))

    assert node.collect_orphans() == ["pkkc-cut"]
    assert {unrecorded, gone, cut}.isdisjoint(s.id for s in inner.layer.list_pod_sandbox())
    assert list((env.run_dir / "sandboxes").glob("*.json")) == []
    assert list((env.run_dir / "cni-results").glob("*.json")) == []
    assert list((env.plugins / "cni").rglob("10.253.*")) == []

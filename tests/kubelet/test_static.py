"""The static-pod source against a real node: files added, changed, removed, invalid; a restart."""

from __future__ import annotations

import asyncio
import logging
import secrets

import pytest
import yaml
from pkk_helpers import NodeEnv

from podkit.kubelet import BackOffPolicy, Node
from podkit.kubelet._static import (
    FILE_ANNOTATION,
    HASH_ANNOTATION,
    SOURCE_ANNOTATION,
    StaticPodSource,
)

pytestmark = [pytest.mark.root, pytest.mark.netns, pytest.mark.integration]


@pytest.fixture
def env(tmp_path, pkk_image):
    """conftest's node environment, its resources tagged ``pkknc...`` (this file's own)."""
    node_env = NodeEnv(tmp_path, pkk_image, tag=f"nc{secrets.token_hex(3)}")
    try:
        yield node_env
    finally:
        leftovers = node_env.cleanup()
    assert not leftovers, f"the node left: {leftovers}"


def sleeper(env, name, *, message="hello", extra=""):
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "terminationGracePeriodSeconds": 1,
            "containers": [
                {
                    "name": "main",
                    "image": env.image,
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["sh", "-c", f"echo {message}; exec sleep 3600"],
                }
            ],
        },
    }
    return yaml.safe_dump(pod) + extra


def new_node(env):
    return Node(
        env.pm,
        state_dir=env.state_dir,
        run_dir=env.run_dir,
        cni_conf_dir=env.conf_dir,
        node_name="pkk-node",
        backoff=BackOffPolicy(base=0.2, max=1.0),
        sync_period=0.1,
    )


def with_node(env, body, *, keep_pods=False):
    async def main():
        node = new_node(env)
        try:
            return await body(node)
        finally:
            await node.close(keep_pods=keep_pods)

    return asyncio.run(main())


def uids(node):
    return {p.metadata.name: p.metadata.uid for p in node.pods()}


def test_files_added_changed_and_removed_drive_the_pods(env, tmp_path):
    manifests = tmp_path / "pknc-manifests"
    manifests.mkdir()

    async def body(node):
        source = StaticPodSource(node, manifests, period=0.1)
        (manifests / "a.yaml").write_text(sleeper(env, "pknc-a"))
        await source.sync()
        pod = node.pod("default", "pknc-a")
        annotations = pod.metadata.annotations
        assert annotations[SOURCE_ANNOTATION] == "file"
        assert annotations[FILE_ANNOTATION] == "a.yaml"
        first_hash, first_uid = annotations[HASH_ANNOTATION], pod.metadata.uid
        await node.wait_for("default", "pknc-a", "Running", timeout=60)

        # a comment changes the file, not the pod: it runs on
        (manifests / "a.yaml").write_text(sleeper(env, "pknc-a", extra="# a comment\n"))
        await source.sync()
        assert uids(node) == {"pknc-a": first_uid}

        # another spec: the old pod is deleted and the new one applied
        (manifests / "a.yaml").write_text(sleeper(env, "pknc-a", message="changed"))
        await source.sync()
        pod = node.pod("default", "pknc-a")
        assert pod.metadata.uid != first_uid
        assert pod.metadata.annotations[HASH_ANNOTATION] != first_hash
        await node.wait_for("default", "pknc-a", "Running", timeout=60)

        # removed: the pod goes
        (manifests / "a.yaml").unlink()
        await source.sync()
        assert uids(node) == {}

    with_node(env, body)


def test_an_invalid_file_is_logged_and_leaves_the_others_alone(env, tmp_path, caplog):
    manifests = tmp_path / "pknc-manifests"
    manifests.mkdir()
    caplog.set_level(logging.INFO, logger="podkit.kubelet.static")
    broken = sleeper(env, "pknc-broken").replace(
        "imagePullPolicy: IfNotPresent", "imagePullPolicy: Sometimes"
    )

    async def body(node):
        source = StaticPodSource(node, manifests, period=0.1)
        (manifests / "good.yaml").write_text(sleeper(env, "pknc-good"))
        (manifests / "bad.yaml").write_text(broken)
        (manifests / ".swap.yaml").write_text("not: [a manifest")  # hidden: skipped
        await source.sync()
        await source.sync()  # logged once, not at every look
        assert set(uids(node)) == {"pknc-good"}
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1, errors
        assert str(manifests / "bad.yaml") in errors[0]
        assert "spec.containers[0].imagePullPolicy" in errors[0]

        # fixed: read again, and its pod runs
        (manifests / "bad.yaml").write_text(sleeper(env, "pknc-broken"))
        await source.sync()
        assert set(uids(node)) == {"pknc-good", "pknc-broken"}
        good_uid = uids(node)["pknc-good"]

        # broken again: its last valid version stays in force
        (manifests / "bad.yaml").write_text(broken)
        await source.sync()
        assert set(uids(node)) == {"pknc-good", "pknc-broken"}
        assert uids(node)["pknc-good"] == good_uid

    with_node(env, body)


def test_after_a_restart_the_first_look_keeps_unchanged_pods_and_removes_orphans(env, tmp_path):
    manifests = tmp_path / "pknc-manifests"
    manifests.mkdir()
    (manifests / "keep.yaml").write_text(sleeper(env, "pknc-keep"))
    (manifests / "gone.yaml").write_text(sleeper(env, "pknc-gone"))

    async def first_run(node):
        await StaticPodSource(node, manifests).sync()
        await node.wait_for("default", "pknc-keep", "Running", timeout=60)
        status = await node.status("default", "pknc-keep")
        return uids(node), status.container("main").container_id

    before, container_id = with_node(env, first_run, keep_pods=True)
    (manifests / "gone.yaml").unlink()

    async def second_run(node):
        await StaticPodSource(node, manifests).sync()
        status = await node.wait_for("default", "pknc-keep", "Running", timeout=60)
        return uids(node), status

    after, status = with_node(env, second_run)
    assert after == {"pknc-keep": before["pknc-keep"]}
    assert status.container("main").container_id == container_id  # adopted, not restarted
    assert status.container("main").restart_count == 0


def test_secrets_of_one_file_serve_the_pods_of_another(env, tmp_path):
    manifests = tmp_path / "pknc-manifests"
    manifests.mkdir()
    (manifests / "00-secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: pknc-creds}\nstringData: {token: s3cret}\n"
    )
    pod = yaml.safe_load(sleeper(env, "pknc-env", message="token=$TOKEN"))
    pod["spec"]["containers"][0]["env"] = [
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "pknc-creds", "key": "token"}}}
    ]
    (manifests / "10-pod.yaml").write_text(yaml.safe_dump(pod))

    async def body(node):
        await StaticPodSource(node, manifests).sync()
        await node.wait_for("default", "pknc-env", "Running", timeout=60)
        for _ in range(50):
            logs = await node.logs("default", "pknc-env", "main")
            if "token=s3cret" in logs.splitlines():
                return
            await asyncio.sleep(0.1)
        pytest.fail(f"no token in {logs!r}")

    with_node(env, body)

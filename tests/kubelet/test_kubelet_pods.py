"""Pods run end to end on real plugins: runtime, network and storage through the hooks.

Every test runs a SyncNode on the reference plugins, all on temporary
directories (see pkk_helpers), and pulls busybox from a local registry.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from pkk_helpers import pod_manifest

import podkit
from podkit import manifests
from podkit.errors import NotFoundError
from podkit.kubelet import ContainerStateRunning, ContainerStateTerminated, PodPhase
from podkit.kubelet._store import NodeStore

pytestmark = [pytest.mark.root, pytest.mark.netns, pytest.mark.integration]


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


def test_a_pod_that_echoes_succeeds_and_its_logs_are_readable(env):
    node = env.start()
    script = "echo hello from stdout; echo oops from stderr >&2; exit 0"
    (pod,) = node.apply(load(pod_manifest("echo", sh(env, "main", script))))
    assert pod.metadata.uid
    assert pod.spec.node_name == "pkk-node"
    status = node.wait_for("default", "echo", "Succeeded", timeout=60)
    main = status.container("main")
    assert isinstance(main.state, ContainerStateTerminated)
    assert main.state.exit_code == 0
    assert main.state.reason == "Completed"
    assert node.logs("default", "echo", "main") == "hello from stdout\noops from stderr\n"
    assert status.condition("PodScheduled")
    assert status.condition("Initialized")
    assert not status.condition("Ready")
    reasons = [event.reason for event in status.events]
    assert reasons[:1] == ["Scheduled"]
    assert {"Pulling", "Pulled", "Created", "Started"} <= set(reasons)


def test_exit_3_with_restart_policy_never_fails_with_exit_code_3(env):
    node = env.start()
    container = sh(
        env, "main", "echo something broke >&2; exit 3",
        terminationMessagePolicy="FallbackToLogsOnError",
    )  # fmt: skip
    node.apply(load(pod_manifest("fail", container)))
    status = node.wait_for("default", "fail", "Failed", timeout=60)
    state = status.container("main").state
    assert isinstance(state, ContainerStateTerminated)
    assert (state.exit_code, state.reason) == (3, "Error")
    assert state.message == "something broke"
    assert status.container("main").restart_count == 0


def test_an_init_container_writes_into_an_empty_dir_that_the_app_container_reads(env):
    node = env.start()
    mount = [{"name": "work", "mountPath": "/work"}]
    manifest = pod_manifest(
        "init",
        sh(env, "main", "cat /work/greeting", volumeMounts=mount),
        init=[sh(env, "prepare", "echo prepared > /work/greeting", volumeMounts=mount)],
        volumes=[{"name": "work", "emptyDir": {}}],
    )
    node.apply(load(manifest))
    status = node.wait_for("default", "init", "Succeeded", timeout=60)
    assert status.container("prepare").state.exit_code == 0
    assert node.logs("default", "init", "main") == "prepared\n"


def test_a_secret_reaches_a_container_as_a_variable_and_as_a_file(env):
    node = env.start()
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds"},
        "stringData": {"password": "s3cr3t", "user": "admin"},
    }
    script = 'echo "env=$PASSWORD"; cat /creds/user-file; echo; stat -c %a /creds/..data/user-file'
    container = sh(
        env,
        "main",
        script,
        env=[
            {
                "name": "PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}},
            }
        ],
        volumeMounts=[{"name": "creds", "mountPath": "/creds"}],
    )
    volume = {
        "name": "creds",
        "secret": {
            "secretName": "creds",
            "defaultMode": 0o400,
            "items": [{"key": "user", "path": "user-file"}],
        },
    }
    node.apply(load(secret, pod_manifest("secret", container, volumes=[volume])))
    node.wait_for("default", "secret", "Succeeded", timeout=60)
    assert node.logs("default", "secret", "main") == "env=s3cr3t\nadmin\n400\n"


def test_a_config_map_volume_projects_only_its_items(env):
    node = env.start()
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings"},
        "data": {"app.properties": "color=blue", "unused": "x"},
    }
    container = sh(
        env,
        "main",
        "ls /etc/app; cat /etc/app/conf/app.conf",
        volumeMounts=[{"name": "settings", "mountPath": "/etc/app"}],
    )
    volume = {
        "name": "settings",
        "configMap": {
            "name": "settings",
            "items": [{"key": "app.properties", "path": "conf/app.conf", "mode": 0o600}],
        },
    }
    node.apply(load(config_map, pod_manifest("cm", container, volumes=[volume])))
    node.wait_for("default", "cm", "Succeeded", timeout=60)
    assert node.logs("default", "cm", "main") == "conf\ncolor=blue\n"


def test_a_host_path_directory_or_create_is_made_and_shared_with_the_node(env, tmp_path):
    node = env.start()
    host = tmp_path / "pkk-host" / "data"
    container = sh(
        env, "main", "echo written > /data/out", volumeMounts=[{"name": "d", "mountPath": "/data"}]
    )
    volume = {"name": "d", "hostPath": {"path": str(host), "type": "DirectoryOrCreate"}}
    node.apply(load(pod_manifest("hostpath", container, volumes=[volume])))
    node.wait_for("default", "hostpath", "Succeeded", timeout=60)
    assert stat.S_ISDIR(host.stat().st_mode)
    assert (host / "out").read_text() == "written\n"


def test_the_pod_gets_an_address_of_the_network_and_reaches_its_gateway(env):
    node = env.start()
    script = f"ip -4 addr show eth0; ping -c 1 -W 5 {env.gateway}"
    node.apply(load(pod_manifest("net", sh(env, "main", script))))
    status = node.wait_for("default", "net", lambda s: s.pod_ip != "", timeout=60)
    assert status.pod_ip.startswith(f"10.253.{env.octet}.")
    status = node.wait_for("default", "net", "Succeeded", timeout=60)
    output = node.logs("default", "net", "main")
    assert f"inet {status.pod_ip}/24" in output
    assert "1 packets received" in output


def test_on_failure_restarts_a_failing_container_with_back_off(env):
    node = env.start()
    node.apply(load(pod_manifest("crash", sh(env, "main", "exit 1"), restart_policy="OnFailure")))
    status = node.wait_for(
        "default", "crash", lambda s: s.container("main").restart_count >= 3, timeout=60
    )
    assert status.phase is PodPhase.RUNNING
    last = status.container("main").last_state
    assert last is not None
    assert last.exit_code == 1
    assert "BackOff" in {event.reason for event in status.events}
    node.delete("default", "crash", grace_period=0)


def test_a_missing_secret_key_waits_with_create_container_config_error_until_it_appears(env):
    node = env.start()
    ref = {"secretKeyRef": {"name": "late", "key": "token"}}
    container = sh(env, "main", 'echo "token=$TOKEN"', env=[{"name": "TOKEN", "valueFrom": ref}])
    node.apply(load(pod_manifest("late", container)))
    status = node.wait_for(
        "default",
        "late",
        lambda s: getattr(s.container("main").state, "reason", "") == "CreateContainerConfigError",
        timeout=60,
    )
    assert status.phase is PodPhase.PENDING
    assert "late" in status.container("main").state.message
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "late"},
        "stringData": {"token": "t0k3n"},
    }
    node.apply(load(secret))
    node.wait_for("default", "late", "Succeeded", timeout=60)
    assert node.logs("default", "late", "main") == "token=t0k3n\n"


def test_deleting_a_running_pod_tears_everything_down(env):
    node = env.start()
    container = sh(
        env, "main", "exec sleep 3600", volumeMounts=[{"name": "scratch", "mountPath": "/s"}]
    )
    manifest = pod_manifest(
        "sleeper",
        container,
        volumes=[{"name": "scratch", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}}],
        terminationGracePeriodSeconds=5,
    )
    (pod,) = node.apply(load(manifest))
    status = node.wait_for(
        "default",
        "sleeper",
        lambda s: isinstance(s.container("main").state, ContainerStateRunning),
        timeout=60,
    )
    result = node.exec("default", "sleeper", "main", ["sh", "-c", "echo in; df /s | tail -1"])
    assert result.exit_code == 0
    assert result.stdout.startswith(b"in\n")
    assert status.pod_ip
    uid = pod.metadata.uid
    assert (env.state_dir / "pods" / uid / "volumes" / "scratch").is_dir()
    node.delete("default", "sleeper")
    assert node.pods() == []
    assert not (env.state_dir / "pods" / uid).exists()
    assert not list((env.state_dir / "logs").glob(f"*_{uid}"))
    assert not list((env.run_dir / "sandboxes").glob("*.json"))
    assert not list((env.plugins / "cni").rglob("10.253.*"))
    mounts = Path("/proc/self/mountinfo").read_text()
    assert str(env.tmp) not in mounts
    ports = subprocess.run(
        ["ip", "-o", "link", "show", "master", env.bridge],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ports.stdout == ""  # the pod's veth is gone with its sandbox


def test_a_config_map_applied_again_updates_the_running_pods_volume(env):
    node = env.start()

    def config_map(color):
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "live"},
            "data": {"color": color},
        }

    container = sh(
        env, "main", "exec sleep 3600", volumeMounts=[{"name": "live", "mountPath": "/live"}]
    )
    volume = {"name": "live", "configMap": {"name": "live"}}
    node.apply(load(config_map("blue"), pod_manifest("live", container, volumes=[volume])))
    node.wait_for("default", "live", "Running", timeout=60)
    assert node.exec("default", "live", "main", ["cat", "/live/color"]).stdout == b"blue"
    node.apply(load(config_map("green")))
    assert node.exec("default", "live", "main", ["cat", "/live/color"]).stdout == b"green"
    node.delete("default", "live", grace_period=0)


def test_the_async_api_runs_a_pod_and_runs_its_pre_stop_hook_on_delete(env, tmp_path):
    import asyncio

    from podkit.kubelet import Node

    out = tmp_path / "pkk-out"
    pre_stop = {"preStop": {"exec": {"command": ["sh", "-c", "echo bye > /out/hook"]}}}
    container = sh(
        env,
        "main",
        "exec sleep 3600",
        lifecycle=pre_stop,
        volumeMounts=[{"name": "out", "mountPath": "/out"}],
    )
    volume = {"name": "out", "hostPath": {"path": str(out), "type": "DirectoryOrCreate"}}

    async def scenario():
        async with Node(
            env.pm,
            state_dir=env.state_dir,
            run_dir=env.run_dir,
            cni_conf_dir=env.conf_dir,
            sync_period=0.1,
        ) as node:
            (pod,) = await node.apply(load(pod_manifest("async", container, volumes=[volume])))
            await node.wait_for("default", "async", PodPhase.RUNNING, timeout=60)
            result = await node.exec("default", "async", "main", ["hostname"])
            assert result.stdout == b"async\n"
            with pytest.raises(NotFoundError, match="not in pod"):
                await node.logs("default", "async", "nope")
            status = await node.status("default", "async")
            await node.delete("default", "async", grace_period=1)
            with pytest.raises(NotFoundError):
                await node.status("default", "async")
            return pod, status

    pod, status = asyncio.run(scenario())
    assert status.condition("Ready")
    assert status.phase is PodPhase.RUNNING
    assert (out / "hook").read_text() == "bye\n"
    assert not (env.state_dir / "logs" / f"default_async_{pod.metadata.uid}").exists()


def test_a_pod_past_its_active_deadline_is_stopped_and_failed(env):
    node = env.start()
    manifest = pod_manifest(
        "deadline",
        sh(env, "main", "exec sleep 3600"),
        activeDeadlineSeconds=2,
        terminationGracePeriodSeconds=1,
    )
    node.apply(load(manifest))
    status = node.wait_for("default", "deadline", "Failed", timeout=60)
    assert (status.reason, status.message) == (
        "DeadlineExceeded",
        "Pod was active on the node longer than the specified deadline",
    )
    assert isinstance(status.container("main").state, ContainerStateTerminated)


def test_several_pods_run_side_by_side_and_close_tears_them_all_down(env):
    node = env.start()
    names = ("one", "two", "three")
    manifests_ = [
        pod_manifest(name, sh(env, "main", f"echo {name}; sleep 0.3"), restart_policy="OnFailure")
        for name in names
    ]
    node.apply(load(*manifests_))
    statuses = [node.wait_for("default", name, "Succeeded", timeout=60) for name in names]
    assert len({status.pod_ip for status in statuses}) == 3
    assert [node.logs("default", name, "main") for name in names] == [f"{n}\n" for n in names]
    node.close()
    ports = subprocess.run(
        ["ip", "-o", "link", "show", "master", env.bridge],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ports.stdout == ""
    assert not list(env.state_dir.glob("pods/*"))
    assert not list(env.state_dir.glob("logs/*"))
    assert not list(env.run_dir.glob("sandboxes/*"))


def test_the_security_context_reaches_the_container(env):
    node = env.start()
    security = {"runAsUser": 1000, "runAsGroup": 2000, "readOnlyRootFilesystem": True}
    script = "id -u; id -g; touch /x 2>/dev/null || echo read-only"
    node.apply(load(pod_manifest("secure", sh(env, "main", script, securityContext=security))))
    node.wait_for("default", "secure", "Succeeded", timeout=60)
    assert node.logs("default", "secure", "main") == "1000\n2000\nread-only\n"


def test_a_seccomp_profile_reaches_the_container_runtime_default_and_localhost(env):
    # The node's Localhost profiles live in <state dir>/seccomp, as the kubelet's do.
    profiles = env.state_dir / "seccomp" / "profiles"
    profiles.mkdir(parents=True)
    deny_mkdir = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}],
    }
    (profiles / "deny-mkdir.json").write_text(json.dumps(deny_mkdir))
    node = env.start()
    mkdir = "mkdir /tmp/d 2>/dev/null && echo mkdir-made || echo mkdir-refused"
    # A user namespace needs no capability; the runtime default refuses it.
    userns = "unshare -U true 2>/dev/null && echo userns-made || echo userns-refused"
    localhost = {"type": "Localhost", "localhostProfile": "profiles/deny-mkdir.json"}
    manifest = pod_manifest(
        "seccomp",
        sh(env, "localhost", mkdir, securityContext={"seccompProfile": localhost}),
        sh(env, "inherits", f"{mkdir}; {userns}"),
        securityContext={"seccompProfile": {"type": "RuntimeDefault"}},
    )
    node.apply(load(manifest))
    node.wait_for("default", "seccomp", "Succeeded", timeout=60)
    assert node.logs("default", "seccomp", "localhost") == "mkdir-refused\n"
    assert node.logs("default", "seccomp", "inherits") == "mkdir-made\nuserns-refused\n"


def test_an_image_that_cannot_be_pulled_leaves_the_container_waiting(env):
    node = env.start()
    never = {
        "name": "never",
        "image": "127.0.0.1:1/pkk/absent:1",
        "imagePullPolicy": "Never",
        "command": ["true"],
    }
    unreachable = {**never, "name": "pull", "imagePullPolicy": "IfNotPresent"}
    node.apply(load(pod_manifest("noimage", never, unreachable)))

    def both_waiting(status):
        reasons = {c.name: getattr(c.state, "reason", "") for c in status.container_statuses}
        return reasons == {"never": "ErrImageNeverPull", "pull": "ErrImagePull"}

    status = node.wait_for("default", "noimage", both_waiting, timeout=60)
    assert status.phase is PodPhase.PENDING
    assert "Failed" in {event.reason for event in status.events}
    node.delete("default", "noimage", grace_period=0)


def test_a_host_network_pod_has_the_nodes_network_and_hostname(env):
    import socket

    node = env.start()
    marker = f"pkkd{env.bridge[3:]}"
    subprocess.run(["ip", "link", "add", marker, "type", "bridge"], check=True)
    try:
        script = f"hostname; ip -o link show {marker} >/dev/null && echo sees-{marker}"
        node.apply(load(pod_manifest("hostnet", sh(env, "main", script), hostNetwork=True)))
        status = node.wait_for("default", "hostnet", "Succeeded", timeout=60)
    finally:
        subprocess.run(["ip", "link", "del", marker], check=False)
    assert node.logs("default", "hostnet", "main") == f"{socket.gethostname()}\nsees-{marker}\n"
    assert status.pod_ips == ((status.host_ip,) if status.host_ip else ())


def test_a_post_start_hook_runs_before_the_container_is_running(env):
    node = env.start()
    hooks = {"postStart": {"exec": {"command": ["sh", "-c", "echo from-hook > /tmp/hook"]}}}
    script = "while [ ! -e /tmp/hook ]; do sleep 0.05; done; cat /tmp/hook"
    node.apply(load(pod_manifest("hooked", sh(env, "main", script, lifecycle=hooks))))
    node.wait_for("default", "hooked", "Succeeded", timeout=60)
    assert node.logs("default", "hooked", "main") == "from-hook\n"


def test_a_dead_sandbox_is_replaced_and_its_containers_restarted(env):
    node = env.start()
    manifest = pod_manifest(
        "phoenix",
        sh(env, "main", "exec sleep 3600"),
        restart_policy="Always",
        terminationGracePeriodSeconds=1,
    )
    node.apply(load(manifest))
    node.wait_for("default", "phoenix", "Running", timeout=60)
    worker = node.node._workers["default", "phoenix"]
    old_sandbox = worker.runtime.sandbox_id
    env.pm.runtime.stop_pod_sandbox("namespace", old_sandbox)  # behind the node's back

    def running_again(status):
        main = status.container("main")
        return main.restart_count == 1 and isinstance(main.state, ContainerStateRunning)

    status = node.wait_for("default", "phoenix", running_again, timeout=60)
    assert worker.runtime.sandbox_id != old_sandbox
    assert worker.attempt == 1
    assert status.pod_ip
    assert "SandboxChanged" in {event.reason for event in status.events}
    node.delete("default", "phoenix", grace_period=0)


def test_a_pod_that_never_restarts_fails_when_its_sandbox_dies(env):
    node = env.start()
    manifest = pod_manifest("mortal", sh(env, "main", "exec sleep 3600"))
    node.apply(load(manifest))
    node.wait_for("default", "mortal", "Running", timeout=60)
    worker = node.node._workers["default", "mortal"]
    env.pm.runtime.stop_pod_sandbox("namespace", worker.runtime.sandbox_id)
    status = node.wait_for("default", "mortal", "Failed", timeout=60)
    state = status.container("main").state
    assert isinstance(state, ContainerStateTerminated)
    assert state.exit_code != 0
    assert status.container("main").restart_count == 0


def test_probes_gate_readiness_and_a_failing_liveness_probe_restarts_the_container(env):
    node = env.start()
    script = "mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www"
    container = sh(
        env,
        "web",
        script,
        ports=[{"name": "http", "containerPort": 8080}],
        startupProbe={"tcpSocket": {"port": "http"}, "periodSeconds": 1, "failureThreshold": 30},
        readinessProbe={"httpGet": {"path": "/index.html", "port": "http"}, "periodSeconds": 1},
        livenessProbe={
            "exec": {"command": ["test", "!", "-e", "/unhealthy"]},
            "periodSeconds": 1,
            "failureThreshold": 1,
            "terminationGracePeriodSeconds": 1,
        },
    )
    node.apply(load(pod_manifest("probed", container, restart_policy="Always")))
    status = node.wait_for("default", "probed", lambda s: s.condition("Ready"), timeout=60)
    web = status.container("web")
    assert (web.started, web.ready, web.restart_count) == (True, True, 0)
    node.exec("default", "probed", "web", ["rm", "/www/index.html"])
    status = node.wait_for("default", "probed", lambda s: not s.condition("Ready"), timeout=30)
    assert isinstance(status.container("web").state, ContainerStateRunning)
    assert any("Readiness probe failed" in event.message for event in status.events)
    node.exec("default", "probed", "web", ["touch", "/unhealthy"])
    status = node.wait_for(
        "default", "probed", lambda s: s.container("web").restart_count == 1, timeout=60
    )
    assert any("failed liveness probe" in event.message for event in status.events)
    status = node.wait_for("default", "probed", lambda s: s.condition("Ready"), timeout=60)
    node.delete("default", "probed", grace_period=0)


@podkit.answers_for("inline.pkk.example.com")
class InlineDriver:
    """A CSI driver of the test's own: publishes a directory holding its volume attributes."""

    def __init__(self):
        self.published = {}

    def storage_node_publish_volume(self, volume_id, target_path, readonly, volume_context):
        target = Path(target_path)
        target.mkdir(exist_ok=True)
        (target / "attributes.json").write_text(json.dumps(dict(volume_context), sort_keys=True))
        self.published[volume_id] = (target_path, readonly)
        return True

    def storage_node_unpublish_volume(self, volume_id, target_path):
        self.published.pop(volume_id, None)
        shutil.rmtree(target_path, ignore_errors=True)
        return True


def test_an_inline_csi_volume_is_published_by_its_driver_with_its_attributes(env):
    driver = InlineDriver()
    env.pm.register(driver, name="pkk-inline", kind="storage")
    node = env.start()
    volume = {
        "name": "inline",
        "csi": {"driver": "inline.pkk.example.com", "volumeAttributes": {"size": "small"}},
    }
    container = sh(
        env,
        "main",
        "cat /inline/attributes.json",
        volumeMounts=[{"name": "inline", "mountPath": "/inline"}],
    )
    (pod,) = node.apply(load(pod_manifest("inline", container, volumes=[volume])))
    node.wait_for("default", "inline", "Succeeded", timeout=60)
    attributes = json.loads(node.logs("default", "inline", "main"))
    assert attributes["size"] == "small"
    assert attributes["csi.storage.k8s.io/ephemeral"] == "true"
    assert attributes["csi.storage.k8s.io/pod.name"] == "inline"
    assert list(driver.published) == [f"{pod.metadata.uid}-inline"]
    node.delete("default", "inline")
    assert driver.published == {}


def test_a_node_started_again_removes_what_no_pod_of_it_owns(env):
    first = env.start()
    container = sh(
        env, "main", "exec sleep 3600", volumeMounts=[{"name": "scratch", "mountPath": "/s"}]
    )
    manifest = pod_manifest(
        "orphan", container, volumes=[{"name": "scratch", "emptyDir": {"medium": "Memory"}}]
    )
    (pod,) = first.apply(load(manifest))
    first.wait_for("default", "orphan", "Running", timeout=60)
    first._run(first.node.close(keep_pods=True))  # as if killed: the pod stays
    first._stop_loop()
    NodeStore(env.state_dir / "desired").forget_pod(pod.metadata.uid)  # the node forgot it
    assert env.leftovers()  # its sandbox, container, volume...
    second = env.start()  # starting collects what no pod owns
    assert second.pods() == []
    assert env.leftovers() == []
    assert second.collect_orphans() == []


def test_a_failing_http_post_start_hook_stops_the_container(env):
    node = env.start()
    hooks = {"postStart": {"httpGet": {"path": "/", "port": 1}}}
    container = sh(env, "main", "exec sleep 3600", lifecycle=hooks)
    manifest = pod_manifest("badhook", container, terminationGracePeriodSeconds=1)
    node.apply(load(manifest))
    status = node.wait_for("default", "badhook", "Failed", timeout=60)
    failed = [e for e in status.events if e.reason == "FailedPostStartHook"]
    assert failed
    assert "PostStartHook failed" in failed[0].message


def test_what_a_container_writes_to_its_termination_log_becomes_its_message(env):
    node = env.start()
    script = "printf 'all good' > /dev/termination-log; exit 0"
    security = {"runAsUser": 1000}
    node.apply(load(pod_manifest("said", sh(env, "main", script, securityContext=security))))
    status = node.wait_for("default", "said", "Succeeded", timeout=60)
    assert status.container("main").state.message == "all good"


def test_sync_node_streams_logs_and_follow_ends_when_the_container_will_not_run_again(env):
    node = env.start()
    script = "echo one; sleep 0.5; echo two >&2; sleep 0.5; echo three"
    container = sh(env, "main", script)
    node.apply(load(pod_manifest("stream", container)))
    node.wait_for("default", "stream", lambda s: s.container("main").started, timeout=60)
    # Follows while the container writes, and ends by itself once it exited for good.
    assert list(node.stream_logs("default", "stream", "main", follow=True)) == [
        "one",
        "two",
        "three",
    ]
    assert list(node.stream_logs("default", "stream", "main")) == ["one", "two", "three"]
    lines = node.stream_logs("default", "stream", "main", follow=True)
    assert next(lines) == "one"
    lines.close()  # an iteration left half-way is closed on the node's loop
    with pytest.raises(NotFoundError):
        list(node.stream_logs("default", "stream", "nothing", follow=True))


def test_two_containers_share_the_pods_network_one_serves_http_the_other_reaches_it(env):
    node = env.start()
    server = sh(
        env,
        "server",
        "mkdir -p /www; echo hello from $HOSTNAME > /www/index.html; exec httpd -f -p 8080 -h /www",
    )
    client = sh(
        env,
        "client",
        "until wget -q -O /tmp/page http://localhost:8080/index.html; do sleep 0.2; done;"
        " cat /tmp/page; exec sleep 3600",
    )
    node.apply(load(pod_manifest("pair", server, client, restart_policy="Always")))
    status = node.wait_for("default", "pair", lambda s: s.condition("ContainersReady"), timeout=60)
    assert {c.name for c in status.container_statuses} == {"server", "client"}
    # The client's first successful fetch is the first line it writes.
    assert next(node.stream_logs("default", "pair", "client", follow=True)) == "hello from pair"
    # Same network namespace: the client sees the server's listening socket as its own.
    netstat = node.exec("default", "pair", "client", ["netstat", "-ltn"])
    assert ":8080" in netstat.stdout.decode()
    node.delete("default", "pair", grace_period=0)

"""Valid manifests, in the style of the Kubernetes documentation, load with Kubernetes' defaults."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from podkit import manifests
from podkit.models.kube import (
    ConfigMap,
    DNSPolicy,
    HostPathType,
    Pod,
    PullPolicy,
    Quantity,
    RestartPolicy,
    SeccompProfile,
    SeccompProfileType,
    Secret,
    StorageMedium,
    TerminationMessagePolicy,
    URIScheme,
)

DATA = Path(__file__).parent / "data" / "valid"
EXAMPLES = Path(__file__).parents[2] / "examples" / "manifests"


def load_one(name):
    (pod,) = manifests.load_file(DATA / name)
    assert isinstance(pod, Pod)
    return pod


def test_init_containers():
    pod = load_one("init-containers.yaml")
    assert pod.metadata.namespace == "apps"
    assert pod.metadata.labels == {"app.kubernetes.io/name": "MyApp"}
    assert [c.name for c in pod.spec.init_containers] == ["init-myservice", "init-mydb"]
    assert [c.image_pull_policy for c in pod.spec.init_containers] == [
        PullPolicy.IF_NOT_PRESENT,
        PullPolicy.ALWAYS,
    ]
    (app,) = pod.spec.containers
    probe = app.liveness_probe
    assert probe is not None
    assert probe.exec is not None
    assert probe.exec.command == ("cat", "/tmp/healthy")  # noqa: S108 - in the container
    assert (probe.initial_delay_seconds, probe.period_seconds) == (5, 5)
    assert (probe.timeout_seconds, probe.success_threshold, probe.failure_threshold) == (1, 1, 3)
    assert pod.spec.restart_policy is RestartPolicy.ALWAYS
    assert pod.spec.termination_grace_period_seconds == 30
    assert pod.spec.dns_policy is DNSPolicy.CLUSTER_FIRST
    assert app.termination_message_path == "/dev/termination-log"
    assert app.termination_message_policy is TerminationMessagePolicy.FILE


def test_http_probe_with_a_named_port():
    (web,) = load_one("http-probe-named-port.yaml").spec.containers
    assert web.image_pull_policy is PullPolicy.ALWAYS
    assert web.command == ()
    assert web.args == ("httpd", "-f", "-p", "8080")
    liveness, startup, readiness = web.liveness_probe, web.startup_probe, web.readiness_probe
    assert liveness is not None
    assert liveness.http_get is not None
    assert liveness.http_get.port == "liveness-port"
    assert liveness.http_get.path == "/healthz"
    assert liveness.http_get.scheme is URIScheme.HTTP
    assert [(h.name, h.value) for h in liveness.http_get.http_headers] == [
        ("Custom-Header", "Awesome")
    ]
    assert (liveness.failure_threshold, liveness.period_seconds) == (1, 10)
    assert startup is not None
    assert startup.http_get is not None
    assert startup.http_get.path == "/"
    assert startup.http_get.scheme is URIScheme.HTTPS
    assert startup.period_seconds == 10  # 0 takes the default, as SetDefaults_Probe does
    assert readiness is not None
    assert readiness.tcp_socket is not None
    assert readiness.tcp_socket.port == 8080
    assert readiness.success_threshold == 2


def test_secret_and_secret_env():
    secret, pod = manifests.load_file(DATA / "secret-env.yaml")
    assert isinstance(secret, Secret)
    assert secret.type == "Opaque"
    assert secret.data == {"backend-username": b"backend-admin", "token": b"overridden"}
    assert isinstance(pod, Pod)
    env = {var.name: var for var in pod.spec.containers[0].env}
    ref = env["SECRET_USERNAME"].value_from
    assert ref is not None
    assert ref.secret_key_ref is not None
    assert (ref.secret_key_ref.name, ref.secret_key_ref.key) == ("backend-user", "backend-username")
    assert ref.secret_key_ref.optional is False
    optional = env["OPTIONAL"].value_from
    assert optional is not None
    assert optional.secret_key_ref is not None
    assert optional.secret_key_ref.optional is True
    node = env["MY_NODE"].value_from
    assert node is not None
    assert node.field_ref is not None
    assert (node.field_ref.field_path, node.field_ref.api_version) == ("spec.nodeName", "v1")
    (env_from,) = pod.spec.containers[0].env_from
    assert env_from.secret_ref is not None
    assert env_from.secret_ref.name == "backend-user"


def test_config_map_volume_with_items():
    config_map, pod = manifests.load_file(DATA / "configmap-volume-items.yaml")
    assert isinstance(config_map, ConfigMap)
    assert config_map.data == {"SPECIAL_LEVEL": "very", "SPECIAL_TYPE": "charm"}
    assert config_map.binary_data == {"logo.bin": bytes([0, 1, 2, 3])}
    assert config_map.immutable is True
    assert isinstance(pod, Pod)
    assert pod.spec.restart_policy is RestartPolicy.NEVER
    (volume,) = pod.spec.volumes
    assert volume.config_map is not None
    assert volume.config_map.default_mode == 0o440
    assert [(i.key, i.path, i.mode) for i in volume.config_map.items] == [
        ("SPECIAL_LEVEL", "keys/level", 0o400),
        ("logo.bin", "logo.bin", None),
    ]
    assert volume.config_map.optional is False
    assert pod.spec.containers[0].volume_mounts[0].read_only is True


def test_empty_dir_in_memory():
    pod = load_one("emptydir-memory.yaml")
    cache, scratch = pod.spec.volumes
    assert cache.empty_dir is not None
    assert cache.empty_dir.medium is StorageMedium.MEMORY
    assert cache.empty_dir.size_limit == Quantity.parse("500Mi")
    assert cache.empty_dir.size_limit.value == 500 * 2**20
    assert scratch.empty_dir is not None
    assert scratch.empty_dir.medium is StorageMedium.DEFAULT
    assert scratch.empty_dir.size_limit is None
    assert pod.spec.containers[0].volume_mounts[1].sub_path == "tmp/work"
    assert pod.spec.containers[0].image_pull_policy is PullPolicy.IF_NOT_PRESENT


def test_host_path_directory_or_create():
    pod = load_one("hostpath-directory-or-create.yaml")
    assert pod.spec.node_name == "node-1"
    example, socket = pod.spec.volumes
    assert example.host_path is not None
    assert (example.host_path.path, example.host_path.type) == ("/data/foo", "DirectoryOrCreate")
    assert socket.host_path is not None
    assert socket.host_path.type is HostPathType.SOCKET


def test_security_context():
    pod = load_one("security-context.yaml")
    context = pod.spec.security_context
    assert (context.run_as_user, context.run_as_group, context.fs_group) == (1000, 3000, 2000)
    assert context.supplemental_groups == (4000,)
    assert [(s.name, s.value) for s in context.sysctls] == [
        ("net.ipv4.ip_unprivileged_port_start", "0")
    ]
    assert context.run_as_non_root is None
    assert pod.spec.share_process_namespace is True
    container = pod.spec.containers[0].security_context
    assert container is not None
    assert container.run_as_non_root is True
    assert container.allow_privilege_escalation is False
    assert container.read_only_root_filesystem is True
    assert container.privileged is None
    assert container.capabilities is not None
    assert container.capabilities.add == ("NET_ADMIN", "SYS_TIME")
    assert container.capabilities.drop == ("ALL",)
    assert context.seccomp_profile == SeccompProfile(type=SeccompProfileType.RUNTIME_DEFAULT)
    assert container.seccomp_profile == SeccompProfile(
        type=SeccompProfileType.LOCALHOST, localhost_profile="profiles/audit.json"
    )


def test_lifecycle_pre_stop():
    pod = load_one("lifecycle-prestop.yaml")
    assert pod.spec.termination_grace_period_seconds == 60
    assert pod.spec.active_deadline_seconds == 3600
    (container,) = pod.spec.containers
    assert container.image_pull_policy is PullPolicy.NEVER
    assert (container.stdin, container.stdin_once, container.tty) == (True, False, True)
    assert container.working_dir == "/work"
    assert (
        container.termination_message_policy is TerminationMessagePolicy.FALLBACK_TO_LOGS_ON_ERROR
    )
    assert container.lifecycle is not None
    assert container.lifecycle.post_start is not None
    assert container.lifecycle.post_start.exec is not None
    assert container.lifecycle.pre_stop is not None
    assert container.lifecycle.pre_stop.sleep is not None
    assert container.lifecycle.pre_stop.sleep.seconds == 45


def test_multi_document_stream_with_a_list():
    objects = manifests.load_file(DATA / "multi-document.yaml")
    assert [(type(o).__name__, o.metadata.name) for o in objects] == [
        ("Pod", "first"),
        ("ConfigMap", "in-list"),
        ("Pod", "second"),
        ("Secret", "third"),
    ]
    config_map, second, third = objects[1:]
    assert isinstance(config_map, ConfigMap)
    assert config_map.data == {"created": "2024-01-01"}  # not a date: sigs.k8s.io/yaml's reading
    assert isinstance(second, Pod)
    assert second.spec.restart_policy is RestartPolicy.ON_FAILURE
    assert second.spec.containers[0].image_pull_policy is PullPolicy.IF_NOT_PRESENT
    assert isinstance(third, Secret)
    assert third.type == "kubernetes.io/basic-auth"
    assert third.data == {"username": b"admin"}
    assert all(o.metadata.namespace == "default" for o in objects)


def test_kubectl_dry_run_output():
    pod = load_one("kubectl-dry-run.yaml")
    assert pod.metadata.labels == {"run": "nginx"}
    assert pod.spec.containers[0].resources.requests == {}
    assert pod.spec.containers[0].resources.limits == {}


def test_json_with_host_network():
    pod = load_one("host-network.json")
    assert pod.metadata.annotations == {"example.com/note": "tab-indented JSON"}
    assert pod.spec.host_network is True
    http, dns = pod.spec.containers[0].ports
    assert (http.container_port, http.host_port, http.protocol) == (8080, 8080, "TCP")
    assert (dns.container_port, dns.host_port, dns.protocol) == (53, 53, "UDP")
    assert pod.spec.containers[0].image_pull_policy is PullPolicy.IF_NOT_PRESENT
    assert pod.spec.dns_policy is DNSPolicy.NONE
    assert pod.spec.dns_config is not None
    assert pod.spec.dns_config.nameservers == ("192.0.2.1",)
    assert [(o.name, o.value) for o in pod.spec.dns_config.options] == [
        ("ndots", "2"),
        ("edns0", None),
    ]
    (alias,) = pod.spec.host_aliases
    assert (alias.ip, alias.hostnames) == ("127.0.0.1", ("foo.local", "bar.local"))


def test_csi_inline_volume():
    pod = load_one("csi-inline.yaml")
    assert pod.spec.runtime_class_name == "podkit"
    csi = pod.spec.volumes[0].csi
    assert csi is not None
    assert (csi.driver, csi.fs_type, csi.read_only) == ("hostpath.csi.k8s.io", "ext4", False)
    assert csi.volume_attributes == {"size": "1Gi"}
    assert csi.node_publish_secret_ref is not None
    assert csi.node_publish_secret_ref.name == "csi-secret"


@pytest.mark.parametrize("path", sorted(DATA.iterdir()), ids=lambda path: path.name)
def test_every_valid_manifest_loads(path):
    assert manifests.load_file(path)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda path: path.name)
def test_examples_load(path):
    objects = manifests.load_file(path)
    assert any(isinstance(o, Pod) for o in objects)


def test_example_secret_merges_string_data_over_data():
    secret, config_map, pod = manifests.load_file(EXAMPLES / "secret-configmap.yaml")
    assert isinstance(secret, Secret)
    assert secret.data == {"username": base64.b64decode("YWRtaW4="), "password": b"s3cr3t"}
    assert isinstance(config_map, ConfigMap)
    assert isinstance(pod, Pod)
    assert pod.spec.volumes[1].secret is not None
    assert pod.spec.volumes[1].secret.default_mode == 0o400


def test_load_files_concatenates_in_order():
    objects = manifests.load_files([DATA / "init-containers.yaml", DATA / "secret-env.yaml"])
    assert [o.metadata.name for o in objects] == ["myapp-pod", "backend-user", "env-single-secret"]

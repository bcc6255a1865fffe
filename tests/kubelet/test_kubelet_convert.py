"""A Pod as CRI configurations, and its environment: no root needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podkit import manifests
from podkit.kubelet._convert import (
    ImageUser,
    VolumePath,
    container_config,
    container_mounts,
    dns_config,
    sandbox_config,
    seccomp,
)
from podkit.kubelet._env import ContainerConfigError, environment, expand
from podkit.kubelet._objects import ObjectStore
from podkit.kubelet._resources import milli_cpu_to_quota, milli_cpu_to_shares, qos_class
from podkit.models.runtime import NamespaceMode, ProfileType, Protocol, SecurityProfile


def load(*documents):
    return manifests.load("".join(f"---\n{json.dumps(d)}\n" for d in documents))


def pod(spec, **meta):
    metadata = {"name": "web", "uid": "u-1", "labels": {"app": "web"}, **meta}
    (loaded,) = load({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec})
    return loaded


def container(**fields):
    return {"name": "main", "image": "busybox:1.36", **fields}


def test_the_sandbox_config_carries_the_pods_identity_ports_and_namespaces(tmp_path):
    ports = [{"containerPort": 80, "hostPort": 8080, "protocol": "UDP"}, {"containerPort": 81}]
    the_pod = pod(
        {"containers": [container(ports=ports)], "shareProcessNamespace": True},
        annotations={"a": "b"},
    )
    config = sandbox_config(the_pod, logs_dir=tmp_path, attempt=2)
    assert (config.metadata.name, config.metadata.namespace) == ("web", "default")
    assert (config.metadata.uid, config.metadata.attempt) == ("u-1", 2)
    assert config.hostname == "web"
    assert config.log_directory == str(tmp_path / "default_web_u-1")
    assert config.labels["app"] == "web"
    assert config.labels["io.kubernetes.pod.uid"] == "u-1"
    assert dict(config.annotations) == {"a": "b"}
    first = config.port_mappings[0]
    assert (first.protocol, first.container_port, first.host_port) == (Protocol.UDP, 80, 8080)
    options = config.linux.security_context.namespace_options
    assert (options.network, options.pid) == (NamespaceMode.POD, NamespaceMode.POD)
    assert config.linux.cgroup_parent == "kubepods/besteffort/podu-1"
    assert config.dns_config is None


def test_host_network_uses_the_node_namespace_and_hostname(tmp_path):
    config = sandbox_config(
        pod({"containers": [container()], "hostNetwork": True}), logs_dir=tmp_path
    )
    options = config.linux.security_context.namespace_options
    assert (options.network, options.pid) == (NamespaceMode.NODE, NamespaceMode.CONTAINER)
    assert config.hostname == ""


def test_dns_policy_none_takes_only_the_pods_dns_config(tmp_path):
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 192.0.2.53\nsearch example.org\n")
    dns = {"nameservers": ["198.51.100.1"], "options": [{"name": "ndots", "value": "2"}]}
    none = pod({"containers": [container()], "dnsPolicy": "None", "dnsConfig": dns})
    config = dns_config(none, resolv)
    assert config is not None
    assert (config.servers, config.options) == (("198.51.100.1",), ("ndots:2",))
    merged = dns_config(pod({"containers": [container()], "dnsConfig": dns}), resolv)
    assert merged is not None
    assert merged.servers == ("192.0.2.53", "198.51.100.1")
    assert merged.searches == ("example.org",)


def test_resources_become_shares_quota_and_memory_as_the_kubelet_computes_them():
    resources = {
        "requests": {"cpu": "250m", "memory": "64Mi"},
        "limits": {"cpu": "500m", "memory": "128Mi"},
    }
    the_pod = pod({"containers": [container(resources=resources)]})
    config = container_config(
        the_pod,
        the_pod.spec.containers[0],
        attempt=0,
        image_ref="sha256:abc",
        image_user=ImageUser(),
        env={},
        mounts=(),
    )
    limits = config.linux.resources
    assert (limits.cpu_shares, limits.cpu_quota, limits.cpu_period) == (256, 50_000, 100_000)
    assert limits.memory_limit_in_bytes == 128 * 1024 * 1024
    assert qos_class(the_pod) == "Burstable"
    assert milli_cpu_to_shares(0) == 2
    assert milli_cpu_to_quota(1) == 1000


def test_the_container_config_has_image_command_log_path_and_security(tmp_path):
    security = {
        "runAsUser": 1000,
        "runAsGroup": 2000,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]},
    }
    the_pod = pod(
        {
            "containers": [
                container(
                    command=["sh", "-c"],
                    args=["echo $(GREETING) $$(literal)"],
                    workingDir="/srv",
                    securityContext=security,
                    volumeMounts=[{"name": "data", "mountPath": "/data", "subPath": "sub"}],
                )
            ],
            "volumes": [{"name": "data", "emptyDir": {}}],
        }
    )
    spec = the_pod.spec.containers[0]
    mounts = container_mounts(spec, {"data": VolumePath(str(tmp_path))})
    assert (tmp_path / "sub").is_dir()
    config = container_config(
        the_pod,
        spec,
        attempt=3,
        image_ref="sha256:abc",
        image_user=ImageUser(uid=0),
        env={"GREETING": "hi"},
        mounts=mounts,
    )
    assert config.image.image == "sha256:abc"
    assert config.image.user_specified_image == "busybox:1.36"
    assert config.args == ("echo hi $(literal)",)
    assert config.working_dir == "/srv"
    assert config.log_path == "main/3.log"
    assert config.metadata.attempt == 3
    assert config.mounts[0].host_path == str(tmp_path / "sub")
    context = config.linux.security_context
    assert (context.run_as_user, context.run_as_group) == (1000, 2000)
    assert context.readonly_rootfs
    assert context.no_new_privs
    assert context.capabilities.add_capabilities == ("NET_ADMIN",)
    assert context.capabilities.drop_capabilities == ("ALL",)


def test_run_as_non_root_refuses_a_root_image():
    the_pod = pod({"containers": [container(securityContext={"runAsNonRoot": True})]})
    with pytest.raises(ContainerConfigError, match="runAsNonRoot"):
        container_config(
            the_pod,
            the_pod.spec.containers[0],
            attempt=0,
            image_ref="",
            image_user=ImageUser(uid=0),
            env={},
            mounts=(),
        )


def objects(*documents):
    store = ObjectStore()
    for obj in load(*documents):
        store.put(obj)
    return store


SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "s"},
    "stringData": {"k": "sv"},
}
CONFIG = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "c"},
    "data": {"A": "1", "B": "2"},
}


def test_environment_resolves_every_source_in_order():
    env = [
        {"name": "B", "value": "literal-$(A)"},
        {"name": "S", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
        {"name": "C", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "A"}}},
        {
            "name": "GONE",
            "valueFrom": {"configMapKeyRef": {"name": "c", "key": "x", "optional": True}},
        },
        {"name": "NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
        {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
        {"name": "HOST", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
    ]
    env_from = [{"prefix": "CFG_", "configMapRef": {"name": "c"}}]
    the_pod = pod({"containers": [container(env=env, envFrom=env_from)], "nodeName": "n1"})
    result = environment(
        the_pod, the_pod.spec.containers[0], objects(SECRET, CONFIG), ("10.0.0.5",), "192.0.2.1"
    )
    assert result == {
        "CFG_A": "1",
        "CFG_B": "2",
        "B": "literal-$(A)",
        "S": "sv",
        "C": "1",
        "NAME": "web",
        "APP": "web",
        "IP": "10.0.0.5",
        "NODE": "n1",
        "HOST": "192.0.2.1",
    }


def test_a_missing_key_or_object_is_a_container_config_error():
    missing_key = [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "s", "key": "nope"}}}]
    the_pod = pod({"containers": [container(env=missing_key)]})
    with pytest.raises(ContainerConfigError, match="couldn't find key nope in Secret default/s"):
        environment(the_pod, the_pod.spec.containers[0], objects(SECRET), ())
    missing = [{"configMapRef": {"name": "absent"}}]
    the_pod = pod({"containers": [container(envFrom=missing)]})
    with pytest.raises(ContainerConfigError, match="not found"):
        environment(the_pod, the_pod.spec.containers[0], objects(), ())


def test_expansion_leaves_unknown_references_and_unescapes_dollars():
    assert expand("$(A)-$(MISSING)-$$(A)-$$", {"A": "x"}) == "x-$(MISSING)-$(A)-$"


def test_a_path_is_not_made_under_a_read_only_volume(tmp_path):
    spec = container(volumeMounts=[{"name": "s", "mountPath": "/s", "subPath": "x"}])
    the_pod = pod({"containers": [spec], "volumes": [{"name": "s", "secret": {"secretName": "s"}}]})
    mounts = container_mounts(
        the_pod.spec.containers[0], {"s": VolumePath(str(tmp_path), read_only=True)}
    )
    assert mounts[0].readonly
    assert not Path(mounts[0].host_path).exists()


def test_a_long_pod_name_is_cut_to_a_hostname(tmp_path):
    the_pod = pod({"containers": [container()]}, name="a" * 62 + "-b" * 5)
    assert sandbox_config(the_pod, logs_dir=tmp_path).hostname == "a" * 62


def test_the_seccomp_profile_is_the_containers_else_the_pods_with_localhost_under_the_dir(
    tmp_path,
):
    the_pod = pod(
        {
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [
                container(name="inherits"),
                container(
                    name="own",
                    securityContext={
                        "seccompProfile": {"type": "Localhost", "localhostProfile": "p/deny.json"}
                    },
                ),
                container(name="off", securityContext={"seccompProfile": {"type": "Unconfined"}}),
            ],
        }
    )
    inherits, own, off = the_pod.spec.containers
    assert seccomp(the_pod, inherits, tmp_path) == SecurityProfile(
        profile_type=ProfileType.RUNTIME_DEFAULT
    )
    assert seccomp(the_pod, own, tmp_path) == SecurityProfile(
        profile_type=ProfileType.LOCALHOST, localhost_ref=str(tmp_path / "p" / "deny.json")
    )
    assert seccomp(the_pod, off, tmp_path) == SecurityProfile(profile_type=ProfileType.UNCONFINED)
    assert seccomp(pod({"containers": [container()]}), container_spec(), tmp_path) is None
    with pytest.raises(ContainerConfigError, match="no seccomp directory"):
        seccomp(the_pod, own, None)
    # The pod's own profile goes to the sandbox too (a pause process's filter).
    sandbox = sandbox_config(the_pod, logs_dir=tmp_path, seccomp_dir=tmp_path)
    assert sandbox.linux.security_context.seccomp == SecurityProfile(
        profile_type=ProfileType.RUNTIME_DEFAULT
    )


def container_spec():
    return pod({"containers": [container()]}).spec.containers[0]

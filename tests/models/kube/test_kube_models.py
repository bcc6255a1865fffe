"""The Kubernetes models: defaults, immutability, and validation when built in Python."""

from __future__ import annotations

import attrs
import pytest

from podkit.errors import InvalidArgumentError
from podkit.models import kube
from podkit.models.kube import (
    ConfigMap,
    Container,
    ContainerPort,
    EnvVar,
    EnvVarSource,
    ExecAction,
    HTTPGetAction,
    ObjectMeta,
    Pod,
    PodSpec,
    Probe,
    PullPolicy,
    Quantity,
    ResourceRequirements,
    RestartPolicy,
    Secret,
    SecretKeySelector,
    SecurityContext,
    Volume,
    VolumeMount,
)


def container(**fields):
    return Container(**{"name": "app", "image": "busybox"} | fields)


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("busybox", PullPolicy.ALWAYS),
        ("busybox:latest", PullPolicy.ALWAYS),
        ("busybox:1.36", PullPolicy.IF_NOT_PRESENT),
        ("busybox@sha256:" + "0" * 64, PullPolicy.IF_NOT_PRESENT),
        ("busybox:latest@sha256:" + "0" * 64, PullPolicy.ALWAYS),
        ("localhost:5000/busybox", PullPolicy.ALWAYS),
        ("localhost:5000/tools/busybox:1.0", PullPolicy.IF_NOT_PRESENT),
    ],
)
def test_image_pull_policy_defaults_from_the_tag(image, policy):
    assert container(image=image).image_pull_policy is policy


def test_strings_convert_to_enum_members_that_equal_them():
    ctr = container(image_pull_policy="Never")
    assert ctr.image_pull_policy is PullPolicy.NEVER
    assert ctr.image_pull_policy == "Never"
    spec = PodSpec(containers=[ctr], restart_policy="OnFailure")
    assert spec.restart_policy is RestartPolicy.ON_FAILURE


def test_pod_defaults_are_kubernetes_defaults():
    spec = PodSpec(containers=[container()])
    assert spec.restart_policy is RestartPolicy.ALWAYS
    assert spec.termination_grace_period_seconds == 30
    assert spec.dns_policy == "ClusterFirst"
    probe = Probe(exec=ExecAction(command=["true"]))
    assert (probe.timeout_seconds, probe.period_seconds) == (1, 10)
    assert (probe.success_threshold, probe.failure_threshold) == (1, 3)
    assert HTTPGetAction(port=80).path == "/"
    ctr = container()
    assert ctr.termination_message_path == "/dev/termination-log"
    assert ctr.termination_message_policy == "File"


def test_models_are_immutable_and_copy_what_they_are_given():
    labels = {"app": "web"}
    meta = ObjectMeta(name="web", labels=labels)
    labels["app"] = "changed"
    assert meta.labels == {"app": "web"}
    with pytest.raises(TypeError):
        meta.labels["app"] = "x"  # type: ignore[index]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        meta.name = "x"  # type: ignore[misc]
    ctr = container(command=["sleep", "1"])
    assert ctr.command == ("sleep", "1")


def test_a_bare_string_is_not_a_list():
    with pytest.raises(TypeError, match="expected a list"):
        container(command="sh")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: container(name="App"),
            (
                'name: invalid value "App": a DNS-1123 label must consist of lower case '
                "alphanumeric characters or '-', "
                "and must start and end with an alphanumeric character"
            ),
        ),
        (lambda: container(image=""), "image: required value"),
        (
            lambda: ObjectMeta(name="x" * 254),
            'name: invalid value "' + "x" * 254 + '": must be no more than 253 characters',
        ),
        (Probe, 'probe: must specify exactly one of "exec", "httpGet", "tcpSocket"'),
        (
            lambda: Probe(exec=ExecAction(command=["true"]), http_get=HTTPGetAction(port=80)),
            'probe: must specify exactly one of "exec", "httpGet", "tcpSocket"',
        ),
        (lambda: ExecAction(command=[]), "command: required value"),
        (lambda: HTTPGetAction(port=0), "port: required value"),
        (
            lambda: HTTPGetAction(port="Http"),
            (
                'port: invalid value "Http": must contain only alpha-numeric '
                "characters (a-z, 0-9), and hyphens (-)"
            ),
        ),
        (
            lambda: Volume(name="data"),
            (
                'volume: must specify exactly one of "hostPath", "emptyDir", "secret", '
                '"configMap", "csi"'
            ),
        ),
        (
            lambda: EnvVar(
                name="A",
                value="x",
                value_from=EnvVarSource(secret_key_ref=SecretKeySelector(name="s", key="k")),
            ),
            "value_from: may not be specified when `value` is not empty",
        ),
        (
            lambda: EnvVar(name="A=B"),
            (
                'name: invalid value "A=B": must consist only of printable ASCII '
                "characters other than '='"
            ),
        ),
        (
            EnvVarSource,
            'valueFrom: must specify exactly one of "fieldRef", "configMapKeyRef", "secretKeyRef"',
        ),
        (
            lambda: ResourceRequirements(
                requests={"cpu": Quantity.parse("2")}, limits={"cpu": Quantity.parse("500m")}
            ),
            'requests[cpu]: invalid value "2": must be less than or equal to cpu limit of 500m',
        ),
        (
            lambda: ResourceRequirements(
                requests={"example.com/gpu": Quantity.parse("1")},
                limits={"example.com/gpu": Quantity.parse("2")},
            ),
            (
                'requests[example.com/gpu]: invalid value "1": must be equal to '
                "example.com/gpu limit of 2"
            ),
        ),
        (
            lambda: ResourceRequirements(limits={"memory": Quantity.parse("-1")}),
            'limits[memory]: invalid value "-1": must be greater than or equal to 0',
        ),
        (
            lambda: ResourceRequirements(limits={"gpu": Quantity.parse("1")}),
            'limits: invalid value "gpu": must be a standard resource for containers',
        ),
        (
            lambda: ContainerPort(container_port=70000),
            "container_port: invalid value 70000: must be between 1 and 65535, inclusive",
        ),
        (
            lambda: VolumeMount(name="data", mount_path="data"),
            'mount_path: invalid value "data": must be an absolute path',
        ),
        (
            lambda: SecurityContext(privileged=True, allow_privilege_escalation=False),
            (
                "allow_privilege_escalation: cannot set `allowPrivilegeEscalation` to "
                "false and `privileged` to true"
            ),
        ),
        (
            lambda: container(
                liveness_probe=Probe(exec=ExecAction(command=["true"]), success_threshold=2)
            ),
            "liveness_probe: success_threshold must be 1",
        ),
        (
            lambda: container(readiness_probe=Probe(http_get=HTTPGetAction(port="http"))),
            'readiness_probe: port name "http" is not a port of the container',
        ),
        (lambda: PodSpec(containers=[]), "containers: required value"),
        (
            lambda: PodSpec(containers=[container(), container()]),
            'containers: duplicate value "app"',
        ),
        (
            lambda: PodSpec(
                containers=[container(volume_mounts=[VolumeMount(name="data", mount_path="/data")])]
            ),
            'volume_mounts: volume "data" not found',
        ),
        (
            lambda: PodSpec(containers=[container()], dns_policy="None"),
            "dns_config: must provide at least one DNS nameserver when dnsPolicy is None",
        ),
        (
            lambda: Secret(
                metadata=ObjectMeta(name="tls"), type="kubernetes.io/tls", data={"tls.crt": b"x"}
            ),
            "data[tls.key]: required value",
        ),
        (
            lambda: ConfigMap(
                metadata=ObjectMeta(name="c"), data={"a": "x"}, binary_data={"a": b"x"}
            ),
            "data[a]: duplicate of key present in `binaryData`",
        ),
        (
            lambda: Secret(metadata=ObjectMeta(name="s"), data={"../x": b""}),
            (
                'data: invalid value "../x": a valid config key must consist of '
                "alphanumeric characters, '-', '_' or '.'"
            ),
        ),
    ],
)
def test_invalid_models_cannot_be_built(build, message):
    with pytest.raises(InvalidArgumentError) as info:
        build()
    assert str(info.value) == message


def test_a_valid_pod_builds():
    pod = Pod(
        metadata=ObjectMeta(
            name="web", namespace="default", labels={"app.kubernetes.io/name": "web"}
        ),
        spec=PodSpec(
            containers=[
                container(
                    ports=[ContainerPort(name="http", container_port=80)],
                    liveness_probe=Probe(http_get=HTTPGetAction(port="http")),
                    volume_mounts=[VolumeMount(name="data", mount_path="/data")],
                )
            ],
            volumes=[Volume(name="data", empty_dir=kube.EmptyDirVolumeSource(medium="Memory"))],
        ),
    )
    assert pod.KIND == "Pod"
    assert pod.API_VERSION == "v1"
    assert pod.spec.volumes[0].empty_dir is not None
    assert pod.spec.volumes[0].empty_dir.medium is kube.StorageMedium.MEMORY


def test_public_names_are_sorted_and_exported():
    assert kube.__all__ == sorted(kube.__all__)
    for name in kube.__all__:
        assert hasattr(kube, name)

"""Tests of the runtime contract's models, and that pluggy accepts its hookspecs."""

from __future__ import annotations

import enum
import inspect
import types
import typing

import attrs
import pluggy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import podkit.hookspecs.runtime
import podkit.models.runtime as rt
from podkit.errors import GrpcCode, InvalidArgumentError


def _sandbox_config(**kwargs):
    metadata = rt.PodSandboxMetadata(name="web", uid="u-1", namespace="default")
    return rt.PodSandboxConfig(metadata=metadata, **kwargs)


def _container_config(**kwargs):
    return rt.ContainerConfig(
        metadata=rt.ContainerMetadata(name="app"),
        image=rt.ImageSpec(image="docker.io/library/busybox:1.36"),
        **kwargs,
    )


# --------------------------------------------------------------------------
# The module's surface
# --------------------------------------------------------------------------


def _isort_style(name):
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions.
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_complete():
    assert rt.__all__ == sorted(rt.__all__, key=_isort_style)
    assert len(rt.__all__) == len(set(rt.__all__))
    for name in rt.__all__:
        assert getattr(rt, name) is not None
    public_classes = {
        name
        for name, value in vars(rt).items()
        if isinstance(value, type) and not name.startswith("_")
    }
    assert public_classes <= set(rt.__all__)


@pytest.mark.parametrize(
    "cls", [getattr(rt, name) for name in rt.__all__ if attrs.has(getattr(rt, name))]
)
def test_every_model_is_frozen_and_final(cls):
    assert getattr(cls, "__final__", False) is True
    assert cls.__setattr__ is attrs.frozen(type("Probe", (), {})).__setattr__
    params = attrs.fields(cls)
    if len(params) > 2:
        assert all(field.kw_only for field in params)


def test_setting_a_field_fails():
    spec = rt.ImageSpec(image="busybox")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        spec.image = "other"  # type: ignore[misc]


# --------------------------------------------------------------------------
# Enums: values are the upstream names, in upstream order
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "values"),
    [
        (rt.PodSandboxState, ["SANDBOX_READY", "SANDBOX_NOTREADY"]),
        (
            rt.ContainerState,
            ["CONTAINER_CREATED", "CONTAINER_RUNNING", "CONTAINER_EXITED", "CONTAINER_UNKNOWN"],
        ),
        (rt.NamespaceMode, ["POD", "CONTAINER", "NODE", "TARGET"]),
        (rt.Protocol, ["TCP", "UDP", "SCTP"]),
        (
            rt.MountPropagation,
            [
                "PROPAGATION_PRIVATE",
                "PROPAGATION_HOST_TO_CONTAINER",
                "PROPAGATION_BIDIRECTIONAL",
            ],
        ),
        (rt.ProfileType, ["RuntimeDefault", "Unconfined", "Localhost"]),
        (rt.SupplementalGroupsPolicy, ["Merge", "Strict"]),
    ],
)
def test_enum_values_are_the_upstream_names(cls, values):
    assert issubclass(cls, enum.Enum)
    assert [member.value for member in cls] == values


def test_signal_enum_has_every_upstream_signal():
    values = [member.value for member in rt.Signal]
    assert len(values) == 66
    assert values[0] == "SIGNAL_RUNTIME_DEFAULT"
    assert values[23] == "SIGNAL_SIGTERM"
    assert values[-1] == "SIGNAL_SIGRTMAX"
    assert all(member.name == member.value for member in rt.Signal)


def test_runtime_condition_types():
    assert rt.RUNTIME_READY == "RuntimeReady"
    assert rt.NETWORK_READY == "NetworkReady"


def test_exec_sync_output_limit_is_16_mib():
    assert rt.EXEC_SYNC_OUTPUT_LIMIT == 16 * 1024 * 1024


# --------------------------------------------------------------------------
# Defaults: an unset message that means "all defaults" is the empty model
# --------------------------------------------------------------------------


def test_sandbox_config_defaults():
    config = _sandbox_config()
    assert config.hostname == ""
    assert config.log_directory == ""
    assert config.dns_config is None
    assert config.port_mappings == ()
    assert dict(config.labels) == {}
    assert dict(config.annotations) == {}
    assert config.linux == rt.LinuxPodSandboxConfig()
    assert config.linux.cgroup_parent == ""
    assert config.linux.overhead is None
    assert config.linux.resources is None
    context = config.linux.security_context
    assert context.namespace_options == rt.NamespaceOption(
        network=rt.NamespaceMode.POD, pid=rt.NamespaceMode.POD, ipc=rt.NamespaceMode.POD
    )
    assert context.namespace_options.userns_options is None
    assert context.run_as_user is None
    assert context.run_as_group is None
    assert context.supplemental_groups_policy is rt.SupplementalGroupsPolicy.MERGE
    assert context.seccomp is None
    assert context.apparmor is None


def test_container_config_defaults():
    config = _container_config()
    assert config.command == ()
    assert config.args == ()
    assert config.envs == ()
    assert config.mounts == ()
    assert config.devices == ()
    assert config.cdi_devices == ()
    assert (config.stdin, config.stdin_once, config.tty) == (False, False, False)
    assert config.stop_signal is rt.Signal.SIGNAL_RUNTIME_DEFAULT
    assert config.linux.resources == rt.LinuxContainerResources()
    context = config.linux.security_context
    assert context.capabilities == rt.Capability()
    assert context.privileged is False
    assert context.run_as_user is None
    assert context.run_as_username == ""
    assert context.masked_paths == ()
    assert context.selinux_options is None


def test_resources_default_to_not_specified():
    resources = rt.LinuxContainerResources()
    assert resources.cpu_period == 0
    assert resources.cpu_quota == 0
    assert resources.cpu_shares == 0
    assert resources.memory_limit_in_bytes == 0
    assert resources.memory_swap_limit_in_bytes == 0
    assert resources.oom_score_adj == 0
    assert resources.cpuset_cpus == ""
    assert resources.cpuset_mems == ""
    assert resources.hugepage_limits == ()
    assert dict(resources.unified) == {}


def test_mount_defaults():
    mount = rt.Mount(container_path="/data")
    assert mount.host_path == ""
    assert mount.readonly is False
    assert mount.selinux_relabel is False
    assert mount.propagation is rt.MountPropagation.PROPAGATION_PRIVATE
    assert mount.recursive_read_only is False
    assert mount.image is None
    assert mount.uid_mappings == ()
    assert mount.mount_options == ()


def test_security_profile_defaults_to_runtime_default():
    assert rt.SecurityProfile() == rt.SecurityProfile(profile_type=rt.ProfileType.RUNTIME_DEFAULT)
    assert rt.SecurityProfile().localhost_ref == ""


def test_filters_default_to_matching_everything():
    assert rt.PodSandboxFilter().state is None
    assert rt.PodSandboxFilter().id == ""
    assert dict(rt.PodSandboxFilter().label_selector) == {}
    assert rt.ContainerFilter().state is None
    assert rt.ContainerFilter().pod_sandbox_id == ""
    assert rt.ContainerStatsFilter().id == ""
    assert rt.ImageFilter().image is None


def test_image_status_of_a_missing_image_is_none():
    assert rt.ImageStatusResponse().image is None
    assert dict(rt.ImageStatusResponse().info) == {}


def test_exec_sync_response_defaults():
    response = rt.ExecSyncResponse()
    assert response.stdout == b""
    assert response.stderr == b""
    assert response.exit_code == 0


def test_stats_counters_default_to_unknown_not_zero():
    assert rt.CpuUsage().usage_core_nano_seconds is None
    assert rt.MemoryUsage().working_set_bytes is None
    assert rt.FilesystemUsage().used_bytes is None
    assert rt.FilesystemUsage().inodes_used is None
    assert rt.CpuUsage(usage_core_nano_seconds=0).usage_core_nano_seconds == 0


def test_status_response_defaults():
    response = rt.StatusResponse()
    assert response.status.conditions == ()
    assert response.runtime_handlers == ()
    assert response.features is None
    assert rt.RuntimeCondition(type=rt.RUNTIME_READY).status is False


def test_pod_sandbox_status_leaves_network_to_the_runtime_layer():
    status = rt.PodSandboxStatus(
        id="sb1", metadata=rt.PodSandboxMetadata(name="web"), state=rt.PodSandboxState.SANDBOX_READY
    )
    assert status.network is None
    assert status.linux.namespaces.network_path == ""
    assert status.linux.namespaces.options == rt.NamespaceOption()
    assert status.created_at == 0


def test_required_fields_have_no_default():
    with pytest.raises(TypeError, match="metadata"):
        rt.PodSandboxConfig()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="image"):
        rt.ContainerConfig(metadata=rt.ContainerMetadata())  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="state"):
        rt.Container(  # type: ignore[call-arg]
            id="c1",
            pod_sandbox_id="sb1",
            metadata=rt.ContainerMetadata(),
            image=rt.ImageSpec(),
        )


# --------------------------------------------------------------------------
# Collections: tuples and read-only maps
# --------------------------------------------------------------------------


def test_lists_become_tuples():
    config = _container_config(command=["sh", "-c"], args=iter(["true"]))
    assert config.command == ("sh", "-c")
    assert config.args == ("true",)
    assert rt.LinuxContainerSecurityContext(supplemental_groups=[1, 2]).supplemental_groups == (
        1,
        2,
    )


@pytest.mark.parametrize("bad", ["sh", b"sh", {"sh": "x"}])
def test_a_string_or_mapping_is_not_taken_for_a_list(bad):
    with pytest.raises(TypeError, match="expected a list"):
        _container_config(command=bad)


def test_list_members_are_type_checked():
    with pytest.raises(TypeError):
        _container_config(command=["sh", 1])
    with pytest.raises(TypeError):
        _container_config(mounts=[{"container_path": "/x"}])


def test_maps_are_read_only_copies():
    labels = {"app": "web"}
    config = _sandbox_config(labels=labels)
    labels["app"] = "changed"
    assert dict(config.labels) == {"app": "web"}
    assert isinstance(config.labels, types.MappingProxyType)
    with pytest.raises(TypeError):
        config.labels["app"] = "x"  # type: ignore[index]


def test_map_entries_are_type_checked():
    with pytest.raises(TypeError):
        _sandbox_config(labels={"app": 1})
    with pytest.raises(TypeError):
        _sandbox_config(annotations=["a", "b"])


def test_models_with_maps_hash_and_compare_by_value():
    one = _container_config(labels={"a": "1"}, annotations={"b": "2"})
    two = _container_config(labels={"a": "1"}, annotations={"b": "2"})
    other = _container_config(labels={"a": "other"})
    assert one == two
    assert hash(one) == hash(two)
    assert one != other
    assert len({one, two}) == 1


def test_map_repr_is_a_plain_dict():
    assert "annotations={'k': 'v'}" in repr(rt.ImageSpec(annotations={"k": "v"}))


def test_evolve_validates_again():
    mount = rt.Mount(container_path="/x", readonly=True, recursive_read_only=True)
    with pytest.raises(InvalidArgumentError):
        attrs.evolve(mount, readonly=False)


# --------------------------------------------------------------------------
# Scalars: protobuf ranges, no bool for int
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "low", "high"),
    [
        (lambda v: rt.ContainerMetadata(attempt=v), 0, 2**32 - 1),
        (lambda v: rt.PodSandboxMetadata(attempt=v), 0, 2**32 - 1),
        (lambda v: rt.PortMapping(container_port=v), 0, 65535),
        (lambda v: rt.PortMapping(host_port=v), 0, 65535),
        (lambda v: rt.LinuxContainerResources(cpu_quota=v), -(2**63), 2**63 - 1),
        (lambda v: rt.LinuxContainerResources(oom_score_adj=v), -1000, 1000),
        (lambda v: rt.HugepageLimit(limit=v), 0, 2**64 - 1),
        (lambda v: rt.ExecSyncResponse(exit_code=v), -(2**31), 2**31 - 1),
        (lambda v: rt.FilesystemUsage(timestamp=v), 0, 2**63 - 1),
        (lambda v: rt.Image(id="sha256:1", size=v), 0, 2**64 - 1),
        (lambda v: rt.LinuxContainerSecurityContext(run_as_user=v), 0, 2**32 - 1),
        (lambda v: rt.IDMapping(length=v), 0, 2**32 - 1),
    ],
)
def test_integers_are_checked_against_their_range(make, low, high):
    make(low)
    make(high)
    with pytest.raises(InvalidArgumentError, match=rf"must be within {low}\.\.{high}"):
        make(low - 1)
    with pytest.raises(InvalidArgumentError, match=rf"must be within {low}\.\.{high}"):
        make(high + 1)


@given(st.integers())
def test_port_accepts_exactly_0_to_65535(value):
    if 0 <= value <= 65535:
        assert rt.PortMapping(host_port=value).host_port == value
    else:
        with pytest.raises(InvalidArgumentError):
            rt.PortMapping(host_port=value)


@pytest.mark.parametrize("bad", [True, 1.0, "1", None])
def test_an_int_field_takes_only_an_int(bad):
    with pytest.raises(TypeError, match=r"ContainerMetadata\.attempt must be an int"):
        rt.ContainerMetadata(attempt=bad)


def test_an_optional_int_takes_none_or_an_int():
    assert rt.Image(id="sha256:1").uid is None
    assert rt.Image(id="sha256:1", uid=0).uid == 0
    with pytest.raises(TypeError):
        rt.Image(id="sha256:1", uid=True)


def test_range_errors_are_invalid_argument_and_value_errors():
    with pytest.raises(InvalidArgumentError) as info:
        rt.PortMapping(host_port=70000)
    assert isinstance(info.value, ValueError)
    assert info.value.grpc_code is GrpcCode.INVALID_ARGUMENT
    assert str(info.value) == "invalid PortMapping.host_port 70000: must be within 0..65535"


@pytest.mark.parametrize(
    "make",
    [
        lambda: rt.ImageSpec(image=1),
        lambda: rt.Mount(container_path="/x", readonly=1),
        lambda: rt.PortMapping(protocol="TCP"),
        lambda: rt.ContainerFilter(state="CONTAINER_RUNNING"),
        lambda: rt.ExecSyncResponse(stdout="text"),
        lambda: rt.PsiData(avg10="1.5"),
    ],
)
def test_field_types_are_checked(make):
    with pytest.raises(TypeError):
        make()


def test_psi_averages_take_floats_and_ints():
    assert rt.PsiData(avg10=1.5, avg60=2).avg60 == 2


@pytest.mark.parametrize(
    "make",
    [
        lambda: rt.Container(
            id="",
            pod_sandbox_id="sb1",
            metadata=rt.ContainerMetadata(),
            image=rt.ImageSpec(),
            state=rt.ContainerState.CONTAINER_CREATED,
        ),
        lambda: rt.PodSandbox(
            id="", metadata=rt.PodSandboxMetadata(), state=rt.PodSandboxState.SANDBOX_READY
        ),
        lambda: rt.Image(id=""),
        lambda: rt.Mount(container_path=""),
        lambda: rt.RuntimeCondition(type=""),
    ],
)
def test_ids_and_paths_that_name_something_must_not_be_empty(make):
    with pytest.raises(InvalidArgumentError, match="must not be empty"):
        make()


# --------------------------------------------------------------------------
# Rules the spec states across fields
# --------------------------------------------------------------------------


def test_target_namespace_needs_a_target_id():
    with pytest.raises(InvalidArgumentError, match=r"NamespaceOption\.target_id is required"):
        rt.NamespaceOption(pid=rt.NamespaceMode.TARGET)
    option = rt.NamespaceOption(pid=rt.NamespaceMode.TARGET, target_id="c1")
    assert option.target_id == "c1"


@pytest.mark.parametrize("mode", [rt.NamespaceMode.CONTAINER, rt.NamespaceMode.TARGET])
def test_user_namespace_mode_is_pod_or_node(mode):
    with pytest.raises(InvalidArgumentError, match="must be POD or NODE"):
        rt.UserNamespace(mode=mode)


def test_user_namespace_keeps_its_mappings():
    userns = rt.UserNamespace(
        mode=rt.NamespaceMode.POD,
        uids=[rt.IDMapping(host_id=65536, container_id=0, length=65536)],
    )
    assert userns.uids == (rt.IDMapping(host_id=65536, container_id=0, length=65536),)
    assert userns.gids == ()


def test_localhost_profile_needs_a_ref_and_only_it_has_one():
    with pytest.raises(InvalidArgumentError, match="is required with profile_type Localhost"):
        rt.SecurityProfile(profile_type=rt.ProfileType.LOCALHOST)
    with pytest.raises(InvalidArgumentError, match="must only be set with profile_type Localhost"):
        rt.SecurityProfile(profile_type=rt.ProfileType.UNCONFINED, localhost_ref="/p.json")
    profile = rt.SecurityProfile(profile_type=rt.ProfileType.LOCALHOST, localhost_ref="/p.json")
    assert profile.localhost_ref == "/p.json"


def test_container_run_as_group_needs_a_user():
    with pytest.raises(InvalidArgumentError, match="needs run_as_user or run_as_username"):
        rt.LinuxContainerSecurityContext(run_as_group=1000)
    assert rt.LinuxContainerSecurityContext(run_as_user=0, run_as_group=0).run_as_group == 0
    named = rt.LinuxContainerSecurityContext(run_as_username="nobody", run_as_group=65534)
    assert named.run_as_group == 65534


def test_container_run_as_user_and_username_are_exclusive():
    with pytest.raises(InvalidArgumentError, match="mutually exclusive"):
        rt.LinuxContainerSecurityContext(run_as_user=1000, run_as_username="app")


def test_sandbox_run_as_group_needs_run_as_user():
    with pytest.raises(InvalidArgumentError, match="needs run_as_user"):
        rt.LinuxSandboxSecurityContext(run_as_group=1000)
    context = rt.LinuxSandboxSecurityContext(run_as_user=1000, run_as_group=1000)
    assert (context.run_as_user, context.run_as_group) == (1000, 1000)


def test_recursive_read_only_needs_readonly_and_private_propagation():
    with pytest.raises(InvalidArgumentError, match="needs readonly and PROPAGATION_PRIVATE"):
        rt.Mount(container_path="/x", recursive_read_only=True)
    with pytest.raises(InvalidArgumentError, match="needs readonly and PROPAGATION_PRIVATE"):
        rt.Mount(
            container_path="/x",
            readonly=True,
            recursive_read_only=True,
            propagation=rt.MountPropagation.PROPAGATION_HOST_TO_CONTAINER,
        )
    assert rt.Mount(container_path="/x", readonly=True, recursive_read_only=True).readonly


def test_mount_host_path_and_image_are_exclusive():
    with pytest.raises(InvalidArgumentError, match="mutually exclusive"):
        rt.Mount(container_path="/x", host_path="/h", image=rt.ImageSpec(image="busybox"))
    image_mount = rt.Mount(container_path="/x", image=rt.ImageSpec(image="busybox"))
    assert image_mount.host_path == ""


@pytest.mark.parametrize("permissions", ["", "r", "rw", "rwm", "mwr"])
def test_device_permissions_are_made_of_rwm(permissions):
    assert rt.Device(permissions=permissions).permissions == permissions


@pytest.mark.parametrize("permissions", ["x", "rwx", "RW"])
def test_device_permissions_reject_other_letters(permissions):
    with pytest.raises(InvalidArgumentError, match="must be made of r, w, m"):
        rt.Device(permissions=permissions)


@pytest.mark.parametrize("key", ["", "A=B", "A\0"])
def test_env_name_is_non_empty_without_equals_or_nul(key):
    with pytest.raises(InvalidArgumentError, match="without '=' or NUL"):
        rt.KeyValue(key, "v")


def test_env_value_may_hold_anything_but_is_text():
    assert rt.KeyValue("A", "b=c d").value == "b=c d"
    assert rt.KeyValue("EMPTY").value == ""
    with pytest.raises(TypeError):
        rt.KeyValue("A", b"bytes")


def test_image_uid_and_username_are_exclusive():
    with pytest.raises(InvalidArgumentError, match="must be empty when uid is set"):
        rt.Image(id="sha256:1", uid=0, username="root")
    assert rt.Image(id="sha256:1", username="root").uid is None


# --------------------------------------------------------------------------
# Secrets stay out of repr
# --------------------------------------------------------------------------


def test_auth_config_repr_hides_secrets():
    # Made-up values, built so that no literal looks like a credential.
    secrets = dict(
        zip(
            ("password", "auth", "identity_token", "registry_token"),
            (f"secret-{n}" for n in range(4)),
            strict=True,
        )
    )
    auth = rt.AuthConfig(username="me", server_address="registry.example", **secrets)
    text = repr(auth)
    assert "username='me'" in text
    assert "server_address='registry.example'" in text
    assert "secret-" not in text
    assert auth.password == secrets["password"]
    assert auth.registry_token == secrets["registry_token"]


# --------------------------------------------------------------------------
# A full round: what a kubelet sends for a typical pod
# --------------------------------------------------------------------------


def test_a_typical_pod_builds():
    sandbox = _sandbox_config(
        hostname="web",
        log_directory="/var/log/pods/default_web_u-1",
        dns_config=rt.DNSConfig(servers=["10.96.0.10"], searches=["svc.cluster.local"]),
        port_mappings=[rt.PortMapping(container_port=80, host_port=8080)],
        linux=rt.LinuxPodSandboxConfig(
            cgroup_parent="kubepods/besteffort/podu-1",
            sysctls={"net.ipv4.ip_unprivileged_port_start": "0"},
            security_context=rt.LinuxSandboxSecurityContext(
                namespace_options=rt.NamespaceOption(pid=rt.NamespaceMode.CONTAINER),
                seccomp=rt.SecurityProfile(),
            ),
        ),
    )
    container = _container_config(
        command=["sh", "-c", "sleep 3600"],
        envs=[rt.KeyValue("PATH", "/bin")],
        mounts=[rt.Mount(container_path="/data", host_path="/var/lib/kubelet/x", readonly=True)],
        log_path="app/0.log",
        linux=rt.LinuxContainerConfig(
            resources=rt.LinuxContainerResources(cpu_shares=2, memory_limit_in_bytes=64 << 20),
            security_context=rt.LinuxContainerSecurityContext(
                capabilities=rt.Capability(drop_capabilities=["ALL"]),
                run_as_user=1000,
                no_new_privs=True,
            ),
        ),
        stop_signal=rt.Signal.SIGNAL_SIGTERM,
    )
    assert sandbox.port_mappings[0].protocol is rt.Protocol.TCP
    assert sandbox.dns_config is not None
    assert sandbox.dns_config.servers == ("10.96.0.10",)
    assert sandbox.linux.security_context.namespace_options.pid is rt.NamespaceMode.CONTAINER
    assert container.linux.security_context.capabilities.drop_capabilities == ("ALL",)
    assert container.linux.resources.memory_limit_in_bytes == 67108864
    status = rt.ContainerStatus(
        id="c1",
        metadata=container.metadata,
        state=rt.ContainerState.CONTAINER_EXITED,
        created_at=1,
        started_at=2,
        finished_at=3,
        exit_code=137,
        image=container.image,
        reason="OOMKilled",
        annotations=container.annotations,
        mounts=container.mounts,
    )
    assert status.mounts == container.mounts
    assert status.resources is None
    assert status.user is None


# --------------------------------------------------------------------------
# The hookspec module
# --------------------------------------------------------------------------

_OPERATIONS = {
    "runtime_version": ("handler", "version"),
    "runtime_status": ("handler", "verbose"),
    "runtime_run_pod_sandbox": ("handler", "config"),
    "runtime_stop_pod_sandbox": ("handler", "pod_sandbox_id"),
    "runtime_remove_pod_sandbox": ("handler", "pod_sandbox_id"),
    "runtime_pod_sandbox_status": ("handler", "pod_sandbox_id", "verbose"),
    "runtime_list_pod_sandbox": ("handler", "filter"),
    "runtime_create_container": ("handler", "pod_sandbox_id", "config", "sandbox_config"),
    "runtime_start_container": ("handler", "container_id"),
    "runtime_stop_container": ("handler", "container_id", "timeout"),
    "runtime_remove_container": ("handler", "container_id"),
    "runtime_container_status": ("handler", "container_id", "verbose"),
    "runtime_list_containers": ("handler", "filter"),
    "runtime_exec_sync": ("handler", "container_id", "cmd", "timeout"),
    "runtime_update_container_resources": ("handler", "container_id", "linux", "annotations"),
    "runtime_reopen_container_log": ("handler", "container_id"),
    "runtime_container_stats": ("handler", "container_id"),
    "runtime_list_container_stats": ("handler", "filter"),
    "runtime_pull_image": ("handler", "image", "auth", "sandbox_config"),
    "runtime_list_images": ("handler", "filter"),
    "runtime_image_status": ("handler", "image", "verbose"),
    "runtime_remove_image": ("handler", "image"),
    "runtime_image_fs_info": ("handler",),
}


def test_pluggy_accepts_the_hookspecs():
    pm = pluggy.PluginManager("podkit")
    pm.add_hookspecs(podkit.hookspecs.runtime)
    for name, argnames in _OPERATIONS.items():
        caller = getattr(pm.hook, name)
        assert caller.spec is not None
        assert caller.spec.argnames == argnames
        assert caller.spec.opts["firstresult"] is True


def test_hookspec_module_lists_exactly_the_operations():
    module = podkit.hookspecs.runtime
    assert module.__all__ == sorted(_OPERATIONS)
    defined = {
        name
        for name, value in vars(module).items()
        if inspect.isfunction(value) and name.startswith("runtime_")
    }
    assert defined == set(_OPERATIONS)


@pytest.mark.parametrize("name", sorted(_OPERATIONS))
def test_each_hookspec_documents_its_contract(name):
    function = getattr(podkit.hookspecs.runtime, name)
    doc = inspect.getdoc(function)
    assert doc is not None
    for param in _OPERATIONS[name]:
        assert f":param {param}:" in doc
    assert "Mirrors: CRI ``" in doc
    assert ".. versionadded:: 0.1" in doc
    assert "return ``None`` for calls addressed to another plugin" in " ".join(doc.split())


@pytest.mark.parametrize("name", sorted(_OPERATIONS))
def test_each_hookspec_may_decline_with_none(name):
    hints = typing.get_type_hints(
        getattr(podkit.hookspecs.runtime, name),
        globalns={**vars(rt), **vars(typing), "Mapping": typing.Mapping},
    )
    assert hints["handler"] is str
    assert type(None) in typing.get_args(hints["return"])

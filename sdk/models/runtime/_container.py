"""What the CRI RuntimeService carries about containers.

A container's configuration (:class:`ContainerConfig`), what a runtime reports
about it (:class:`Container`, :class:`ContainerStatus`), the filter to list
them and the result of running a command in one (:class:`ExecSyncResponse`).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Final, final

import attrs

from podkit.errors import InvalidArgumentError
from podkit.models.runtime import _fields
from podkit.models.runtime._image import ImageSpec
from podkit.models.runtime._linux import (
    Capability,
    IDMapping,
    LinuxContainerResources,
    NamespaceOption,
    SecurityProfile,
    SELinuxOption,
    SupplementalGroupsPolicy,
)
from podkit.models.runtime._signal import Signal

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

#: What ``ExecSync`` keeps of each of stdout and stderr; the rest is discarded
#: (api.proto, after CVE-2022-1708 and CVE-2022-31030).
EXEC_SYNC_OUTPUT_LIMIT: Final = 16 * 1024 * 1024


# The life of a container (CRI ``ContainerState``):
#
#        CreateContainer
#              |
#              v
#      +-------------------+   StartContainer    +-------------------+
#      | CONTAINER_CREATED | ------------------> | CONTAINER_RUNNING |
#      +-------------------+                     +-------------------+
#              |          \                                |
#              |           \ StartContainer fails          | the process exits, or
#              |            \                              | StopContainer / StopPodSandbox
#              |             v                             v
#              |           +----------------------------------+
#              |           |          CONTAINER_EXITED        |
#              |           +----------------------------------+
#              |                           |
#              +---------- RemoveContainer / RemovePodSandbox
#                                          |
#                                          v
#                                       removed
#
# CONTAINER_UNKNOWN: the runtime lost track of the process (e.g. its state
# could not be recovered after a restart). StopContainer and RemoveContainer
# must still clean such a container up; RemoveContainer of a RUNNING or
# UNKNOWN container stops it first.
@final
class ContainerState(enum.Enum):
    """Where a container is in its life (CRI ``ContainerState``)."""

    CONTAINER_CREATED = "CONTAINER_CREATED"
    CONTAINER_RUNNING = "CONTAINER_RUNNING"
    CONTAINER_EXITED = "CONTAINER_EXITED"
    CONTAINER_UNKNOWN = "CONTAINER_UNKNOWN"


@final
class MountPropagation(enum.Enum):
    """How mounts propagate between a mount and the host (CRI ``MountPropagation``)."""

    #: None (Linux ``rprivate``); the CRI default.
    PROPAGATION_PRIVATE = "PROPAGATION_PRIVATE"
    #: Host to container (Linux ``rslave``).
    PROPAGATION_HOST_TO_CONTAINER = "PROPAGATION_HOST_TO_CONTAINER"
    #: Both ways (Linux ``rshared``).
    PROPAGATION_BIDIRECTIONAL = "PROPAGATION_BIDIRECTIONAL"


@final
@attrs.frozen(kw_only=True)
class ContainerMetadata:
    """What names a container (CRI ``ContainerMetadata``).

    ``(name, attempt)`` is unique within a sandbox for its whole life.
    """

    #: The container's name in the pod spec.
    name: str = attrs.field(default="", validator=_fields.string)
    #: How many times the kubelet created this container before (0 first).
    attempt: int = attrs.field(default=0, validator=_fields.uint32)


def _env_name(instance: KeyValue, attribute: attrs.Attribute[Any], value: str) -> None:
    # execve() environment entries are "key=value" C strings.
    if not value or "=" in value or "\0" in value:
        msg = (
            f"invalid {_fields.where(instance, attribute)} {value!r}: "
            "must be non-empty, without '=' or NUL"
        )
        raise InvalidArgumentError(msg)


@final
@attrs.frozen
class KeyValue:
    """An environment variable (CRI ``KeyValue``).

    The proto's ``value`` became ``bytes`` in cri-api 1.37 so that values
    need not be UTF-8; here it stays a ``str``, and non-UTF-8 bytes arrive
    surrogate-escaped, as in :data:`os.environ` (:func:`os.fsencode` gives the
    bytes back).
    """

    key: str = attrs.field(validator=[_fields.string, _env_name])
    value: str = attrs.field(default="", validator=_fields.string)


def _rro_needs_readonly_private(
    instance: Mount, attribute: attrs.Attribute[Any], value: object
) -> None:
    # api.proto: "when set to true, readonly must be explicitly set to true,
    # and propagation must be PRIVATE (0)."
    private = instance.propagation is MountPropagation.PROPAGATION_PRIVATE
    if value and not (instance.readonly and private):
        msg = f"{_fields.where(instance, attribute)} needs readonly and PROPAGATION_PRIVATE"
        raise InvalidArgumentError(msg)


def _host_path_or_image(
    instance: Mount, attribute: attrs.Attribute[Any], value: ImageSpec | None
) -> None:
    # api.proto: host_path "Has to be empty if the image field below is provided".
    if value is not None and instance.host_path:
        msg = f"{_fields.where(instance, attribute)} and host_path are mutually exclusive"
        raise InvalidArgumentError(msg)


def _id_mappings(value: Iterable[IDMapping]) -> tuple[IDMapping, ...]:
    return _fields.freeze(value)


@final
@attrs.frozen(kw_only=True)
class Mount:
    """A host path or an image mounted into a container (CRI ``Mount``)."""

    #: Where in the container.
    container_path: str = attrs.field(validator=[_fields.string, _fields.non_empty])
    #: What on the host; symlinks are followed. Empty for an image mount.
    host_path: str = attrs.field(default="", validator=_fields.string)
    readonly: bool = attrs.field(default=False, validator=_fields.boolean)
    selinux_relabel: bool = attrs.field(default=False, validator=_fields.boolean)
    propagation: MountPropagation = attrs.field(
        default=MountPropagation.PROPAGATION_PRIVATE,
        validator=_fields.instance_of(MountPropagation),
    )
    #: Upstream ``uidMappings``: an idmapped mount's UID map.
    uid_mappings: tuple[IDMapping, ...] = attrs.field(
        default=(), converter=_id_mappings, validator=_fields.tuple_of(IDMapping)
    )
    #: Upstream ``gidMappings``: an idmapped mount's GID map.
    gid_mappings: tuple[IDMapping, ...] = attrs.field(
        default=(), converter=_id_mappings, validator=_fields.tuple_of(IDMapping)
    )
    #: Read-only all the way down (``rro``); needs :attr:`readonly` and
    #: ``PROPAGATION_PRIVATE``.
    recursive_read_only: bool = attrs.field(
        default=False, validator=[_fields.boolean, _rro_needs_readonly_private]
    )
    #: An image to mount (image volumes), read-only; excludes :attr:`host_path`.
    image: ImageSpec | None = attrs.field(
        default=None,
        validator=[_fields.optional_instance_of(ImageSpec), _host_path_or_image],
    )
    #: The directory of :attr:`image` to mount instead of its root.
    image_sub_path: str = attrs.field(default="", validator=_fields.string)
    #: Extra bind-mount options, e.g. ``noexec``, ``nodev``, ``nosuid``.
    mount_options: tuple[str, ...] = attrs.field(
        default=(), converter=_fields.strings, validator=_fields.string_tuple
    )


def _device_permissions(instance: Device, attribute: attrs.Attribute[Any], value: str) -> None:
    if not set(value) <= set("rwm"):
        msg = f"invalid {_fields.where(instance, attribute)} {value!r}: must be made of r, w, m"
        raise InvalidArgumentError(msg)


@final
@attrs.frozen(kw_only=True)
class Device:
    """A host device made available in a container (CRI ``Device``)."""

    container_path: str = attrs.field(default="", validator=_fields.string)
    host_path: str = attrs.field(default="", validator=_fields.string)
    #: cgroup device permissions, some of ``r`` (read), ``w`` (write),
    #: ``m`` (mknod).
    permissions: str = attrs.field(default="", validator=[_fields.string, _device_permissions])


@final
@attrs.frozen
class CDIDevice:
    """A CDI device, by its fully qualified name (CRI ``CDIDevice``)."""

    #: E.g. ``vendor.com/gpu=gpudevice1``.
    name: str = attrs.field(validator=_fields.string)


def _user_xor_username(
    instance: LinuxContainerSecurityContext, attribute: attrs.Attribute[Any], value: str
) -> None:
    # api.proto: "Only one of run_as_user and run_as_username can be specified
    # at a time."
    if value and instance.run_as_user is not None:
        msg = f"{_fields.where(instance, attribute)} and run_as_user are mutually exclusive"
        raise InvalidArgumentError(msg)


def _group_needs_user(
    instance: LinuxContainerSecurityContext, attribute: attrs.Attribute[Any], value: int | None
) -> None:
    # api.proto: "run_as_group should only be specified when run_as_user or
    # run_as_username is specified; otherwise, the runtime MUST error."
    if value is not None and instance.run_as_user is None and not instance.run_as_username:
        msg = f"{_fields.where(instance, attribute)} needs run_as_user or run_as_username"
        raise InvalidArgumentError(msg)


@final
@attrs.frozen(kw_only=True)
class LinuxContainerSecurityContext:
    """How a container is confined (CRI ``LinuxContainerSecurityContext``).

    The deprecated ``apparmor_profile`` and ``seccomp_profile_path`` strings
    are not modelled: :attr:`apparmor` and :attr:`seccomp` replace them.
    """

    capabilities: Capability = attrs.field(
        factory=Capability, validator=_fields.instance_of(Capability)
    )
    #: All capabilities, no masked paths, all devices, no seccomp/AppArmor/SELinux.
    privileged: bool = attrs.field(default=False, validator=_fields.boolean)
    namespace_options: NamespaceOption = attrs.field(
        factory=NamespaceOption, validator=_fields.instance_of(NamespaceOption)
    )
    selinux_options: SELinuxOption | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(SELinuxOption)
    )
    #: UID of the process; ``None`` for the image's user.
    run_as_user: int | None = attrs.field(default=None, validator=_fields.optional_linux_id)
    #: GID of the process; only with :attr:`run_as_user` or :attr:`run_as_username`.
    run_as_group: int | None = attrs.field(
        default=None, validator=[_fields.optional_linux_id, _group_needs_user]
    )
    #: A user to resolve in the image's ``/etc/passwd``; excludes :attr:`run_as_user`.
    run_as_username: str = attrs.field(default="", validator=[_fields.string, _user_xor_username])
    readonly_rootfs: bool = attrs.field(default=False, validator=_fields.boolean)
    supplemental_groups: tuple[int, ...] = attrs.field(
        default=(), converter=_fields.ints, validator=_fields.linux_ids
    )
    supplemental_groups_policy: SupplementalGroupsPolicy = attrs.field(
        default=SupplementalGroupsPolicy.MERGE,
        validator=_fields.instance_of(SupplementalGroupsPolicy),
    )
    no_new_privs: bool = attrs.field(default=False, validator=_fields.boolean)
    #: Paths to hide (OCI ``linux.maskedPaths``).
    masked_paths: tuple[str, ...] = attrs.field(
        default=(), converter=_fields.strings, validator=_fields.string_tuple
    )
    #: Paths to make read-only (OCI ``linux.readonlyPaths``).
    readonly_paths: tuple[str, ...] = attrs.field(
        default=(), converter=_fields.strings, validator=_fields.string_tuple
    )
    #: ``None`` when the caller set none (the kubelet always sets one).
    seccomp: SecurityProfile | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(SecurityProfile)
    )
    #: ``None`` when the caller set none (the kubelet always sets one).
    apparmor: SecurityProfile | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(SecurityProfile)
    )


@final
@attrs.frozen(kw_only=True)
class LinuxContainerConfig:
    """The Linux part of a container's configuration (CRI ``LinuxContainerConfig``).

    An unset message and the default instance mean the same: nothing specified.
    """

    resources: LinuxContainerResources = attrs.field(
        factory=LinuxContainerResources, validator=_fields.instance_of(LinuxContainerResources)
    )
    security_context: LinuxContainerSecurityContext = attrs.field(
        factory=LinuxContainerSecurityContext,
        validator=_fields.instance_of(LinuxContainerSecurityContext),
    )


def _envs(value: Iterable[KeyValue]) -> tuple[KeyValue, ...]:
    return _fields.freeze(value)


def _mounts(value: Iterable[Mount]) -> tuple[Mount, ...]:
    return _fields.freeze(value)


def _devices(value: Iterable[Device]) -> tuple[Device, ...]:
    return _fields.freeze(value)


def _cdi_devices(value: Iterable[CDIDevice]) -> tuple[CDIDevice, ...]:
    return _fields.freeze(value)


@final
@attrs.frozen(kw_only=True)
class ContainerConfig:
    """Everything needed to create a container (CRI ``ContainerConfig``).

    :attr:`metadata` and :attr:`image` are required here, though proto3 lets
    them be unset; the CRI server answers ``INVALID_ARGUMENT`` when they are.
    The Windows part is not modelled.
    """

    metadata: ContainerMetadata = attrs.field(validator=_fields.instance_of(ContainerMetadata))
    image: ImageSpec = attrs.field(validator=_fields.instance_of(ImageSpec))
    #: The entrypoint; empty for the image's ``Entrypoint``.
    command: tuple[str, ...] = attrs.field(
        default=(), converter=_fields.strings, validator=_fields.string_tuple
    )
    #: The arguments; empty for the image's ``Cmd``.
    args: tuple[str, ...] = attrs.field(
        default=(), converter=_fields.strings, validator=_fields.string_tuple
    )
    #: Empty for the image's ``WorkingDir``.
    working_dir: str = attrs.field(default="", validator=_fields.string)
    envs: tuple[KeyValue, ...] = attrs.field(
        default=(), converter=_envs, validator=_fields.tuple_of(KeyValue)
    )
    mounts: tuple[Mount, ...] = attrs.field(
        default=(), converter=_mounts, validator=_fields.tuple_of(Mount)
    )
    devices: tuple[Device, ...] = attrs.field(
        default=(), converter=_devices, validator=_fields.tuple_of(Device)
    )
    labels: Mapping[str, str] = _fields.string_map_field()
    #: Must come back unchanged in :attr:`ContainerStatus.annotations`.
    annotations: Mapping[str, str] = _fields.string_map_field()
    #: Relative to :attr:`PodSandboxConfig.log_directory`, e.g. ``name/0.log``.
    log_path: str = attrs.field(default="", validator=_fields.string)
    stdin: bool = attrs.field(default=False, validator=_fields.boolean)
    #: Close stdin after the first attach session ends.
    stdin_once: bool = attrs.field(default=False, validator=_fields.boolean)
    tty: bool = attrs.field(default=False, validator=_fields.boolean)
    linux: LinuxContainerConfig = attrs.field(
        factory=LinuxContainerConfig, validator=_fields.instance_of(LinuxContainerConfig)
    )
    #: Upstream ``CDI_devices``.
    cdi_devices: tuple[CDIDevice, ...] = attrs.field(
        default=(), converter=_cdi_devices, validator=_fields.tuple_of(CDIDevice)
    )
    stop_signal: Signal = attrs.field(
        default=Signal.SIGNAL_RUNTIME_DEFAULT, validator=_fields.instance_of(Signal)
    )


@final
@attrs.frozen(kw_only=True)
class Container:
    """A container as ``ListContainers`` reports it (CRI ``Container``)."""

    id: str = attrs.field(validator=[_fields.string, _fields.non_empty])
    pod_sandbox_id: str = attrs.field(validator=[_fields.string, _fields.non_empty])
    metadata: ContainerMetadata = attrs.field(validator=_fields.instance_of(ContainerMetadata))
    image: ImageSpec = attrs.field(validator=_fields.instance_of(ImageSpec))
    #: A digested reference to the image in use.
    image_ref: str = attrs.field(default="", validator=_fields.string)
    state: ContainerState = attrs.field(validator=_fields.instance_of(ContainerState))
    #: Nanoseconds since the epoch.
    created_at: int = attrs.field(default=0, validator=_fields.non_negative)
    labels: Mapping[str, str] = _fields.string_map_field()
    #: Exactly those of the :class:`ContainerConfig`.
    annotations: Mapping[str, str] = _fields.string_map_field()
    #: The image's id on the node; equal to what ``PullImage`` returned.
    image_id: str = attrs.field(default="", validator=_fields.string)


@final
@attrs.frozen(kw_only=True)
class ContainerResources:
    """The resource limits a container runs with (CRI ``ContainerResources``)."""

    linux: LinuxContainerResources | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(LinuxContainerResources)
    )


@final
@attrs.frozen(kw_only=True)
class LinuxContainerUser:
    """The identity the container's first process started with."""

    uid: int = attrs.field(default=0, validator=_fields.linux_id)
    gid: int = attrs.field(default=0, validator=_fields.linux_id)
    supplemental_groups: tuple[int, ...] = attrs.field(
        default=(), converter=_fields.ints, validator=_fields.linux_ids
    )


@final
@attrs.frozen(kw_only=True)
class ContainerUser:
    """The identities a container started with (CRI ``ContainerUser``)."""

    linux: LinuxContainerUser | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(LinuxContainerUser)
    )


@final
@attrs.frozen(kw_only=True)
class ContainerStatus:
    """Everything a runtime knows about a container (CRI ``ContainerStatus``).

    Timestamps are nanoseconds since the epoch, 0 meaning "not yet".
    """

    id: str = attrs.field(validator=[_fields.string, _fields.non_empty])
    metadata: ContainerMetadata = attrs.field(validator=_fields.instance_of(ContainerMetadata))
    state: ContainerState = attrs.field(validator=_fields.instance_of(ContainerState))
    created_at: int = attrs.field(default=0, validator=_fields.non_negative)
    started_at: int = attrs.field(default=0, validator=_fields.non_negative)
    finished_at: int = attrs.field(default=0, validator=_fields.non_negative)
    #: Meaningful once :attr:`finished_at` is set.
    exit_code: int = attrs.field(default=0, validator=_fields.int32)
    image: ImageSpec = attrs.field(validator=_fields.instance_of(ImageSpec))
    #: A digested reference to the image in use.
    image_ref: str = attrs.field(default="", validator=_fields.string)
    #: CamelCase; must be ``OOMKilled`` after the cgroup OOM killer struck.
    reason: str = attrs.field(default="", validator=_fields.string)
    #: Human-readable detail of :attr:`reason`.
    message: str = attrs.field(default="", validator=_fields.string)
    labels: Mapping[str, str] = _fields.string_map_field()
    #: Exactly those of the :class:`ContainerConfig`.
    annotations: Mapping[str, str] = _fields.string_map_field()
    mounts: tuple[Mount, ...] = attrs.field(
        default=(), converter=_mounts, validator=_fields.tuple_of(Mount)
    )
    #: The absolute path of the container's log file.
    log_path: str = attrs.field(default="", validator=_fields.string)
    #: The limits in force; ``None`` if the runtime does not report them.
    resources: ContainerResources | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(ContainerResources)
    )
    #: The image's id on the node; equal to what ``PullImage`` returned.
    image_id: str = attrs.field(default="", validator=_fields.string)
    #: ``None`` if the runtime does not report it.
    user: ContainerUser | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(ContainerUser)
    )
    #: The signal ``StopContainer`` sends first.
    stop_signal: Signal = attrs.field(
        default=Signal.SIGNAL_RUNTIME_DEFAULT, validator=_fields.instance_of(Signal)
    )


@final
@attrs.frozen(kw_only=True)
class ContainerStatusResponse:
    """The answer to ``ContainerStatus`` (CRI ``ContainerStatusResponse``)."""

    status: ContainerStatus = attrs.field(validator=_fields.instance_of(ContainerStatus))
    #: Debug information, values in JSON (e.g. the pid); only when verbose.
    info: Mapping[str, str] = _fields.string_map_field()


@final
@attrs.frozen(kw_only=True)
class ContainerFilter:
    """Which containers ``ListContainers`` returns (CRI ``ContainerFilter``).

    Set fields are ANDed; the default instance matches every container.
    """

    id: str = attrs.field(default="", validator=_fields.string)
    #: ``None``: any state (the upstream ``ContainerStateValue`` wrapper unset).
    state: ContainerState | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(ContainerState)
    )
    pod_sandbox_id: str = attrs.field(default="", validator=_fields.string)
    #: Labels that must all match exactly.
    label_selector: Mapping[str, str] = _fields.string_map_field()


@final
@attrs.frozen(kw_only=True)
class ExecSyncResponse:
    """What a command run by ``ExecSync`` produced (CRI ``ExecSyncResponse``).

    Runtimes should keep at most :data:`EXEC_SYNC_OUTPUT_LIMIT` bytes of each
    stream, discarding the rest without error.
    """

    stdout: bytes = attrs.field(default=b"", validator=attrs.validators.instance_of(bytes))
    stderr: bytes = attrs.field(default=b"", validator=attrs.validators.instance_of(bytes))
    #: The command's exit status; non-zero is not an error of the call.
    exit_code: int = attrs.field(default=0, validator=_fields.int32)


__all__ = [
    "EXEC_SYNC_OUTPUT_LIMIT",
    "CDIDevice",
    "Container",
    "ContainerConfig",
    "ContainerFilter",
    "ContainerMetadata",
    "ContainerResources",
    "ContainerState",
    "ContainerStatus",
    "ContainerStatusResponse",
    "ContainerUser",
    "Device",
    "ExecSyncResponse",
    "KeyValue",
    "LinuxContainerConfig",
    "LinuxContainerSecurityContext",
    "LinuxContainerUser",
    "Mount",
    "MountPropagation",
]

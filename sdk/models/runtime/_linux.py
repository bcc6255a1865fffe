"""The Linux pieces that sandboxes and containers share.

Namespaces, user-namespace mappings, security profiles and cgroup resources
appear in both :class:`PodSandboxConfig` and :class:`ContainerConfig` (and the
resources again in statuses and in ``UpdateContainerResources``), so they live
apart from either.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, final

import attrs

from podkit.errors import InvalidArgumentError
from podkit.models.runtime import _fields

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


@final
class NamespaceMode(enum.Enum):
    """Which namespace a sandbox or container gets (CRI ``NamespaceMode``)."""

    #: Shared by all containers of the pod (the CRI default).
    POD = "POD"
    #: The container's own.
    CONTAINER = "CONTAINER"
    #: The node's (host network, host PID, host IPC).
    NODE = "NODE"
    #: Another container's, named by :attr:`NamespaceOption.target_id`.
    TARGET = "TARGET"


@final
@attrs.frozen(kw_only=True)
class IDMapping:
    """One range of a user namespace's UID or GID map (CRI ``IDMapping``)."""

    host_id: int = attrs.field(default=0, validator=_fields.uint32)
    container_id: int = attrs.field(default=0, validator=_fields.uint32)
    #: The size of the range.
    length: int = attrs.field(default=0, validator=_fields.uint32)


def _id_mappings(value: Iterable[IDMapping]) -> tuple[IDMapping, ...]:
    return _fields.freeze(value)


def _pod_or_node(instance: object, attribute: attrs.Attribute[Any], value: NamespaceMode) -> None:
    # api.proto: "NamespaceMode for UserNamespace currently supports only POD
    # and NODE, not CONTAINER OR TARGET."
    if value not in {NamespaceMode.POD, NamespaceMode.NODE}:
        msg = f"invalid {_fields.where(instance, attribute)} {value.value}: must be POD or NODE"
        raise InvalidArgumentError(msg)


@final
@attrs.frozen(kw_only=True)
class UserNamespace:
    """The user namespace of a pod sandbox (CRI ``UserNamespace``)."""

    #: ``POD`` (a user namespace with :attr:`uids`/:attr:`gids`) or ``NODE``.
    mode: NamespaceMode = attrs.field(
        default=NamespaceMode.POD,
        validator=[_fields.instance_of(NamespaceMode), _pod_or_node],
    )
    uids: tuple[IDMapping, ...] = attrs.field(
        default=(), converter=_id_mappings, validator=_fields.tuple_of(IDMapping)
    )
    gids: tuple[IDMapping, ...] = attrs.field(
        default=(), converter=_id_mappings, validator=_fields.tuple_of(IDMapping)
    )


def _target_named(instance: NamespaceOption, attribute: attrs.Attribute[Any], value: str) -> None:
    # api.proto: "When [TARGET] is specified, a target_id must be specified".
    modes = (instance.network, instance.pid, instance.ipc)
    if NamespaceMode.TARGET in modes and not value:
        msg = f"{_fields.where(instance, attribute)} is required with NamespaceMode TARGET"
        raise InvalidArgumentError(msg)


@final
@attrs.frozen(kw_only=True)
class NamespaceOption:
    """The Linux namespaces of a sandbox or container (CRI ``NamespaceOption``).

    The default, every mode ``POD``, is what an unset message means in CRI.
    Note that the kubelet sets ``pid`` to ``CONTAINER`` explicitly for pods.
    """

    network: NamespaceMode = attrs.field(
        default=NamespaceMode.POD, validator=_fields.instance_of(NamespaceMode)
    )
    pid: NamespaceMode = attrs.field(
        default=NamespaceMode.POD, validator=_fields.instance_of(NamespaceMode)
    )
    ipc: NamespaceMode = attrs.field(
        default=NamespaceMode.POD, validator=_fields.instance_of(NamespaceMode)
    )
    #: The container whose namespaces a ``TARGET`` mode joins.
    target_id: str = attrs.field(default="", validator=[_fields.string, _target_named])
    #: The pod's user namespace; ``None`` when the kubelet set none.
    userns_options: UserNamespace | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(UserNamespace)
    )


@final
@attrs.frozen(kw_only=True)
class SELinuxOption:
    """An SELinux label (CRI ``SELinuxOption``)."""

    user: str = attrs.field(default="", validator=_fields.string)
    role: str = attrs.field(default="", validator=_fields.string)
    type: str = attrs.field(default="", validator=_fields.string)
    level: str = attrs.field(default="", validator=_fields.string)


@final
class ProfileType(enum.Enum):
    """The kind of a seccomp or AppArmor profile (CRI ``SecurityProfile.ProfileType``)."""

    #: The runtime's default profile (the CRI default).
    RUNTIME_DEFAULT = "RuntimeDefault"
    #: No profile: the feature is off.
    UNCONFINED = "Unconfined"
    #: A profile on the node, named by :attr:`SecurityProfile.localhost_ref`.
    LOCALHOST = "Localhost"


def _ref_iff_localhost(
    instance: SecurityProfile, attribute: attrs.Attribute[Any], value: str
) -> None:
    # api.proto: localhost_ref "Must only be set if `ProfileType` is `Localhost`."
    localhost = instance.profile_type is ProfileType.LOCALHOST
    if localhost and not value:
        msg = f"{_fields.where(instance, attribute)} is required with profile_type Localhost"
        raise InvalidArgumentError(msg)
    if value and not localhost:
        msg = (
            f"{_fields.where(instance, attribute)} must only be set with profile_type "
            f"Localhost, not {instance.profile_type.value}"
        )
        raise InvalidArgumentError(msg)


@final
@attrs.frozen(kw_only=True)
class SecurityProfile:
    """A seccomp or AppArmor profile (CRI ``SecurityProfile``)."""

    profile_type: ProfileType = attrs.field(
        default=ProfileType.RUNTIME_DEFAULT, validator=_fields.instance_of(ProfileType)
    )
    #: seccomp: the profile's absolute path; AppArmor: the profile's name.
    localhost_ref: str = attrs.field(default="", validator=[_fields.string, _ref_iff_localhost])


@final
class SupplementalGroupsPolicy(enum.Enum):
    """How the first process's supplemental groups are computed."""

    #: The image's ``/etc/group`` groups of the user, plus those requested
    #: (the CRI default).
    MERGE = "Merge"
    #: Only the groups requested.
    STRICT = "Strict"


@final
@attrs.frozen(kw_only=True)
class Capability:
    """Capabilities to add to or drop from a container (CRI ``Capability``).

    Names as the kubelet sends them, e.g. ``NET_ADMIN`` (without ``CAP_``);
    ``ALL`` stands for every capability.
    """

    add_capabilities: tuple[str, ...] = attrs.field(
        default=(), converter=_fields.strings, validator=_fields.string_tuple
    )
    drop_capabilities: tuple[str, ...] = attrs.field(
        default=(), converter=_fields.strings, validator=_fields.string_tuple
    )
    add_ambient_capabilities: tuple[str, ...] = attrs.field(
        default=(), converter=_fields.strings, validator=_fields.string_tuple
    )


@final
@attrs.frozen(kw_only=True)
class HugepageLimit:
    """A HugeTLB limit for one page size (CRI ``HugepageLimit``)."""

    #: ``<size><unit-prefix>B`` with 1024-based prefixes, e.g. ``2MB``, ``1GB``.
    page_size: str = attrs.field(default="", validator=_fields.string)
    #: Bytes.
    limit: int = attrs.field(default=0, validator=_fields.uint64)


def _hugepage_limits(value: Iterable[HugepageLimit]) -> tuple[HugepageLimit, ...]:
    return _fields.freeze(value)


#: The range of ``/proc/<pid>/oom_score_adj``.
_OOM_SCORE_ADJ = _fields.int_in(-1000, 1000)


@final
@attrs.frozen(kw_only=True)
class LinuxContainerResources:
    """cgroup limits of a container or sandbox (CRI ``LinuxContainerResources``).

    Zero, empty or unset means "not specified" for every field, so the default
    instance specifies nothing.
    """

    #: CFS period, microseconds.
    cpu_period: int = attrs.field(default=0, validator=_fields.int64)
    #: CFS quota, microseconds per period.
    cpu_quota: int = attrs.field(default=0, validator=_fields.int64)
    #: Relative CPU weight, in cgroup v1 ``cpu.shares`` units.
    cpu_shares: int = attrs.field(default=0, validator=_fields.int64)
    memory_limit_in_bytes: int = attrs.field(default=0, validator=_fields.int64)
    oom_score_adj: int = attrs.field(default=0, validator=_OOM_SCORE_ADJ)
    #: Logical CPUs, in cpuset list syntax (``0-3,8``).
    cpuset_cpus: str = attrs.field(default="", validator=_fields.string)
    #: Memory nodes, in cpuset list syntax.
    cpuset_mems: str = attrs.field(default="", validator=_fields.string)
    hugepage_limits: tuple[HugepageLimit, ...] = attrs.field(
        default=(), converter=_hugepage_limits, validator=_fields.tuple_of(HugepageLimit)
    )
    #: cgroup v2 files and their values, e.g. ``{"memory.max": "6937202688"}``.
    unified: Mapping[str, str] = _fields.string_map_field()
    memory_swap_limit_in_bytes: int = attrs.field(default=0, validator=_fields.int64)


__all__ = [
    "Capability",
    "HugepageLimit",
    "IDMapping",
    "LinuxContainerResources",
    "NamespaceMode",
    "NamespaceOption",
    "ProfileType",
    "SELinuxOption",
    "SecurityProfile",
    "SupplementalGroupsPolicy",
    "UserNamespace",
]

"""What the CRI RuntimeService carries about pod sandboxes.

A sandbox is the pod's shared environment: its namespaces, hostname, DNS
files and cgroup parent. Its configuration (:class:`PodSandboxConfig`) comes
from the kubelet; :class:`PodSandbox` and :class:`PodSandboxStatus` are what a
runtime reports back.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, final

import attrs

from podkit.errors import InvalidArgumentError
from podkit.models.runtime import _fields
from podkit.models.runtime._container import ContainerStatus
from podkit.models.runtime._linux import (
    LinuxContainerResources,
    NamespaceOption,
    SecurityProfile,
    SELinuxOption,
    SupplementalGroupsPolicy,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


# The life of a pod sandbox (CRI ``PodSandboxState``):
#
#        RunPodSandbox (namespaces made, network attached)
#              |
#              v
#      +---------------+  StopPodSandbox, or the sandbox's  +------------------+
#      | SANDBOX_READY | ---------------------------------> | SANDBOX_NOTREADY |
#      +---------------+  namespaces or processes are lost  +------------------+
#              |                                                     |
#              +------------------ RemovePodSandbox -----------------+
#                                        |
#                                        v
#                                     removed
#
# A RunPodSandbox that fails leaves nothing behind, so there is no "created"
# state. Stopping stops every container of the sandbox; StopPodSandbox and
# RemovePodSandbox may be called again in any state, including after removal.
@final
class PodSandboxState(enum.Enum):
    """Whether a sandbox can run containers (CRI ``PodSandboxState``)."""

    SANDBOX_READY = "SANDBOX_READY"
    SANDBOX_NOTREADY = "SANDBOX_NOTREADY"


@final
class Protocol(enum.Enum):
    """The protocol of a port mapping (CRI ``Protocol``)."""

    TCP = "TCP"
    UDP = "UDP"
    SCTP = "SCTP"


@final
@attrs.frozen(kw_only=True)
class PodSandboxMetadata:
    """What names a sandbox: its pod (CRI ``PodSandboxMetadata``)."""

    #: The pod's name.
    name: str = attrs.field(default="", validator=_fields.string)
    #: The pod's UID.
    uid: str = attrs.field(default="", validator=_fields.string)
    #: The pod's namespace.
    namespace: str = attrs.field(default="", validator=_fields.string)
    #: How many sandboxes the kubelet made for this pod before (0 first).
    attempt: int = attrs.field(default=0, validator=_fields.uint32)


@final
@attrs.frozen(kw_only=True)
class DNSConfig:
    """What goes into a sandbox's ``resolv.conf`` (CRI ``DNSConfig``)."""

    #: ``nameserver`` lines.
    servers: tuple[str, ...] = attrs.field(
        default=(), converter=_fields.strings, validator=_fields.string_tuple
    )
    #: The ``search`` line.
    searches: tuple[str, ...] = attrs.field(
        default=(), converter=_fields.strings, validator=_fields.string_tuple
    )
    #: The ``options`` line, e.g. ``ndots:5``.
    options: tuple[str, ...] = attrs.field(
        default=(), converter=_fields.strings, validator=_fields.string_tuple
    )


@final
@attrs.frozen(kw_only=True)
class PortMapping:
    """A host port forwarded to the sandbox (CRI ``PortMapping``).

    The runtime layer hands these to the network plugins (CNI ``portMappings``
    capability); a runtime plugin need not act on them.
    """

    protocol: Protocol = attrs.field(default=Protocol.TCP, validator=_fields.instance_of(Protocol))
    container_port: int = attrs.field(default=0, validator=_fields.port)
    #: 0: no host port (not "pick one").
    host_port: int = attrs.field(default=0, validator=_fields.port)
    #: Empty: every host address.
    host_ip: str = attrs.field(default="", validator=_fields.string)


def _group_needs_user(
    instance: LinuxSandboxSecurityContext, attribute: attrs.Attribute[Any], value: int | None
) -> None:
    # api.proto: "run_as_group should only be specified when run_as_user is
    # specified; otherwise, the runtime MUST error."
    if value is not None and instance.run_as_user is None:
        msg = f"{_fields.where(instance, attribute)} needs run_as_user"
        raise InvalidArgumentError(msg)


@final
@attrs.frozen(kw_only=True)
class LinuxSandboxSecurityContext:
    """How the sandbox itself is confined (CRI ``LinuxSandboxSecurityContext``).

    It does not apply to the pod's containers, which carry their own. The
    deprecated ``seccomp_profile_path`` is not modelled.
    """

    #: The pod's namespaces; containers join them unless they say otherwise.
    namespace_options: NamespaceOption = attrs.field(
        factory=NamespaceOption, validator=_fields.instance_of(NamespaceOption)
    )
    selinux_options: SELinuxOption | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(SELinuxOption)
    )
    run_as_user: int | None = attrs.field(default=None, validator=_fields.optional_linux_id)
    #: Only with :attr:`run_as_user`.
    run_as_group: int | None = attrs.field(
        default=None, validator=[_fields.optional_linux_id, _group_needs_user]
    )
    readonly_rootfs: bool = attrs.field(default=False, validator=_fields.boolean)
    #: Groups of the first process of each container.
    supplemental_groups: tuple[int, ...] = attrs.field(
        default=(), converter=_fields.ints, validator=_fields.linux_ids
    )
    supplemental_groups_policy: SupplementalGroupsPolicy = attrs.field(
        default=SupplementalGroupsPolicy.MERGE,
        validator=_fields.instance_of(SupplementalGroupsPolicy),
    )
    #: Must be true if any container of the pod is privileged.
    privileged: bool = attrs.field(default=False, validator=_fields.boolean)
    seccomp: SecurityProfile | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(SecurityProfile)
    )
    apparmor: SecurityProfile | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(SecurityProfile)
    )


@final
@attrs.frozen(kw_only=True)
class LinuxPodSandboxConfig:
    """The Linux part of a sandbox's configuration (CRI ``LinuxPodSandboxConfig``)."""

    #: The pod's cgroup, in cgroupfs syntax (``kubepods/burstable/pod<uid>``);
    #: a runtime may translate it to systemd's.
    cgroup_parent: str = attrs.field(default="", validator=_fields.string)
    security_context: LinuxSandboxSecurityContext = attrs.field(
        factory=LinuxSandboxSecurityContext,
        validator=_fields.instance_of(LinuxSandboxSecurityContext),
    )
    #: Namespaced sysctls, e.g. ``{"net.ipv4.ip_unprivileged_port_start": "0"}``.
    sysctls: Mapping[str, str] = _fields.string_map_field()
    #: What the sandbox costs beyond its containers (RuntimeClass overhead).
    overhead: LinuxContainerResources | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(LinuxContainerResources)
    )
    #: The sum of the containers' resources.
    resources: LinuxContainerResources | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(LinuxContainerResources)
    )


def _port_mappings(value: Iterable[PortMapping]) -> tuple[PortMapping, ...]:
    return _fields.freeze(value)


@final
@attrs.frozen(kw_only=True)
class PodSandboxConfig:
    """Everything needed to run a pod sandbox (CRI ``PodSandboxConfig``).

    :attr:`metadata` is required here, though proto3 lets it be unset; the
    CRI server answers ``INVALID_ARGUMENT`` when it is. The Windows part is
    not modelled.
    """

    metadata: PodSandboxMetadata = attrs.field(validator=_fields.instance_of(PodSandboxMetadata))
    #: Empty only with the node's network namespace (runtimes then use the
    #: node's hostname, as containerd does).
    hostname: str = attrs.field(default="", validator=_fields.string)
    #: Where the containers' logs go on the host, e.g.
    #: ``/var/log/pods/<namespace>_<name>_<uid>/``.
    log_directory: str = attrs.field(default="", validator=_fields.string)
    #: ``None``: the sandbox gets the node's ``resolv.conf``.
    dns_config: DNSConfig | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(DNSConfig)
    )
    port_mappings: tuple[PortMapping, ...] = attrs.field(
        default=(), converter=_port_mappings, validator=_fields.tuple_of(PortMapping)
    )
    labels: Mapping[str, str] = _fields.string_map_field()
    #: Must come back unchanged in :attr:`PodSandboxStatus.annotations`, and
    #: should not change how the runtime behaves.
    annotations: Mapping[str, str] = _fields.string_map_field()
    linux: LinuxPodSandboxConfig = attrs.field(
        factory=LinuxPodSandboxConfig, validator=_fields.instance_of(LinuxPodSandboxConfig)
    )


@final
@attrs.frozen
class PodIP:
    """One IP address of a pod (CRI ``PodIP``)."""

    #: IPv4 or IPv6, as text.
    ip: str = attrs.field(validator=_fields.string)


def _pod_ips(value: Iterable[PodIP]) -> tuple[PodIP, ...]:
    return _fields.freeze(value)


@final
@attrs.frozen(kw_only=True)
class PodSandboxNetworkStatus:
    """The sandbox's addresses (CRI ``PodSandboxNetworkStatus``).

    The runtime layer fills this in from the network plugins' results; a
    runtime plugin reports ``None``.
    """

    #: The primary IP.
    ip: str = attrs.field(default="", validator=_fields.string)
    #: The other IPs (e.g. the IPv6 one of a dual-stack pod).
    additional_ips: tuple[PodIP, ...] = attrs.field(
        default=(), converter=_pod_ips, validator=_fields.tuple_of(PodIP)
    )


@final
@attrs.frozen(kw_only=True)
class Namespace:
    """The namespaces of a sandbox (CRI ``Namespace``)."""

    options: NamespaceOption = attrs.field(
        factory=NamespaceOption, validator=_fields.instance_of(NamespaceOption)
    )
    #: podkit extension, not in runtime.v1 (so never sent over CRI): the path
    #: of the sandbox's network namespace (e.g. ``/run/netns/cni-<uuid>``),
    #: empty with the node's network. The runtime layer attaches networks to
    #: it, as containerd's ``RunPodSandbox`` runs CNI on the netns it made.
    network_path: str = attrs.field(default="", validator=_fields.string)


@final
@attrs.frozen(kw_only=True)
class LinuxPodSandboxStatus:
    """The Linux part of a sandbox's status (CRI ``LinuxPodSandboxStatus``)."""

    namespaces: Namespace = attrs.field(factory=Namespace, validator=_fields.instance_of(Namespace))


@final
@attrs.frozen(kw_only=True)
class PodSandboxStatus:
    """Everything a runtime knows about a sandbox (CRI ``PodSandboxStatus``)."""

    id: str = attrs.field(validator=[_fields.string, _fields.non_empty])
    metadata: PodSandboxMetadata = attrs.field(validator=_fields.instance_of(PodSandboxMetadata))
    state: PodSandboxState = attrs.field(validator=_fields.instance_of(PodSandboxState))
    #: Nanoseconds since the epoch; upstream requires it to be > 0.
    created_at: int = attrs.field(default=0, validator=_fields.non_negative)
    #: ``None`` from a runtime plugin (the runtime layer fills it in) and for
    #: pods on the node's network; set by a plugin whose runtime sets up pod
    #: networks itself (``podkit_sets_up_pod_network``), as a CRI client does.
    network: PodSandboxNetworkStatus | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(PodSandboxNetworkStatus)
    )
    linux: LinuxPodSandboxStatus = attrs.field(
        factory=LinuxPodSandboxStatus, validator=_fields.instance_of(LinuxPodSandboxStatus)
    )
    labels: Mapping[str, str] = _fields.string_map_field()
    #: Exactly those of the :class:`PodSandboxConfig`.
    annotations: Mapping[str, str] = _fields.string_map_field()
    #: The handler that runs the sandbox.
    runtime_handler: str = attrs.field(default="", validator=_fields.string)


def _container_statuses(value: Iterable[ContainerStatus]) -> tuple[ContainerStatus, ...]:
    return _fields.freeze(value)


@final
@attrs.frozen(kw_only=True)
class PodSandboxStatusResponse:
    """The answer to ``PodSandboxStatus`` (CRI ``PodSandboxStatusResponse``)."""

    status: PodSandboxStatus = attrs.field(validator=_fields.instance_of(PodSandboxStatus))
    #: Debug information, values in JSON; only when asked to be verbose.
    info: Mapping[str, str] = _fields.string_map_field()
    #: The statuses of the sandbox's containers (for the kubelet's evented
    #: PLEG); may be empty.
    containers_statuses: tuple[ContainerStatus, ...] = attrs.field(
        default=(), converter=_container_statuses, validator=_fields.tuple_of(ContainerStatus)
    )
    #: When the statuses were taken, nanoseconds since the epoch.
    timestamp: int = attrs.field(default=0, validator=_fields.non_negative)


@final
@attrs.frozen(kw_only=True)
class PodSandboxFilter:
    """Which sandboxes ``ListPodSandbox`` returns (CRI ``PodSandboxFilter``).

    Set fields are ANDed; the default instance matches every sandbox.
    """

    id: str = attrs.field(default="", validator=_fields.string)
    #: ``None``: any state (the upstream ``PodSandboxStateValue`` wrapper unset).
    state: PodSandboxState | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(PodSandboxState)
    )
    #: Labels that must all match exactly.
    label_selector: Mapping[str, str] = _fields.string_map_field()


@final
@attrs.frozen(kw_only=True)
class PodSandbox:
    """A sandbox as ``ListPodSandbox`` reports it (CRI ``PodSandbox``)."""

    id: str = attrs.field(validator=[_fields.string, _fields.non_empty])
    metadata: PodSandboxMetadata = attrs.field(validator=_fields.instance_of(PodSandboxMetadata))
    state: PodSandboxState = attrs.field(validator=_fields.instance_of(PodSandboxState))
    #: Nanoseconds since the epoch; upstream requires it to be > 0.
    created_at: int = attrs.field(default=0, validator=_fields.non_negative)
    labels: Mapping[str, str] = _fields.string_map_field()
    #: Exactly those of the :class:`PodSandboxConfig`.
    annotations: Mapping[str, str] = _fields.string_map_field()
    #: The handler that runs the sandbox.
    runtime_handler: str = attrs.field(default="", validator=_fields.string)


__all__ = [
    "DNSConfig",
    "LinuxPodSandboxConfig",
    "LinuxPodSandboxStatus",
    "LinuxSandboxSecurityContext",
    "Namespace",
    "PodIP",
    "PodSandbox",
    "PodSandboxConfig",
    "PodSandboxFilter",
    "PodSandboxMetadata",
    "PodSandboxNetworkStatus",
    "PodSandboxState",
    "PodSandboxStatus",
    "PodSandboxStatusResponse",
    "PortMapping",
    "Protocol",
]

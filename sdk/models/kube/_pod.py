"""The Pod: the containers, volumes and settings a node runs together."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final, final

import attrs

from podkit.models.kube._collections import freeze, str_map, strings
from podkit.models.kube._enums import DNSPolicy, RestartPolicy
from podkit.models.kube._rules import (
    at_least,
    between,
    dns1123_label,
    dns1123_subdomain,
    ip_address,
    label_value,
    qualified_name,
    quote,
)
from podkit.models.kube._security import PodSecurityContext
from podkit.models.kube._validators import (
    each,
    fail,
    keys,
    number,
    optional_number,
    string_values,
    text,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from podkit.models.kube._container import Container
    from podkit.models.kube._meta import ObjectMeta
    from podkit.models.kube._volume import Volume

#: How long a Pod's containers get to stop, unless the Pod says otherwise.
DEFAULT_GRACE_PERIOD: Final = 30
#: The most nameservers and search domains a Pod's resolv.conf may list.
MAX_NAMESERVERS: Final = 3
MAX_SEARCHES: Final = 32


def repeated(names: Iterable[str]) -> list[int]:
    """Return the positions of the names already seen earlier in ``names``."""
    seen: set[str] = set()
    positions = []
    for position, name in enumerate(names):
        if name in seen:
            positions.append(position)
        seen.add(name)
    return positions


def _duplicates(field: str, names: list[str]) -> list[tuple[str, str]]:
    return [(field, f"duplicate value {quote(names[i])}") for i in repeated(names)]


def _has_hooks(container: Container) -> bool:
    probes = (container.liveness_probe, container.readiness_probe, container.startup_probe)
    return any(probes) or container.lifecycle is not None


def pod_problems(spec: PodSpec) -> list[tuple[str, str]]:
    """Find what is wrong across a Pod's fields, as (field, message) pairs."""
    every = spec.init_containers + spec.containers
    volumes = {volume.name for volume in spec.volumes}
    problems = [] if spec.containers else [("containers", "required value")]
    problems += _duplicates("containers", [container.name for container in every])
    problems += _duplicates("volumes", [volume.name for volume in spec.volumes])
    problems += [
        ("volume_mounts", f"volume {quote(mount.name)} not found")
        for container in every
        for mount in container.volume_mounts
        if mount.name not in volumes
    ]
    problems += [
        ("init_containers", "init containers may not have probes or lifecycle hooks")
        for container in spec.init_containers
        if _has_hooks(container)
    ]
    if spec.dns_policy is DNSPolicy.NONE and not (spec.dns_config and spec.dns_config.nameservers):
        reason = "must provide at least one DNS nameserver when dnsPolicy is None"
        problems.append(("dns_config", reason))
    return problems


def _containers(value: Iterable[Container]) -> tuple[Container, ...]:
    return freeze(value)


def _aliases(value: Iterable[HostAlias]) -> tuple[HostAlias, ...]:
    return freeze(value)


def _options(value: Iterable[PodDNSConfigOption]) -> tuple[PodDNSConfigOption, ...]:
    return freeze(value)


def _volumes(value: Iterable[Volume]) -> tuple[Volume, ...]:
    return freeze(value)


@final
@attrs.frozen(kw_only=True)
class PodDNSConfigOption:
    """One ``options`` entry of resolv.conf (``ndots:2``, ``edns0``)."""

    name: str = attrs.field(validator=text(required=True))
    value: str | None = None


@final
@attrs.frozen(kw_only=True)
class PodDNSConfig:
    """resolv.conf settings merged with (or, for ``dnsPolicy: None``, instead of) the policy's."""

    nameservers: tuple[str, ...] = attrs.field(
        default=(), converter=strings, validator=each(ip_address)
    )
    searches: tuple[str, ...] = attrs.field(default=(), converter=strings)
    options: tuple[PodDNSConfigOption, ...] = attrs.field(default=(), converter=_options)


@final
@attrs.frozen(kw_only=True)
class HostAlias:
    """Lines added to the Pod's ``/etc/hosts``: one IP and its names."""

    ip: str = attrs.field(validator=text(ip_address, required=True))
    hostnames: tuple[str, ...] = attrs.field(
        default=(), converter=strings, validator=each(dns1123_subdomain)
    )


@final
@attrs.frozen(kw_only=True)
class PodSpec:
    """What a Pod runs and how (``v1.PodSpec``), with Kubernetes' defaults.

    .. versionadded:: 0.1
    """

    volumes: tuple[Volume, ...] = attrs.field(default=(), converter=_volumes)
    #: Run one after the other, each to completion, before ``containers`` start.
    init_containers: tuple[Container, ...] = attrs.field(default=(), converter=_containers)
    containers: tuple[Container, ...] = attrs.field(converter=_containers)
    restart_policy: RestartPolicy = attrs.field(
        default=RestartPolicy.ALWAYS, converter=RestartPolicy
    )
    #: Seconds between SIGTERM and SIGKILL when the Pod is stopped.
    termination_grace_period_seconds: int = attrs.field(
        default=DEFAULT_GRACE_PERIOD, validator=number(at_least(0))
    )
    #: Seconds the Pod may run before it is failed; ``None`` for no deadline.
    active_deadline_seconds: int | None = attrs.field(
        default=None, validator=optional_number(between(1, 2**31 - 1))
    )
    dns_policy: DNSPolicy = attrs.field(default=DNSPolicy.CLUSTER_FIRST, converter=DNSPolicy)
    #: Labels a node must have to run the Pod.
    node_selector: Mapping[str, str] = attrs.field(
        factory=dict,
        converter=str_map,
        validator=[keys(qualified_name), string_values(label_value)],
    )
    service_account_name: str = attrs.field(default="", validator=text(dns1123_subdomain))
    #: The node the Pod is bound to; empty until it is scheduled.
    node_name: str = attrs.field(default="", validator=text(dns1123_subdomain))
    host_network: bool = False
    host_pid: bool = False
    host_ipc: bool = False
    share_process_namespace: bool = False
    security_context: PodSecurityContext = attrs.field(factory=PodSecurityContext)
    #: The Pod's hostname; the Pod's name when empty.
    hostname: str = attrs.field(default="", validator=text(dns1123_label))
    subdomain: str = attrs.field(default="", validator=text(dns1123_label))
    host_aliases: tuple[HostAlias, ...] = attrs.field(default=(), converter=_aliases)
    dns_config: PodDNSConfig | None = None
    #: The RuntimeClass whose handler runs the Pod; the default handler when empty.
    runtime_class_name: str = attrs.field(default="", validator=text(dns1123_subdomain))

    def __attrs_post_init__(self) -> None:
        for field, message in pod_problems(self):
            fail(field, message)


@final
@attrs.frozen(kw_only=True)
class Pod:
    """A Pod (``apiVersion: v1``, ``kind: Pod``).

    .. versionadded:: 0.1
    """

    API_VERSION: ClassVar[str] = "v1"
    KIND: ClassVar[str] = "Pod"

    metadata: ObjectMeta
    spec: PodSpec


__all__ = [
    "DEFAULT_GRACE_PERIOD",
    "MAX_NAMESERVERS",
    "MAX_SEARCHES",
    "HostAlias",
    "Pod",
    "PodDNSConfig",
    "PodDNSConfigOption",
    "PodSpec",
    "pod_problems",
    "repeated",
]

"""Containers: what a Pod runs, with its ports, mounts, probes and hooks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.models.kube._collections import freeze, strings
from podkit.models.kube._enums import Protocol, PullPolicy, TerminationMessagePolicy
from podkit.models.kube._resources import ResourceRequirements
from podkit.models.kube._rules import (
    absolute_path,
    dns1123_label,
    ip_address,
    no_surrounding_space,
    port_name,
    port_number,
    quote,
    relative_path,
)
from podkit.models.kube._validators import fail, number, text

if TYPE_CHECKING:
    from collections.abc import Iterable

    from podkit.models.kube._env import EnvFromSource, EnvVar
    from podkit.models.kube._probe import Lifecycle, Probe
    from podkit.models.kube._security import SecurityContext

#: Where a container writes its termination message, unless it says otherwise.
TERMINATION_MESSAGE_PATH: Final = "/dev/termination-log"


def image_tag(image: str) -> str:
    """Return the tag of an image reference, ``"latest"`` when it has neither tag nor digest."""
    name, _, digest = image.partition("@")
    _, _, tag = name.rpartition("/")[2].partition(":")
    return tag or ("" if digest else "latest")


def default_pull_policy(image: str) -> PullPolicy:
    """Default ``imagePullPolicy`` as Kubernetes does: ``Always`` for ``:latest`` or no tag."""
    return PullPolicy.ALWAYS if image_tag(image) == "latest" else PullPolicy.IF_NOT_PRESENT


def container_problems(container: Container) -> list[tuple[str, str]]:
    """Find what is wrong across a container's fields, as (field, message) pairs."""
    problems: list[tuple[str, str]] = []
    names = {port.name for port in container.ports if port.name}
    if len(names) != len([port for port in container.ports if port.name]):
        problems.append(("ports", "port names must be unique"))
    probes = {
        "liveness_probe": container.liveness_probe,
        "readiness_probe": container.readiness_probe,
        "startup_probe": container.startup_probe,
    }
    for field, probe in probes.items():
        if probe is None:
            continue
        if field != "readiness_probe" and probe.success_threshold != 1:
            problems.append((field, "success_threshold must be 1"))
        action = probe.http_get or probe.tcp_socket
        if action is not None and isinstance(action.port, str) and action.port not in names:
            problems.append(
                (field, f"port name {quote(action.port)} is not a port of the container")
            )
    if container.stdin_once and not container.stdin:
        problems.append(("stdin_once", "must be false when `stdin` is false"))
    return problems


def _ports(value: Iterable[ContainerPort]) -> tuple[ContainerPort, ...]:
    return freeze(value)


def _env_from(value: Iterable[EnvFromSource]) -> tuple[EnvFromSource, ...]:
    return freeze(value)


def _env(value: Iterable[EnvVar]) -> tuple[EnvVar, ...]:
    return freeze(value)


def _mounts(value: Iterable[VolumeMount]) -> tuple[VolumeMount, ...]:
    return freeze(value)


@final
@attrs.frozen(kw_only=True)
class ContainerPort:
    """A port a container listens on, optionally published on the node.

    .. versionadded:: 0.1
    """

    #: An IANA service name, unique in the container, for probes to refer to.
    name: str = attrs.field(default="", validator=text(port_name))
    container_port: int = attrs.field(validator=number(port_number))
    #: The node port to publish on; 0 publishes nothing.
    host_port: int = attrs.field(
        default=0, validator=number(lambda port: port_number(port) if port else [])
    )
    host_ip: str = attrs.field(default="", validator=text(ip_address))
    protocol: Protocol = attrs.field(default=Protocol.TCP, converter=Protocol)


@final
@attrs.frozen(kw_only=True)
class VolumeMount:
    """Where a volume of the Pod appears in a container.

    .. versionadded:: 0.1
    """

    #: The name of a volume of the Pod.
    name: str = attrs.field(validator=text(required=True))
    mount_path: str = attrs.field(validator=text(absolute_path, required=True))
    read_only: bool = False
    #: A path inside the volume to mount instead of its root.
    sub_path: str = attrs.field(default="", validator=text(relative_path))


@final
@attrs.frozen(kw_only=True)
class Container:
    """A container of a Pod: an image and how to run it.

    ``image_pull_policy`` defaults as Kubernetes defaults it: ``Always`` when
    the image has the ``latest`` tag or none, ``IfNotPresent`` otherwise.

    .. versionadded:: 0.1
    """

    #: A DNS-1123 label, unique among the Pod's containers and init containers.
    name: str = attrs.field(validator=text(dns1123_label, required=True))
    image: str = attrs.field(validator=text(no_surrounding_space, required=True))
    #: The entrypoint; the image's ``Entrypoint`` when empty.
    command: tuple[str, ...] = attrs.field(default=(), converter=strings)
    #: The arguments; the image's ``Cmd`` when empty.
    args: tuple[str, ...] = attrs.field(default=(), converter=strings)
    working_dir: str = ""
    ports: tuple[ContainerPort, ...] = attrs.field(default=(), converter=_ports)
    env_from: tuple[EnvFromSource, ...] = attrs.field(default=(), converter=_env_from)
    env: tuple[EnvVar, ...] = attrs.field(default=(), converter=_env)
    resources: ResourceRequirements = attrs.field(factory=ResourceRequirements)
    volume_mounts: tuple[VolumeMount, ...] = attrs.field(default=(), converter=_mounts)
    liveness_probe: Probe | None = None
    readiness_probe: Probe | None = None
    startup_probe: Probe | None = None
    lifecycle: Lifecycle | None = None
    termination_message_path: str = TERMINATION_MESSAGE_PATH
    termination_message_policy: TerminationMessagePolicy = attrs.field(
        default=TerminationMessagePolicy.FILE, converter=TerminationMessagePolicy
    )
    image_pull_policy: PullPolicy = attrs.field(converter=PullPolicy)
    security_context: SecurityContext | None = None
    stdin: bool = False
    stdin_once: bool = False
    tty: bool = False

    @image_pull_policy.default
    def _image_pull_policy(self) -> PullPolicy:
        return default_pull_policy(self.image)

    def __attrs_post_init__(self) -> None:
        for field, message in container_problems(self):
            fail(field, message)


__all__ = [
    "TERMINATION_MESSAGE_PATH",
    "Container",
    "ContainerPort",
    "VolumeMount",
    "container_problems",
    "default_pull_policy",
    "image_tag",
]

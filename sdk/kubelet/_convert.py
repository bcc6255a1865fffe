"""A Pod as CRI configurations: its sandbox, and each of its containers.

What the kubelet's ``generatePodSandboxConfig`` and
``generateContainerConfig`` (``pkg/kubelet/kuberuntime``) make of a Pod, in
terms of :mod:`podkit.models.runtime`. The runtime mounts ``/etc/hosts``,
``/etc/hostname`` and ``/etc/resolv.conf`` itself; the volumes' host paths
come from the volume manager.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from pathlib import Path
from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.kubelet._codec import encode
from podkit.kubelet._env import ContainerConfigError, expand
from podkit.kubelet._resources import cgroup_parent, linux_resources
from podkit.models.kube import DNSPolicy, SeccompProfile, SeccompProfileType
from podkit.models.runtime import (
    Capability,
    ContainerConfig,
    ContainerMetadata,
    DNSConfig,
    ImageSpec,
    KeyValue,
    LinuxContainerConfig,
    LinuxContainerSecurityContext,
    LinuxPodSandboxConfig,
    LinuxSandboxSecurityContext,
    Mount,
    NamespaceMode,
    NamespaceOption,
    PodSandboxConfig,
    PodSandboxMetadata,
    PortMapping,
    ProfileType,
    Protocol,
    SecurityProfile,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from podkit.models.kube import Container, Pod

#: The labels the kubelet puts on sandboxes and containers.
POD_NAME_LABEL: Final = "io.kubernetes.pod.name"
POD_NAMESPACE_LABEL: Final = "io.kubernetes.pod.namespace"
POD_UID_LABEL: Final = "io.kubernetes.pod.uid"
CONTAINER_NAME_LABEL: Final = "io.kubernetes.container.name"
#: The annotations the kubelet puts on containers: the run's restart count,
#: and a hash of the container's definition (a run of another one is replaced).
RESTART_COUNT_ANNOTATION: Final = "io.kubernetes.container.restartCount"
CONTAINER_HASH_ANNOTATION: Final = "io.kubernetes.container.hash"
NODE_RESOLV_CONF: Final = Path("/etc/resolv.conf")
#: The longest hostname (a DNS label).
HOSTNAME_MAX: Final = 63


@final
@attrs.frozen
class VolumePath:
    """Where a pod volume is published on the node, and whether it is read-only there."""

    host_path: str
    read_only: bool = False


def log_directory(logs_dir: Path, pod: Pod) -> Path:
    """``<logs>/<namespace>_<name>_<uid>``, as the kubelet lays out ``/var/log/pods``."""
    meta = pod.metadata
    return logs_dir / f"{meta.namespace}_{meta.name}_{meta.uid}"


def container_hash(container: Container) -> str:
    """A short hash of the container's definition, as the kubelet's ``HashContainer``."""
    text = json.dumps(encode(container), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def container_log_path(name: str, restart_count: int) -> str:
    """``<container>/<restartCount>.log``, relative to the log directory."""
    return f"{name}/{restart_count}.log"


def pod_labels(pod: Pod) -> dict[str, str]:
    """The pod's labels and the kubelet's identifying ones."""
    meta = pod.metadata
    return {
        **meta.labels,
        POD_NAME_LABEL: meta.name,
        POD_NAMESPACE_LABEL: meta.namespace,
        POD_UID_LABEL: meta.uid,
    }


def pod_hostname(pod: Pod) -> str:
    """``spec.hostname``, else the pod's name cut to 63 characters, as the kubelet does."""
    name = pod.spec.hostname or pod.metadata.name
    return name[:HOSTNAME_MAX].rstrip("-.")


def _node_resolv_conf(path: Path) -> DNSConfig:
    servers: list[str] = []
    searches: list[str] = []
    options: list[str] = []
    try:
        lines = path.read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        words = line.split("#")[0].split()
        if not words:
            continue
        if words[0] == "nameserver" and len(words) > 1:
            servers.append(words[1])
        elif words[0] == "search":
            searches = words[1:]
        elif words[0] == "options":
            options += words[1:]
    return DNSConfig(servers=servers, searches=searches, options=options)


def dns_config(pod: Pod, resolv_conf: Path = NODE_RESOLV_CONF) -> DNSConfig | None:
    """``None`` (the node's resolv.conf) unless the pod's ``dnsConfig`` or policy says more.

    There is no cluster DNS on a lone node, so ``ClusterFirst`` falls back to
    ``Default`` as the kubelet does when it has no cluster DNS configured.
    """
    spec = pod.spec
    extra = spec.dns_config
    if spec.dns_policy is not DNSPolicy.NONE and extra is None:
        return None
    base = DNSConfig() if spec.dns_policy is DNSPolicy.NONE else _node_resolv_conf(resolv_conf)
    if extra is None:
        return base
    options = [o.name if o.value is None else f"{o.name}:{o.value}" for o in extra.options]
    return DNSConfig(
        servers=[*base.servers, *extra.nameservers][:3],
        searches=[*base.searches, *extra.searches],
        options=[*base.options, *options],
    )


def port_mappings(pod: Pod) -> tuple[PortMapping, ...]:
    """Every container port (the runtime layer forwards those with a host port)."""
    return tuple(
        PortMapping(
            protocol=Protocol(port.protocol.value),
            container_port=port.container_port,
            host_port=port.host_port,
            host_ip=port.host_ip,
        )
        for container in pod.spec.containers
        for port in container.ports
    )


def namespace_options(pod: Pod) -> NamespaceOption:
    """Node namespaces for the ``host*`` fields; a shared PID namespace if asked."""
    spec = pod.spec
    pid = NamespaceMode.CONTAINER
    if spec.host_pid:
        pid = NamespaceMode.NODE
    elif spec.share_process_namespace:
        pid = NamespaceMode.POD
    return NamespaceOption(
        network=NamespaceMode.NODE if spec.host_network else NamespaceMode.POD,
        pid=pid,
        ipc=NamespaceMode.NODE if spec.host_ipc else NamespaceMode.POD,
    )


def _privileged(container: Container) -> bool:
    context = container.security_context
    return bool(context is not None and context.privileged)


def sandbox_config(
    pod: Pod,
    *,
    logs_dir: Path,
    attempt: int = 0,
    labels: Mapping[str, str] | None = None,
    seccomp_dir: Path | None = None,
) -> PodSandboxConfig:
    """The pod's ``PodSandboxConfig``; ``labels`` are added to the pod's.

    The pod's seccomp profile goes along, for runtimes that run a pause
    process (``seccomp_dir`` as in :func:`seccomp`).
    """
    meta, spec = pod.metadata, pod.spec
    context = spec.security_context
    groups = [*context.supplemental_groups]
    if context.fs_group is not None:
        groups.append(context.fs_group)
    security = LinuxSandboxSecurityContext(
        namespace_options=namespace_options(pod),
        run_as_user=context.run_as_user,
        run_as_group=context.run_as_group if context.run_as_user is not None else None,
        supplemental_groups=groups,
        privileged=any(map(_privileged, (*spec.init_containers, *spec.containers))),
        seccomp=_security_profile(context.seccomp_profile, seccomp_dir),
    )
    return PodSandboxConfig(
        metadata=PodSandboxMetadata(
            name=meta.name, uid=meta.uid, namespace=meta.namespace, attempt=attempt
        ),
        hostname="" if spec.host_network else pod_hostname(pod),
        log_directory=str(log_directory(logs_dir, pod)),
        dns_config=dns_config(pod),
        port_mappings=port_mappings(pod),
        labels={**pod_labels(pod), **(labels or {})},
        annotations=dict(meta.annotations),
        linux=LinuxPodSandboxConfig(
            cgroup_parent=cgroup_parent(pod),
            security_context=security,
            sysctls={s.name: s.value for s in context.sysctls},
        ),
    )


def container_mounts(container: Container, volumes: Mapping[str, VolumePath]) -> tuple[Mount, ...]:
    """The container's volume mounts on the volumes' published paths.

    A ``subPath`` that does not exist yet is made, as the kubelet does.
    """
    mounts = []
    for mount in container.volume_mounts:
        volume = volumes[mount.name]
        host = Path(volume.host_path)
        if mount.sub_path:
            host /= mount.sub_path
            if not host.exists() and not volume.read_only:
                host.mkdir(mode=0o755, parents=True)
        mounts.append(
            Mount(
                container_path=mount.mount_path,
                host_path=str(host),
                readonly=mount.read_only or volume.read_only,
            )
        )
    return tuple(mounts)


@final
@attrs.frozen(kw_only=True)
class ImageUser:
    """The user the image runs as when the pod names none."""

    uid: int | None = None
    username: str = ""


def _user(pod: Pod, container: Container, image: ImageUser) -> tuple[int | None, int | None, str]:
    pod_context, own = pod.spec.security_context, container.security_context
    uid = own.run_as_user if own and own.run_as_user is not None else pod_context.run_as_user
    gid = own.run_as_group if own and own.run_as_group is not None else pod_context.run_as_group
    non_root = own.run_as_non_root if own and own.run_as_non_root is not None else None
    if non_root is None:
        non_root = pod_context.run_as_non_root
    effective = uid if uid is not None else image.uid
    if non_root and (effective == 0 or (effective is None and not image.username)):
        msg = "container has runAsNonRoot and image will run as root"
        raise ContainerConfigError(msg)
    username = ""
    if uid is None and gid is not None:  # CRI wants a user with a group: the image's
        uid, username = (image.uid, "") if image.uid is not None else (None, image.username)
        if uid is None and not username:
            uid = 0
    return uid, gid, username


def seccomp(pod: Pod, container: Container, seccomp_dir: Path | None) -> SecurityProfile | None:
    """The container's seccomp profile for CRI: its own, else the pod's; ``None``: unset.

    A ``Localhost`` profile is a path under ``seccomp_dir``, as the kubelet's
    are under ``<root dir>/seccomp``.

    :raises ContainerConfigError: a ``Localhost`` profile without a seccomp directory.
    """
    own = container.security_context
    profile = own.seccomp_profile if own and own.seccomp_profile else None
    profile = profile or pod.spec.security_context.seccomp_profile
    if profile is not None and profile.type is SeccompProfileType.LOCALHOST and not seccomp_dir:
        msg = f"seccomp profile {profile.localhost_profile!r}: this node has no seccomp directory"
        raise ContainerConfigError(msg)
    return _security_profile(profile, seccomp_dir)


def _security_profile(
    profile: SeccompProfile | None, seccomp_dir: Path | None
) -> SecurityProfile | None:
    """A seccomp profile in CRI's terms; a Localhost one without ``seccomp_dir`` is ``None``."""
    if profile is None:
        return None
    if profile.type is SeccompProfileType.RUNTIME_DEFAULT:
        return SecurityProfile(profile_type=ProfileType.RUNTIME_DEFAULT)
    if profile.type is SeccompProfileType.UNCONFINED:
        return SecurityProfile(profile_type=ProfileType.UNCONFINED)
    if seccomp_dir is None:
        return None
    ref = str(seccomp_dir / profile.localhost_profile)
    return SecurityProfile(profile_type=ProfileType.LOCALHOST, localhost_ref=ref)


def security_context(
    pod: Pod, container: Container, image: ImageUser, seccomp_dir: Path | None = None
) -> LinuxContainerSecurityContext:
    """The container's ``LinuxContainerSecurityContext``, over the pod's settings."""
    own = container.security_context
    uid, gid, username = _user(pod, container, image)
    pod_context = pod.spec.security_context
    groups = [*pod_context.supplemental_groups]
    if pod_context.fs_group is not None:
        groups.append(pod_context.fs_group)
    capabilities = own.capabilities if own and own.capabilities else None
    return LinuxContainerSecurityContext(
        capabilities=Capability(
            add_capabilities=capabilities.add if capabilities else (),
            drop_capabilities=capabilities.drop if capabilities else (),
        ),
        privileged=bool(own and own.privileged),
        namespace_options=namespace_options(pod),
        run_as_user=uid,
        run_as_group=gid,
        run_as_username=username,
        readonly_rootfs=bool(own and own.read_only_root_filesystem),
        supplemental_groups=groups,
        no_new_privs=bool(own and own.allow_privilege_escalation is False),
        seccomp=seccomp(pod, container, seccomp_dir),
    )


def container_config(  # noqa: PLR0913 - what the kubelet gathers for one container
    pod: Pod,
    container: Container,
    *,
    attempt: int,
    image_ref: str,
    image_user: ImageUser,
    env: Mapping[str, str],
    mounts: tuple[Mount, ...],
    seccomp_dir: Path | None = None,
) -> ContainerConfig:
    """The container's ``ContainerConfig``.

    ``seccomp_dir``: where ``Localhost`` seccomp profiles are (:func:`seccomp`).

    :raises ContainerConfigError: the security context cannot be honoured
        (``runAsNonRoot`` with a root image).
    """
    labels = {**pod_labels(pod), CONTAINER_NAME_LABEL: container.name}
    for key in tuple(pod.metadata.labels):
        labels.pop(key, None)  # containers carry only the kubelet's labels
    return ContainerConfig(
        metadata=ContainerMetadata(name=container.name, attempt=attempt),
        image=ImageSpec(image=image_ref or container.image, user_specified_image=container.image),
        command=[expand(word, env) for word in container.command],
        args=[expand(word, env) for word in container.args],
        working_dir=container.working_dir,
        envs=[KeyValue(key, value) for key, value in env.items()],
        mounts=mounts,
        labels=labels,
        annotations={
            RESTART_COUNT_ANNOTATION: str(attempt),
            CONTAINER_HASH_ANNOTATION: container_hash(container),
        },
        log_path=container_log_path(container.name, attempt),
        stdin=container.stdin,
        stdin_once=container.stdin_once,
        tty=container.tty,
        linux=LinuxContainerConfig(
            resources=linux_resources(container),
            security_context=security_context(pod, container, image_user, seccomp_dir),
        ),
    )


def sort_ips(ips: tuple[str, ...]) -> tuple[str, ...]:
    """IPv4 addresses first, as the kubelet orders pod IPs."""
    return tuple(sorted(ips, key=lambda a: ipaddress.ip_address(a).version))


__all__ = [
    "CONTAINER_HASH_ANNOTATION",
    "CONTAINER_NAME_LABEL",
    "POD_NAMESPACE_LABEL",
    "POD_NAME_LABEL",
    "POD_UID_LABEL",
    "RESTART_COUNT_ANNOTATION",
    "ImageUser",
    "VolumePath",
    "container_config",
    "container_hash",
    "container_log_path",
    "container_mounts",
    "dns_config",
    "log_directory",
    "namespace_options",
    "pod_hostname",
    "pod_labels",
    "port_mappings",
    "sandbox_config",
    "seccomp",
    "security_context",
    "sort_ips",
]

"""Decoding containers and init containers, with their ports, mounts and resources."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.manifests._env import decode_env_from, decode_env_var
from podkit.manifests._probe import HandlerContext, decode_lifecycle, decode_probe
from podkit.manifests._reader import (
    Errors,
    Obj,
    as_map,
    as_object,
    as_quantity,
    key_path,
    raw_names,
    report_duplicates,
)
from podkit.manifests._security import decode_security_context
from podkit.models.kube import (
    Container,
    ContainerPort,
    Protocol,
    PullPolicy,
    ResourceRequirements,
    TerminationMessagePolicy,
    VolumeMount,
)
from podkit.models.kube._container import TERMINATION_MESSAGE_PATH, default_pull_policy
from podkit.models.kube._resources import quantity_reasons, request_reason, resource_name
from podkit.models.kube._rules import (
    absolute_path,
    dns1123_label,
    host_port,
    invalid,
    ip_address,
    no_surrounding_space,
    port_name,
    port_number,
    quote,
    relative_path,
)

if TYPE_CHECKING:
    from podkit.models.kube import Lifecycle, Probe, Quantity

#: Fields of Kubernetes' containers that podkit does not implement.
_UNSUPPORTED: Final = ("resizePolicy", "restartPolicy", "restartPolicyRules", "volumeDevices")
_PROBES: Final = ("livenessProbe", "readinessProbe", "startupProbe")


@final
@attrs.frozen(kw_only=True)
class ContainerContext:
    """What a container is checked against: its Pod's volumes and settings."""

    volume_names: frozenset[str]
    host_network: bool
    grace_period: int
    init: bool = False


def _port(errors: Errors, path: str, raw: object, *, host_network: bool) -> ContainerPort | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    name = obj.string("name", port_name)
    container_port, raw_port = 0, obj.get("containerPort")
    if raw_port is None or (type(raw_port) is int and raw_port == 0):
        errors.add(obj.at("containerPort"), "required value")
    else:
        container_port = obj.integer("containerPort", port_number)
    published = obj.integer("hostPort", host_port)
    if host_network and published in {0, container_port}:
        published = container_port  # SetDefaults_Pod: the host port is the container port
    elif host_network:
        reason = "must match `containerPort` when `hostNetwork` is true"
        errors.add(obj.at("hostPort"), invalid(published, reason))
    ip = obj.string("hostIP", ip_address)
    protocol = obj.choice("protocol", Protocol, Protocol.TCP)
    return obj.build(
        lambda: ContainerPort(
            name=name,
            container_port=container_port,
            host_port=published,
            host_ip=ip,
            protocol=protocol,
        )
    )


def _mount(
    errors: Errors, path: str, raw: object, *, volumes: frozenset[str]
) -> VolumeMount | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    obj.unsupported("mountPropagation", "recursiveReadOnly", "subPathExpr")
    name = obj.string("name", required=True)
    if name and name not in volumes:
        errors.add(obj.at("name"), f"volume {quote(name)} not found")
    mount_path = obj.string("mountPath", absolute_path, required=True)
    read_only = obj.boolean("readOnly")
    sub_path = obj.string("subPath", relative_path)
    return obj.build(
        lambda: VolumeMount(
            name=name, mount_path=mount_path, read_only=read_only, sub_path=sub_path
        )
    )


def _amounts(obj: Obj, key: str) -> dict[str, Quantity]:
    path, raw = obj.at(key), obj.get(key)
    amounts = {}
    for name, value in ({} if raw is None else as_map(obj.errors, path, raw)).items():
        obj.errors.check(key_path(path, name), name, [resource_name])
        amount = as_quantity(obj.errors, key_path(path, name), value)
        if amount is not None:
            for reason in quantity_reasons(name, amount):
                obj.errors.add(key_path(path, name), invalid(value, reason))
            amounts[name] = amount
    return amounts


def _resources(errors: Errors, path: str, raw: object) -> ResourceRequirements | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    obj.unsupported("claims")
    limits, requests = _amounts(obj, "limits"), _amounts(obj, "requests")
    for name, request in requests.items():
        reason = request_reason(name, request, limits[name]) if name in limits else None
        if reason:
            errors.add(key_path(obj.at("requests"), name), reason)
    return obj.build(lambda: ResourceRequirements(limits=limits, requests=requests))


def _hooks(
    obj: Obj, context: ContainerContext
) -> tuple[tuple[Probe | None, ...], Lifecycle | None]:
    """Read the probes and the lifecycle hooks, checked against the container's ports."""
    names = frozenset(name for _, name in raw_names(obj.get("ports")))
    handlers = HandlerContext(port_names=names, grace_period=context.grace_period)
    probes = tuple(
        obj.child(
            key, functools.partial(decode_probe, kind=key.removesuffix("Probe"), context=handlers)
        )
        for key in _PROBES
    )
    lifecycle = obj.child("lifecycle", functools.partial(decode_lifecycle, context=handlers))
    for key in (*_PROBES, "lifecycle") if context.init else ():
        if obj.present(key):
            obj.errors.add(obj.at(key), "must not be set for init containers")
    return probes, lifecycle


def _ports(obj: Obj, context: ContainerContext) -> tuple[ContainerPort, ...]:
    ports = obj.children("ports", functools.partial(_port, host_network=context.host_network))
    named = raw_names(obj.get("ports"))
    report_duplicates(obj.errors, [(obj.at("ports"), index, name) for index, name in named])
    return ports


def _mounts(obj: Obj, context: ContainerContext) -> tuple[VolumeMount, ...]:
    mounts = obj.children("volumeMounts", functools.partial(_mount, volumes=context.volume_names))
    paths = raw_names(obj.get("volumeMounts"), "mountPath")
    named = [(obj.at("volumeMounts"), index, path) for index, path in paths]
    report_duplicates(obj.errors, named, "mountPath")
    return mounts


def _stdin(obj: Obj) -> tuple[bool, bool, bool]:
    stdin, stdin_once, tty = obj.boolean("stdin"), obj.boolean("stdinOnce"), obj.boolean("tty")
    if stdin_once and not stdin:
        obj.errors.add(obj.at("stdinOnce"), "must be false when `stdin` is false")
    return stdin, stdin_once, tty


def decode_container(
    errors: Errors, path: str, raw: object, *, context: ContainerContext
) -> Container | None:
    """Decode one item of ``containers`` or ``initContainers``."""
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    obj.unsupported(*_UNSUPPORTED)
    name = obj.string("name", dns1123_label, required=True)
    image = obj.string("image", no_surrounding_space, required=True)
    command, args, working_dir = (
        obj.strings("command"),
        obj.strings("args"),
        obj.string("workingDir"),
    )
    ports, env_from, env = (
        _ports(obj, context),
        obj.children("envFrom", decode_env_from),
        obj.children("env", decode_env_var),
    )
    resources = obj.child("resources", _resources) or ResourceRequirements()
    mounts = _mounts(obj, context)
    (liveness, readiness, startup), lifecycle = _hooks(obj, context)
    message_path = obj.string("terminationMessagePath", default=TERMINATION_MESSAGE_PATH)
    message_policy = obj.choice(
        "terminationMessagePolicy", TerminationMessagePolicy, TerminationMessagePolicy.FILE
    )
    pull_policy = obj.choice("imagePullPolicy", PullPolicy, default_pull_policy(image))
    security_context = obj.child("securityContext", decode_security_context)
    stdin, stdin_once, tty = _stdin(obj)
    return obj.build(
        lambda: Container(
            name=name,
            image=image,
            command=command,
            args=args,
            working_dir=working_dir,
            ports=ports,
            env_from=env_from,
            env=env,
            resources=resources,
            volume_mounts=mounts,
            liveness_probe=liveness,
            readiness_probe=readiness,
            startup_probe=startup,
            lifecycle=lifecycle,
            termination_message_path=message_path or TERMINATION_MESSAGE_PATH,
            termination_message_policy=message_policy,
            image_pull_policy=pull_policy,
            security_context=security_context,
            stdin=stdin,
            stdin_once=stdin_once,
            tty=tty,
        )
    )


__all__ = ["ContainerContext", "decode_container"]

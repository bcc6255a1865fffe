"""A container's environment, resolved as the kubelet's ``makeEnvironmentVariables`` does.

``envFrom`` first (every key of a ConfigMap or Secret, with the prefix; keys
that are not valid variable names are skipped), then ``env`` in order, each
value from a literal, a Secret key, a ConfigMap key or a field of the Pod;
later variables override earlier ones. ``$(VAR)`` in a literal value, the
command and the arguments is replaced by the variable's value when it is
defined (``$$`` stands for ``$``), as ``expansion.Expand`` does.

A missing Secret, ConfigMap or key that is not ``optional`` raises
:class:`ContainerConfigError`: the container waits with the reason
``CreateContainerConfigError`` until the object appears.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, Protocol

from podkit.errors import FailedPreconditionError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from podkit.models.kube import (
        ConfigMap,
        Container,
        EnvFromSource,
        EnvVarSource,
        ObjectFieldSelector,
        Pod,
        Secret,
    )

_ENV_NAME: Final = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
_SUBSCRIPT: Final = re.compile(r"(?P<field>[^\[]+)\['(?P<key>.*)'\]")
_REFERENCE: Final = re.compile(r"\$\$|\$\((?P<name>[^)]*)\)")


class ContainerConfigError(FailedPreconditionError):
    """A container's configuration cannot be made yet (``CreateContainerConfigError``)."""


class Objects(Protocol):
    """Where the Secrets and ConfigMaps of the node are found."""

    def secret(self, namespace: str, name: str) -> Secret | None:
        """The Secret, or ``None``."""

    def config_map(self, namespace: str, name: str) -> ConfigMap | None:
        """The ConfigMap, or ``None``."""


def expand(text: str, variables: Mapping[str, str]) -> str:
    """Replace ``$(NAME)`` by a defined variable's value and ``$$`` by ``$``."""

    def replace(match: re.Match[str]) -> str:
        name = match["name"]
        if name is None:
            return "$"
        return variables.get(name, match[0])

    return _REFERENCE.sub(replace, text)


def field_value(
    pod: Pod, selector: ObjectFieldSelector, pod_ips: tuple[str, ...], host_ip: str = ""
) -> str:
    """The value of a ``fieldRef`` (the downward API)."""
    path = selector.field_path
    if match := _SUBSCRIPT.fullmatch(path):
        meta = pod.metadata
        source = meta.labels if match["field"] == "metadata.labels" else meta.annotations
        return source.get(match["key"], "")
    values: dict[str, Callable[[], str]] = {
        "metadata.name": lambda: pod.metadata.name,
        "metadata.namespace": lambda: pod.metadata.namespace,
        "metadata.uid": lambda: pod.metadata.uid,
        "spec.nodeName": lambda: pod.spec.node_name,
        "spec.serviceAccountName": lambda: pod.spec.service_account_name,
        "status.podIP": lambda: pod_ips[0] if pod_ips else "",
        "status.podIPs": lambda: ",".join(pod_ips),
        "status.hostIP": lambda: host_ip,
        "status.hostIPs": lambda: host_ip,
    }
    return values.get(path, lambda: "")()


class _Resolver:
    """Looks up keys of the pod's namespace's objects."""

    def __init__(self, objects: Objects, namespace: str) -> None:
        self.objects = objects
        self.namespace = namespace

    def _missing(self, *, kind: str, name: str, key: str | None = None) -> ContainerConfigError:
        where = f"{self.namespace}/{name}"
        if key is None:
            return ContainerConfigError(f"{kind.lower()} {where!r} not found")
        return ContainerConfigError(f"couldn't find key {key} in {kind} {where}")

    def secret_data(self, name: str, *, optional: bool) -> dict[str, str] | None:
        secret = self.objects.secret(self.namespace, name)
        if secret is None:
            if optional:
                return None
            raise self._missing(kind="Secret", name=name)
        return {k: v.decode(errors="surrogateescape") for k, v in secret.data.items()}

    def config_map_data(self, name: str, *, optional: bool) -> dict[str, str] | None:
        config_map = self.objects.config_map(self.namespace, name)
        if config_map is None:
            if optional:
                return None
            raise self._missing(kind="ConfigMap", name=name)
        return dict(config_map.data)

    def key(self, kind: str, name: str, key: str, *, optional: bool) -> str | None:
        fetch = self.secret_data if kind == "Secret" else self.config_map_data
        data = fetch(name, optional=optional)
        if data is None:
            return None
        if key not in data:
            if optional:
                return None
            raise self._missing(kind=kind, name=name, key=key)
        return data[key]


def _from_source(resolver: _Resolver, source: EnvFromSource) -> dict[str, str]:
    if source.config_map_ref is not None:
        ref = source.config_map_ref
        data = resolver.config_map_data(ref.name, optional=ref.optional)
    elif source.secret_ref is not None:
        ref_s = source.secret_ref
        data = resolver.secret_data(ref_s.name, optional=ref_s.optional)
    else:  # pragma: no cover - the model requires one
        data = None
    found = {}
    for key, value in (data or {}).items():
        name = source.prefix + key
        if _ENV_NAME.fullmatch(name):  # the kubelet skips invalid names (an event upstream)
            found[name] = value
    return found


def _from_value_source(
    resolver: _Resolver, pod: Pod, source: EnvVarSource, ips: tuple[tuple[str, ...], str]
) -> str | None:
    if source.field_ref is not None:
        return field_value(pod, source.field_ref, *ips)
    if source.secret_key_ref is not None:
        ref = source.secret_key_ref
        return resolver.key("Secret", ref.name, ref.key, optional=ref.optional)
    if source.config_map_key_ref is not None:
        ref_c = source.config_map_key_ref
        return resolver.key("ConfigMap", ref_c.name, ref_c.key, optional=ref_c.optional)
    return None  # pragma: no cover - the model requires one


def environment(
    pod: Pod,
    container: Container,
    objects: Objects,
    pod_ips: tuple[str, ...],
    host_ip: str = "",
) -> dict[str, str]:
    """The container's variables, in the order they were defined.

    :raises ContainerConfigError: a Secret, ConfigMap or key that is not
        optional is missing.
    """
    resolver = _Resolver(objects, pod.metadata.namespace)
    variables: dict[str, str] = {}
    for source in container.env_from:
        variables.update(_from_source(resolver, source))
    for var in container.env:
        if var.value_from is None:
            variables[var.name] = expand(var.value, variables)
            continue
        value = _from_value_source(resolver, pod, var.value_from, (pod_ips, host_ip))
        if value is not None:
            variables[var.name] = value
    return variables


__all__ = ["ContainerConfigError", "Objects", "environment", "expand", "field_value"]

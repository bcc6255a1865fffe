"""Environment variables of a container.

A variable is a literal, or is taken from a Secret, a ConfigMap or the Pod's
own fields (the downward API); ``envFrom`` turns a whole Secret or ConfigMap
into variables.
"""

from __future__ import annotations

import re
from typing import Final, final

import attrs

from podkit.models.kube._rules import (
    annotation_key,
    config_key,
    dns1123_subdomain,
    env_var_name,
    one_of,
    qualified_name,
)
from podkit.models.kube._validators import exactly_one, fail, text

#: The Pod fields an environment variable can take (``fieldRef.fieldPath``),
#: besides ``metadata.labels['<key>']`` and ``metadata.annotations['<key>']``.
ENV_FIELD_PATHS: Final = (
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
)
_SUBSCRIPT: Final = re.compile(r"(?P<field>[^\[]+)\['(?P<key>.*)'\]")


def field_path_reasons(value: str) -> list[str]:
    """Check a ``fieldRef.fieldPath`` usable in an environment variable."""
    match = _SUBSCRIPT.fullmatch(value)
    if match is None:
        return [] if value in ENV_FIELD_PATHS else [one_of(ENV_FIELD_PATHS)]
    field, key = match["field"], match["key"]
    if field == "metadata.labels":
        return qualified_name(key)
    if field == "metadata.annotations":
        return annotation_key(key)
    return ["only metadata.labels and metadata.annotations can be subscripted"]


def api_version_reasons(value: str) -> list[str]:
    """Check the ``apiVersion`` of a ``fieldRef``: only ``v1`` is served."""
    return [] if value == "v1" else [one_of(["v1"])]


@final
@attrs.frozen(kw_only=True)
class SecretKeySelector:
    """One key of a Secret in the Pod's namespace."""

    name: str = attrs.field(validator=text(dns1123_subdomain, required=True))
    key: str = attrs.field(validator=text(config_key, required=True))
    #: When true, a missing Secret or key leaves the variable unset instead of failing.
    optional: bool = False


@final
@attrs.frozen(kw_only=True)
class ConfigMapKeySelector:
    """One key of a ConfigMap in the Pod's namespace."""

    name: str = attrs.field(validator=text(dns1123_subdomain, required=True))
    key: str = attrs.field(validator=text(config_key, required=True))
    #: When true, a missing ConfigMap or key leaves the variable unset instead of failing.
    optional: bool = False


@final
@attrs.frozen(kw_only=True)
class ObjectFieldSelector:
    """A field of the Pod itself, such as ``status.podIP``."""

    field_path: str = attrs.field(validator=text(field_path_reasons, required=True))
    api_version: str = attrs.field(default="v1", validator=text(api_version_reasons))


@final
@attrs.frozen(kw_only=True)
class EnvVarSource:
    """Where an environment variable's value comes from: exactly one source."""

    field_ref: ObjectFieldSelector | None = None
    config_map_key_ref: ConfigMapKeySelector | None = None
    secret_key_ref: SecretKeySelector | None = None

    def __attrs_post_init__(self) -> None:
        sources = {
            "fieldRef": self.field_ref,
            "configMapKeyRef": self.config_map_key_ref,
            "secretKeyRef": self.secret_key_ref,
        }
        exactly_one("valueFrom", sources)


@final
@attrs.frozen(kw_only=True)
class EnvVar:
    """One environment variable: a literal ``value`` or a ``value_from`` source.

    .. versionadded:: 0.1
    """

    name: str = attrs.field(validator=text(env_var_name, required=True))
    #: The value; ``$(VAR)`` references to earlier variables are expanded.
    value: str = ""
    value_from: EnvVarSource | None = None

    def __attrs_post_init__(self) -> None:
        if self.value and self.value_from is not None:
            fail("value_from", "may not be specified when `value` is not empty")


@final
@attrs.frozen(kw_only=True)
class SecretEnvSource:
    """A whole Secret as environment variables."""

    name: str = attrs.field(validator=text(dns1123_subdomain, required=True))
    optional: bool = False


@final
@attrs.frozen(kw_only=True)
class ConfigMapEnvSource:
    """A whole ConfigMap as environment variables."""

    name: str = attrs.field(validator=text(dns1123_subdomain, required=True))
    optional: bool = False


@final
@attrs.frozen(kw_only=True)
class EnvFromSource:
    """Every key of a Secret or ConfigMap as an environment variable.

    .. versionadded:: 0.1
    """

    #: Put before every key to make the variable's name.
    prefix: str = attrs.field(default="", validator=text(env_var_name))
    config_map_ref: ConfigMapEnvSource | None = None
    secret_ref: SecretEnvSource | None = None

    def __attrs_post_init__(self) -> None:
        exactly_one("envFrom", {"configMapRef": self.config_map_ref, "secretRef": self.secret_ref})


__all__ = [
    "ENV_FIELD_PATHS",
    "ConfigMapEnvSource",
    "ConfigMapKeySelector",
    "EnvFromSource",
    "EnvVar",
    "EnvVarSource",
    "ObjectFieldSelector",
    "SecretEnvSource",
    "SecretKeySelector",
    "api_version_reasons",
    "field_path_reasons",
]

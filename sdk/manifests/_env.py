"""Decoding ``env`` and ``envFrom``: a container's environment variables."""

from __future__ import annotations

from podkit.manifests._reader import Errors, as_object
from podkit.models.kube import (
    ConfigMapEnvSource,
    ConfigMapKeySelector,
    EnvFromSource,
    EnvVar,
    EnvVarSource,
    ObjectFieldSelector,
    SecretEnvSource,
    SecretKeySelector,
)
from podkit.models.kube._env import api_version_reasons, field_path_reasons
from podkit.models.kube._rules import config_key, dns1123_subdomain, env_var_name, exactly_one_of

_SOURCES = ("fieldRef", "configMapKeyRef", "secretKeyRef")
_ENV_FROM = ("configMapRef", "secretRef")


def _field_ref(errors: Errors, path: str, raw: object) -> ObjectFieldSelector | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    field_path = obj.string("fieldPath", field_path_reasons, required=True)
    api_version = obj.string("apiVersion", api_version_reasons, default="v1")
    return obj.build(
        lambda: ObjectFieldSelector(field_path=field_path, api_version=api_version or "v1")
    )


def _secret_key(errors: Errors, path: str, raw: object) -> SecretKeySelector | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    name = obj.string("name", dns1123_subdomain, required=True)
    key = obj.string("key", config_key, required=True)
    optional = obj.boolean("optional")
    return obj.build(lambda: SecretKeySelector(name=name, key=key, optional=optional))


def _config_map_key(errors: Errors, path: str, raw: object) -> ConfigMapKeySelector | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    name = obj.string("name", dns1123_subdomain, required=True)
    key = obj.string("key", config_key, required=True)
    optional = obj.boolean("optional")
    return obj.build(lambda: ConfigMapKeySelector(name=name, key=key, optional=optional))


def _value_from(errors: Errors, path: str, raw: object) -> EnvVarSource | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    obj.unsupported("resourceFieldRef", "fileKeyRef")
    field_ref = obj.child("fieldRef", _field_ref)
    config_map_key_ref = obj.child("configMapKeyRef", _config_map_key)
    secret_key_ref = obj.child("secretKeyRef", _secret_key)
    if sum(obj.present(name) for name in _SOURCES) != 1:
        errors.add(path, exactly_one_of(_SOURCES))
    return obj.build(
        lambda: EnvVarSource(
            field_ref=field_ref,
            config_map_key_ref=config_map_key_ref,
            secret_key_ref=secret_key_ref,
        )
    )


def decode_env_var(errors: Errors, path: str, raw: object) -> EnvVar | None:
    """Decode one item of ``env``."""
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    name = obj.string("name", env_var_name, required=True)
    value = obj.string("value")
    value_from = obj.child("valueFrom", _value_from)
    if value and obj.present("valueFrom"):
        errors.add(obj.at("valueFrom"), "may not be specified when `value` is not empty")
    return obj.build(lambda: EnvVar(name=name, value=value, value_from=value_from))


def _secret_ref(errors: Errors, path: str, raw: object) -> SecretEnvSource | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    name = obj.string("name", dns1123_subdomain, required=True)
    optional = obj.boolean("optional")
    return obj.build(lambda: SecretEnvSource(name=name, optional=optional))


def _config_map_ref(errors: Errors, path: str, raw: object) -> ConfigMapEnvSource | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    name = obj.string("name", dns1123_subdomain, required=True)
    optional = obj.boolean("optional")
    return obj.build(lambda: ConfigMapEnvSource(name=name, optional=optional))


def decode_env_from(errors: Errors, path: str, raw: object) -> EnvFromSource | None:
    """Decode one item of ``envFrom``."""
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    prefix = obj.string("prefix", env_var_name)
    config_map_ref = obj.child("configMapRef", _config_map_ref)
    secret_ref = obj.child("secretRef", _secret_ref)
    if sum(obj.present(name) for name in _ENV_FROM) != 1:
        errors.add(path, exactly_one_of(_ENV_FROM))
    return obj.build(
        lambda: EnvFromSource(prefix=prefix, config_map_ref=config_map_ref, secret_ref=secret_ref)
    )


__all__ = ["decode_env_from", "decode_env_var"]

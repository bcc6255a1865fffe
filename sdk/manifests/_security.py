"""Decoding ``securityContext`` at Pod and container level."""

from __future__ import annotations

from podkit.manifests._reader import Errors, as_object, raw_names, report_duplicates
from podkit.models.kube import (
    Capabilities,
    PodSecurityContext,
    SeccompProfile,
    SeccompProfileType,
    SecurityContext,
    Sysctl,
)
from podkit.models.kube._rules import sysctl_name, unix_id
from podkit.models.kube._security import escalation_reason, localhost_profile_reason

#: Fields of Kubernetes' security contexts that podkit does not implement.
_UNSUPPORTED = (
    "appArmorProfile",
    "seLinuxOptions",
    "windowsOptions",
    "procMount",
    "fsGroupChangePolicy",
    "seLinuxChangePolicy",
    "supplementalGroupsPolicy",
)


def _sysctl(errors: Errors, path: str, raw: object) -> Sysctl | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    name = obj.string("name", sysctl_name, required=True)
    value = obj.string("value")
    return obj.build(lambda: Sysctl(name=name, value=value))


def _seccomp_profile(errors: Errors, path: str, raw: object) -> SeccompProfile | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    if obj.get("type") is None:
        errors.add(obj.at("type"), "required value")
    profile_type = obj.choice("type", SeccompProfileType, SeccompProfileType.UNCONFINED)
    localhost = obj.string("localhostProfile")
    reason = localhost_profile_reason(profile_type, localhost)
    if reason and obj.get("type") is not None:
        errors.add(obj.at("localhostProfile"), reason)
    return obj.build(lambda: SeccompProfile(type=profile_type, localhost_profile=localhost))


def decode_pod_security_context(
    errors: Errors, path: str, raw: object
) -> PodSecurityContext | None:
    """Decode the Pod's ``securityContext``."""
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    obj.unsupported(*_UNSUPPORTED)
    run_as_user = obj.optional_integer("runAsUser", unix_id, bits=64)
    run_as_group = obj.optional_integer("runAsGroup", unix_id, bits=64)
    run_as_non_root = obj.optional_boolean("runAsNonRoot")
    fs_group = obj.optional_integer("fsGroup", unix_id, bits=64)
    groups = obj.integers("supplementalGroups", unix_id)
    sysctls = obj.children("sysctls", _sysctl)
    seccomp = obj.child("seccompProfile", _seccomp_profile)
    named = raw_names(obj.get("sysctls"))
    report_duplicates(errors, [(obj.at("sysctls"), index, name) for index, name in named])
    return obj.build(
        lambda: PodSecurityContext(
            run_as_user=run_as_user,
            run_as_group=run_as_group,
            run_as_non_root=run_as_non_root,
            fs_group=fs_group,
            supplemental_groups=groups,
            sysctls=sysctls,
            seccomp_profile=seccomp,
        )
    )


def _capabilities(errors: Errors, path: str, raw: object) -> Capabilities | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    add, drop = obj.strings("add"), obj.strings("drop")
    return obj.build(lambda: Capabilities(add=add, drop=drop))


def decode_security_context(errors: Errors, path: str, raw: object) -> SecurityContext | None:
    """Decode a container's ``securityContext``."""
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    obj.unsupported(*_UNSUPPORTED)
    run_as_user = obj.optional_integer("runAsUser", unix_id, bits=64)
    run_as_group = obj.optional_integer("runAsGroup", unix_id, bits=64)
    run_as_non_root = obj.optional_boolean("runAsNonRoot")
    read_only = obj.optional_boolean("readOnlyRootFilesystem")
    capabilities = obj.child("capabilities", _capabilities)
    privileged = obj.optional_boolean("privileged")
    escalation = obj.optional_boolean("allowPrivilegeEscalation")
    seccomp = obj.child("seccompProfile", _seccomp_profile)
    reason = escalation_reason(
        allow_privilege_escalation=escalation,
        privileged=privileged,
        added=capabilities.add if capabilities else (),
    )
    if reason:
        errors.add(obj.at("allowPrivilegeEscalation"), reason)
    return obj.build(
        lambda: SecurityContext(
            run_as_user=run_as_user,
            run_as_group=run_as_group,
            run_as_non_root=run_as_non_root,
            read_only_root_filesystem=read_only,
            capabilities=capabilities,
            privileged=privileged,
            allow_privilege_escalation=escalation,
            seccomp_profile=seccomp,
        )
    )


__all__ = ["decode_pod_security_context", "decode_security_context"]

"""Decoding a Pod: its spec, and the rules that span containers and volumes."""

from __future__ import annotations

import functools
from typing import Final

import attrs

from podkit.manifests._container import ContainerContext, decode_container
from podkit.manifests._meta import decode_metadata
from podkit.manifests._reader import Errors, Obj, as_object, raw_names, report_duplicates
from podkit.manifests._security import decode_pod_security_context
from podkit.manifests._volume import decode_volume
from podkit.models.kube import (
    Container,
    DNSPolicy,
    HostAlias,
    Pod,
    PodDNSConfig,
    PodDNSConfigOption,
    PodSecurityContext,
    PodSpec,
    RestartPolicy,
)
from podkit.models.kube._pod import DEFAULT_GRACE_PERIOD, MAX_NAMESERVERS, MAX_SEARCHES
from podkit.models.kube._rules import (
    at_least,
    between,
    dns1123_label,
    dns1123_subdomain,
    ip_address,
    label_value,
    qualified_name,
)

#: Fields of Kubernetes' PodSpec that podkit does not implement.
_UNSUPPORTED: Final = (
    "affinity",
    "automountServiceAccountToken",
    "enableServiceLinks",
    "ephemeralContainers",
    "hostUsers",
    "imagePullSecrets",
    "os",
    "overhead",
    "preemptionPolicy",
    "priority",
    "priorityClassName",
    "readinessGates",
    "resourceClaims",
    "resources",
    "schedulerName",
    "schedulingGates",
    "serviceAccount",
    "setHostnameAsFQDN",
    "tolerations",
    "topologySpreadConstraints",
)
_MAX_SEARCH_CHARS: Final = 2048


def _search(value: str) -> list[str]:
    return dns1123_subdomain(value.removesuffix("."))


def _option(errors: Errors, path: str, raw: object) -> PodDNSConfigOption | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    name = obj.string("name", required=True)
    value = obj.get("value")
    text = None if value is None else obj.string("value")
    return obj.build(lambda: PodDNSConfigOption(name=name, value=text))


def _dns_config(errors: Errors, path: str, raw: object) -> PodDNSConfig | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    nameservers = obj.strings("nameservers", ip_address)
    if len(nameservers) > MAX_NAMESERVERS:
        errors.add(obj.at("nameservers"), f"must not have more than {MAX_NAMESERVERS} nameservers")
    searches = obj.strings("searches", _search)
    if len(searches) > MAX_SEARCHES:
        errors.add(obj.at("searches"), f"must not have more than {MAX_SEARCHES} search paths")
    if len(" ".join(searches)) > _MAX_SEARCH_CHARS:
        reason = f"must not have more than {_MAX_SEARCH_CHARS} characters (including spaces)"
        errors.add(obj.at("searches"), f"{reason} in the search list")
    options = obj.children("options", _option)
    return obj.build(
        lambda: PodDNSConfig(nameservers=nameservers, searches=searches, options=options)
    )


def _host_alias(errors: Errors, path: str, raw: object) -> HostAlias | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    ip = obj.string("ip", ip_address, required=True)
    hostnames = obj.strings("hostnames", dns1123_subdomain)
    return obj.build(lambda: HostAlias(ip=ip, hostnames=hostnames))


def _containers(obj: Obj, context: ContainerContext) -> tuple[tuple[Container, ...], ...]:
    """Read ``initContainers`` and ``containers``, whose names are unique across both."""
    init_context = attrs.evolve(context, init=True)
    init = obj.children("initContainers", functools.partial(decode_container, context=init_context))
    main = obj.children("containers", functools.partial(decode_container, context=context))
    if not obj.get("containers"):
        obj.errors.add(obj.at("containers"), "required value")
    named = [
        (obj.at(key), index, name)
        for key in ("initContainers", "containers")
        for index, name in raw_names(obj.get(key))
    ]
    report_duplicates(obj.errors, named)
    return init, main


def _check_dns_policy(obj: Obj, policy: DNSPolicy) -> None:
    config = obj.get("dnsConfig")
    nameservers = config.get("nameservers") if isinstance(config, dict) else None
    if policy is DNSPolicy.NONE and not nameservers:
        reason = "must provide at least one DNS nameserver when dnsPolicy is None"
        obj.errors.add(obj.at("dnsConfig"), reason)


def _context(obj: Obj) -> ContainerContext:
    """Read the Pod settings that containers are checked against."""
    volumes = frozenset(name for _, name in raw_names(obj.get("volumes")))
    report_duplicates(
        obj.errors, [(obj.at("volumes"), i, n) for i, n in raw_names(obj.get("volumes"))]
    )
    grace = obj.integer(
        "terminationGracePeriodSeconds", at_least(0), default=DEFAULT_GRACE_PERIOD, bits=64
    )
    return ContainerContext(
        volume_names=volumes, host_network=obj.boolean("hostNetwork"), grace_period=grace
    )


def decode_pod_spec(errors: Errors, path: str, raw: object) -> PodSpec | None:
    """Decode a Pod's ``spec``, with Kubernetes' defaults."""
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    obj.unsupported(*_UNSUPPORTED)
    volumes = obj.children("volumes", decode_volume)
    context = _context(obj)
    init, containers = _containers(obj, context)
    restart = obj.choice("restartPolicy", RestartPolicy, RestartPolicy.ALWAYS)
    deadline = obj.optional_integer("activeDeadlineSeconds", between(1, 2**31 - 1), bits=64)
    dns_policy = obj.choice("dnsPolicy", DNSPolicy, DNSPolicy.CLUSTER_FIRST)
    _check_dns_policy(obj, dns_policy)
    node_selector = obj.string_map("nodeSelector", [qualified_name], [label_value])
    account, node = (
        obj.string("serviceAccountName", dns1123_subdomain),
        obj.string("nodeName", dns1123_subdomain),
    )
    host_pid, host_ipc = obj.boolean("hostPID"), obj.boolean("hostIPC")
    share = obj.boolean("shareProcessNamespace")
    security = obj.child("securityContext", decode_pod_security_context) or PodSecurityContext()
    hostname, subdomain = (
        obj.string("hostname", dns1123_label),
        obj.string("subdomain", dns1123_label),
    )
    aliases = obj.children("hostAliases", _host_alias)
    dns_config = obj.child("dnsConfig", _dns_config)
    runtime_class = obj.string("runtimeClassName", dns1123_subdomain)
    return obj.build(
        lambda: PodSpec(
            volumes=volumes,
            init_containers=init,
            containers=containers,
            restart_policy=restart,
            termination_grace_period_seconds=context.grace_period,
            active_deadline_seconds=deadline,
            dns_policy=dns_policy,
            node_selector=node_selector,
            service_account_name=account,
            node_name=node,
            host_network=context.host_network,
            host_pid=host_pid,
            host_ipc=host_ipc,
            share_process_namespace=share,
            security_context=security,
            hostname=hostname,
            subdomain=subdomain,
            host_aliases=aliases,
            dns_config=dns_config,
            runtime_class_name=runtime_class,
        )
    )


def decode_pod(obj: Obj) -> Pod | None:
    """Decode a Pod document (its ``apiVersion`` and ``kind`` already read)."""
    obj.ignore("status")
    metadata = obj.child("metadata", decode_metadata, required=True)
    spec = obj.child("spec", decode_pod_spec, required=True)
    return obj.build(lambda: Pod(metadata=metadata, spec=spec) if metadata and spec else None)


__all__ = ["decode_pod", "decode_pod_spec"]

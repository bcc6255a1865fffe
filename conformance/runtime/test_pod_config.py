"""CRI PodSandboxConfig in the containers: shared namespaces, DNS and sysctls.

A pod's containers share its network, IPC and UTS namespaces (the CRI
default, ``NamespaceMode.POD``), none of them the node's; its DNS settings
become their ``/etc/resolv.conf``; its namespaced sysctls are set in them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from podkit.models.runtime import DNSConfig

if TYPE_CHECKING:
    from podkit.conformance.runtime._pods import Pods

NAMESPACES = ("net", "ipc", "uts")


def _namespaces(pods: Pods, container_id: str) -> dict[str, str]:
    script = "; ".join(f"readlink /proc/self/ns/{name}" for name in NAMESPACES)
    result = pods.runtime.exec_sync(pods.handler, container_id, ("sh", "-c", script), 30)
    assert result.exit_code == 0, result
    return dict(zip(NAMESPACES, result.stdout.decode().split(), strict=True))


def test_containers_of_a_pod_share_its_namespaces_and_not_the_node_ones(pods: Pods) -> None:
    """CRI NamespaceOption ``network``/``ipc`` POD (and UTS): one namespace per pod.

    api.proto: "POD: A namespace is shared by all containers of the pod"; so
    two containers of a pod are in the same network, IPC and UTS namespaces,
    which are not the node's ("NODE" would be asked for that).
    """
    sandbox = pods.sandbox("share-ns")
    first = pods.run(sandbox, "sleep", "3600", name="first")
    second = pods.run(sandbox, "sleep", "3600", name="second")
    seen_first, seen_second = _namespaces(pods, first), _namespaces(pods, second)
    assert seen_first == seen_second
    for name in NAMESPACES:
        assert seen_first[name] != str(Path(f"/proc/self/ns/{name}").readlink()), name


def test_pods_do_not_share_namespaces(pods: Pods) -> None:
    """CRI: each sandbox has namespaces of its own; two pods do not share a network."""
    first = pods.run(pods.sandbox("pod-a"), "sleep", "3600", name="a")
    second = pods.run(pods.sandbox("pod-b"), "sleep", "3600", name="b")
    seen_first, seen_second = _namespaces(pods, first), _namespaces(pods, second)
    for name in NAMESPACES:
        assert seen_first[name] != seen_second[name], name


def test_the_dns_config_is_the_containers_resolv_conf(pods: Pods) -> None:
    """CRI DNSConfig: "servers", "searches" and "options" of the pod's ``resolv.conf``.

    The kubelet relies on it for cluster DNS: every container of the pod
    reads them from ``/etc/resolv.conf``.
    """
    dns = DNSConfig(
        servers=("192.0.2.53",), searches=("pku.svc.cluster.local",), options=("ndots:5",)
    )
    sandbox = pods.run_sandbox(attrs.evolve(pods.sandbox_config("dns"), dns_config=dns))
    container_id = pods.run(sandbox, "sleep", "3600")
    result = pods.runtime.exec_sync(pods.handler, container_id, ("cat", "/etc/resolv.conf"), 30)
    lines = [line.split() for line in result.stdout.decode().splitlines()]
    assert ["nameserver", "192.0.2.53"] in lines, lines
    assert ["search", "pku.svc.cluster.local"] in lines, lines
    assert ["options", "ndots:5"] in lines, lines


def test_namespaced_sysctls_are_set_for_the_pod(pods: Pods) -> None:
    """CRI LinuxPodSandboxConfig ``sysctls``: "Linux sysctls config for the sandbox".

    A namespaced sysctl (here of the pod's network namespace) has the value
    asked for inside the pod.
    """
    config = pods.sandbox_config("sysctl")
    linux = attrs.evolve(config.linux, sysctls={"net.ipv4.ip_unprivileged_port_start": "1"})
    sandbox = pods.run_sandbox(attrs.evolve(config, linux=linux))
    container_id = pods.run(sandbox, "sleep", "3600")
    path = "/proc/sys/net/ipv4/ip_unprivileged_port_start"
    result = pods.runtime.exec_sync(pods.handler, container_id, ("cat", path), 30)
    assert result.stdout.decode().strip() == "1", result

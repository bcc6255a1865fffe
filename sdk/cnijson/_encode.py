"""Models -> CNI JSON, in the SPEC version the caller asked for.

Results are written in the version of the request, as libcni's
``GetResult``/``Convert`` do: 1.0.0 and newer drop the per-address
``version`` key that 0.3.x and 0.4.0 require, and keep route fields
(``mtu``, ``advmss``, ``priority``, ``table``, ``scope``) only from 1.1.0 on.
Errors are ``{cniVersion, code, msg, details}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from podkit.cnijson._decode import RESULT_VERSIONS
from podkit.errors import CniCode, IncompatibleVersionError, PodkitError
from podkit.models.network import CURRENT_CNI_VERSION

if TYPE_CHECKING:
    from collections.abc import Iterable

    from podkit.models.network import (
        DNS,
        Attachment,
        GCAttachment,
        IPRange,
        NetworkConfig,
        Result,
        Route,
        RuntimeConfig,
        VersionResult,
    )


def _thaw(value: Any) -> Any:  # noqa: ANN401 - any JSON value
    """Frozen JSON (read-only mappings, tuples) back to what ``json.dumps`` takes."""
    if isinstance(value, Mapping):
        return {str(k): _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_thaw(v) for v in value]
    return value


def _dns(dns: DNS | None) -> dict[str, Any] | None:
    if dns is None:
        return None
    body: dict[str, Any] = {}
    if dns.nameservers:
        body["nameservers"] = [str(a) for a in dns.nameservers]
    if dns.domain:
        body["domain"] = dns.domain
    if dns.search:
        body["search"] = list(dns.search)
    if dns.options:
        body["options"] = list(dns.options)
    return body


def _route(route: Route, version: str) -> dict[str, Any]:
    body: dict[str, Any] = {"dst": str(route.dst)}
    if route.gw is not None:
        body["gw"] = str(route.gw)
    if version >= "1.1.0":
        extras = {"mtu": route.mtu, "advmss": route.advmss, "priority": route.priority}
        body.update({k: v for k, v in extras.items() if v})
        if route.table is not None:
            body["table"] = route.table
        if route.scope is not None:
            body["scope"] = route.scope
    return body


def encode_result(result: Result, version: str) -> dict[str, Any]:
    """The JSON of ``result`` in CNI ``version``."""
    if version not in RESULT_VERSIONS:
        msg = f"cannot write a result in CNI {version}; podkit writes {', '.join(RESULT_VERSIONS)}"
        raise IncompatibleVersionError(msg)
    body: dict[str, Any] = {"cniVersion": version}
    if result.interfaces:
        body["interfaces"] = [
            {
                k: v
                for k, v in (
                    ("name", i.name),
                    ("mac", i.mac),
                    ("mtu", i.mtu),
                    ("sandbox", i.sandbox),
                    ("socketPath", i.socket_path),
                    ("pciID", i.pci_id),
                )
                if v or k == "name"
            }
            for i in result.interfaces
        ]
    if result.ips:
        body["ips"] = [_ip(ip.address, ip.gateway, ip.interface, version) for ip in result.ips]
    if result.routes:
        body["routes"] = [_route(r, version) for r in result.routes]
    dns = _dns(result.dns)
    body["dns"] = dns or {}
    return body


def _ip(address: object, gateway: object, interface: int | None, version: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if version < "1.0.0":
        body["version"] = "6" if ":" in str(address) else "4"
    body["address"] = str(address)
    if gateway is not None:
        body["gateway"] = str(gateway)
    if interface is not None:
        body["interface"] = interface
    return body


def encode_version(result: VersionResult, version: str) -> dict[str, Any]:
    """The JSON of a ``VERSION`` answer."""
    return {"cniVersion": version, "supportedVersions": list(result.supported_versions)}


def encode_error(error: BaseException, version: str = CURRENT_CNI_VERSION) -> dict[str, Any]:
    """The SPEC's error JSON for ``error``: podkit errors keep their code, others are 999."""
    if isinstance(error, PodkitError):
        code, msg, details = int(error.cni_code), error.message, error.details
    else:
        code, msg, details = int(CniCode.INTERNAL), f"{type(error).__name__}: {error}", ""
    body: dict[str, Any] = {"cniVersion": version, "code": code, "msg": msg}
    if details:
        body["details"] = details
    return body


def encode_network_config(config: NetworkConfig) -> dict[str, Any]:
    """The stdin of a plugin call, for upstream plugins (the exec client)."""
    body: dict[str, Any] = {"cniVersion": config.cni_version, "name": config.name}
    body["type"] = config.type
    body.update(_thaw(config.raw))
    if config.ip_masq:
        body["ipMasq"] = True
    if config.ipam is not None:
        body["ipam"] = {"type": config.ipam.type, **_thaw(config.ipam.raw)}
    if config.dns is not None:
        body["dns"] = _dns(config.dns)
    if config.args:
        body["args"] = _thaw(config.args)
    runtime_config = _runtime_config(config.runtime_config)
    if runtime_config:
        body["runtimeConfig"] = runtime_config
    if config.prev_result is not None:
        body["prevResult"] = encode_result(config.prev_result, _result_version(config.cni_version))
    return body


def _result_version(version: str) -> str:
    return version if version in RESULT_VERSIONS else RESULT_VERSIONS[0]


def _runtime_config(rc: RuntimeConfig) -> dict[str, Any]:
    body: dict[str, Any] = _thaw(rc.raw)
    if rc.port_mappings:
        body["portMappings"] = [
            {
                "hostPort": m.host_port,
                "containerPort": m.container_port,
                "protocol": m.protocol,
                **({"hostIP": str(m.host_ip)} if m.host_ip is not None else {}),
            }
            for m in rc.port_mappings
        ]
    if rc.ip_ranges:
        body["ipRanges"] = [[_ip_range(r) for r in pool] for pool in rc.ip_ranges]
    if rc.bandwidth is not None:
        b = rc.bandwidth
        body["bandwidth"] = {
            "ingressRate": b.ingress_rate,
            "ingressBurst": b.ingress_burst,
            "egressRate": b.egress_rate,
            "egressBurst": b.egress_burst,
        }
    if rc.dns is not None:
        body["dns"] = {
            "servers": [str(s) for s in rc.dns.servers],
            "searches": list(rc.dns.searches),
            "options": list(rc.dns.options),
        }
    strings = {
        "mac": rc.mac,
        "infinibandGUID": rc.infiniband_guid,
        "deviceID": rc.device_id,
        "cgroupPath": rc.cgroup_path,
    }
    body.update({k: v for k, v in strings.items() if v})
    if rc.ips:
        body["ips"] = [str(ip) for ip in rc.ips]
    if rc.aliases:
        body["aliases"] = list(rc.aliases)
    return body


def _ip_range(r: IPRange) -> dict[str, str]:
    values = {"rangeStart": r.range_start, "rangeEnd": r.range_end, "gateway": r.gateway}
    return {"subnet": str(r.subnet)} | {k: str(v) for k, v in values.items() if v is not None}


def encode_environment(command: str, attachment: Attachment | None) -> dict[str, str]:
    """The ``CNI_*`` environment of a plugin call."""
    env = {"CNI_COMMAND": command}
    if attachment is not None:
        env["CNI_CONTAINERID"] = attachment.container_id
        env["CNI_NETNS"] = attachment.netns
        env["CNI_IFNAME"] = attachment.ifname
        if attachment.args:
            env["CNI_ARGS"] = ";".join(f"{k}={v}" for k, v in attachment.args.items())
        env["CNI_PATH"] = ":".join(attachment.path)
    return env


def encode_gc_attachments(valid: Iterable[GCAttachment]) -> list[dict[str, str]]:
    """``cni.dev/valid-attachments`` of a ``GC`` call."""
    return [{"containerID": a.container_id, "ifname": a.ifname} for a in valid]

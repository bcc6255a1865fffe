"""CNI JSON -> models: network configurations, lists and results.

What upstream plugins read on stdin and print on stdout becomes the frozen
models of :mod:`podkit.models.network`. Every problem is an
:class:`~podkit.errors.InvalidArgumentError` (CNI code 7) that names the
field, e.g. ``ipam.type: expected a string, got 42``; JSON that does not
parse is a :class:`DecodingError` (CNI code 6).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final, TypeVar, final

from podkit.errors import (
    CniCode,
    IncompatibleVersionError,
    InternalError,
    InvalidArgumentError,
    LimitedConnectivityError,
    NotFoundError,
    PluginNotAvailableError,
    PodkitError,
    UnavailableError,
    UnimplementedError,
)
from podkit.models.network import (
    CNI_VERSIONS,
    DNS,
    Attachment,
    Bandwidth,
    Interface,
    IPAMConfig,
    IPConfig,
    IPRange,
    NetworkConfig,
    NetworkConfigList,
    PluginConfig,
    PortMapping,
    Result,
    Route,
    RuntimeConfig,
    RuntimeDNS,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

#: The versions whose results podkit reads and writes (0.1.0 and 0.2.0 used
#: ``ip4``/``ip6`` results, which no maintained plugin writes any more).
RESULT_VERSIONS: Final = tuple(v for v in CNI_VERSIONS if v >= "0.3.0")

_M = TypeVar("_M")
_CONFIG_TYPED: Final = frozenset(
    {"cniVersion", "name", "type", "runtimeConfig", "args", "ipMasq", "ipam", "dns", "prevResult"}
)
_PLUGIN_TYPED: Final = frozenset({"type", "capabilities", "ipMasq", "ipam", "dns"})
# Keys a runtime adds to a plugin's configuration that are not plugin keys.
_RUNTIME_KEYS: Final = frozenset(
    {"cniVersion", "name", "cni.dev/attachments", "cni.dev/valid-attachments"}
)


@final
class DecodingError(InvalidArgumentError):
    """CNI JSON that does not parse at all (CNI code 6)."""

    cni_code = CniCode.DECODING_FAILURE


@final
class InvalidEnvironmentError(InvalidArgumentError):
    """A missing or invalid ``CNI_*`` environment variable (CNI code 4)."""

    cni_code = CniCode.INVALID_ENVIRONMENT


def parse(text: str | bytes, what: str) -> dict[str, Any]:
    """Parse a JSON object; :class:`DecodingError` if it is not one."""
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        msg = f"failed to decode {what}: {exc}"
        raise DecodingError(msg) from exc
    if not isinstance(value, dict):
        msg = f"failed to decode {what}: expected a JSON object, got {type(value).__name__}"
        raise DecodingError(msg)
    return value


def _fail(path: str, problem: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"{path}: {problem}" if path else problem)


def _get(data: Mapping[str, Any], key: str, kind: type, path: str, default: Any = None) -> Any:  # noqa: ANN401 - JSON
    value = data.get(key, default)
    if value is None or value is default:
        return default
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        name = {str: "a string", int: "a number", bool: "a boolean", dict: "an object"}
        expected = name.get(kind, "a list")
        where, msg = f"{path}{key}", f"expected {expected}, got {json.dumps(value)}"
        raise _fail(where, msg)
    return value


def _build(path: str, factory: Callable[..., _M], **fields: Any) -> _M:  # noqa: ANN401 - JSON values
    """Build a model; its validators' complaints name the field path."""
    try:
        return factory(**fields)
    except (TypeError, ValueError) as exc:
        if isinstance(exc, InvalidArgumentError):
            raise
        where = path.rstrip(".")
        raise _fail(where, str(exc)) from exc


def _list(data: Mapping[str, Any], key: str, path: str) -> list[Any]:
    return list(_get(data, key, list, path, default=[]))


def _dns(data: Mapping[str, Any] | None, path: str) -> DNS | None:
    if not data:
        return None
    return _build(
        path,
        DNS,
        nameservers=_list(data, "nameservers", path),
        domain=_get(data, "domain", str, path, ""),
        search=_list(data, "search", path),
        options=_list(data, "options", path),
    )


def _ipam(data: Mapping[str, Any] | None, path: str) -> IPAMConfig | None:
    if not data:
        return None
    raw = {k: v for k, v in data.items() if k != "type"}
    return _build(path, IPAMConfig, type=_get(data, "type", str, path, ""), raw=raw)


def _version(data: Mapping[str, Any], path: str, *, default: str = "0.1.0") -> str:
    version = _get(data, "cniVersion", str, path, default)
    if version not in CNI_VERSIONS:
        known = ", ".join(CNI_VERSIONS)
        msg = f"{path}cniVersion: unsupported CNI version {version!r}; podkit speaks {known}"
        raise IncompatibleVersionError(msg)
    return str(version)


def decode_result(data: Mapping[str, Any], path: str = "") -> Result:
    """A result (``ADD`` output, or ``prevResult``) of version 0.3.0 or newer."""
    version = _version(data, path)
    if version not in RESULT_VERSIONS:
        msg = f"{path}cniVersion: results of CNI {version} (ip4/ip6) are not supported"
        raise IncompatibleVersionError(msg)
    interfaces = [
        _build(
            f"{path}interfaces[{i}].",
            Interface,
            name=_get(item, "name", str, f"{path}interfaces[{i}].", ""),
            mac=_get(item, "mac", str, f"{path}interfaces[{i}].", ""),
            mtu=_get(item, "mtu", int, f"{path}interfaces[{i}].", 0),
            sandbox=_get(item, "sandbox", str, f"{path}interfaces[{i}].", ""),
            socket_path=_get(item, "socketPath", str, f"{path}interfaces[{i}].", ""),
            pci_id=_get(item, "pciID", str, f"{path}interfaces[{i}].", ""),
        )
        for i, item in enumerate(_objects(data, "interfaces", path))
    ]
    ips = [
        _build(
            f"{path}ips[{i}].",
            IPConfig,
            address=_get(item, "address", str, f"{path}ips[{i}].", ""),
            gateway=_get(item, "gateway", str, f"{path}ips[{i}]."),
            interface=_get(item, "interface", int, f"{path}ips[{i}]."),
        )
        for i, item in enumerate(_objects(data, "ips", path))
    ]
    routes = [
        _route(item, f"{path}routes[{i}].") for i, item in enumerate(_objects(data, "routes", path))
    ]
    return _build(
        path,
        Result,
        cni_version=version,
        interfaces=interfaces,
        ips=ips,
        routes=routes,
        dns=_dns(_get(data, "dns", dict, path), f"{path}dns."),
    )


def _objects(data: Mapping[str, Any], key: str, path: str) -> list[Mapping[str, Any]]:
    items = _list(data, key, path)
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            where, msg = f"{path}{key}[{i}]", f"expected an object, got {json.dumps(item)}"
            raise _fail(where, msg)
    return items


def _route(item: Mapping[str, Any], path: str) -> Route:
    return _build(
        path,
        Route,
        dst=_get(item, "dst", str, path, ""),
        gw=_get(item, "gw", str, path),
        mtu=_get(item, "mtu", int, path, 0),
        advmss=_get(item, "advmss", int, path, 0),
        priority=_get(item, "priority", int, path, 0),
        table=_get(item, "table", int, path),
        scope=_get(item, "scope", int, path),
    )


def _runtime_config(data: Mapping[str, Any] | None, path: str) -> RuntimeConfig:
    if not data:
        return RuntimeConfig()
    known = {
        "portMappings", "ipRanges", "bandwidth", "dns", "ips", "mac",
        "infinibandGUID", "deviceID", "aliases", "cgroupPath",
    }  # fmt: skip
    mappings = [
        _build(
            f"{path}portMappings[{i}].",
            PortMapping,
            host_port=_get(m, "hostPort", int, f"{path}portMappings[{i}].", 0),
            container_port=_get(m, "containerPort", int, f"{path}portMappings[{i}].", 0),
            protocol=_get(m, "protocol", str, f"{path}portMappings[{i}].", "tcp").lower(),
            host_ip=_get(m, "hostIP", str, f"{path}portMappings[{i}].") or None,
        )
        for i, m in enumerate(_objects(data, "portMappings", path))
    ]
    pools = [
        [
            _build(
                f"{path}ipRanges[{i}][{j}].",
                IPRange,
                subnet=_get(r, "subnet", str, f"{path}ipRanges[{i}][{j}].", ""),
                range_start=_get(r, "rangeStart", str, f"{path}ipRanges[{i}][{j}]."),
                range_end=_get(r, "rangeEnd", str, f"{path}ipRanges[{i}][{j}]."),
                gateway=_get(r, "gateway", str, f"{path}ipRanges[{i}][{j}]."),
            )
            for j, r in enumerate(pool)
        ]
        for i, pool in enumerate(_list(data, "ipRanges", path))
    ]
    bandwidth = _get(data, "bandwidth", dict, path)
    dns = _get(data, "dns", dict, path)
    return _build(
        path,
        RuntimeConfig,
        port_mappings=mappings,
        ip_ranges=pools,
        bandwidth=_build(
            f"{path}bandwidth",
            Bandwidth,
            ingress_rate=_get(bandwidth, "ingressRate", int, f"{path}bandwidth.", 0),
            ingress_burst=_get(bandwidth, "ingressBurst", int, f"{path}bandwidth.", 0),
            egress_rate=_get(bandwidth, "egressRate", int, f"{path}bandwidth.", 0),
            egress_burst=_get(bandwidth, "egressBurst", int, f"{path}bandwidth.", 0),
        )
        if bandwidth
        else None,
        dns=_build(
            f"{path}dns",
            RuntimeDNS,
            servers=_list(dns, "servers", f"{path}dns."),
            searches=_list(dns, "searches", f"{path}dns."),
            options=_list(dns, "options", f"{path}dns."),
        )
        if dns
        else None,
        ips=_list(data, "ips", path),
        mac=_get(data, "mac", str, path, ""),
        infiniband_guid=_get(data, "infinibandGUID", str, path, ""),
        device_id=_get(data, "deviceID", str, path, ""),
        aliases=_list(data, "aliases", path),
        cgroup_path=_get(data, "cgroupPath", str, path, ""),
        raw={k: v for k, v in data.items() if k not in known},
    )


def decode_network_config(data: Mapping[str, Any]) -> NetworkConfig:
    """The configuration of one plugin call: what a CNI plugin reads on stdin."""
    version = _version(data, "")
    prev = _get(data, "prevResult", dict, "")
    return _build(
        "",
        NetworkConfig,
        cni_version=version,
        name=_get(data, "name", str, "", ""),
        type=_get(data, "type", str, "", ""),
        runtime_config=_runtime_config(_get(data, "runtimeConfig", dict, ""), "runtimeConfig."),
        args=_get(data, "args", dict, "", {}),
        ip_masq=_get(data, "ipMasq", bool, "", default=False),
        ipam=_ipam(_get(data, "ipam", dict, ""), "ipam."),
        dns=_dns(_get(data, "dns", dict, ""), "dns."),
        prev_result=decode_result(prev, "prevResult.") if prev else None,
        raw={k: v for k, v in data.items() if k not in _CONFIG_TYPED and k not in _RUNTIME_KEYS},
    )


def decode_config_list(data: Mapping[str, Any]) -> NetworkConfigList:
    """A network configuration list (a ``.conflist`` file), or a single ``.conf``.

    A single plugin configuration is read as a list of one, as libcni's
    ``ConfListFromConf`` does.
    """
    if "plugins" not in data and "type" in data:
        data = {
            "cniVersion": data.get("cniVersion"),
            "name": data.get("name"),
            "plugins": [{k: v for k, v in data.items() if k not in {"cniVersion", "name"}}],
        }
    plugins = [
        _plugin_config(item, f"plugins[{i}].")
        for i, item in enumerate(_objects(data, "plugins", ""))
    ]
    return _build(
        "",
        NetworkConfigList,
        cni_version=_version(data, ""),
        cni_versions=_list(data, "cniVersions", ""),
        name=_get(data, "name", str, "", ""),
        disable_check=_get(data, "disableCheck", bool, "", default=False),
        disable_gc=_get(data, "disableGC", bool, "", default=False),
        load_only_inlined_plugins=_get(data, "loadOnlyInlinedPlugins", bool, "", default=False),
        plugins=plugins,
    )


def _plugin_config(data: Mapping[str, Any], path: str) -> PluginConfig:
    return _build(
        path,
        PluginConfig,
        type=_get(data, "type", str, path, ""),
        capabilities=_get(data, "capabilities", dict, path, {}),
        ip_masq=_get(data, "ipMasq", bool, path, default=False),
        ipam=_ipam(_get(data, "ipam", dict, path), f"{path}ipam."),
        dns=_dns(_get(data, "dns", dict, path), f"{path}dns."),
        raw={k: v for k, v in data.items() if k not in _PLUGIN_TYPED and k not in _RUNTIME_KEYS},
    )


_ERRORS_BY_CODE: Final[dict[int, type[PodkitError]]] = {
    CniCode.INCOMPATIBLE_VERSION: IncompatibleVersionError,
    CniCode.UNSUPPORTED_FIELD: UnimplementedError,
    CniCode.UNKNOWN_CONTAINER: NotFoundError,
    CniCode.INVALID_ENVIRONMENT: InvalidEnvironmentError,
    CniCode.DECODING_FAILURE: DecodingError,
    CniCode.INVALID_NETWORK_CONFIG: InvalidArgumentError,
    CniCode.TRY_AGAIN_LATER: UnavailableError,
    CniCode.PLUGIN_NOT_AVAILABLE: PluginNotAvailableError,
    CniCode.LIMITED_CONNECTIVITY: LimitedConnectivityError,
}


def decode_error(data: Mapping[str, Any], plugin: str) -> PodkitError:
    """The podkit error for an upstream plugin's error JSON, keeping its code."""
    code = data.get("code")
    msg = data.get("msg") or "(no message)"
    details = data.get("details") or ""
    cls = _ERRORS_BY_CODE.get(code, InternalError) if isinstance(code, int) else InternalError
    if isinstance(code, int) and cls is InternalError and code != CniCode.INTERNAL:
        # A plugin-specific code (100+) is passed on as it is.
        cls = type("UpstreamPluginError", (InternalError,), {"cni_code": code})
    return cls(f"{plugin}: {msg}", details=str(details))


def decode_environment(getenv: Callable[[str], str | None], command: str) -> Attachment | None:
    """The attachment of a call from the ``CNI_*`` environment (code 4 if invalid).

    ``VERSION``, ``STATUS`` and ``GC`` have no attachment.
    """
    if command in {"VERSION", "STATUS", "GC"}:
        return None
    missing = [n for n in ("CNI_CONTAINERID", "CNI_IFNAME") if not getenv(n)]
    if command != "DEL" and not getenv("CNI_NETNS"):
        missing.append("CNI_NETNS")
    if missing:
        msg = f"required environment variables missing: {', '.join(missing)}"
        raise InvalidEnvironmentError(msg)
    args: dict[str, str] = {}
    for pair in filter(None, (getenv("CNI_ARGS") or "").split(";")):
        key, sep, value = pair.partition("=")
        if not sep or not key:
            msg = f"CNI_ARGS: invalid pair {pair!r}, expected KEY=VALUE"
            raise InvalidEnvironmentError(msg)
        args[key] = value
    try:
        return Attachment(
            container_id=getenv("CNI_CONTAINERID") or "",
            netns=getenv("CNI_NETNS") or "",
            ifname=getenv("CNI_IFNAME") or "",
            args=args,
            path=[p for p in (getenv("CNI_PATH") or "").split(":") if p],
        )
    except (TypeError, ValueError) as exc:
        raise InvalidEnvironmentError(str(exc)) from exc

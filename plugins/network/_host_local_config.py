"""The ``host-local`` IPAM configuration, parsed and checked before anything changes.

Mirrors the upstream host-local plugin's ``LoadIPAMConfig`` and
``Range.Canonicalize``: ``ranges`` is a list of range sets (one address is
allocated from each set), every range gets its defaults (``rangeStart`` the
subnet's first host, ``rangeEnd`` its last, without the IPv4 broadcast
address, ``gateway`` the subnet's first address), and no two ranges may
overlap. The legacy top-level ``subnet``/``rangeStart``/``rangeEnd``/
``gateway`` form is one range set. A runtime's ``ipRanges`` capability
replaces ``ranges``.

Addresses may be asked for, as upstream gathers them (and CONVENTIONS.md
documents them): ``IP`` in ``CNI_ARGS`` (comma-separated), ``args.cni.ips``
in the configuration, and the ``ips`` capability (``runtimeConfig.ips``);
:func:`requested_addresses` reads them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final, final

import attrs

import podkit
from podkit.models.network import DNS, IPRange, Route
from podkit.plugins.network._raw import as_object, invalid, read, read_list

if TYPE_CHECKING:
    from podkit.models.network import Attachment, IPAddress, JsonValue, NetworkConfig

PLUGIN: Final = "host-local"
#: Where upstream keeps reservations: ``<dataDir>/<network name>/``.
DEFAULT_DATA_DIR: Final = Path("/var/lib/cni/networks")
_IPV4_MAX_PREFIX: Final = 30
_KNOWN_KEYS: Final = frozenset(
    {"ranges", "routes", "dataDir", "resolvConf", "subnet", "rangeStart", "rangeEnd", "gateway"}
)


@final
@attrs.frozen(kw_only=True)
class HostLocalConf:
    """A checked host-local configuration, every range with its defaults filled in."""

    #: One address is allocated from each range set.
    range_sets: tuple[tuple[IPRange, ...], ...]
    routes: tuple[Route, ...]
    #: The network's reservation directory: ``<dataDir>/<network name>``.
    network_dir: Path
    dns: DNS | None


def load(config: NetworkConfig, default_data_dir: Path = DEFAULT_DATA_DIR) -> HostLocalConf:
    """Parse and check ``config.ipam`` as host-local reads it.

    :raises podkit.InvalidArgumentError: a key is malformed; the message names it.
    :raises podkit.UnimplementedError: a key host-local does not know.
    """
    raw: Mapping[str, JsonValue] = config.ipam.raw if config.ipam else {}
    unknown = sorted(set(raw) - _KNOWN_KEYS)
    if unknown:
        msg = f"{PLUGIN}: unsupported field ipam.{unknown[0]}={raw[unknown[0]]!r}"
        raise podkit.UnimplementedError(msg)
    if config.runtime_config.ip_ranges:
        range_sets = tuple(
            tuple(_canonical(r, f"runtimeConfig.ipRanges[{i}][{j}]") for j, r in enumerate(pool))
            for i, pool in enumerate(config.runtime_config.ip_ranges)
        )
    else:
        range_sets = _range_sets(raw)
    if not range_sets:
        raise invalid(PLUGIN, "ipam.ranges", "no IP ranges specified")
    _check_overlaps(range_sets)
    data_dir = Path(read(raw, "dataDir", str, str(default_data_dir), plugin=PLUGIN, path="ipam."))
    resolv_conf = read(raw, "resolvConf", str, "", plugin=PLUGIN, path="ipam.")
    return HostLocalConf(
        range_sets=range_sets,
        routes=_routes(raw),
        network_dir=data_dir / config.name,
        dns=_read_resolv_conf(resolv_conf) if resolv_conf else None,
    )


def _range_sets(raw: Mapping[str, JsonValue]) -> tuple[tuple[IPRange, ...], ...]:
    if "subnet" in raw:
        return ((_range(raw, "ipam."),),)
    sets = []
    for i, pool in enumerate(read_list(raw, "ranges", plugin=PLUGIN, path="ipam.")):
        where = f"ipam.ranges[{i}]"
        if not isinstance(pool, tuple) or not pool:
            raise invalid(PLUGIN, where, "must be a non-empty list of ranges")
        ranges = tuple(
            _range(as_object(r, plugin=PLUGIN, path=f"{where}[{j}]"), f"{where}[{j}].")
            for j, r in enumerate(pool)
        )
        if len({r.subnet.version for r in ranges}) > 1:
            raise invalid(PLUGIN, where, "mixes IPv4 and IPv6 ranges")
        sets.append(ranges)
    return tuple(sets)


def _range(raw: Mapping[str, JsonValue], path: str) -> IPRange:
    def optional(key: str) -> str | None:
        return read(raw, key, str, "", plugin=PLUGIN, path=path) or None

    subnet = optional("subnet")
    if subnet is None:
        raise invalid(PLUGIN, f"{path}subnet", "is required")
    try:
        parsed = IPRange(
            subnet=subnet,
            range_start=optional("rangeStart"),
            range_end=optional("rangeEnd"),
            gateway=optional("gateway"),
        )
    except ValueError as exc:
        raise invalid(PLUGIN, path.rstrip("."), str(exc)) from exc
    return _canonical(parsed, path.rstrip("."))


def _canonical(given: IPRange, path: str) -> IPRange:
    subnet = given.subnet
    if subnet.version == 4 and subnet.prefixlen > _IPV4_MAX_PREFIX:  # noqa: PLR2004
        raise invalid(PLUGIN, f"{path}.subnet", f"network {subnet} is too small to allocate from")
    last = subnet.broadcast_address - (1 if subnet.version == 4 else 0)  # noqa: PLR2004
    canonical = IPRange(
        subnet=subnet,
        range_start=given.range_start or subnet.network_address + 1,
        range_end=given.range_end or last,
        gateway=given.gateway or subnet.network_address + 1,
    )
    if _int(canonical.range_start) > _int(canonical.range_end):
        raise invalid(PLUGIN, path, f"rangeStart {canonical.range_start} is after rangeEnd")
    return canonical


def _int(address: IPAddress | None) -> int:
    return int(address) if address is not None else 0


def _check_overlaps(range_sets: tuple[tuple[IPRange, ...], ...]) -> None:
    ranges = [r for pool in range_sets for r in pool]
    for i, first in enumerate(ranges):
        for second in ranges[i + 1 :]:
            if first.subnet.version == second.subnet.version and (
                _int(first.range_start) <= _int(second.range_end)
                and _int(second.range_start) <= _int(first.range_end)
            ):
                msg = f"ranges in {first.subnet} and {second.subnet} overlap"
                raise invalid(PLUGIN, "ipam.ranges", msg)


def _routes(raw: Mapping[str, JsonValue]) -> tuple[Route, ...]:
    routes = []
    for i, entry in enumerate(read_list(raw, "routes", plugin=PLUGIN, path="ipam.")):
        path = f"ipam.routes[{i}]"
        route = as_object(entry, plugin=PLUGIN, path=path)
        dst = read(route, "dst", str, "", plugin=PLUGIN, path=f"{path}.")
        gw = read(route, "gw", str, "", plugin=PLUGIN, path=f"{path}.")
        try:
            routes.append(Route(dst=dst, gw=gw or None))
        except ValueError as exc:
            raise invalid(PLUGIN, path, str(exc)) from exc
    return tuple(routes)


def _read_resolv_conf(path: str) -> DNS:
    """Read nameservers, domain, search and options from a resolv.conf(5) file."""
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as exc:
        raise invalid(PLUGIN, "ipam.resolvConf", f"cannot read {path!r}: {exc.strerror}") from exc
    servers, search, options, domain = [], [], [], ""
    for line in lines:
        words = line.split()
        if len(words) < 2:  # noqa: PLR2004 - a keyword and a value
            continue
        if words[0] == "nameserver":
            servers.append(ipaddress.ip_address(words[1]))
        elif words[0] == "domain":
            domain = words[1]
        elif words[0] == "search":
            search = words[1:]
        elif words[0] == "options":
            options += words[1:]
    return DNS(nameservers=servers, domain=domain, search=search, options=options)


def _address(text: str, where: str) -> IPAddress:
    """An address given as ``a.b.c.d``, ``a.b.c.d/nn`` or their IPv6 forms."""
    try:
        return ipaddress.ip_interface(text.strip()).ip
    except ValueError:
        raise invalid(PLUGIN, where, f"invalid IP {text.strip()!r}") from None


def requested_addresses(config: NetworkConfig, attachment: Attachment) -> tuple[IPAddress, ...]:
    """The addresses asked for: ``CNI_ARGS`` ``IP``, ``args.cni.ips``, ``runtimeConfig.ips``.

    Each once, in that order (upstream keys them by address).

    :raises podkit.InvalidArgumentError: one is not an IP address.
    """
    found: list[IPAddress] = []
    if "IP" in attachment.args:
        found += [_address(item, "CNI_ARGS IP") for item in attachment.args["IP"].split(",")]
    cni = config.args.get("cni")
    ips = cni.get("ips") if isinstance(cni, Mapping) else None
    if ips is not None:
        if not isinstance(ips, tuple | list) or not all(isinstance(i, str) for i in ips):
            raise invalid(PLUGIN, "args.cni.ips", "must be a list of IP addresses")
        found += [_address(str(item), f"args.cni.ips[{i}]") for i, item in enumerate(ips)]
    found += [  # an interface is an address too (a subclass): test for it first
        ip.ip if isinstance(ip, ipaddress.IPv4Interface | ipaddress.IPv6Interface) else ip
        for ip in config.runtime_config.ips
    ]
    return tuple(dict.fromkeys(found))


__all__ = ["DEFAULT_DATA_DIR", "PLUGIN", "HostLocalConf", "load", "requested_addresses"]

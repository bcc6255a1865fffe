"""``portmap``: forward host ports into the container, as nftables DNAT rules.

A chained plugin, after ``bridge``: it reads the container's addresses
from ``prevResult`` and the ``portMappings`` capability argument
(``runtimeConfig``), and passes ``prevResult`` through as its result. Like
the upstream plugin's nftables backend, each mapping becomes:

- a DNAT rule in the ``prerouting`` chain (traffic arriving for a local
  address, or for ``hostIP`` when set) and the same rule in ``output``
  (traffic from the host itself);
- with ``snat`` (the default), masquerade in ``postrouting`` for hairpin
  traffic (the container reaching itself through its host port) and, for
  IPv4, for traffic from the host's loopback addresses.

Every rule carries the attachment's tag, so ``DEL`` removes exactly them
and ``GC`` those of attachments no longer valid.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Final, Literal, final

import podkit
from podkit.models.network import CNI_VERSIONS, Result, VersionResult
from podkit.plugins.network import _nftables
from podkit.plugins.network._raw import read

if TYPE_CHECKING:
    from collections.abc import Iterator

    from podkit.models.network import (
        Attachment,
        GCAttachment,
        IPInterface,
        NetworkConfig,
        PortMapping,
    )

_TYPE: Final = "portmap"
KIND: Final = "portmap"
_UNSUPPORTED: Final = ("markMasqBit", "externalSetMarkChain", "conditionsV4", "conditionsV6")
_LOOPBACK_V4: Final = {"prefix": {"addr": "127.0.0.0", "len": 8}}


def _match(left: dict[str, Any], right: object, op: str = "==") -> dict[str, Any]:
    return {"match": {"op": op, "left": left, "right": right}}


def _payload(protocol: str, field: str) -> dict[str, Any]:
    return {"payload": {"protocol": protocol, "field": field}}


def _port_match(mapping: PortMapping, port: int) -> list[dict[str, Any]]:
    return [
        _match({"meta": {"key": "l4proto"}}, mapping.protocol),
        _match(_payload("th", "dport"), port),
    ]


def _rules(
    mapping: PortMapping, address: IPInterface, *, snat: bool
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Yield ``(chain, expressions)`` for one mapping to one container address."""
    family = _nftables.family_of(address.version)
    target = [_match({"fib": {"result": "type", "flags": ["daddr"]}}, "local")]
    if mapping.host_ip is not None:
        target = [_match(_payload(family, "daddr"), str(mapping.host_ip))]
    dnat = [
        *target,
        *_port_match(mapping, mapping.host_port),
        {"dnat": {"addr": str(address.ip), "port": mapping.container_port}},
    ]
    yield "prerouting", dnat
    yield "output", dnat
    if not snat:
        return
    to_container = [_match(_payload(family, "daddr"), str(address.ip))]
    to_container += _port_match(mapping, mapping.container_port)
    hairpin = [_match(_payload(family, "saddr"), str(address.ip)), *to_container]
    yield "postrouting", [*hairpin, {"masquerade": None}]
    if address.version == 4:  # noqa: PLR2004
        localhost = [_match(_payload(family, "saddr"), _LOOPBACK_V4), *to_container]
        yield "postrouting", [*localhost, {"masquerade": None}]


def _container_addresses(prev: Result) -> tuple[IPInterface, ...]:
    """The addresses of the container's interfaces (those with a sandbox) in a result."""
    return tuple(
        ip.address
        for ip in prev.ips
        if ip.interface is None or prev.interfaces[ip.interface].sandbox
    )


def _load(config: NetworkConfig) -> bool:
    """Check the configuration; return ``snat``."""
    for key in _UNSUPPORTED:
        if config.raw.get(key) not in (None, False, "", ()):
            msg = f"portmap: unsupported field {key}={config.raw[key]!r}"
            raise podkit.UnimplementedError(msg)
    backend = config.raw.get("backend", "nftables")
    if backend not in ("nftables", None):
        msg = f"portmap: unsupported field backend={backend!r}; only 'nftables' is"
        raise podkit.UnimplementedError(msg)
    return read(config.raw, "snat", bool, True, plugin=_TYPE, path="")  # noqa: FBT003


@final
@podkit.answers_for(_TYPE)
class PortmapPlugin:
    """The network hooks for CNI type ``portmap``.

    :param nat_table: the nftables table (families ``ip`` and ``ip6``) for
        the rules; the bridge's masquerade rules share it.
    """

    def __init__(self, *, nat_table: str = _nftables.DEFAULT_TABLE) -> None:
        """Keep the rules in ``nat_table``."""
        self.nat_table = nat_table

    def _tag(self, config: NetworkConfig, attachment: Attachment) -> str:
        return _nftables.attachment_tag(
            KIND, config.name, attachment.container_id, attachment.ifname
        )

    @podkit.hookimpl
    def network_add(self, config: NetworkConfig, attachment: Attachment) -> Result:
        """Add the DNAT rules (CNI ``ADD``); return ``prevResult`` unchanged."""
        snat = _load(config)
        mappings = config.runtime_config.port_mappings
        prev = config.prev_result
        if not mappings:
            return prev or Result(cni_version=config.cni_version)
        if prev is None:
            msg = "invalid portmap configuration: prevResult: required to map ports"
            raise podkit.InvalidArgumentError(msg)
        addresses = _container_addresses(prev)
        tag = self._tag(config, attachment)
        with contextlib.ExitStack() as undo:
            undo.callback(self._remove, config, attachment)
            for version in (4, 6):
                self._add_family(version, mappings, addresses, tag, snat=snat)
            undo.pop_all()
        return prev

    def _add_family(
        self,
        version: int,
        mappings: tuple[PortMapping, ...],
        addresses: tuple[IPInterface, ...],
        tag: str,
        *,
        snat: bool,
    ) -> None:
        family = _nftables.family_of(version)
        commands = []
        for address in (a for a in addresses if a.version == version):
            for mapping in mappings:
                if mapping.host_ip is not None and mapping.host_ip.version != version:
                    continue
                for chain, expr in _rules(mapping, address, snat=snat):
                    rule = {"family": family, "table": self.nat_table, "chain": chain}
                    commands.append({"add": {"rule": {**rule, "comment": tag, "expr": expr}}})
        if commands:
            _nftables.add_to_nat_table(family, self.nat_table, commands, f"map ports for {tag!r}")

    def _remove(self, config: NetworkConfig, attachment: Attachment) -> None:
        tag = self._tag(config, attachment)
        for version in (4, 6):
            _nftables.delete_rules(
                _nftables.family_of(version), self.nat_table, tag.__eq__, "remove port mappings"
            )

    def count(self, config: NetworkConfig, attachment: Attachment) -> int:
        """Return how many rules an attachment has."""
        tag = self._tag(config, attachment)
        return sum(
            1
            for version in (4, 6)
            for rule in _nftables.list_rules(_nftables.family_of(version), self.nat_table)
            if rule.get("comment") == tag
        )

    @podkit.hookimpl
    def network_del(self, config: NetworkConfig, attachment: Attachment) -> Literal[True]:
        """Remove the attachment's rules (CNI ``DEL``); none left is no error."""
        _load(config)
        self._remove(config, attachment)
        return True

    @podkit.hookimpl
    def network_check(self, config: NetworkConfig, attachment: Attachment) -> Literal[True]:
        """Fail when port mappings were asked for and their rules are gone (CNI ``CHECK``)."""
        _load(config)
        if config.runtime_config.port_mappings and not self.count(config, attachment):
            msg = (
                f"failed to check port mappings of container {attachment.container_id!r}: "
                "their nftables rules are missing"
            )
            raise podkit.FailedPreconditionError(msg)
        return True

    @podkit.hookimpl
    def network_status(self, config: NetworkConfig) -> Literal[True]:
        """Ready when the configuration is valid (CNI ``STATUS``)."""
        _load(config)
        return True

    @podkit.hookimpl
    def network_gc(
        self, config: NetworkConfig, valid_attachments: tuple[GCAttachment, ...]
    ) -> Literal[True]:
        """Remove the rules of attachments no longer valid (CNI ``GC``)."""
        doomed = _nftables.stale(KIND, config.name, valid_attachments)
        for version in (4, 6):
            _nftables.delete_rules(
                _nftables.family_of(version),
                self.nat_table,
                doomed,
                f"collect port mappings of {config.name!r}",
            )
        return True

    @podkit.hookimpl
    def network_version(self) -> VersionResult:
        """Every SPEC version: the podkit wire translates."""
        return VersionResult(supported_versions=CNI_VERSIONS)


__all__ = ["PortmapPlugin"]

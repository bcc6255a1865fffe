"""IP masquerade (``ipMasq``) for the bridge, as nftables rules tagged per attachment.

Like the CNI plugins' ``SetupIPMasqForNetworks``: traffic from the
container's address to anywhere outside its subnet, multicast excepted,
leaves with the host's address. One rule per address, in the ``postrouting``
chain of the NAT table of its family, commented with the attachment's tag
(:func:`~podkit.plugins.network._nftables.attachment_tag`), so that ``DEL``
and ``GC`` remove exactly the right rules whether or not the container's
namespace still exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from podkit.plugins.network import _nftables

if TYPE_CHECKING:
    from collections.abc import Iterable

    from podkit.models.network import GCAttachment, IPInterface

KIND: Final = "masq"
_MULTICAST: Final = {4: ("224.0.0.0", 4), 6: ("ff00::", 8)}


def _match(protocol: str, field: str, op: str, right: object) -> dict[str, Any]:
    left = {"payload": {"protocol": protocol, "field": field}}
    return {"match": {"op": op, "left": left, "right": right}}


def _rule(table: str, address: IPInterface, comment: str) -> dict[str, Any]:
    family = _nftables.family_of(address.version)
    multicast, length = _MULTICAST[address.version]
    subnet = {
        "prefix": {"addr": str(address.network.network_address), "len": address.network.prefixlen}
    }
    expr = [
        _match(family, "saddr", "==", str(address.ip)),
        _match(family, "daddr", "!=", subnet),
        _match(family, "daddr", "!=", {"prefix": {"addr": multicast, "len": length}}),
        {"masquerade": None},
    ]
    rule = {"family": family, "table": table, "chain": "postrouting", "comment": comment}
    return {"add": {"rule": {**rule, "expr": expr}}}


def add(
    table: str, network: str, container_id: str, ifname: str, addresses: Iterable[IPInterface]
) -> None:
    """Masquerade what leaves each of ``addresses`` for outside its subnet."""
    comment = _nftables.attachment_tag(KIND, network, container_id, ifname)
    for version in (4, 6):
        mine = [a for a in addresses if a.version == version]
        if mine:
            _nftables.add_to_nat_table(
                _nftables.family_of(version),
                table,
                [_rule(table, address, comment) for address in mine],
                f"set up IP masquerade for container {container_id!r}",
            )


def remove(table: str, network: str, container_id: str, ifname: str) -> None:
    """Remove an attachment's masquerade rules; none left is no error."""
    comment = _nftables.attachment_tag(KIND, network, container_id, ifname)
    for version in (4, 6):
        _nftables.delete_rules(
            _nftables.family_of(version),
            table,
            comment.__eq__,
            f"remove IP masquerade of container {container_id!r}",
        )


def count(table: str, network: str, container_id: str, ifname: str) -> int:
    """Return how many masquerade rules an attachment has."""
    comment = _nftables.attachment_tag(KIND, network, container_id, ifname)
    return sum(
        1
        for version in (4, 6)
        for rule in _nftables.list_rules(_nftables.family_of(version), table)
        if rule.get("comment") == comment
    )


def gc(table: str, network: str, valid: Iterable[GCAttachment]) -> None:
    """Remove the masquerade rules of ``network``'s attachments that are not ``valid``."""
    doomed = _nftables.stale(KIND, network, valid)
    for version in (4, 6):
        _nftables.delete_rules(
            _nftables.family_of(version), table, doomed, f"collect IP masquerade of {network!r}"
        )


__all__ = ["KIND", "add", "count", "gc", "remove"]

"""MAC spoof checking (``macspoofchk``) for the bridge, as nftables rules tagged per attachment.

Like the CNI bridge's ``macspoofchk``: frames that enter the bridge from a
container's host-side veth with a source MAC other than the container
interface's are dropped, so a container cannot pose as another on the
bridge. One rule per attachment, in the ``prerouting`` filter chain (at
priority -300, before anything else the bridge does) of the ``bridge``
family table named as the NAT tables, commented with the attachment's tag
(:func:`~podkit.plugins.network._nftables.attachment_tag`) so that ``DEL``,
``CHECK`` and ``GC`` find exactly its rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from podkit.plugins.network import _nftables

if TYPE_CHECKING:
    from collections.abc import Iterable

    from podkit.models.network import GCAttachment

KIND: Final = "macspoof"
FAMILY: Final = "bridge"
#: The chain the rules are in, and its priority (upstream's: before NAT).
CHAIN: Final = "prerouting"
PRIORITY: Final = -300


def _table(table: str) -> list[dict[str, Any]]:
    """The commands that create the table and its chain (``add`` is idempotent)."""
    chain = {
        "family": FAMILY,
        "table": table,
        "name": CHAIN,
        "type": "filter",
        "hook": "prerouting",
        "prio": PRIORITY,
        "policy": "accept",
    }
    return [
        {"add": {"table": {"family": FAMILY, "name": table}}},
        {"add": {"chain": chain}},
    ]


def add(  # noqa: PLR0913, PLR0917 - where, whose, and what (the tag first, as remove())
    table: str, network: str, container_id: str, ifname: str, host_veth: str, mac: str
) -> None:
    """Drop frames from ``host_veth`` whose source MAC is not ``mac``."""
    expr = [
        {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": host_veth}},
        {
            "match": {
                "op": "!=",
                "left": {"payload": {"protocol": "ether", "field": "saddr"}},
                "right": mac.lower(),
            }
        },
        {"drop": None},
    ]
    rule = {
        "family": FAMILY,
        "table": table,
        "chain": CHAIN,
        "comment": _nftables.attachment_tag(KIND, network, container_id, ifname),
        "expr": expr,
    }
    what = f"set up the MAC spoof check of container {container_id!r}"
    _nftables.run_creating([{"add": {"rule": rule}}], _table(table), what)


def remove(table: str, network: str, container_id: str, ifname: str) -> None:
    """Remove an attachment's rule; none is no error."""
    comment = _nftables.attachment_tag(KIND, network, container_id, ifname)
    what = f"remove the MAC spoof check of container {container_id!r}"
    _nftables.delete_rules(FAMILY, table, comment.__eq__, what)


def count(table: str, network: str, container_id: str, ifname: str) -> int:
    """Return how many MAC spoof check rules an attachment has."""
    comment = _nftables.attachment_tag(KIND, network, container_id, ifname)
    return sum(1 for rule in _nftables.list_rules(FAMILY, table) if rule.get("comment") == comment)


def gc(table: str, network: str, valid: Iterable[GCAttachment]) -> None:
    """Remove the rules of ``network``'s attachments that are not ``valid``."""
    doomed = _nftables.stale(KIND, network, valid)
    _nftables.delete_rules(FAMILY, table, doomed, f"collect MAC spoof checks of {network!r}")


__all__ = ["CHAIN", "FAMILY", "KIND", "add", "count", "gc", "remove"]

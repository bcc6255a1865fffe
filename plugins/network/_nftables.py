"""nftables for the reference network plugins, through the ``nft`` JSON interface.

Masquerade (``ipMasq``) and port mappings are nftables rules in one NAT table
per IP family (``ip podkit_nat``, ``ip6 podkit_nat`` by default). Each rule
carries a comment that tags it with the attachment that made it, so that
``DEL`` removes exactly that attachment's rules and ``GC`` those of
attachments no longer valid (the way the CNI plugins' nftables backends
do). A whole change is one ``nft -j -f -`` transaction: it applies entirely
or not at all. This is the one module that runs ``nft``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from typing import TYPE_CHECKING, Any, Final

import podkit

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

#: The default NAT table name, in both families.
DEFAULT_TABLE: Final = "podkit_nat"
_TIMEOUT: Final = 30.0
_SBIN: Final = "/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin"
_HASH_CHARS: Final = 24
# A command that names a rule handle gone meanwhile fails the transaction.
_RETRIES: Final = 3

#: ``(chain, hook, priority)`` of the NAT chains podkit uses.
NAT_CHAINS: Final = (
    ("prerouting", "prerouting", -100),
    ("output", "output", -100),
    ("postrouting", "postrouting", 100),
)


def family_of(version: int) -> str:
    """Return the nftables family of an IP version: ``ip`` or ``ip6``."""
    return "ip" if version == 4 else "ip6"  # noqa: PLR2004


def attachment_tag(kind: str, network: str, container_id: str, ifname: str) -> str:
    """Return the comment that tags one attachment's rules of one ``kind``.

    ``podkit <kind> n=<network hash> a=<attachment hash>``: fixed length (nft
    comments hold at most 128 bytes) and free of characters needing escapes.
    """
    return f"{network_tag(kind, network)} a={_digest(network, container_id, ifname)}"


def network_tag(kind: str, network: str) -> str:
    """Return the comment prefix shared by every rule of ``kind`` on ``network``."""
    return f"podkit {kind} n={_digest(network)}"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:_HASH_CHARS]


def available() -> bool:
    """Tell whether the ``nft`` program is installed."""
    return shutil.which("nft", path=_SBIN) is not None


def _nft() -> str:
    path = shutil.which("nft", path=_SBIN)
    if path is None:
        msg = "failed to run nft: the nftables program `nft` is not installed"
        raise podkit.UnavailableError(msg)
    return path


def run(commands: Iterable[Mapping[str, Any]], what: str) -> None:
    """Apply ``commands`` (nft JSON command objects) as one transaction."""
    payload = json.dumps({"nftables": list(commands)})
    result = subprocess.run(  # noqa: S603 - fixed argv, JSON on stdin
        [_nft(), "-j", "-f", "-"],
        input=payload,
        capture_output=True,
        text=True,
        check=False,
        timeout=_TIMEOUT,
    )
    if result.returncode != 0:
        msg = f"failed to {what}: nft: {result.stderr.strip()}"
        raise podkit.InternalError(msg)


def list_rules(family: str, table: str) -> list[dict[str, Any]]:
    """Return the rules of a table (none when the table does not exist)."""
    result = subprocess.run(  # noqa: S603 - fixed argv
        [_nft(), "-j", "list", "table", family, table],
        capture_output=True,
        text=True,
        check=False,
        timeout=_TIMEOUT,
    )
    if result.returncode != 0:
        if "No such file or directory" in result.stderr:
            return []
        msg = f"failed to list nftables table {family} {table}: {result.stderr.strip()}"
        raise podkit.InternalError(msg)
    entries = json.loads(result.stdout).get("nftables", [])
    return [entry["rule"] for entry in entries if "rule" in entry]


def ensure_nat_table(family: str, table: str) -> list[dict[str, Any]]:
    """Return the commands that create the NAT table and chains (``add`` is idempotent)."""
    commands: list[dict[str, Any]] = [{"add": {"table": {"family": family, "name": table}}}]
    for name, hook, priority in NAT_CHAINS:
        chain = {
            "family": family,
            "table": table,
            "name": name,
            "type": "nat",
            "hook": hook,
            "prio": priority,
            "policy": "accept",
        }
        commands.append({"add": {"chain": chain}})
    return commands


def delete_rules(family: str, table: str, doomed: Callable[[str], bool], what: str) -> int:
    """Delete the rules of a table whose comment ``doomed`` accepts; return how many."""
    for attempt in range(_RETRIES):
        rules = [r for r in list_rules(family, table) if doomed(str(r.get("comment", "")))]
        commands = [
            {
                "delete": {
                    "rule": {
                        "family": family,
                        "table": table,
                        "chain": rule["chain"],
                        "handle": rule["handle"],
                    }
                }
            }
            for rule in rules
        ]
        if not commands:
            return 0
        try:
            run(commands, what)
        except podkit.InternalError:
            if attempt == _RETRIES - 1:
                raise
            continue  # a rule went away meanwhile: list again
        return len(commands)
    return 0


__all__ = [
    "DEFAULT_TABLE",
    "NAT_CHAINS",
    "attachment_tag",
    "available",
    "delete_rules",
    "ensure_nat_table",
    "family_of",
    "list_rules",
    "network_tag",
    "run",
]

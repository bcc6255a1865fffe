"""nftables for the reference network plugins, through the ``nft`` JSON interface.

Masquerade (``ipMasq``) and port mappings are nftables rules in one NAT table
per IP family (``ip podkit_nat``, ``ip6 podkit_nat`` by default); MAC spoof
checks (``macspoofchk``) in the ``bridge`` family table of the same name. Each rule
carries a comment that tags it with the attachment that made it, so that
``DEL`` removes exactly that attachment's rules and ``GC`` those of
attachments no longer valid (the way the CNI plugins' nftables backends
do). A whole change is one transaction of nft JSON commands: it applies
entirely or not at all. This is the one module that runs nftables.

The JSON goes to ``libnftables`` (the library behind the ``nft`` program,
Debian's ``libnftables1``) through ctypes, in-process: an exec of ``nft``
costs a few milliseconds per call, and ``DEL`` makes up to three. Where the
library cannot be loaded, the same JSON goes to ``nft -j -f -``.
"""

from __future__ import annotations

import ctypes
import functools
import json
import shutil
import subprocess
import threading
from typing import TYPE_CHECKING, Any, Final

import podkit

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from podkit.models.network import GCAttachment

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


def stale(kind: str, network: str, valid: Iterable[GCAttachment]) -> Callable[[str], bool]:
    """The comments ``GC`` deletes: ``kind``'s on ``network``, of attachments not ``valid``."""
    prefix = network_tag(kind, network) + " "
    keep = {attachment_tag(kind, network, a.container_id, a.ifname) for a in valid}
    return lambda comment: comment.startswith(prefix) and comment not in keep


def _digest(*parts: str) -> str:
    import hashlib  # noqa: PLC0415 - ~9 ms (OpenSSL) that only ipMasq and portmap need

    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:_HASH_CHARS]


_LIBRARY: Final = "libnftables.so.1"
_NFT_CTX_OUTPUT_JSON: Final = 1 << 4  # nftables/libnftables.h
#: One call into the library at a time (a context is not shared, but the library
#: keeps some global state); the kernel serialises nftables transactions anyway.
_LIBRARY_LOCK: Final = threading.Lock()


@functools.cache
def _library() -> ctypes.CDLL | None:
    """``libnftables``, or ``None`` when it cannot be loaded (then ``nft`` is run)."""
    try:
        lib = ctypes.CDLL(_LIBRARY, use_errno=True)
    except OSError:
        return None
    lib.nft_ctx_new.restype = ctypes.c_void_p
    lib.nft_ctx_new.argtypes = [ctypes.c_uint32]
    lib.nft_ctx_free.argtypes = [ctypes.c_void_p]
    lib.nft_ctx_output_set_flags.argtypes = [ctypes.c_void_p, ctypes.c_uint]
    for name in ("nft_ctx_buffer_output", "nft_ctx_buffer_error"):
        getattr(lib, name).argtypes = [ctypes.c_void_p]
    for name in ("nft_ctx_get_output_buffer", "nft_ctx_get_error_buffer"):
        getattr(lib, name).restype = ctypes.c_char_p
        getattr(lib, name).argtypes = [ctypes.c_void_p]
    lib.nft_run_cmd_from_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    return lib


def _run_in_library(lib: ctypes.CDLL, command: str) -> tuple[int, str, str]:
    """Run one nft command (JSON or text), JSON output; return ``(rc, stdout, stderr)``."""
    with _LIBRARY_LOCK:
        ctx = lib.nft_ctx_new(0)
        if not ctx:
            return 1, "", "nft_ctx_new failed"
        try:
            lib.nft_ctx_output_set_flags(ctx, _NFT_CTX_OUTPUT_JSON)
            lib.nft_ctx_buffer_output(ctx)
            lib.nft_ctx_buffer_error(ctx)
            rc = int(lib.nft_run_cmd_from_buffer(ctx, command.encode()))
            out = (lib.nft_ctx_get_output_buffer(ctx) or b"").decode(errors="replace")
            err = (lib.nft_ctx_get_error_buffer(ctx) or b"").decode(errors="replace")
        finally:
            lib.nft_ctx_free(ctx)
    return rc, out, err


def _run_program(argv: list[str], stdin: str | None) -> tuple[int, str, str]:
    result = subprocess.run(  # noqa: S603 - fixed argv, JSON on stdin
        [_nft(), *argv], input=stdin, capture_output=True, text=True, check=False, timeout=_TIMEOUT
    )
    return result.returncode, result.stdout, result.stderr


def available() -> bool:
    """Tell whether nftables can be used: the library, or the ``nft`` program."""
    return _library() is not None or shutil.which("nft", path=_SBIN) is not None


def _nft() -> str:
    path = shutil.which("nft", path=_SBIN)
    if path is None:
        msg = "failed to run nft: the nftables program `nft` is not installed"
        raise podkit.UnavailableError(msg)
    return path


def run(commands: Iterable[Mapping[str, Any]], what: str) -> None:
    """Apply ``commands`` (nft JSON command objects) as one transaction."""
    payload = json.dumps({"nftables": list(commands)})
    lib = _library()
    if lib is not None:
        rc, _out, err = _run_in_library(lib, payload)
    else:
        rc, _out, err = _run_program(["-j", "-f", "-"], payload)
    if rc != 0:
        msg = f"failed to {what}: nft: {err.strip()}"
        raise podkit.InternalError(msg)


def list_rules(family: str, table: str) -> list[dict[str, Any]]:
    """Return the rules of a table (none when the table does not exist)."""
    lib = _library()
    if lib is not None:
        rc, out, err = _run_in_library(lib, f"list table {family} {table}")
    else:
        rc, out, err = _run_program(["-j", "list", "table", family, table], None)
    if rc != 0:
        if "No such file or directory" in err:
            return []
        msg = f"failed to list nftables table {family} {table}: {err.strip()}"
        raise podkit.InternalError(msg)
    entries = json.loads(out).get("nftables", [])
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


def add_to_nat_table(family: str, table: str, commands: list[dict[str, Any]], what: str) -> None:
    """Apply ``commands`` (rules of the NAT table), creating the table and chains if missing."""
    run_creating(commands, ensure_nat_table(family, table), what)


def run_creating(commands: list[dict[str, Any]], creation: list[dict[str, Any]], what: str) -> None:
    """Apply ``commands``; when that fails, again after ``creation`` (their table and chains).

    Re-adding chains that exist is no error, but costs the kernel an RCU grace
    period (~15 ms) per transaction: the rules go alone first, and with the
    table and chains only when that fails.
    """
    try:
        run(commands, what)
    except podkit.InternalError:
        run([*creation, *commands], what)


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
    "add_to_nat_table",
    "attachment_tag",
    "available",
    "delete_rules",
    "ensure_nat_table",
    "family_of",
    "list_rules",
    "network_tag",
    "run",
    "run_creating",
    "stale",
]

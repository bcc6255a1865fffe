"""nftables through libnftables in-process, and through the ``nft`` program where it cannot load.

Both back-ends take the same JSON; what one writes the other (and the
``nft`` program itself) reads back.
"""

from __future__ import annotations

import ipaddress
import json

import pytest
from pkn_helpers import run

from podkit.plugins.network import _masquerade, _nftables

ADDRESS = ipaddress.ip_interface("10.254.7.5/24")


@pytest.mark.root
@pytest.mark.parametrize("backend", ["libnftables", "nft-program"])
def test_masquerade_rules_round_trip(
    monkeypatch: pytest.MonkeyPatch, nat_table: str, backend: str
) -> None:
    if backend == "nft-program":
        monkeypatch.setattr(_nftables, "_library", lambda: None)
    else:
        assert _nftables._library() is not None, "Debian's libnftables1 is installed here"
    assert _nftables.available()
    _masquerade.add(nat_table, "pkn-net", "pkn-c1", "eth0", [ADDRESS])
    assert _masquerade.count(nat_table, "pkn-net", "pkn-c1", "eth0") == 1
    listed = json.loads(run("nft", "-j", "list", "table", "ip", nat_table).stdout)
    comments = [e["rule"].get("comment") for e in listed["nftables"] if "rule" in e]
    assert comments == [_nftables.attachment_tag("masq", "pkn-net", "pkn-c1", "eth0")]
    _masquerade.remove(nat_table, "pkn-net", "pkn-c1", "eth0")
    _masquerade.remove(nat_table, "pkn-net", "pkn-c1", "eth0")  # gone already: no error
    assert _masquerade.count(nat_table, "pkn-net", "pkn-c1", "eth0") == 0


@pytest.mark.root
@pytest.mark.parametrize("backend", ["libnftables", "nft-program"])
def test_a_refused_transaction_names_nft_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, nat_table: str, backend: str
) -> None:
    if backend == "nft-program":
        monkeypatch.setattr(_nftables, "_library", lambda: None)
    setup = _nftables.ensure_nat_table("ip", nat_table)
    bad = {"add": {"rule": {"family": "ip", "table": nat_table, "chain": "pkn-none", "expr": []}}}
    with pytest.raises(Exception, match="failed to test: nft: ") as caught:
        _nftables.run([*setup, bad], "test")
    assert type(caught.value).__name__ == "InternalError"
    assert _nftables.list_rules("ip", nat_table) == []  # the table was not made either
    assert "No such file" in run("nft", "list", "table", "ip", nat_table, check=False).stderr

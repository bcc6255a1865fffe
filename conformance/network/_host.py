"""The host side of the network suite: namespaces, links, packets and cleanup.

The suite checks plugins with real packets, so it needs network namespaces
to attach, links to tamper with, ``ping`` and a TCP listener in a pod. This
module does those things with ``ip`` and ``busybox`` (as a person at a shell
would), and undoes every one of them: :class:`HostResources` records what a
test made and removes it at teardown, also when the test failed half-way.
Every name it makes starts with :data:`PREFIX`.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Final, final

if TYPE_CHECKING:
    from collections.abc import Callable

#: What every namespace, link and network name the suite makes starts with.
PREFIX: Final = "pkv"
#: Debian's static busybox: ``ping`` and ``nc`` inside the pods.
BUSYBOX: Final = "/bin/busybox"
_TIMEOUT: Final = 30.0
_SYSCTLS: Final = (
    Path("/proc/sys/net/ipv4/ip_forward"),
    Path("/proc/sys/net/ipv6/conf/all/forwarding"),
)


def unique(kind: str = "") -> str:
    """Return a fresh name ``pkv<kind><hex>``, short enough for an interface (15 bytes)."""
    return f"{PREFIX}{kind}{uuid.uuid4().hex[: 12 - len(kind)]}"


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a host command; raise with its stderr when ``check`` and it fails."""
    done = subprocess.run(  # noqa: S603 - the suite's own fixed commands
        argv, capture_output=True, text=True, check=False, timeout=_TIMEOUT
    )
    if check and done.returncode != 0:
        msg = f"`{' '.join(argv)}` failed ({done.returncode}): {done.stderr.strip()}"
        raise RuntimeError(msg)
    return done


def netns_path(name: str) -> str:
    """Return the path runtimes pass as ``CNI_NETNS`` for a named namespace."""
    return f"/run/netns/{name}"


def link_exists(name: str, netns: str = "") -> bool:
    """Tell whether a link exists, on the host or in the named namespace."""
    argv = ("ip", "-n", netns, "link", "show", name) if netns else ("ip", "link", "show", name)
    return run(*argv, check=False).returncode == 0


def addresses(netns: str, ifname: str) -> set[str]:
    """Return the addresses (``address/prefix``) of a link in the named namespace."""
    listed = json.loads(run("ip", "-n", netns, "-j", "addr", "show", "dev", ifname).stdout)
    return {f"{info['local']}/{info['prefixlen']}" for link in listed for info in link["addr_info"]}


def routes(netns: str) -> set[tuple[str, str]]:
    """Return the IPv4 routes of the named namespace as ``(destination, gateway)``."""
    listed = json.loads(run("ip", "-n", netns, "-j", "-4", "route", "show").stdout)
    return {
        ("0.0.0.0/0" if r["dst"] == "default" else r["dst"], r.get("gateway", "None"))
        for r in listed
    }


def mtu(name: str, netns: str) -> int:
    """Return the MTU of a link in the named namespace."""
    listed = json.loads(run("ip", "-n", netns, "-j", "link", "show", name).stdout)
    return int(listed[0]["mtu"])


def delete_netns(name: str) -> None:
    """Delete a namespace, its links first.

    The kernel destroys a namespace and the host ends of its veth pairs
    asynchronously; deleting the links first removes those host ends now.
    """
    listed = run("ip", "-n", name, "-j", "link", "show", check=False).stdout
    for link in json.loads(listed or "[]"):
        if link.get("ifname") != "lo":
            run("ip", "-n", name, "link", "del", link["ifname"], check=False)
    run("ip", "netns", "del", name, check=False)


def ping(netns: str, address: str, *, attempts: int = 3) -> bool:
    """Send real ICMP echoes from the named namespace; tell whether one came back."""
    applet = "ping6" if ":" in address else "ping"
    for _ in range(attempts):
        argv = ("ip", "netns", "exec", netns, BUSYBOX, applet, "-c1", "-W2", address)
        if run(*argv, check=False).returncode == 0:
            return True
    return False


def tcp_read(address: str, port: int, *, timeout: float = 2.0) -> bytes:
    """Connect from the host namespace and read what the peer sends; b"" if it fails."""
    try:
        with socket.create_connection((address, port), timeout=timeout) as connection:
            chunks = []
            while chunk := connection.recv(4096):
                chunks.append(chunk)
            return b"".join(chunks)
    except OSError:
        return b""


def nft_tables() -> set[tuple[str, str]]:
    """Return the host's nftables tables as ``(family, name)``; none without ``nft``."""
    done = run("nft", "-j", "list", "tables", check=False) if _has("nft") else None
    if done is None or done.returncode != 0:
        return set()
    entries = json.loads(done.stdout or "{}").get("nftables", [])
    return {(e["table"]["family"], e["table"]["name"]) for e in entries if "table" in e}


def nft_table_has_rules(family: str, name: str) -> bool:
    """Tell whether a table holds any rule (a table that is gone holds none)."""
    done = run("nft", "-j", "list", "table", family, name, check=False)
    if done.returncode != 0:
        return False
    return any("rule" in e for e in json.loads(done.stdout or "{}").get("nftables", []))


def _has(program: str) -> bool:
    return any(Path(folder, program).exists() for folder in ("/usr/sbin", "/sbin", "/usr/bin"))


@final
class Listener:
    """``busybox nc -l`` in a pod, sending one line to the first peer."""

    def __init__(self, netns: str, port: int, message: bytes) -> None:
        """Start listening on ``port`` in the named namespace."""
        argv = ["ip", "netns", "exec", netns, BUSYBOX, "nc", "-l", "-p", str(port)]
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv
            argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if self.process.stdin is not None:
            self.process.stdin.write(message)
            self.process.stdin.close()

    def stop(self) -> None:
        """Kill the listener (by its own process) and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=_TIMEOUT)


@final
class HostResources:
    """What one test made on the host, removed again by :meth:`cleanup`.

    Cleanup runs the test's own undo steps (e.g. ``DEL`` of its
    attachments) first, newest first, then kills listeners, deletes
    namespaces and links, removes nftables tables that appeared during the
    test and hold no rules (a plugin's leftover empty tables), and puts the
    forwarding sysctls back.
    """

    def __init__(self) -> None:
        """Record the host's nftables tables and forwarding settings as they are now."""
        self.namespaces: list[str] = []
        self.links: list[str] = []
        self.listeners: list[Listener] = []
        self.undo: list[Callable[[], object]] = []
        self._tables_before = nft_tables()
        self._sysctls = {path: _read(path) for path in _SYSCTLS}

    def netns(self) -> str:
        """Create a namespace ``pkv-<hex>`` with ``lo`` down; return its name."""
        name = f"{PREFIX}-{uuid.uuid4().hex[:12]}"
        run("ip", "netns", "add", name)
        self.namespaces.append(name)
        return name

    def link(self, name: str) -> str:
        """Have a host link deleted at cleanup (if it exists then); return its name."""
        self.links.append(name)
        return name

    def listen(self, netns: str, port: int, message: bytes) -> Listener:
        """Start a :class:`Listener`, stopped at cleanup."""
        listener = Listener(netns, port, message)
        self.listeners.append(listener)
        return listener

    def cleanup(self) -> None:
        """Undo everything, carrying on past failures; nothing raises."""
        for step in reversed(self.undo):
            with contextlib.suppress(Exception):  # best effort: the rest must still go
                step()
        for listener in self.listeners:
            listener.stop()
        for name in self.namespaces:
            delete_netns(name)
        for name in self.links:
            if link_exists(name):
                run("ip", "link", "del", name, check=False)
        self._remove_empty_new_tables()
        self._restore_sysctls()
        _wait(lambda: not any(link_exists(name) for name in self.links))

    def _remove_empty_new_tables(self) -> None:
        for family, table in nft_tables() - self._tables_before:
            if not nft_table_has_rules(family, table):
                run("nft", "delete", "table", family, table, check=False)

    def _restore_sysctls(self) -> None:
        for path, value in self._sysctls.items():
            if value is not None and _read(path) != value:
                path.write_text(value)


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _wait(done: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.05)


__all__ = [
    "BUSYBOX",
    "PREFIX",
    "HostResources",
    "Listener",
    "addresses",
    "delete_netns",
    "link_exists",
    "mtu",
    "netns_path",
    "nft_table_has_rules",
    "nft_tables",
    "ping",
    "routes",
    "run",
    "tcp_read",
    "unique",
]

"""Helpers of the network plugin tests (a uniquely named module, importable from them)."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import time
from pathlib import Path

from podkit.models.network import Attachment


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=30)


def ip_json(*argv: str) -> list[dict]:
    return json.loads(run("ip", "-j", *argv).stdout or "[]")


def ping(netns: str, address: str) -> subprocess.CompletedProcess[str]:
    """Send one real ICMP echo from inside ``netns`` (by name) to ``address``."""
    applet = "ping6" if ":" in address else "ping"
    return run("ip", "netns", "exec", netns, "busybox", applet, "-c1", "-W2", address, check=False)


def attachment(netns: str, container_id: str = "pkn-c1", ifname: str = "eth0") -> Attachment:
    return Attachment(container_id=container_id, netns=netns, ifname=ifname)


def netns_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def reservations(data_dir: Path) -> list[str]:
    """The reserved addresses host-local holds on disk, for every network."""
    found = []
    for network in data_dir.iterdir():
        for entry in network.iterdir():
            try:
                ipaddress.ip_address(entry.name)
            except ValueError:
                continue
            found.append(entry.name)
    return sorted(found)


def delete_netns(name: str) -> None:
    """Delete a namespace, its interfaces first.

    The kernel destroys a deleted namespace, and the host ends of its veth
    pairs, asynchronously; deleting the interfaces first removes those host
    ends before the leak check looks.
    """
    listed = run("ip", "-n", name, "-j", "link", "show", check=False).stdout
    for link in json.loads(listed or "[]"):
        if link["ifname"] != "lo":
            run("ip", "-n", name, "link", "del", link["ifname"], check=False)
    run("ip", "netns", "del", name, check=False)


def wait_link_gone(name: str, timeout: float = 10.0) -> None:
    """Wait for the kernel to remove a host link (e.g. a veth whose peer's netns is gone)."""
    deadline = time.monotonic() + timeout
    while Path(f"/sys/class/net/{name}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/sys/class/net/{name}").exists(), f"{name} is still there"

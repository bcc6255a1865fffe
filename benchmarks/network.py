"""How long a pod's network attachment takes: CNI ADD and DEL (issue 4.5).

One bridge + host-local configuration, three ways of running it:

- podkit in-process: ``BridgePlugin`` through the plugin manager (host-local
  in-process too; ``enable_ip_forward=False`` leaves the host's sysctls alone);
- podkit exec'd: ``podkit-cni`` symlinked as ``bridge``, run by
  :class:`podkit.CniExecPlugin` the way libcni runs any plugin;
- upstream: Debian's Go ``/usr/lib/cni/bridge`` (containernetworking-plugins)
  through the same :class:`podkit.CniExecPlugin`.

Each way gets a bridge ``pkb<hex>`` and a host-local ``dataDir`` of its own,
the subnet 198.51.100.0/24 (TEST-NET-2; no gateway, no masquerade: the host's
routes and nftables stay as they are), and each attachment a fresh network
namespace ``pkb-<hex>-<n>``. ADDs then DELs, one after the other and all at
once. Last, the bare start-up of each binary (``CNI_COMMAND=VERSION``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Final

import podkit
from benchmarks._common import (
    PREFIX,
    cleanup_stack,
    concurrent,
    header,
    note,
    row,
    run,
    sequential,
    shielded,
    token,
)
from podkit.models.network import Attachment, IPAMConfig, NetworkConfig
from podkit.plugins.network import BridgePlugin

UPSTREAM_DIR: Final = Path("/usr/lib/cni")
SUBNET: Final = "198.51.100.0/24"


def _netns_add(name: str) -> str:
    run("ip", "netns", "add", name)
    return f"/run/netns/{name}"


def _netns_delete(name: str) -> None:
    """Delete a namespace, its links first (so the host ends of veths go at once)."""
    listed = run("ip", "-n", name, "-j", "link", "show", check=False).stdout
    for link in json.loads(listed or "[]"):
        if link["ifname"] != "lo":
            run("ip", "-n", name, "link", "del", link["ifname"], check=False)
    run("ip", "netns", "del", name, check=False)


class _Way:
    """One way to run the bridge: its manager, bridge, data dir and namespaces."""

    def __init__(self, label: str, manager: podkit.PluginManager, tmp: Path) -> None:
        self.label = label
        self.manager = manager
        self.tag = token()
        self.bridge = f"{PREFIX}{self.tag}"
        self.config = NetworkConfig(
            cni_version="1.0.0",  # the newest Debian's Go plugins (1.1.2) speak
            name=f"{PREFIX}-net-{self.tag}",
            type="bridge",
            ip_masq=False,
            ipam=IPAMConfig(
                type="host-local",
                raw={"ranges": [[{"subnet": SUBNET}]], "dataDir": str(tmp / self.tag)},
            ),
            raw={"bridge": self.bridge},
        )
        self.netns: list[str] = []

    def attachments(self, n: int) -> list[Attachment]:
        """``n`` attachments, each in a fresh namespace of its own."""
        made = []
        for _ in range(n):
            name = f"{PREFIX}-{token()}"
            self.netns.append(name)
            made.append(
                Attachment(container_id=f"{PREFIX}-{name}", netns=_netns_add(name), ifname="eth0")
            )
        return made

    def add(self, attachment: Attachment) -> None:
        self.manager.network.add("bridge", self.config, attachment)

    def delete(self, attachment: Attachment) -> None:
        self.manager.network.del_("bridge", self.config, attachment)

    def close_netns(self) -> None:
        """Delete the namespaces made so far."""
        with shielded():
            while self.netns:
                _netns_delete(self.netns.pop())

    def close(self) -> None:
        """Delete the namespaces and the bridge."""
        self.close_netns()
        if Path(f"/sys/class/net/{self.bridge}").exists():
            run("ip", "link", "del", self.bridge, check=False)


def _measure(way: _Way, counts: tuple[int, int]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for kind, n in (("sequential", counts[0]), ("concurrent", counts[1])):
        out |= _phase(way, kind, n)
    return out


def _phase(way: _Way, kind: str, n: int) -> dict[str, list[float]]:
    """ADD ``n`` attachments, then DEL them: one after the other, or all at once."""
    batch = way.attachments(n)
    try:
        if kind == "sequential":
            return {
                f"ADD {kind}": sequential(lambda i: way.add(batch[i]), n),
                f"DEL {kind}": sequential(lambda i: way.delete(batch[i]), n),
            }
        added, _ = concurrent(lambda i: way.add(batch[i]), n)
        deleted, _ = concurrent(lambda i: way.delete(batch[i]), n)
        return {f"ADD {kind}": added, f"DEL {kind}": deleted}
    finally:
        way.close_netns()


def _manager(plugin: object, name: str) -> podkit.PluginManager:
    manager = podkit.PluginManager.load(entry_points=False)
    manager.register(plugin, name=name, kind="network")
    return manager


def _startup(binary: Path, n: int) -> list[float]:
    env = {**os.environ, "CNI_COMMAND": "VERSION"}
    argv = [str(binary)]

    def once(_: int) -> None:
        subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, check=True)

    return sequential(once, n)


def main(*, quick: bool = False) -> None:
    """Print the ADD/DEL latency table and the start-up table."""
    counts, startups = ((3, 3), 3) if quick else ((100, 50), 50)
    cni = Path(sys.executable).parent / "podkit-cni"
    with cleanup_stack(120 if quick else 900) as stack:
        tmp = Path(tempfile.mkdtemp(prefix=f"{PREFIX}-network-"))
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        exec_dir = tmp / "bin"
        exec_dir.mkdir()
        (exec_dir / "bridge").symlink_to(cni)
        plugin = BridgePlugin(default_data_dir=tmp / "default", enable_ip_forward=False)
        ways = [
            _Way("podkit bridge in-process", _manager(plugin, "bridge"), tmp),
            _Way("podkit-cni exec", _manager(podkit.CniExecPlugin([exec_dir]), "exec"), tmp),
        ]
        upstream = UPSTREAM_DIR / "bridge"
        if upstream.exists():
            go = _manager(podkit.CniExecPlugin([UPSTREAM_DIR]), "upstream")
            ways.append(_Way("Go bridge exec", go, tmp))
        figures = {}
        for way in ways:
            stack.callback(way.close)
            figures[way.label] = _measure(way, counts)
        notes = [f"bridge + host-local, {SUBNET}, no gateway, no ipMasq; one netns each"]
        if not upstream.exists():
            notes.append(f"{upstream} missing: apt-get install containernetworking-plugins")
        header("network: CNI ADD and DEL of a bridge attachment", notes)
        peer = figures.get("Go bridge exec", {})
        for phase in ("ADD sequential", "DEL sequential", "ADD concurrent", "DEL concurrent"):
            for label, measured in figures.items():
                row(f"{label}: {phase}", measured[phase], peer.get(phase))
        note("ratio: to the Go bridge's median")
        header("network: bare start-up, CNI_COMMAND=VERSION")
        go_startup = _startup(upstream, startups) if upstream.exists() else None
        if go_startup:
            row("Go bridge exec", go_startup)
        row("podkit-cni exec (as bridge)", _startup(exec_dir / "bridge", startups), go_startup)

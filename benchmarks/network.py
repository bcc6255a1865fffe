"""How long a pod's network attachment takes: CNI ADD and DEL (issue 4.5).

One bridge + host-local configuration, five ways of running it:

- podkit in-process: ``BridgePlugin`` through the plugin manager (host-local
  in-process too; ``enable_ip_forward=False`` leaves the host's sysctls alone);
- podkit in-process, eager DEL: the same with ``lazy_unregister=False``
  (DEL returns only once the kernel has deleted the veth pair; by default
  the interface is taken out of service and the deletion ends in a thread);
- podkit-cni (install-cni) + agent: ``podkit install-cni`` writes the
  ``python -S`` launcher and links it as ``bridge``, run by
  :class:`podkit.CniExecPlugin` the way libcni runs any plugin, handing each
  call to a running ``podkit serve cni`` (:mod:`benchmarks._network_agent`);
- podkit-cni console script + agent: the same through the console script pip
  wrote (``site`` loaded: in this editable dev venv ~15 ms more);
- podkit-cni, no agent: the launcher falls back to doing the call itself;
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
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Final

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
from benchmarks._network_agent import BIN, start_agent, stop_agent
from podkit.models.network import Attachment, IPAMConfig, NetworkConfig
from podkit.plugins.network import BridgePlugin, _unregister
from podkit.wire.cni import _install

if TYPE_CHECKING:
    import contextlib

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

    def __init__(
        self, label: str, manager: podkit.PluginManager, tmp: Path, agent: str = ""
    ) -> None:
        self.label = label
        self.manager = manager
        #: ``PODKIT_CNI_AGENT`` while this way runs (exec'd podkit-cni reads it).
        self.agent = agent
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
    os.environ["PODKIT_CNI_AGENT"] = way.agent
    try:
        for kind, n in (("sequential", counts[0]), ("concurrent", counts[1])):
            out |= _phase(way, kind, n)
    finally:
        del os.environ["PODKIT_CNI_AGENT"]
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
        _unregister.wait_for_unregistrations(60)  # untimed: lazy DELs end before what follows
        way.close_netns()


def _manager(plugin: object, name: str) -> podkit.PluginManager:
    manager = podkit.PluginManager.load(entry_points=False)
    manager.register(plugin, name=name, kind="network")
    return manager


def _startup(binary: Path, n: int, agent: str = "") -> list[float]:
    env = {**os.environ, "CNI_COMMAND": "VERSION", "PODKIT_CNI_AGENT": agent}
    argv = [str(binary)]

    def once(_: int) -> None:
        subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, check=True)

    return sequential(once, n)


def _exec_dir(folder: Path, target: Path) -> Path:
    """A CNI folder with ``bridge -> target``."""
    folder.mkdir()
    (folder / "bridge").symlink_to(target)
    return folder


def _ways(tmp: Path, stack: contextlib.ExitStack) -> tuple[list[_Way], dict[str, Path]]:
    """The ways to run the bridge, and the binaries for the start-up table."""
    socket_path = tmp / "run" / "cni.sock"
    agent = start_agent(socket_path, tmp / "agent.log")
    stack.callback(stop_agent, agent)
    console = _exec_dir(tmp / "bin", BIN / "podkit-cni")
    launcher = _install.install(tmp / "installed", ["bridge"]).launcher.parent
    plugin = BridgePlugin(default_data_dir=tmp / "default", enable_ip_forward=False)
    eager = BridgePlugin(
        default_data_dir=tmp / "default", enable_ip_forward=False, lazy_unregister=False
    )
    stack.callback(_unregister.wait_for_unregistrations, 60)
    nowhere = str(tmp / "no-agent.sock")

    def execs(folder: Path) -> podkit.PluginManager:
        return _manager(podkit.CniExecPlugin([folder]), "exec")

    ways = [
        _Way("podkit bridge in-process", _manager(plugin, "bridge"), tmp),
        _Way("podkit in-process, eager DEL", _manager(eager, "bridge"), tmp),
        _Way(INSTALLED, execs(launcher), tmp, str(socket_path)),
        _Way("podkit-cni console script + agent", execs(console), tmp, str(socket_path)),
        _Way("podkit-cni, no agent", execs(launcher), tmp, nowhere),
    ]
    binaries = {
        INSTALLED: launcher / "bridge",
        "podkit-cni console script + agent": console / "bridge",
    }
    upstream = UPSTREAM_DIR / "bridge"
    if upstream.exists():
        go = _manager(podkit.CniExecPlugin([UPSTREAM_DIR]), "upstream")
        ways.append(_Way(GO, go, tmp))
    return ways, binaries


GO: Final = "Go bridge exec"
INSTALLED: Final = "podkit-cni (install-cni) + agent"


def main(*, quick: bool = False) -> None:
    """Print the ADD/DEL latency table and the start-up table."""
    counts, startups = ((3, 3), 3) if quick else ((100, 50), 50)
    with cleanup_stack(300 if quick else 1800) as stack:
        tmp = Path(tempfile.mkdtemp(prefix=f"{PREFIX}-network-"))
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        ways, binaries = _ways(tmp, stack)
        figures = {}
        for way in ways:
            stack.callback(way.close)
            figures[way.label] = _measure(way, counts)
        notes = [f"bridge + host-local, {SUBNET}, no gateway, no ipMasq; one netns each"]
        if GO not in figures:
            notes.append(
                f"{UPSTREAM_DIR / 'bridge'} missing: apt install containernetworking-plugins"
            )
        header("network: CNI ADD and DEL of a bridge attachment", notes)
        peer = figures.get(GO, {})
        for phase in ("ADD sequential", "DEL sequential", "ADD concurrent", "DEL concurrent"):
            for label, measured in figures.items():
                row(f"{label}: {phase}", measured[phase], peer.get(phase))
        both = {
            label: [a + d for a, d in zip(m["ADD sequential"], m["DEL sequential"], strict=True)]
            for label, m in figures.items()
        }
        for label, samples in both.items():
            row(f"{label}: ADD+DEL sequential", samples, both.get(GO))
        note("ratio: to the Go bridge's median (issue 4 goals: in-process ADD+DEL <= 0.20 x,")
        note("podkit-cni <= 2.00 x)")
        header("network: bare start-up, CNI_COMMAND=VERSION")
        upstream = UPSTREAM_DIR / "bridge"
        go_startup = _startup(upstream, startups) if upstream.exists() else None
        if go_startup:
            row(GO, go_startup)
        nowhere = str(tmp / "no-agent.sock")
        row(
            "podkit-cni, no agent",
            _startup(binaries[INSTALLED], startups, nowhere),
            go_startup,
        )
        socket_path = str(tmp / "run" / "cni.sock")
        for label, binary in binaries.items():
            row(label, _startup(binary, startups, socket_path), go_startup)

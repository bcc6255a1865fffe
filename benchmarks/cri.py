"""Pod start and teardown through CRI: ``podkit serve cri`` versus containerd (issue 7.5).

One CRI client (:mod:`benchmarks.cri_pods`, the raw generated stubs) drives
both peers over a unix socket, with the same pods: a sandbox on a bridge +
host-local network and one busybox container running ``sleep 3600``.

- podkit: ``podkit serve cri`` (:mod:`benchmarks.cri_serve`): the namespace
  runtime and podkit's bridge in-process, on temp dirs;
- upstream: Debian's containerd 1.6 with runc and Debian's Go bridge and
  host-local plugins (:mod:`podkit.testing.containerd`); also, for the record,
  containerd running podkit's plugins through ``podkit-cni``.

Start is RunPodSandbox to the container running (ContainerStatus);
teardown is StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox.
Each one pod at a time, then N at once (threads), with one warm-up pod left running.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Final

from benchmarks import cri_node
from benchmarks._common import (
    PREFIX,
    cleanup_stack,
    concurrent,
    header,
    memory,
    note,
    row,
    sequential,
    shielded,
)
from benchmarks.cri_pods import CriPods
from benchmarks.cri_serve import PodkitCriServer, serve_cri_available
from podkit.testing import build_busybox_image
from podkit.testing.containerd import (
    BUSYBOX_IMAGE,
    UPSTREAM_CNI_DIR,
    BridgeNetwork,
    Containerd,
    build_sandbox_image,
    podkit_cni_bin_dir,
)

if TYPE_CHECKING:
    from collections.abc import Callable

Counts = tuple[int, int]

#: Subnets of the peers (one each, so that they never meet).
SUBNETS: Final = {
    "podkit": "10.78.1.0/24",
    "containerd": "10.78.2.0/24",
    "cd-pkcni": "10.78.3.0/24",
    "mem-pk": "10.78.4.0/24",
    "mem-cd": "10.78.5.0/24",
}
BENCH_PREFIX: Final = "pkcd"
#: The containers' own processes, which are no agent's cost.
CONTAINER_COMMS: Final = frozenset({"sleep"})


class Samples:
    """The start and teardown seconds of one peer, one at a time and all at once."""

    def __init__(self) -> None:
        self.start: list[float] = []
        self.teardown: list[float] = []
        self.start_all: list[float] = []
        self.teardown_all: list[float] = []
        self.wall_start = 0.0
        self.wall_teardown = 0.0


def measure(pods: CriPods, one: int, many: int) -> Samples:
    """Start and tear down ``one`` pods one after the other, then ``many`` at once.

    A first pod is started and left running through the measurement, as a node
    runs some pod at all times: for podkit it keeps the runtime's monitor zygote
    (which goes with the last container) up, as :mod:`benchmarks.runtime` does;
    for containerd it warms the daemon alike. It goes with the peer.
    """
    samples = Samples()
    pods.start(f"{BENCH_PREFIX}-warm")
    started: list[str] = [""] * max(one, many)

    def start(i: int) -> None:
        started[i] = pods.start(f"{BENCH_PREFIX}-p{i}")[0]

    def teardown(i: int) -> None:
        pods.teardown(started[i])

    for i in range(one):
        samples.start.extend(sequential(lambda _, i=i: start(i), 1))  # type: ignore[misc]
        samples.teardown.extend(sequential(lambda _, i=i: teardown(i), 1))  # type: ignore[misc]
    samples.start_all, samples.wall_start = concurrent(start, many)
    samples.teardown_all, samples.wall_teardown = concurrent(teardown, many)
    return samples


def _network(tmp: Path, peer: str, bin_dir: Path) -> BridgeNetwork:
    return BridgeNetwork(
        name=f"{BENCH_PREFIX}-{peer}",
        bridge=f"{BENCH_PREFIX}-{peer}"[:15],
        subnet=SUBNETS[peer],
        data_dir=tmp / f"ipam-{peer}",
        bin_dir=bin_dir,
    )


def _containerd(stack: contextlib.ExitStack, tmp: Path, network: BridgeNetwork) -> CriPods:
    """containerd on ``network``, the images imported; stopped by ``stack``."""
    daemon = Containerd(tmp / f"containerd-{network.name}", network=network)
    stack.callback(daemon.stop)
    daemon.start()
    daemon.import_image(build_sandbox_image(tmp / f"sandbox-{network.name}").path)
    busybox = build_busybox_image(tmp / f"busybox-{network.name}", ref_name=BUSYBOX_IMAGE)
    daemon.import_image(busybox.path)
    pods = CriPods(daemon.endpoint, BUSYBOX_IMAGE, str(tmp / f"logs-{network.name}"))
    stack.callback(pods.remove_all)
    return pods


def _podkit(stack: contextlib.ExitStack, tmp: Path, network: BridgeNetwork) -> CriPods:
    """``podkit serve cri`` on ``network``; stopped by ``stack``."""
    server = PodkitCriServer(tmp / "podkit", network)
    stack.callback(server.stop)
    server.start()
    pods = CriPods(server.endpoint, server.image, str(tmp / "logs-podkit"))
    stack.callback(pods.remove_all)
    return pods


def _measure_peer(
    stack: contextlib.ExitStack, make: Callable[[contextlib.ExitStack], CriPods], counts: Counts
) -> Samples:
    """Start a peer, measure it, stop it (so that it does not load the next peer's run)."""
    peer_stack = stack.enter_context(contextlib.ExitStack())
    try:
        return measure(make(peer_stack), *counts)
    finally:
        with shielded():
            peer_stack.close()


def _table(results: dict[str, Samples], many: int) -> None:
    peer = results["containerd"]
    for label, key in (("start", "start"), ("teardown", "teardown")):
        for name, title in (
            ("containerd", "containerd + runc + Go bridge"),
            ("cd-pkcni", "containerd + runc + podkit-cni"),
            ("podkit", "podkit serve cri"),
        ):
            if name in results:
                samples = getattr(results[name], key)
                row(f"{label}, one at a time: {title}", samples, peer_of(peer, key, name))
    for label, key in (("start", "start_all"), ("teardown", "teardown_all")):
        for name, title in (
            ("containerd", "containerd"),
            ("cd-pkcni", "containerd + podkit-cni"),
            ("podkit", "podkit serve cri"),
        ):
            if name in results:
                samples = getattr(results[name], key)
                row(f"{label}, {many} at once: {title}", samples, peer_of(peer, key, name))
    for name, samples in results.items():
        note(
            f"{name}: {many} at once all running after {samples.wall_start * 1e3:.0f} ms,"
            f" all removed after {samples.wall_teardown * 1e3:.0f} ms"
        )


def peer_of(peer: Samples, key: str, name: str) -> list[float] | None:
    """The peer's samples for a ratio, on podkit's rows only."""
    return None if name == "containerd" else getattr(peer, key)


def main(*, quick: bool = False) -> None:
    """Print the pod start and teardown table, then the node benchmark's."""
    one, many = (3, 3) if quick else (20, 20)
    with cleanup_stack(300 if quick else 1200) as stack:
        tmp = Path(tempfile.mkdtemp(prefix=f"{PREFIX}-cri-"))
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        header(
            f"cri: pod start and teardown through CRI ({one} one at a time, {many} at once)",
            [
                "same client (raw runtime.v1 stubs), same pods: busybox `sleep 3600`",
                "network: bridge + host-local, gateway, no masquerade",
                "start: RunPodSandbox, CreateContainer, StartContainer, until running",
                "teardown: StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox",
            ],
        )
        results: dict[str, Samples] = {}
        if shutil.which("containerd") is None:
            note("containerd missing: apt-get install containerd")
            return
        counts = (one, many)
        upstream = _network(tmp, "containerd", UPSTREAM_CNI_DIR)
        results["containerd"] = _measure_peer(
            stack, lambda s: _containerd(s, tmp, upstream), counts
        )
        podkit_cni = _network(tmp, "cd-pkcni", podkit_cni_bin_dir(tmp / "podkit-cni-bin"))
        results["cd-pkcni"] = _measure_peer(
            stack, lambda s: _containerd(s, tmp, podkit_cni), counts
        )
        if serve_cri_available():
            ours = _network(tmp, "podkit", tmp / "unused")
            results["podkit"] = _measure_peer(stack, lambda s: _podkit(s, tmp, ours), counts)
        else:
            note("podkit serve cri missing (the CRI server is not installed): not measured")
        _table(results, many)
        cri_node.main(tmp, quick=quick)
        _memory_table(stack, tmp, 10 if quick else 100)


__all__ = ["main", "measure"]


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it, by parent links in ``/proc``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                parent = int(stat[stat.rindex(")") + 2 :].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(children.get(current, ()))
    return found


def _podkit_agent(server: int, directory: str) -> list[int]:
    """The server, its descendants, and the runtime's zygote and monitors (their own session,
    found by the state dir on their command line), but not the containers' processes.
    """
    roots = {server}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if directory in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    roots.add(int(entry.name))
    found = {pid for root in roots for pid in _descendants(root)}
    return sorted(pid for pid in found if _comm(pid) not in CONTAINER_COMMS)


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _fill(pods: CriPods, n: int, batch: int = 10) -> None:
    """Start ``n`` pods, ``batch`` at once."""
    for first in range(0, n, batch):
        concurrent(lambda i, first=first: pods.start(f"{BENCH_PREFIX}-m{first + i}"), batch)  # type: ignore[misc]


def _drain(pods: CriPods, batch: int = 10) -> None:
    """Tear every live pod down, ``batch`` at once."""
    while live := list(pods.live)[:batch]:
        concurrent(lambda i, live=live: pods.teardown(live[i]), len(live))  # type: ignore[misc]


def _agent_memory(pids: list[int]) -> tuple[float, float]:
    """Total RSS and PSS of ``pids``, in bytes."""
    rss = pss = 0
    for pid in pids:
        with contextlib.suppress(OSError, KeyError):
            one = memory(pid)
            rss, pss = rss + one[0], pss + one[1]
    return float(rss), float(pss)


def _memory_table(stack: contextlib.ExitStack, tmp: Path, n: int) -> None:
    """RSS and PSS of the agent with ``n`` pods running: podkit serve cri against containerd."""
    header(
        f"cri: agent memory with {n} pods running (`sleep 3600`), totals",
        [
            "podkit: `podkit serve cri`, the runtime's zygote and monitors, not the containers",
            "containerd: the daemon and its containerd-shim-runc-v2 processes (one per pod)",
        ],
    )
    results: dict[str, tuple[float, float, int]] = {}
    for name in ("containerd", "podkit"):
        peer_stack = stack.enter_context(contextlib.ExitStack())
        try:
            key = "mem-pk" if name == "podkit" else "mem-cd"
            network = _network(tmp, key, UPSTREAM_CNI_DIR)
            if name == "podkit":
                server = PodkitCriServer(tmp / "podkit-memory", network)
                peer_stack.callback(server.stop)
                server.start()
                pods = CriPods(server.endpoint, server.image, str(tmp / "logs-podkit-memory"))
                peer_stack.callback(pods.remove_all)
                _fill(pods, n)
                agent = _podkit_agent(server.pid, str(server.tmp))
            else:
                daemon = Containerd(tmp / "containerd-memory", network=network)
                peer_stack.callback(daemon.stop)
                daemon.start()
                daemon.import_image(build_sandbox_image(tmp / "sandbox-memory").path)
                busybox = build_busybox_image(tmp / "busybox-memory", ref_name=BUSYBOX_IMAGE)
                daemon.import_image(busybox.path)
                pods = CriPods(daemon.endpoint, BUSYBOX_IMAGE, str(tmp / "logs-cd-memory"))
                peer_stack.callback(pods.remove_all)
                _fill(pods, n)
                agent = [daemon.pid, *daemon.shim_pids()]
            rss, pss = _agent_memory(agent)
            results[name] = (rss, pss, len(agent))
            _drain(pods)
        finally:
            with shielded():
                peer_stack.close()
    for index, label in ((0, "RSS"), (1, "PSS")):
        row(f"{label}: containerd + shims", [results["containerd"][index]], unit="MiB")
        row(
            f"{label}: podkit serve cri + its processes",
            [results["podkit"][index]],
            [results["containerd"][index]],
            unit="MiB",
        )
    note(f"processes counted: containerd {results['containerd'][2]}, podkit {results['podkit'][2]}")

"""How fast a container starts and how much it costs to keep running (issue 3.7).

Latency, for ``/bin/true`` on the busybox image built by
:func:`podkit.testing.build_busybox_image`, from "create sandbox + container"
to the process running and to its exit:

- podkit: ``NamespaceRuntime`` in-process (RunPodSandbox, CreateContainer,
  StartContainer; the exit seen by polling ContainerStatus every millisecond),
  its state dir on a tmpfs as ``/run`` is on a node;
- upstream: ``crun run`` and ``runc run`` on an OCI bundle of the same rootfs
  (running: ``run -d`` returned; exit: ``run`` returned), each exec timed from a
  process of its own (:mod:`benchmarks._exectimer`).

Both one after the other and all at once (threads), in rounds in which the tools
take turns, so that a drift of the machine's speed is shared out. crun 1.8 refuses a hybrid
cgroup layout (a cgroup2 mount beside the v1 hierarchies, as on this machine's
kind), so crun runs in a private mount namespace with the cgroup2 mounts
unmounted; the output says so.

ExecSync of ``/bin/true`` in a running ``sleep 300`` (the kubelet's exec probes
and ``podkit exec`` use it) against ``crun exec`` / ``runc exec`` in a
``run -d`` container of the same rootfs.

Memory, per running container (``sleep 300``): RSS and PSS of podkit's
per-container monitors (and the PSS of their zygote, shared out) against those of
``containerd-shim-runc-v2`` under a containerd started for the purpose
(:mod:`benchmarks._containerd`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from benchmarks._common import (
    PREFIX,
    busy_cpu_seconds,
    cleanup_stack,
    concurrent,
    header,
    median,
    memory,
    note,
    row,
    token,
)
from benchmarks._containerd import Containerd
from benchmarks._podkit_runtime import HANDLER, PodkitRuntime
from podkit.testing import build_busybox_image

if TYPE_CHECKING:
    from collections.abc import Sequence

    from podkit.testing import OciImage

REPO: Final = Path(__file__).resolve().parent.parent
IMAGE_NAME: Final = f"docker.io/library/{PREFIX}-busybox:latest"
PEERS: Final = ("crun", "runc")


#: Seconds of quiet before each tool's runs.
SETTLE: Final = 3.0


def _cgroup2_mounts_beside_v1() -> list[str]:
    """The cgroup2 mount points, when cgroup v1 hierarchies are mounted too (hybrid)."""
    v1: list[str] = []
    v2: list[str] = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields, _, tail = line.partition(" - ")
        fstype = tail.split()[0]
        if fstype in {"cgroup", "cgroup2"}:
            (v1 if fstype == "cgroup" else v2).append(fields.split()[4])
    return v2 if v1 else []


def _wrapper(tool: str, hybrid: Sequence[str]) -> list[str]:
    """How to exec ``tool``'s timer: crun in a private mount namespace on hybrid nodes."""
    if tool != "crun" or not hybrid:
        return []
    umounts = "; ".join(f"umount {point} 2>/dev/null" for point in hybrid)
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", f'{umounts}; exec "$@"', "sh"]


def _bundle(tmp: Path, image: OciImage, tool: str, args: Sequence[str] = ("/bin/true",)) -> Path:
    """An OCI bundle from ``<tool> spec`` running ``args`` on the busybox rootfs."""
    rootfs = tmp / "rootfs"
    if not rootfs.exists():
        rootfs.mkdir()
        blob = image.path / "blobs" / "sha256" / image.layer_digests[0].split(":", 1)[1]
        with tarfile.open(blob) as layer:
            layer.extractall(rootfs, filter="fully_trusted")  # noqa: S202 - our own layer
    bundle = tmp / f"{tool}-{len(list(tmp.glob(f'{tool}-*bundle')))}-bundle"
    bundle.mkdir()
    subprocess.run([tool, "spec", "-b", str(bundle)], check=True, capture_output=True)
    config = json.loads((bundle / "config.json").read_text())
    config["process"]["args"] = list(args)
    config["process"]["terminal"] = False
    config["root"] = {"path": str(rootfs), "readonly": True}
    (bundle / "config.json").write_text(json.dumps(config))
    return bundle


def _peer_phases(tool: str, tmp: Path, bundle: Path, counts: tuple[int, int]) -> list[Any]:
    root, prefix = str(tmp / f"{tool}-state"), f"{PREFIX}{token()}-{tool}"
    phases = []
    for concurrently, n in ((False, counts[0]), (True, counts[1])):
        kind = "concurrent" if concurrently else "sequential"
        for what in ("running", "exit"):
            cid = f"{prefix}-{what}-{kind}-{{i}}"
            detach = ["-d"] if what == "running" else []
            phases.append(
                {
                    "name": f"{what} {kind}",
                    "n": n,
                    "concurrent": concurrently,
                    "argv": [tool, "--root", root, "run", *detach, "-b", str(bundle), cid],
                    "after": [tool, "--root", root, "delete", "-f", cid] if detach else [],
                }
            )
    return phases


def _time_peer(tool: str, phases: list[Any], hybrid: Sequence[str]) -> dict[str, Any]:
    argv = [*_wrapper(tool, hybrid), sys.executable, "-m", "benchmarks._exectimer"]
    done = subprocess.run(
        argv, input=json.dumps(phases), capture_output=True, text=True, cwd=REPO, check=False
    )
    if done.returncode != 0:
        msg = f"{tool} timer failed: {done.stderr.strip()[-2000:]}"
        raise RuntimeError(msg)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _sweep_peer(tool: str, tmp: Path, hybrid: Sequence[str]) -> None:
    """Delete whatever containers a stopped run left in ``tool``'s state dir."""
    root = tmp / f"{tool}-state"
    if not root.exists():
        return
    script = (
        f'for c in $({tool} --root {root} list -q); do {tool} --root {root} delete -f "$c"; done'
    )
    subprocess.run([*_wrapper(tool, hybrid), "sh", "-c", script], capture_output=True, check=False)


def _podkit_latency(rt: PodkitRuntime, counts: tuple[int, int]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    tag = token()
    # A node runs some container at all times; so does the benchmark, so that the
    # monitor zygote (which goes when the last container goes) is started once.
    begin = time.perf_counter()
    rt.start(f"{PREFIX}-{tag}-keep", ["sleep", "300"])
    out["first start, zygote included"] = [time.perf_counter() - begin]
    keeper = rt.sandboxes.pop()
    pairs = [rt.run_true(f"{PREFIX}-{tag}-s{i}") for i in range(counts[0])]
    rt.remove_all()
    out["running sequential"] = [p[0] for p in pairs]
    out["exit sequential"] = [p[1] for p in pairs]
    running: list[float] = [0.0] * counts[1]
    lock = threading.Lock()

    def one(i: int) -> None:
        first, _ = rt.run_true(f"{PREFIX}-{tag}-c{i}")
        with lock:
            running[i] = first

    busy = busy_cpu_seconds()
    out["exit concurrent"], wall = concurrent(one, counts[1])
    out["cpu per container"] = [(busy_cpu_seconds() - busy) / counts[1]]
    out["running concurrent"] = running
    out["wall concurrent"] = [wall]
    rt.sandboxes.append(keeper)
    rt.remove_all()
    return out


def _merge(rounds: list[dict[str, list[float]]]) -> dict[str, list[float]]:
    """The samples of every round, phase by phase."""
    merged: dict[str, list[float]] = {}
    for figures in rounds:
        for phase, samples in figures.items():
            merged.setdefault(phase, []).extend(samples)
    return merged


def _latency(
    tmp: Path, image: OciImage, rt: PodkitRuntime, counts: tuple[int, int], rounds: int
) -> None:
    hybrid = _cgroup2_mounts_beside_v1()
    per_round = (max(1, counts[0] // rounds), counts[1])
    notes = [
        "podkit: NamespaceRuntime in-process, RunPodSandbox+CreateContainer+StartContainer;",
        "  exit seen by polling ContainerStatus every 1 ms; its state dir on a tmpfs, as its",
        "  default (/run/podkit/runtime) is on a node; the first start also starts the zygote.",
        "peers: `crun run` / `runc run` (running: `run -d` returned), execs timed in a child.",
    ]
    if hybrid:
        notes.append(
            f"crun 1.8 refuses this hybrid cgroup layout (cgroup2 at {', '.join(hybrid)}): it runs "
            "under `unshare -m` with those unmounted (`umount` in the private namespace)."
        )
    notes += [
        f"in {rounds} rounds, the tools taking turns ({per_round[0]} one after the other and",
        f"  {per_round[1]} at once each, per round), so that a drift of the machine's speed",
        "  (a virtual machine's neighbours) is shared out rather than billed to one tool;",
        f"  each tool starts after {SETTLE:g} s of quiet: the kernel finishes tearing down the",
        "  previous tool's namespaces and cgroups in the background, and would bill the next.",
    ]
    bundles: dict[str, Path] = {}
    for tool in PEERS:
        if shutil.which(tool) is None:
            notes.append(f"{tool} missing: apt-get install {tool}")
        else:
            bundles[tool] = _bundle(tmp, image, tool)
    peer_rounds: dict[str, list[dict[str, Any]]] = {tool: [] for tool in bundles}
    our_rounds: list[dict[str, list[float]]] = []
    for _ in range(rounds):
        for tool, bundle in bundles.items():
            if tool not in peer_rounds:
                continue  # left out in an earlier round
            time.sleep(SETTLE)
            try:
                peer_rounds[tool].append(
                    _time_peer(tool, _peer_phases(tool, tmp, bundle, per_round), hybrid)
                )
            except RuntimeError as exc:
                notes.append(f"{tool} left out: {exc}")
                del peer_rounds[tool]
            finally:
                _sweep_peer(tool, tmp, hybrid)
        time.sleep(SETTLE)
        our_rounds.append(_podkit_latency(rt, per_round))
    _latency_table(notes, peer_rounds, our_rounds, per_round)


def _latency_table(
    notes: list[str],
    peer_rounds: dict[str, list[dict[str, Any]]],
    our_rounds: list[dict[str, list[float]]],
    per_round: tuple[int, int],
) -> None:
    counts = (per_round[0] * len(our_rounds), per_round[1])
    peers = {
        tool: _merge([{k: v["samples"] for k, v in r.items()} for r in results])
        for tool, results in peer_rounds.items()
    }
    peer_walls = {
        tool: [r["exit concurrent"]["wall"] for r in results]
        for tool, results in peer_rounds.items()
    }
    peer_cpu = {
        tool: [r["exit concurrent"]["cpu"] / per_round[1] for r in results]
        for tool, results in peer_rounds.items()
    }
    ours = _merge(our_rounds)
    header("runtime: sandbox + container of /bin/true, to running and to exit", notes)
    for phase in ("running sequential", "exit sequential", "running concurrent", "exit concurrent"):
        for tool, figures in peers.items():
            row(f"{tool}: {phase}", figures[phase])
        reference = next(iter(peers), "")
        samples = peers[reference][phase] if reference else None
        row(f"podkit: {phase} (ratio to {reference or '-'})", ours[phase], samples)
    row("podkit: first start (RunPodSandbox..StartContainer)", ours["first start, zygote included"])
    note("  (the first start after the runtime had no container also starts the zygote)")
    walls = {tool: median(seconds) for tool, seconds in peer_walls.items()}
    walls["podkit"] = median(ours["wall concurrent"])
    note(
        f"wall time for {counts[1]} at once, to the last exit (median of the rounds): "
        + ", ".join(f"{name} {seconds * 1e3:.0f} ms" for name, seconds in walls.items())
    )
    for tool, seconds in peer_cpu.items():
        row(f"{tool}: CPU per container, {counts[1]} at once", seconds)
    reference = next(iter(peer_cpu), "")
    row(
        f"podkit: CPU per container, {counts[1]} at once (ratio to {reference or '-'})",
        ours["cpu per container"],
        peer_cpu.get(reference),
    )
    note("  (the whole machine's busy CPU time while they ran, kernel threads included,")
    note("   divided by their number: when they start at once, the cores are the limit)")


def _exec_phases(tool: str, tmp: Path, bundle: Path, n: int) -> list[Any]:
    """Start one ``sleep 300``, ``<tool> exec`` ``/bin/true`` in it ``n`` times, delete it."""
    root, cid = str(tmp / f"{tool}-state"), f"{PREFIX}{token()}-{tool}-exec"
    base = [tool, "--root", root]
    return [
        {"name": "setup", "n": 1, "argv": [*base, "run", "-d", "-b", str(bundle), cid]},
        {"name": "exec", "n": n, "argv": [*base, "exec", cid, "/bin/true"]},
        {"name": "teardown", "n": 1, "argv": [*base, "delete", "-f", cid]},
    ]


def _podkit_exec(rt: PodkitRuntime, n: int) -> list[float]:
    container_id = rt.start(f"{PREFIX}-{token()}-exec", ["sleep", "300"])
    samples = []
    for _ in range(n):
        begin = time.perf_counter()
        response = rt.pm.runtime.exec_sync(HANDLER, container_id, ("/bin/true",), 10)
        samples.append(time.perf_counter() - begin)
        if response.exit_code != 0:
            msg = f"ExecSync of /bin/true exited {response.exit_code}: {response.stderr!r}"
            raise RuntimeError(msg)
    rt.remove_all()
    return samples


def _exec_latency(tmp: Path, image: OciImage, rt: PodkitRuntime, n: int) -> None:
    hybrid = _cgroup2_mounts_beside_v1()
    notes = [
        "podkit: ExecSync of /bin/true (timeout 10 s) in a running `sleep 300`, in-process;",
        "peers: `crun exec` / `runc exec <id> /bin/true` in a `run -d` container of the same",
        "  rootfs, each exec timed in a child (crun as in the table above).",
    ]
    peers: dict[str, list[float]] = {}
    for tool in PEERS:
        if shutil.which(tool) is None:
            continue
        # Its output closed, or `run -d` would hold the timer's pipes open.
        sleeper = ("sh", "-c", "exec sleep 300 </dev/null >/dev/null 2>&1")
        bundle = _bundle(tmp, image, tool, sleeper)
        try:
            peers[tool] = _time_peer(tool, _exec_phases(tool, tmp, bundle, n), hybrid)["exec"][
                "samples"
            ]
        except RuntimeError as exc:
            notes.append(f"{tool} left out: {exc}")
        finally:
            _sweep_peer(tool, tmp, hybrid)
    ours = _podkit_exec(rt, n)
    header("runtime: ExecSync of /bin/true in a running container", notes)
    for tool, samples in peers.items():
        row(f"{tool}: exec", samples)
    reference = next(iter(peers), "")
    row(f"podkit: ExecSync (ratio to {reference or '-'})", ours, peers.get(reference))


def _memory(tmp: Path, image: OciImage, rt: PodkitRuntime, n: int) -> None:
    header(
        f"runtime: memory per running container ({n} x `sleep 300`)",
        [
            "podkit: the per-container monitor processes, forked by one zygote whose pages",
            "  they share (PSS splits shared pages among the processes sharing them);",
            "  containerd: containerd-shim-runc-v2.",
        ],
    )
    tag = token()
    for i in range(n):
        rt.start(f"{PREFIX}-{tag}-m{i}", ["sleep", "300"])
    monitors = [memory(pid) for pid in rt.monitor_pids()] or [(0, 0)]
    zygotes = [memory(pid) for pid in rt.zygote_pids()]
    rt.remove_all()
    shims = _shim_memory(tmp, image, n)
    for index, label in ((0, "RSS"), (1, "PSS")):
        peer = [float(s[index]) for s in shims]
        if peer:
            row(f"containerd-shim-runc-v2: {label} per shim", peer, unit="MiB")
        row(
            f"podkit monitor: {label} per monitor",
            [float(m[index]) for m in monitors],
            peer,
            unit="MiB",
        )
    # PSS adds up: the zygote's share, spread over the containers, is part of their cost.
    total_pss = sum(m[1] for m in monitors) + sum(z[1] for z in zygotes)
    peer_pss = [float(s[1]) for s in shims]
    row("podkit: PSS per container, zygote+spare(+init) in", [total_pss / n], peer_pss, unit="MiB")
    note(
        f"{len(monitors)} podkit monitors (+ zygote, spare and its init: {len(zygotes)}, RSS "
        f"{sum(z[0] for z in zygotes) / 2**20:.1f} MiB) and {len(shims)} shims "
        f"for {n} containers each"
    )


def _shim_memory(tmp: Path, image: OciImage, n: int) -> list[tuple[int, int]]:
    """RSS and PSS of each shim of ``n`` running containerd containers."""
    if shutil.which("containerd") is None or shutil.which("ctr") is None:
        note("containerd missing: apt-get install containerd")
        return []
    archive = tmp / "busybox-oci.tar"
    with tarfile.open(archive, "w") as tar:
        for entry in sorted(image.path.iterdir()):
            tar.add(entry, arcname=entry.name)
    daemon = Containerd(tmp / "containerd")
    try:
        daemon.import_image(archive)
        for i in range(n):
            daemon.run_detached(IMAGE_NAME, f"m{i}", "sleep", "300")
        return [memory(pid) for pid in daemon.shim_pids()]
    finally:
        daemon.close()


def main(*, quick: bool = False) -> None:
    """Print the latency and memory tables."""
    counts, sleepers = ((3, 3), 2) if quick else ((30, 20), 10)
    rounds = 1 if quick else 3
    with cleanup_stack(120 if quick else 600) as stack:
        tmp = Path(tempfile.mkdtemp(prefix=f"{PREFIX}-runtime-"))
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        image = build_busybox_image(tmp / "layout", ref_name=IMAGE_NAME)
        rt = PodkitRuntime(tmp / "podkit", image.path)
        stack.callback(rt.close)
        _latency(tmp, image, rt, counts, rounds)
        _exec_latency(tmp, image, rt, counts[0])
        _memory(tmp, image, rt, sleepers)

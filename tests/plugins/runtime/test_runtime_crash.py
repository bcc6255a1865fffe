"""NamespaceRuntime survives SIGKILL of its host process at random points (issue 3).

A host subprocess (``pkx_crash_host.py``) runs sandbox+container lifecycles and logs
every operation before and after it; the test kills it with SIGKILL at a seeded
random point, builds a fresh plugin on the same directories (a restart) and checks
that what the host reported as done is still so: running containers run, exit
codes are reported, stops and removals hold, and whatever was half-done is either
completed or cleaned. After 30 rounds everything is removed through a fresh
instance and nothing may be left: processes, mounts, cgroups, layers, records.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import podkit
from podkit.models.runtime import (
    ContainerFilter,
    ContainerState,
    PodSandboxFilter,
    PodSandboxState,
)
from podkit.plugins.runtime import _proc

pytestmark = [pytest.mark.root, pytest.mark.netns, pytest.mark.slow]

HERE = Path(__file__).parent
ROUNDS = 30
PER_HOST = 5  # lifecycles a host may run: more than it can do in the longest delay
RUNNING = ContainerState.CONTAINER_RUNNING
EXITED = ContainerState.CONTAINER_EXITED
CREATED = ContainerState.CONTAINER_CREATED
READY = PodSandboxState.SANDBOX_READY
NOTREADY = PodSandboxState.SANDBOX_NOTREADY
SIGKILLED = 128 + signal.SIGKILL


class Seen:
    """Every process and sandbox id a restarted plugin showed, for the final leak check."""

    def __init__(self) -> None:
        self.pids: set[tuple[int, int]] = set()
        self.sandboxes: set[str] = set()


class Lifecycle:
    """What the hosts reported about lifecycle ``i``."""

    def __init__(self, i: int) -> None:
        self.i = i
        self.sandbox = ""
        self.container = ""
        self.done: set[str] = set()
        self.pending = ""

    @property
    def runs_forever(self) -> bool:
        return self.i % 2 == 0

    def finished(self, op: str) -> bool:
        return op in self.done

    def touched(self, *ops: str) -> bool:
        """Whether one of ``ops`` is done or was cut by the kill."""
        return any(op in self.done or op == self.pending for op in ops)


def _read_progress(path: Path, lifecycles: dict[int, Lifecycle]) -> tuple[bool, int]:
    """Fold the progress file into ``lifecycles``; return (ready seen, 'do' count)."""
    ready, dos = False, 0
    if not path.exists():
        return ready, dos
    for line in path.read_text().splitlines():
        event = json.loads(line)
        ready = ready or "ready" in event
        if "do" in event:
            dos += 1
            lifecycles.setdefault(event["i"], Lifecycle(event["i"])).pending = event["do"]
        elif "done" in event:
            life = lifecycles[event["i"]]
            life.pending = ""
            life.done.add(event["done"])
            life.sandbox = event.get("sandbox", life.sandbox)
            life.container = event.get("container", life.container)
            if event["done"] == "wait_exit":
                assert event["exit_code"] == life.i % 7, event
    return ready, dos


def _host_args(env, progress: Path, first: int) -> list[str]:
    args = {
        "state": str(env.state_dir),
        "root": str(env.root_dir),
        "cgroup": env.cgroup_parent,
        "logs": str(env.log_dir),
        "progress": str(progress),
        "first": first,
        "last": first + PER_HOST,
    }
    return [sys.executable, str(HERE / "pkx_crash_host.py"), json.dumps(args)]


def _run_and_kill(env, progress: Path, first: int, rng: random.Random) -> None:
    """Start a host, wait for a random operation, sleep a random delay, SIGKILL it.

    Operations take 1-10 ms but starting a container ~70 ms, so a delay drawn in
    0-0.3 s alone would almost always land in a start: half of the rounds kill
    within 10 ms of the beginning of a random operation instead.
    """
    wanted_dos = rng.randrange(1, 8)
    delay = rng.uniform(0.0, 0.01) if rng.random() < 0.5 else rng.uniform(0.0, 0.3)
    host = subprocess.Popen(
        _host_args(env, progress, first),
        cwd=HERE,
        env={**os.environ, "PYTHONPATH": str(HERE)},
    )
    try:
        deadline = time.monotonic() + 30
        while host.poll() is None and time.monotonic() < deadline:
            ready, dos = _read_progress(progress, {})
            if ready and dos >= wanted_dos:
                break
            time.sleep(0.001)
        time.sleep(delay)
    finally:
        host.kill()
        host.wait()
    assert host.returncode in (-signal.SIGKILL, 0), host.returncode


def _wait_state(plugin, container_id: str, state: ContainerState, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        status = plugin.runtime_container_status(container_id, verbose=False).status
        if status.state is state or time.monotonic() > deadline:
            return status
        time.sleep(0.02)


def _mount_points() -> set[str]:
    lines = Path("/proc/self/mountinfo").read_text().splitlines()
    return {line.split()[4] for line in lines}


def _check_invariants(plugin, seen: Seen) -> None:
    """Consistency of whatever is listed, reported by a host or not."""
    sandboxes = {s.id: s for s in plugin.runtime_list_pod_sandbox(PodSandboxFilter())}
    containers = plugin.runtime_list_containers(ContainerFilter())
    mounts = _mount_points()
    pids = seen.pids
    seen.sandboxes.update(plugin.sandboxes.records)
    for sandbox_id, sandbox in sandboxes.items():
        record = plugin.sandboxes.records[sandbox_id]
        if sandbox.state is READY:
            assert record.net_path in mounts, f"ready sandbox {sandbox_id} lost its netns"
        if record.pid_init is not None:
            pids.add((record.pid_init.pid, record.pid_init.start))
    for container in containers:
        assert container.pod_sandbox_id in sandboxes, f"{container.id} has no sandbox"
        observed = plugin.containers.observe(container.id)
        pids.add((observed.monitor_pid, observed.monitor_start))
        if container.state is RUNNING:
            pids.add((observed.pid, observed.pid_start))
            assert _proc.is_alive(observed.pid, observed.pid_start), container.id
    # Half-done creations were completed (recorded) or cleaned: no directory without record.
    for kind, records in (("sandboxes", plugin.sandboxes.records),):
        on_disk = {d.name for d in (plugin.layout.state / kind).iterdir()}
        assert on_disk == set(records), f"unrecorded {kind}: {on_disk - set(records)}"
    on_disk = {d.name for d in (plugin.layout.state / "containers").iterdir()}
    assert on_disk == set(plugin.containers.records)


def _check_sandbox(plugin, life: Lifecycle, listed: dict) -> None:
    if life.touched("remove_sandbox"):
        if life.finished("remove_sandbox"):
            assert life.sandbox not in listed
        return
    assert life.sandbox in listed, f"sandbox of lifecycle {life.i} lost"
    if life.finished("stop_sandbox"):
        assert listed[life.sandbox] is NOTREADY
    elif not life.touched("stop_sandbox"):
        assert listed[life.sandbox] is READY


def _check_container(plugin, life: Lifecycle, listed: dict) -> None:
    removed = ("remove_container", "remove_sandbox")
    if life.touched(*removed):
        if any(life.finished(op) for op in removed):
            assert life.container not in listed
            with pytest.raises(podkit.NotFoundError):
                plugin.runtime_container_status(life.container, verbose=False)
        return
    assert life.container in listed, f"container of lifecycle {life.i} lost"
    if not life.finished("start_container"):
        if not life.touched("start_container"):
            assert listed[life.container] is CREATED
        return
    if not life.runs_forever:
        status = _wait_state(plugin, life.container, EXITED)
        assert (status.state, status.exit_code) == (EXITED, life.i % 7), life.i
        return
    stops = ("stop_container", "stop_sandbox")
    status = plugin.runtime_container_status(life.container, verbose=False).status
    if any(life.finished(op) for op in stops):
        assert (status.state, status.exit_code) == (EXITED, SIGKILLED), life.i
    elif life.touched(*stops):
        assert status.state in (RUNNING, EXITED), life.i
    else:
        assert status.state is RUNNING, life.i
        observed = plugin.containers.observe(life.container)
        assert _proc.is_alive(observed.pid, observed.pid_start)


def _check_after_restart(env, lifecycles: dict[int, Lifecycle], seen: Seen) -> None:
    fresh = env.new_plugin()
    _check_invariants(fresh, seen)
    sandboxes = {s.id: s.state for s in fresh.runtime_list_pod_sandbox(PodSandboxFilter())}
    containers = {c.id: c.state for c in fresh.runtime_list_containers(ContainerFilter())}
    for life in lifecycles.values():
        if life.sandbox:
            _check_sandbox(fresh, life, sandboxes)
        if life.container:
            _check_container(fresh, life, containers)


def _remove_everything(env) -> None:
    fresh = env.new_plugin()
    for sandbox in fresh.runtime_list_pod_sandbox(PodSandboxFilter()):
        fresh.runtime_remove_pod_sandbox(sandbox.id)
    for container in fresh.runtime_list_containers(ContainerFilter()):
        fresh.runtime_remove_container(container.id)
    again = env.new_plugin()
    assert again.runtime_list_pod_sandbox(PodSandboxFilter()) == ()
    assert again.runtime_list_containers(ContainerFilter()) == ()


def _leaked_cgroups(env) -> list[Path]:
    plugin = env.new_plugin()
    leaked = []
    for top in plugin.cgroups.dirs(env.cgroup_parent):
        if top.exists():
            leaked += [d for d in top.rglob("*") if d.is_dir()]
            assert (top / "cgroup.procs").read_text().split() == []
    return leaked


def _assert_nothing_left(env, seen: Seen) -> None:
    alive = [pid for pid, start in seen.pids if _proc.is_alive(pid, start)]
    assert alive == [], f"processes of the run still alive: {alive}"
    roots = (str(env.state_dir), str(env.root_dir))
    left = [m for m in _mount_points() if m.startswith(roots)]
    assert left == [], f"mounts left: {left}"
    for directory in (
        env.state_dir / "sandboxes",
        env.state_dir / "containers",
        env.root_dir / "containers",
    ):
        assert not directory.exists() or list(directory.iterdir()) == [], directory
    assert _leaked_cgroups(env) == [], "cgroups left"


def test_sigkill_at_random_points_loses_nothing_and_leaks_nothing(busybox_env, tmp_path):
    env = busybox_env
    rng = random.Random(1234)  # noqa: S311 - reproducible kill points, not crypto
    lifecycles: dict[int, Lifecycle] = {}
    seen = Seen()
    started = time.monotonic()
    try:
        for round_no in range(ROUNDS):
            progress = tmp_path / f"pkx-progress-{round_no}.jsonl"
            first = max(lifecycles, default=-1) + 1
            _run_and_kill(env, progress, first, rng)
            _read_progress(progress, lifecycles)
            _check_after_restart(env, lifecycles, seen)
            assert time.monotonic() - started < 150, f"too slow: round {round_no}"
    finally:
        _remove_everything(env)
    assert len(lifecycles) >= ROUNDS
    assert any(life.pending for life in lifecycles.values())
    _assert_nothing_left(env, seen)


KILLED_BEFORE_RECORD = """
import os, signal, sys
from podkit.models.runtime import PodSandboxConfig, PodSandboxMetadata
from podkit.plugins.runtime import NamespaceRuntime
from podkit.plugins.runtime._sandboxes import Sandboxes

def die(self, record):
    os.kill(os.getpid(), signal.SIGKILL)

Sandboxes._save = die  # the record is the last step of RunPodSandbox
state, root, parent = sys.argv[1:]
plugin = NamespaceRuntime("namespace", state_dir=state, root_dir=root, cgroup_parent=parent)
config = PodSandboxConfig(metadata=PodSandboxMetadata(name="pkx", uid="u"))
plugin.runtime_run_pod_sandbox("namespace", config)
"""


def test_a_sandbox_killed_before_its_record_leaves_no_cgroup(runtime_env):
    """Killed between its cgroup and its record, a sandbox is collected whole on restart."""
    env = runtime_env
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLED_BEFORE_RECORD,
            str(env.state_dir),
            str(env.root_dir),
            env.cgroup_parent,
        ],
        check=False,
    )
    assert done.returncode == -signal.SIGKILL
    left_behind = [
        d
        for top in env.plugin.cgroups.dirs(env.cgroup_parent)
        if top.exists()
        for d in top.iterdir()
        if d.is_dir()
    ]
    assert left_behind, "the kill should have come after the sandbox's cgroup was made"
    assert env.new_plugin().sandboxes.records == {}
    assert _leaked_cgroups(env) == []
    sandboxes = env.state_dir / "sandboxes"
    assert not sandboxes.exists() or list(sandboxes.iterdir()) == []

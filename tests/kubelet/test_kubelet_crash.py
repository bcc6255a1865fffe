"""The node agent survives kill -9 at random moments (issue 6, point 3, the fault test).

An agent process (``pkk_agent.py``: a Node with the runtime plugin in the same
process, as a node agent embeds it) runs pods as a control file says, while
the test runs 50 pod lifecycles through it (apply, running or succeeded,
delete) beside a few pods that stay. The test kills the agent with SIGKILL at
seeded random moments (during its start and recovery too) and starts it
again each time. It checks that:

- a pod seen running is never restarted by a restart of the agent: its
  containers keep their ids and start times, and its restart counts stay 0;
- every lifecycle completes (the pod converges to running or succeeded, then
  is gone after its deletion), and the pods that stay, stay;
- after everything is deleted and the agent stopped, nothing is left:
  sandboxes, containers, cgroups, mounts, bridge ports, IP reservations,
  network attachments, volume and log folders, the node's state files; and
  the leak checker finds nothing.

The seed is printed; ``PKK_CRASH_SEED=<seed>`` replays a run.
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

from podkit import statefiles
from podkit.models.runtime import ImageSpec

pytestmark = [pytest.mark.root, pytest.mark.netns, pytest.mark.slow, pytest.mark.integration]

HERE = Path(__file__).parent
LIFECYCLES = 50
WINDOW = 6  # lifecycles under way at once
STAYERS = 3
DEADLINE = 300.0  # seconds for the whole run; it takes far less
LOOP = "trap 'exit 0' TERM; while true; do sleep 0.2; done"


def container(env, name, script):
    return {
        "name": name,
        "image": env.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["sh", "-c", script],
    }


def pod(name, *containers, restart_policy="Always", **spec):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "restartPolicy": restart_policy,
            "terminationGracePeriodSeconds": 2,
            "containers": list(containers),
            **spec,
        },
    }


SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "pkkc-secret"},
    "stringData": {"token": "s3cret"},
}
SECRET_VOLUME = {"name": "creds", "secret": {"secretName": "pkkc-secret"}}
SECRET_MOUNT = [{"name": "creds", "mountPath": "/creds"}]
TOKEN_ENV = [
    {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "pkkc-secret", "key": "token"}}}
]


def stayer(env, i):
    main = container(env, "main", LOOP) | {"env": TOKEN_ENV, "volumeMounts": SECRET_MOUNT}
    side = container(env, "side", LOOP)
    return pod(f"pkkc-stay{i}", main, side, volumes=[SECRET_VOLUME])


def lifecycle(env, i):
    """Pods of three kinds: one that succeeds, one with a Secret, one with an init container."""
    name = f"pkkc-l{i}"
    if i % 3 == 0:
        return pod(name, container(env, "main", "echo done"), restart_policy="Never")
    if i % 3 == 1:
        main = container(env, "main", LOOP) | {"env": TOKEN_ENV, "volumeMounts": SECRET_MOUNT}
        return pod(name, main, volumes=[SECRET_VOLUME])
    main = container(env, "main", LOOP) | {
        "volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}]
    }
    init = container(env, "init", "echo ready > /scratch/ready") | {
        "volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}]
    }
    return pod(name, main, initContainers=[init], volumes=[{"name": "scratch", "emptyDir": {}}])


def converged(view, expected_phase):
    if view is None or view["phase"] != expected_phase:
        return False
    if expected_phase == "Running":
        return all(c["running"] for c in view["containers"].values())
    return True


class Agent:
    """The agent process, started again after each kill."""

    def __init__(self, control: Path, log: Path):
        self.control = control
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self.starts = 0

    def start(self):
        path = os.environ.get("PYTHONPATH", "")
        environ = {**os.environ, "PYTHONPATH": f"{HERE}{os.pathsep}{path}"}
        with self.log.open("ab") as log:
            log.write(f"--- agent start {self.starts}\n".encode())
            self.process = subprocess.Popen(
                [sys.executable, str(HERE / "pkk_agent.py"), str(self.control)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=environ,
            )
        self.started = time.monotonic()
        self.starts += 1

    def status(self):
        """What the running agent last wrote; ``None`` before its first write."""
        assert self.process is not None
        try:
            body = json.loads((self.control / f"status-{self.process.pid}.json").read_text())
        except FileNotFoundError:
            return None
        return body["pods"]

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        (self.control / f"status-{self.process.pid}.json").unlink(missing_ok=True)

    def stop(self, timeout=120):
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise


class Watch:
    """Every container a pod was seen running with; what changed under a restart.

    Only pods that are wanted are compared: a deletion removes containers.
    """

    def __init__(self):
        self.seen: dict[str, dict[str, dict]] = {}
        self.problems: list[str] = []

    def look(self, view, restarts, wanted):
        """Compare what the agent shows of the pods still ``wanted`` (not being deleted)."""
        for name, pod_view in view.items():
            if name not in wanted:
                continue
            known = self.seen.get(name)
            if known is None:
                if pod_view["phase"] in {"Running", "Succeeded"} and all(
                    c["id"] for c in pod_view["containers"].values()
                ):
                    self.seen[name] = dict(pod_view["containers"])
                continue
            for cname, now in pod_view["containers"].items():
                before = known.get(cname)
                same = before is None or (before["id"], before["restarts"]) == (
                    now["id"],
                    now["restarts"],
                )
                if same:
                    continue
                self.problems.append(
                    f"{name}/{cname} changed after agent restart {restarts}: {before} -> {now}"
                )


def write_desired(control, pods, objects):
    statefiles.write_json(control / "desired.json", {"pods": pods, "objects": objects})


@pytest.mark.timeout(DEADLINE + 120)
def test_kill_9_at_random_moments_during_50_pod_lifecycles(env, tmp_path):  # noqa: C901, PLR0912, PLR0915
    seed = int(os.environ.get("PKK_CRASH_SEED", random.randrange(2**32)))  # noqa: S311
    print(f"crash test seed: {seed} (PKK_CRASH_SEED={seed} replays it)")  # noqa: T201
    rng = random.Random(seed)  # noqa: S311 - a replayable test, not a secret
    env.pm.runtime.pull_image("namespace", ImageSpec(image=env.image))
    control = tmp_path / "control"
    control.mkdir()
    statefiles.write_json(
        control / "settings.json", {"env": env.settings(), "sync_period": 0.2, "gc_period": 2.0}
    )
    agent = Agent(control, tmp_path / "agent.log")
    stayers = {f"pkkc-stay{i}": stayer(env, i) for i in range(STAYERS)}
    write_desired(control, stayers, [SECRET])
    watch = Watch()
    started = time.monotonic()
    try:
        agent.start()
        while True:  # the stayers run before the first kill: no kill hits their start
            view = agent.status()
            if view and all(converged(view.get(n), "Running") for n in stayers):
                break
            assert agent.alive(), (tmp_path / "agent.log").read_text()[-3000:]
            assert time.monotonic() - started < 120, f"stayers did not start: {view}"
            time.sleep(0.1)
        time.sleep(1.0)  # a poll later, the start times are the runtime's
        view = agent.status()
        baseline = {name: view[name]["containers"] for name in stayers}
        expected = {i: ("Succeeded" if i % 3 == 0 else "Running") for i in range(LIFECYCLES)}
        stage = {}  # i -> "applied" | "deleting" | "done"
        wanted = dict(stayers)
        kills = 0
        kill_at = None
        up_since = None
        next_i = 0
        while any(stage.get(i) != "done" for i in range(LIFECYCLES)):
            assert time.monotonic() - started < DEADLINE, (
                f"no convergence after {kills} kills: {stage}; agent log:\n"
                + (tmp_path / "agent.log").read_text()[-4000:]
            )
            view = agent.status()
            if view is not None:
                watch.look(view, agent.starts, wanted)
                if up_since is None:
                    up_since = time.monotonic()
                for i, state in list(stage.items()):
                    name = f"pkkc-l{i}"
                    if state == "applied" and converged(view.get(name), expected[i]):
                        stage[i] = "deleting"
                        del wanted[name]
                    elif state == "deleting" and name not in view:
                        stage[i] = "done"
            while next_i < LIFECYCLES and sum(s != "done" for s in stage.values()) < WINDOW:
                stage[next_i] = "applied"
                wanted[f"pkkc-l{next_i}"] = lifecycle(env, next_i)
                next_i += 1
            write_desired(control, wanted, [SECRET])
            if kill_at is None:  # during start and recovery, or while it runs pods
                early = rng.random() < 0.25
                kill_at = agent.started + rng.uniform(0.1, 1.2) if early else None
            if kill_at is None and up_since is not None:
                kill_at = up_since + rng.uniform(0.0, 1.0)
            if kill_at is not None and time.monotonic() >= kill_at:
                agent.kill()
                kills += 1
                agent.start()
                kill_at, up_since = None, None
            assert agent.alive(), (tmp_path / "agent.log").read_text()[-3000:]
            time.sleep(0.05)
        lifecycles_time = time.monotonic() - started

        agent.kill()  # once more: the stayers are taken over again, unchanged
        kills += 1
        agent.start()
        while True:
            view = agent.status()
            if (
                view is not None
                and set(view) == set(stayers)
                and all(converged(view[n], "Running") for n in stayers)
            ):
                break
            assert time.monotonic() - started < DEADLINE, f"did not converge: {view}"
            time.sleep(0.1)
        watch.look(view, agent.starts, wanted)
        for name in stayers:
            assert view[name]["containers"] == baseline[name], name
        assert not watch.problems, "\n".join(watch.problems)

        write_desired(control, {}, [SECRET])
        while (view := agent.status()) is None or view:
            assert time.monotonic() - started < DEADLINE, f"pods not deleted: {view}"
            time.sleep(0.1)
        assert agent.stop() == 0
        print(  # noqa: T201
            f"crash test: {kills} kills, {LIFECYCLES} lifecycles + {STAYERS} stayers,"
            f" lifecycles in {lifecycles_time:.1f}s, {time.monotonic() - started:.1f}s in all"
        )
        assert kills >= 10, f"only {kills} kills: the test did not test much"
        assert env.leftovers() == []
        files = [p for d in (env.state_dir, env.run_dir) for p in d.rglob("*") if p.is_file()]
        assert files == [], "the node left state files"
    finally:
        if agent.alive():
            agent.kill()
        with open(tmp_path / "agent.log", "rb") as log:  # noqa: PTH123
            text = log.read()
        if os.environ.get("PKK_CRASH_LOG"):  # to read the whole log after a failure
            Path(os.environ["PKK_CRASH_LOG"]).write_bytes(text)
        tail = text[-2000:].decode(errors="replace")
        print(f"agent log (end):\n{tail}")  # noqa: T201

"""Following CRI log files (podkit.kubelet._logfollow), as ``podkit logs -f`` does."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from podkit import manifests
from podkit.kubelet import (
    ContainerStateRunning,
    ContainerStateTerminated,
    ContainerStatus,
    PodPhase,
    PodStatus,
)
from podkit.kubelet._logfollow import CriLineReader, LogPosition, follow_log, log_position

T = "2026-01-02T03:04:05.000000000Z"


def entry(text, stream="stdout", tag="F"):
    return f"{T} {stream} {tag} {text}\n".encode()


def test_lines_wait_for_their_end_and_partial_pieces_join():
    reader = CriLineReader()
    data = entry("one") + entry("tw", tag="P") + entry("o") + entry("err", "stderr")
    assert reader.feed(data[:10]) == []  # a torn line waits
    assert reader.feed(data[10:]) == ["one", "two", "err"]
    assert reader.feed(entry("unfinished", tag="P")) == []
    assert reader.flush() == ["unfinished"]


def test_follow_reads_on_across_runs_and_ends_with_the_pod(tmp_path):
    first, second = tmp_path / "0.log", tmp_path / "1.log"
    first.write_bytes(entry("run 0, line 1"))
    where = {"position": LogPosition(run=0, path=first)}

    async def scenario():
        seen = []

        async def follow():
            async for line in follow_log(lambda: where["position"], poll=0.01):
                seen.append(line)  # noqa: PERF401 - one by one, as they come

        task = asyncio.create_task(follow())
        await until(lambda: seen == ["run 0, line 1"])
        with first.open("ab") as log:
            log.write(entry("run 0, line 2"))
        await until(lambda: len(seen) == 2)
        # the container restarts: its last words land in the old file after the new run began
        with first.open("ab") as log:
            log.write(entry("run 0, last", tag="P"))
        second.write_bytes(entry("run 1, line 1"))
        where["position"] = LogPosition(run=1, path=second)
        await until(lambda: len(seen) == 4)
        assert not task.done()
        where["position"] = None  # the pod is deleted
        await asyncio.wait_for(task, 5)
        return seen

    assert asyncio.run(scenario()) == [
        "run 0, line 1",
        "run 0, line 2",
        "run 0, last",
        "run 1, line 1",
    ]


def test_follow_of_an_ended_pod_reads_to_the_end_and_stops(tmp_path):
    log = tmp_path / "0.log"
    log.write_bytes(entry("a") + entry("b"))

    async def scenario():
        position = LogPosition(run=0, path=log, ended=True)
        return [line async for line in follow_log(lambda: position, poll=0.01)]

    assert asyncio.run(asyncio.wait_for(scenario(), 5)) == ["a", "b"]


def test_follow_waits_for_a_file_not_written_yet(tmp_path):
    log = tmp_path / "0.log"

    async def scenario():
        seen = []
        position = {"now": LogPosition(run=0, path=log)}

        async def follow():
            async for line in follow_log(lambda: position["now"], poll=0.01):
                seen.append(line)  # noqa: PERF401 - one by one, as they come

        task = asyncio.create_task(follow())
        await asyncio.sleep(0.05)
        log.write_bytes(entry("late"))
        await until(lambda: seen == ["late"])
        position["now"] = LogPosition(run=0, path=log, ended=True)
        await asyncio.wait_for(task, 5)
        return seen

    assert asyncio.run(scenario()) == ["late"]


async def until(test, within=5.0):
    deadline = asyncio.get_running_loop().time() + within
    while not test():
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.01)


def status_with(phase, state, restarts=0):
    container = ContainerStatus(name="main", state=state, restart_count=restarts)
    return PodStatus(phase=PodPhase(phase), container_statuses=(container,))


def a_pod(policy):
    (pod,) = manifests.load(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        f"  restartPolicy: {policy}\n  containers: [{{name: main, image: busybox}}]\n"
    )
    return pod


@pytest.mark.parametrize(
    ("policy", "phase", "exit_code", "ended"),
    [
        ("Always", "Running", 1, False),  # restarts: more to come
        ("Always", "Running", 0, False),
        ("OnFailure", "Running", 1, False),
        ("OnFailure", "Running", 0, True),  # will not run again
        ("Never", "Running", 1, True),
        ("Always", "Succeeded", None, True),  # the pod ended
    ],
)
def test_a_run_ends_for_good_as_the_restart_policy_says(tmp_path, policy, phase, exit_code, ended):
    state = (
        ContainerStateRunning(started_at=dt.datetime.now(dt.UTC))
        if exit_code is None
        else ContainerStateTerminated(exit_code=exit_code)
    )
    position = log_position(a_pod(policy), status_with(phase, state, 2), "main", tmp_path)
    assert position == LogPosition(run=2, path=tmp_path / "main" / "2.log", ended=ended)

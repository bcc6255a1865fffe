"""What ``podkit get pods`` and ``describe`` print, from ``v1.Pod`` objects: kubectl's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from podkit.cli._describe import describe
from podkit.cli._get import pod_row, pod_status, table
from podkit.cli._nodeclient import age
from podkit.nodeapi._encode import camel

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def ago(seconds):
    return (NOW - dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def container(name="main", *, ready=False, restarts=0, **state):
    return {"name": name, "state": state, "ready": ready, "restartCount": restarts}


def pod(*containers, init=(), phase="Running", deleting=False, init_specs=None):
    meta = {"name": "web", "namespace": "default", "creationTimestamp": ago(90)}
    if deleting:
        meta["deletionTimestamp"] = ago(1)
    return {
        "metadata": meta,
        "spec": {
            "containers": [{"name": c["name"]} for c in containers],
            "initContainers": [{"name": c["name"]} for c in (init_specs or init)],
        },
        "status": {
            "phase": phase,
            "containerStatuses": list(containers),
            "initContainerStatuses": list(init),
        },
    }


RUNNING = {"running": {"startedAt": ago(60)}}


@pytest.mark.parametrize(
    ("the_pod", "status"),
    [
        (pod(container(ready=True, **RUNNING)), "Running"),
        (
            pod(container(waiting={"reason": "ContainerCreating"}), phase="Pending"),
            "ContainerCreating",
        ),
        (pod(container(waiting={"reason": "CrashLoopBackOff"}, restarts=3)), "CrashLoopBackOff"),
        (
            pod(container(terminated={"exitCode": 0, "reason": "Completed"}), phase="Succeeded"),
            "Completed",
        ),
        (pod(container(terminated={"exitCode": 1, "reason": "Error"}), phase="Failed"), "Error"),
        (pod(container(terminated={"exitCode": 137}), phase="Failed"), "ExitCode:137"),
        (
            pod(
                container(waiting={"reason": "PodInitializing"}),
                init=[container("setup", **RUNNING)],
                phase="Pending",
            ),
            "Init:0/1",
        ),
        (
            pod(
                container(waiting={"reason": "PodInitializing"}),
                init=[container("setup", terminated={"exitCode": 1, "reason": "Error"})],
                phase="Pending",
            ),
            "Init:Error",
        ),
        (
            pod(
                container(waiting={"reason": "PodInitializing"}),
                init=[container("setup", waiting={"reason": "CrashLoopBackOff"})],
                phase="Pending",
            ),
            "Init:CrashLoopBackOff",
        ),
        (
            pod(
                container("a", terminated={"exitCode": 0, "reason": "Completed"}),
                container("b", ready=True, **RUNNING),
            ),
            "NotReady",
        ),
        (pod(container(ready=True, **RUNNING), deleting=True), "Terminating"),
    ],
)
def test_status_column_is_kubectls(the_pod, status):
    assert pod_status(the_pod) == status


def test_a_row_counts_ready_containers_and_restarts():
    last = {"terminated": {"exitCode": 1, "finishedAt": ago(30)}}
    the_pod = pod(
        container("a", ready=True, **RUNNING),
        {**container("b", restarts=2, waiting={"reason": "CrashLoopBackOff"}), "lastState": last},
    )
    row = pod_row(the_pod)
    assert row[:3] == ["web", "1/2", "CrashLoopBackOff"]
    assert row[3].startswith("2 (")
    assert row[3].endswith(" ago)")


def test_table_pads_columns_three_spaces_apart():
    assert table([["NAME", "READY"], ["a-long-name", "1/1"]]) == (
        "NAME          READY\na-long-name   1/1\n"
    )


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (5, "5s"),
        (119, "119s"),
        (150, "2m30s"),
        (600, "10m"),
        (3 * 3600 + 60, "3h1m"),
        (9 * 3600, "9h"),
        (3 * 86400, "3d"),
    ],
)
def test_age_is_kubectls(seconds, shown):
    assert age(ago(seconds), NOW) == shown


def test_age_without_a_time():
    assert age(None) == "<unknown>"


@pytest.mark.parametrize(
    ("name", "upstream"),
    [
        ("host_ip", "hostIP"),
        ("pod_ips", "podIPs"),
        ("image_id", "imageID"),
        ("host_pid", "hostPID"),
        ("termination_grace_period_seconds", "terminationGracePeriodSeconds"),
        ("uid", "uid"),
    ],
)
def test_field_names_are_kubernetes(name, upstream):
    assert camel(name) == upstream


def test_describe_shows_states_conditions_and_events():
    last = {"terminated": {"exitCode": 2, "reason": "Error", "finishedAt": ago(30)}}
    the_pod = pod(
        {**container(restarts=1, waiting={"reason": "CrashLoopBackOff"}), "lastState": last}
    )
    the_pod["status"]["conditions"] = [{"type": "Ready", "status": "False"}]
    events = [
        {
            "type": "Normal",
            "reason": "Started",
            "message": "Started container main",
            "lastTimestamp": ago(40),
            "source": {"component": "kubelet"},
        },
        {
            "type": "Warning",
            "reason": "BackOff",
            "message": "Back-off restarting failed container",
            "lastTimestamp": ago(20),
            "source": {"component": "kubelet"},
        },
    ]
    lines = describe(the_pod, events, NOW).splitlines()
    assert lines[:2] == ["Name:             web", "Namespace:        default"]
    assert "    State:          Waiting" in lines
    assert "      Reason:       CrashLoopBackOff" in lines
    assert "    Last State:     Terminated" in lines
    assert "      Exit Code:    2" in lines
    assert "    Restart Count:  1" in lines
    assert "  Ready   False" in lines
    assert lines[-2].split() == [
        "Normal",
        "Started",
        "40s",
        "kubelet",
        "Started",
        "container",
        "main",
    ]
    assert lines[-1].split()[:3] == ["Warning", "BackOff", "20s"]

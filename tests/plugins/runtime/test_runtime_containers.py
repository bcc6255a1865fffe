"""NamespaceRuntime containers: busybox run for real, in namespaces, cgroups and overlayfs."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import attrs
import pytest
from pkr_helpers import HANDLER, container_config, sandbox_config

import podkit
from podkit.models.runtime import (
    ContainerFilter,
    ContainerState,
    ImageSpec,
    LinuxContainerConfig,
    LinuxContainerResources,
    Mount,
)
from podkit.plugins.runtime import _proc

pytestmark = [pytest.mark.root, pytest.mark.netns]

CRI_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) (P|F) (.*)$")


def _wait_exited(pm, container_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = pm.runtime.container_status(HANDLER, container_id).status
        if status.state is ContainerState.CONTAINER_EXITED:
            return status
        time.sleep(0.05)
    pytest.fail(f"container {container_id} did not exit")


def _run(env, *command, name="c", **kwargs):
    """Run a sandbox and a container of ``command`` in it; return both ids and the config."""
    sandbox = sandbox_config(name, log_directory=str(env.log_dir))
    sandbox_id = env.pm.runtime.run_pod_sandbox(HANDLER, sandbox)
    config = container_config(*command, name=name, **kwargs)
    container_id = env.pm.runtime.create_container(HANDLER, sandbox_id, config, sandbox)
    env.pm.runtime.start_container(HANDLER, container_id)
    return sandbox_id, container_id


def _log_lines(env, name="c"):
    text = (env.log_dir / name / "0.log").read_text()
    return [CRI_LINE.match(line).groups() for line in text.splitlines()]


def test_a_container_runs_and_its_output_and_exit_code_are_recorded(busybox_env):
    pm = busybox_env.pm
    sandbox_id, container_id = _run(
        busybox_env, "/bin/sh", "-c", "echo hello; echo oops >&2; printf tail; exit 3"
    )
    status = _wait_exited(pm, container_id)
    assert status.exit_code == 3
    assert status.reason == "Error"
    assert status.started_at >= status.created_at > 0
    assert status.finished_at >= status.started_at
    assert status.log_path == str(busybox_env.log_dir / "c" / "0.log")
    assert status.image_id.startswith("sha256:")
    lines = _log_lines(busybox_env)
    assert ("stdout", "F", "hello") in lines
    assert ("stderr", "F", "oops") in lines
    assert ("stdout", "F", "tail") in lines
    listed = pm.runtime.list_containers(HANDLER, ContainerFilter(pod_sandbox_id=sandbox_id))
    assert [c.id for c in listed] == [container_id]
    exited = ContainerFilter(state=ContainerState.CONTAINER_EXITED)
    assert len(pm.runtime.list_containers(HANDLER, exited)) == 1
    running = ContainerFilter(state=ContainerState.CONTAINER_RUNNING)
    assert pm.runtime.list_containers(HANDLER, running) == ()


def test_a_clean_exit_is_completed_even_with_a_negative_oom_score_adj(busybox_env):
    # The agent may lack CAP_SYS_RESOURCE: the container runs with the inherited score.
    resources = LinuxContainerResources(oom_score_adj=-997)
    linux = LinuxContainerConfig(resources=resources)
    _, container_id = _run(busybox_env, "/bin/true", linux=linux)
    status = _wait_exited(busybox_env.pm, container_id)
    assert (status.exit_code, status.reason) == (0, "Completed")


def test_the_container_sees_its_hostname_its_processes_and_not_the_host(busybox_env, tmp_path):
    marker = tmp_path / "pkr-host-marker"
    marker.write_text("host")
    script = (
        f"hostname; ps -o pid,comm; ls {marker} || echo hidden; cat /proc/1/cmdline | head -c 20"
    )
    _, container_id = _run(busybox_env, "/bin/sh", "-c", script, name="iso")
    _wait_exited(busybox_env.pm, container_id)
    out = [content for stream, _, content in _log_lines(busybox_env, "iso") if stream == "stdout"]
    assert out[0] == "pkr-iso"
    pids = [line.split()[0] for line in out[2:] if line.strip() and line.split()[0].isdigit()]
    assert pids[0] == "1"
    assert len(pids) <= 3, out  # sh, ps and maybe ls: no host process
    assert "hidden" in out


def test_limits_are_written_to_the_cgroup(busybox_env):
    resources = LinuxContainerResources(
        memory_limit_in_bytes=64 * 1024 * 1024, cpu_shares=512, cpu_period=100000, cpu_quota=50000
    )
    sandbox = sandbox_config("limits", log_directory=str(busybox_env.log_dir))
    sandbox_id = busybox_env.pm.runtime.run_pod_sandbox(HANDLER, sandbox)
    config = container_config("/bin/true", linux=LinuxContainerConfig(resources=resources))
    container_id = busybox_env.pm.runtime.create_container(HANDLER, sandbox_id, config, sandbox)
    plugin = busybox_env.plugin
    cgroup = plugin.containers.records[container_id].cgroup
    if plugin.cgroups.version == 1:
        assert plugin.cgroups.read(cgroup, "memory", "memory.limit_in_bytes").strip() == str(
            64 * 1024 * 1024
        )
        assert plugin.cgroups.read(cgroup, "cpu", "cpu.shares").strip() == "512"
        assert plugin.cgroups.read(cgroup, "cpu", "cpu.cfs_quota_us").strip() == "50000"
    else:
        assert plugin.cgroups.read(cgroup, "memory", "memory.max").strip() == str(64 * 1024 * 1024)
    status = busybox_env.pm.runtime.container_status(HANDLER, container_id).status
    assert status.state is ContainerState.CONTAINER_CREATED
    assert status.resources.linux == resources
    busybox_env.pm.runtime.remove_container(HANDLER, container_id)
    assert not any(d.exists() for d in plugin.cgroups.dirs(cgroup))


def test_stop_kills_after_the_grace_period_and_stop_and_remove_are_idempotent(busybox_env):
    pm = busybox_env.pm
    _, container_id = _run(busybox_env, "/bin/sleep", "1000")
    status = pm.runtime.container_status(HANDLER, container_id).status
    assert status.state is ContainerState.CONTAINER_RUNNING
    started = time.monotonic()
    assert pm.runtime.stop_container(HANDLER, container_id, 1) is True
    assert time.monotonic() - started < 10
    status = pm.runtime.container_status(HANDLER, container_id).status
    assert status.state is ContainerState.CONTAINER_EXITED
    assert status.exit_code == 128 + signal.SIGKILL  # PID 1 ignores SIGTERM without a handler
    assert pm.runtime.stop_container(HANDLER, container_id, 1) is True
    assert pm.runtime.remove_container(HANDLER, container_id) is True
    assert pm.runtime.remove_container(HANDLER, container_id) is True
    assert pm.runtime.stop_container(HANDLER, "e" * 64, 0) is True
    with pytest.raises(podkit.NotFoundError):
        pm.runtime.container_status(HANDLER, container_id)


def test_removing_the_sandbox_removes_its_running_containers(busybox_env):
    sandbox_id, container_id = _run(busybox_env, "/bin/sleep", "1000")
    record = busybox_env.plugin.containers.records[container_id]
    observed = busybox_env.plugin.containers.observe(container_id)
    assert _proc.is_alive(observed.pid, observed.pid_start)
    busybox_env.pm.runtime.remove_pod_sandbox(HANDLER, sandbox_id)
    assert not _proc.is_alive(observed.pid, observed.pid_start)
    assert not _proc.is_alive(observed.monitor_pid, observed.monitor_start)
    assert not any(d.exists() for d in busybox_env.plugin.cgroups.dirs(record.cgroup))
    assert not busybox_env.plugin.layout.layer_dir(container_id).exists()


def test_a_missing_executable_fails_the_start_and_the_container_exits(busybox_env):
    pm = busybox_env.pm
    sandbox = sandbox_config("noexec", log_directory=str(busybox_env.log_dir))
    sandbox_id = pm.runtime.run_pod_sandbox(HANDLER, sandbox)
    config = container_config("/no/such/binary")
    container_id = pm.runtime.create_container(HANDLER, sandbox_id, config, sandbox)
    with pytest.raises(podkit.InvalidArgumentError, match="no/such/binary"):
        pm.runtime.start_container(HANDLER, container_id)
    status = pm.runtime.container_status(HANDLER, container_id).status
    assert status.state is ContainerState.CONTAINER_EXITED
    assert status.reason == "StartError"
    with pytest.raises(podkit.FailedPreconditionError):
        pm.runtime.start_container(HANDLER, container_id)


def test_bind_mounts_are_mounted_readonly_when_asked(busybox_env, tmp_path):
    shared = tmp_path / "pkr-shared"
    shared.mkdir()
    (shared / "in").write_text("from the host\n")
    mounts = (Mount(container_path="/data", host_path=str(shared), readonly=True),)
    script = "cat /data/in; touch /data/new || echo refused"
    _, container_id = _run(busybox_env, "/bin/sh", "-c", script, name="mnt", mounts=mounts)
    _wait_exited(busybox_env.pm, container_id)
    out = [content for stream, _, content in _log_lines(busybox_env, "mnt") if stream == "stdout"]
    assert out == ["from the host", "refused"]
    assert not (shared / "new").exists()


def test_exec_sync_runs_in_the_container_and_times_out(busybox_env):
    pm = busybox_env.pm
    _, container_id = _run(busybox_env, "/bin/sleep", "1000", name="exec")
    result = pm.runtime.exec_sync(
        HANDLER, container_id, ("/bin/sh", "-c", "hostname; echo err >&2; exit 4"), 10
    )
    assert (result.stdout, result.stderr, result.exit_code) == (b"pkr-exec\n", b"err\n", 4)
    result = pm.runtime.exec_sync(HANDLER, container_id, ("/bin/sh", "-c", "ps -o pid"), 10)
    assert result.stdout.split()[1] == b"1"
    with pytest.raises(podkit.DeadlineExceededError):
        pm.runtime.exec_sync(HANDLER, container_id, ("/bin/sleep", "30"), 1)
    with pytest.raises(podkit.InvalidArgumentError):
        pm.runtime.exec_sync(HANDLER, container_id, ("/no/such",), 10)


_AGENT = """
import json, sys, time
from pathlib import Path
from podkit.plugins.runtime import NamespaceRuntime
from pkr_helpers import container_config, sandbox_config
args = json.loads(sys.argv[1])
plugin = NamespaceRuntime(
    "namespace", state_dir=Path(args["state"]), root_dir=Path(args["root"]),
    cgroup_parent=args["cgroup"],
)
sandbox = sandbox_config("agent", log_directory=args["logs"])
sandbox_id = plugin.runtime_run_pod_sandbox("namespace", sandbox)
config = container_config("/bin/sh", "-c", "echo up; exec sleep 1000", name="agent")
container_id = plugin.runtime_create_container("namespace", sandbox_id, config, sandbox)
plugin.runtime_start_container(container_id)
print(json.dumps([sandbox_id, container_id]), flush=True)
time.sleep(1000)
"""


def test_a_container_outlives_its_agent_and_is_readopted(busybox_env):
    env = busybox_env
    args = {
        "state": str(env.state_dir),
        "root": str(env.root_dir),
        "cgroup": env.cgroup_parent,
        "logs": str(env.log_dir),
    }
    agent = subprocess.Popen(
        [sys.executable, "-c", _AGENT, json.dumps(args)],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).parent,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)},
    )
    try:
        sandbox_id, container_id = json.loads(agent.stdout.readline())
    finally:
        agent.kill()  # SIGKILL: no cleanup in the agent
        agent.wait()
        agent.stdout.close()
    fresh = env.new_plugin()
    status = fresh.runtime_container_status(container_id, verbose=False).status
    assert status.state is ContainerState.CONTAINER_RUNNING
    observed = fresh.containers.observe(container_id)
    rss_kib = int(
        next(
            line.split()[1]
            for line in Path(f"/proc/{observed.monitor_pid}/status").read_text().splitlines()
            if line.startswith("VmRSS:")
        )
    )
    assert rss_kib < 64 * 1024
    fresh.runtime_stop_container(container_id, 0)
    status = fresh.runtime_container_status(container_id, verbose=False).status
    assert status.state is ContainerState.CONTAINER_EXITED
    assert status.exit_code == 128 + signal.SIGKILL
    assert ("stdout", "F", "up") in _log_lines(env, "agent")
    fresh.runtime_remove_pod_sandbox(sandbox_id)


def test_an_exit_recorded_while_no_agent_ran_is_reported_after_restart(busybox_env):
    _, container_id = _run(busybox_env, "/bin/sh", "-c", "exit 7", name="gone")
    _wait_exited(busybox_env.pm, container_id)
    fresh = busybox_env.new_plugin()
    status = fresh.runtime_container_status(container_id, verbose=False).status
    assert (status.state, status.exit_code) == (ContainerState.CONTAINER_EXITED, 7)


def test_create_needs_a_ready_sandbox_a_known_image_and_existing_host_paths(busybox_env):
    pm = busybox_env.pm
    sandbox = sandbox_config("pre", log_directory=str(busybox_env.log_dir))
    sandbox_id = pm.runtime.run_pod_sandbox(HANDLER, sandbox)
    with pytest.raises(podkit.NotFoundError):
        pm.runtime.create_container(HANDLER, "d" * 64, container_config("/bin/true"), sandbox)
    absent = attrs.evolve(container_config("/bin/true"), image=ImageSpec(image="pkr-absent"))
    with pytest.raises(podkit.NotFoundError):
        pm.runtime.create_container(HANDLER, sandbox_id, absent, sandbox)
    mounts = (Mount(container_path="/x", host_path="/pkr/no/such/path"),)
    with pytest.raises(podkit.NotFoundError, match="/pkr/no/such/path"):
        pm.runtime.create_container(
            HANDLER, sandbox_id, container_config("/bin/true", mounts=mounts), sandbox
        )
    created = pm.runtime.create_container(
        HANDLER, sandbox_id, container_config("/bin/true"), sandbox
    )
    with pytest.raises(podkit.AlreadyExistsError):
        pm.runtime.create_container(HANDLER, sandbox_id, container_config("/bin/true"), sandbox)
    pm.runtime.stop_pod_sandbox(HANDLER, sandbox_id)
    with pytest.raises(podkit.FailedPreconditionError):
        pm.runtime.start_container(HANDLER, created)
    with pytest.raises(podkit.FailedPreconditionError):
        pm.runtime.create_container(
            HANDLER, sandbox_id, container_config("/bin/true", name="late"), sandbox
        )
    assert list(busybox_env.plugin.containers.records) == [created]

"""The runtime on a cgroup v2 tree: containers join it, exec joins it, stop and removal empty it.

This machine's kind has its controllers on cgroup v1, but it mounts the
unified hierarchy too (``/sys/fs/cgroup/unified``, no controllers): a
process is in one cgroup of it besides its v1 ones. A runtime given that
tree as its v2 root (``Cgroups(v2=...)``) takes the v2 paths of every step
(the monitor moves the init through ``cgroup.procs`` while it builds the
root; ExecSync's process joins by ``cgroup.procs``; removal reads
``cgroup.procs`` to kill); only the limits have no files to land in.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pkr_helpers import HANDLER, RuntimeEnv, container_config, sandbox_config

from podkit.models.runtime import ContainerState
from podkit.plugins.runtime._cgroups import Cgroups
from podkit.testing import sweep_cgroups

pytestmark = [pytest.mark.root, pytest.mark.netns]

UNIFIED = Path("/sys/fs/cgroup/unified")


@pytest.fixture
def v2_env(tmp_path, tmp_state_dir, busybox_image):
    if not (UNIFIED / "cgroup.procs").exists():
        pytest.skip("no cgroup2 hierarchy at /sys/fs/cgroup/unified")
    env = RuntimeEnv(tmp_path, tmp_state_dir, cgroups=Cgroups(v2=UNIFIED))
    try:
        env.import_busybox(busybox_image.path)
        yield env
    finally:
        env.cleanup()
        sweep_cgroups([UNIFIED / env.cgroup_parent])


def _v2_cgroup_of(pid: int) -> str:
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        if line.startswith("0::"):
            return line[3:]
    return ""


def _wait_exited(env, container_id: str) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = env.pm.runtime.container_status(HANDLER, container_id).status
        if status.state is ContainerState.CONTAINER_EXITED:
            return status.exit_code
        time.sleep(0.02)
    pytest.fail(f"{container_id} did not exit")


def test_a_container_and_its_exec_run_in_its_v2_cgroup_which_removal_takes_away(v2_env):
    env = v2_env
    sandbox = sandbox_config("v2", log_directory=str(env.log_dir))
    sandbox_id = env.pm.runtime.run_pod_sandbox(HANDLER, sandbox)
    config = container_config("/bin/sleep", "300", name="v2")
    container_id = env.pm.runtime.create_container(HANDLER, sandbox_id, config, sandbox)
    env.pm.runtime.start_container(HANDLER, container_id)
    record = env.plugin.containers.records[container_id]
    pid = env.plugin.containers.observe(container_id).pid
    assert _v2_cgroup_of(pid) == f"/{record.cgroup}"
    assert env.plugin.cgroups.pids(record.cgroup) == {pid}
    # ExecSync's process joins the same cgroup before it runs the command.
    result = env.pm.runtime.exec_sync(HANDLER, container_id, ("cat", "/proc/self/cgroup"), 10)
    assert result.exit_code == 0, result
    assert f"0::/{record.cgroup}" in result.stdout.decode()
    stats = env.pm.runtime.container_stats(HANDLER, container_id)
    assert stats.attributes.id == container_id
    env.pm.runtime.stop_container(HANDLER, container_id, 0)
    assert _wait_exited(env, container_id) == 137
    assert env.plugin.cgroups.pids(record.cgroup) == set()
    sandbox_cgroup = env.plugin.sandboxes.records[sandbox_id].cgroup
    env.pm.runtime.remove_pod_sandbox(HANDLER, sandbox_id)
    assert not (UNIFIED / record.cgroup).exists()
    assert not (UNIFIED / sandbox_cgroup).exists()


def test_a_container_that_exits_on_v2_reports_its_code(v2_env):
    env = v2_env
    sandbox = sandbox_config("v2x", log_directory=str(env.log_dir))
    sandbox_id = env.pm.runtime.run_pod_sandbox(HANDLER, sandbox)
    config = container_config("/bin/sh", "-c", "exit 7", name="v2x")
    container_id = env.pm.runtime.create_container(HANDLER, sandbox_id, config, sandbox)
    env.pm.runtime.start_container(HANDLER, container_id)
    assert _wait_exited(env, container_id) == 7
    cgroup = env.plugin.containers.records[container_id].cgroup
    env.pm.runtime.remove_pod_sandbox(HANDLER, sandbox_id)
    assert not (UNIFIED / cgroup).exists()

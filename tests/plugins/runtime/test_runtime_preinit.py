"""The init forked in advance, the atomic run-time files and the cloned cpusets of a start."""

from __future__ import annotations

import os
import signal
import stat
import time
from pathlib import Path

import pytest
from pkr_helpers import HANDLER, container_config, sandbox_config

from podkit.models.runtime import (
    ContainerState,
    LinuxContainerConfig,
    LinuxContainerSecurityContext,
    NamespaceMode,
    NamespaceOption,
)
from podkit.plugins.runtime import _atomicfile, _proc

RUNNING = ContainerState.CONTAINER_RUNNING


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat_fields(int(entry.name))[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError):
                continue
    return found


def _comm(pid: int) -> str:
    return Path(f"/proc/{pid}/comm").read_text().strip()


def _nspid(pid: int) -> list[str]:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("NSpid:"):
            return line.split()[1:]
    return []


def _spare_and_preinit(state_dir: Path) -> tuple[int, int]:
    """The spare of the zygote serving ``state_dir``, and its waiting init (0 when none)."""

    def find() -> tuple[int, int] | None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes()
                comm = (entry / "comm").read_text().strip()
            except OSError:
                continue
            if comm == "podkit-spare" and bytes(state_dir) in argv:
                waiting = [c for c in _children(int(entry.name)) if _comm(c) == "podkit-preinit"]
                if waiting:
                    return int(entry.name), waiting[0]
        return None

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if found := find():
            return found
        time.sleep(0.01)
    return 0, 0


def _run(env, name: str, pid_mode: NamespaceMode, *command: str) -> tuple[str, str]:
    sandbox = sandbox_config(name, log_directory=str(env.log_dir))
    sandbox_id = env.pm.runtime.run_pod_sandbox(HANDLER, sandbox)
    context = LinuxContainerSecurityContext(namespace_options=NamespaceOption(pid=pid_mode))
    config = container_config(
        *(command or ("/bin/sleep", "300")),
        name=name,
        linux=LinuxContainerConfig(security_context=context),
    )
    container_id = env.pm.runtime.create_container(HANDLER, sandbox_id, config, sandbox)
    env.pm.runtime.start_container(HANDLER, container_id)
    return sandbox_id, container_id


@pytest.mark.root
@pytest.mark.netns
def test_a_container_of_its_own_pid_namespace_gets_the_waiting_init(busybox_env):
    env = busybox_env
    _run(env, "pre0", NamespaceMode.CONTAINER)  # starts the zygote
    spare, waiting = _spare_and_preinit(env.state_dir)
    assert waiting, "the spare forks an init in advance"
    assert _nspid(waiting)[-1] == "1", "PID 1 of a PID namespace of its own"
    _, container_id = _run(env, "pre1", NamespaceMode.CONTAINER)
    observed = env.plugin.containers.observe(container_id)
    assert observed.state is RUNNING
    assert (observed.monitor_pid, observed.pid) == (spare, waiting)
    assert _comm(observed.pid) == "sleep"
    assert os.getsid(observed.pid) == observed.pid  # a session of its own
    cgroup = env.plugin.containers.records[container_id].cgroup
    procs = env.plugin.cgroups.pids(cgroup)
    assert observed.pid in procs


@pytest.mark.root
@pytest.mark.netns
def test_another_pid_namespace_discards_the_waiting_init_and_leaves_no_zombie(busybox_env):
    env = busybox_env
    _run(env, "dis0", NamespaceMode.CONTAINER)
    spare, waiting = _spare_and_preinit(env.state_dir)
    waiting_start = _proc.start_time(waiting) or 0
    _, container_id = _run(env, "dis1", NamespaceMode.NODE)
    observed = env.plugin.containers.observe(container_id)
    assert observed.state is RUNNING
    assert observed.monitor_pid == spare
    assert observed.pid != waiting
    assert _nspid(observed.pid) == [str(observed.pid)], "in the node's PID namespace"
    assert not _proc.is_alive(waiting, waiting_start), "discarded before the monitor ran"
    assert _children(spare) == [observed.pid], "no zombie of the waiting init"


@pytest.mark.root
@pytest.mark.netns
def test_the_waiting_init_goes_with_its_zygote(busybox_env):
    env = busybox_env
    sandbox_id, _ = _run(env, "gone0", NamespaceMode.CONTAINER)
    _, waiting = _spare_and_preinit(env.state_dir)
    waiting_start = _proc.start_time(waiting) or 0
    env.pm.runtime.remove_pod_sandbox(HANDLER, sandbox_id)  # the last container: retired
    assert not _proc.is_alive(waiting, waiting_start)


@pytest.mark.root
@pytest.mark.netns
def test_the_waiting_init_dies_with_a_killed_zygote(busybox_env):
    env = busybox_env
    _run(env, "killed0", NamespaceMode.CONTAINER)
    spare, waiting = _spare_and_preinit(env.state_dir)
    waiting_start = _proc.start_time(waiting) or 0
    zygote = int(_stat_fields(spare)[1])
    assert _comm(zygote) == "podkit-zygote"
    os.kill(zygote, signal.SIGKILL)
    assert _proc.wait_for(lambda: not _proc.is_alive(waiting, waiting_start), 10.0)


@pytest.mark.root
@pytest.mark.netns
def test_a_container_cgroup_gets_its_sandboxs_cpuset_from_the_kernel(busybox_env):
    env = busybox_env
    if env.plugin.cgroups.version != 1 or "cpuset" not in env.plugin.cgroups.v1:
        pytest.skip("cgroup v1 cpuset only")
    sandbox_id, container_id = _run(env, "cpus", NamespaceMode.CONTAINER)
    sandbox_cgroup = env.plugin.sandboxes.records[sandbox_id].cgroup
    cgroup = env.plugin.containers.records[container_id].cgroup
    read = env.plugin.cgroups.read
    assert read(sandbox_cgroup, "cpuset", "cgroup.clone_children").strip() == "1"
    # ...and so is the plugin's cgroup parent: sandboxes get theirs from the kernel too.
    parent = sandbox_cgroup.rpartition("/")[0]
    assert read(parent, "cpuset", "cgroup.clone_children").strip() == "1"
    for name in ("cpuset.cpus", "cpuset.mems"):
        assert read(cgroup, "cpuset", name).strip()
        assert read(cgroup, "cpuset", name) == read(sandbox_cgroup, "cpuset", name)


def test_a_run_time_file_is_replaced_whole_with_its_mode_and_no_temporary(tmp_path):
    target = tmp_path / "started.json"
    _atomicfile.replace(target, b"old")
    _atomicfile.replace(target, b'{"new": 1}', mode=0o644)
    assert target.read_bytes() == b'{"new": 1}'
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["started.json"]
    with pytest.raises(FileNotFoundError):
        _atomicfile.replace(tmp_path / "missing" / "f.json", b"x")
    assert not (tmp_path / "missing").exists()

"""The monitor zygote: shared, found again, replaced, restarted, refused, and gone when idle."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
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
from podkit.plugins.runtime import _proc
from podkit.plugins.runtime._spawner import MonitorSpawner
from podkit.plugins.runtime._zygote import socket_address

pytestmark = [pytest.mark.root, pytest.mark.netns]

RUNNING = ContainerState.CONTAINER_RUNNING
EXITED = ContainerState.CONTAINER_EXITED


def _start(env, name: str, *command: str) -> tuple[str, str]:
    sandbox = sandbox_config(name, log_directory=str(env.log_dir))
    sandbox_id = env.pm.runtime.run_pod_sandbox(HANDLER, sandbox)
    config = container_config(*(command or ("/bin/sleep", "300")), name=name)
    container_id = env.pm.runtime.create_container(HANDLER, sandbox_id, config, sandbox)
    env.pm.runtime.start_container(HANDLER, container_id)
    return sandbox_id, container_id


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def _comm(pid: int) -> str:
    return Path(f"/proc/{pid}/comm").read_text().strip()


def _sockets(env) -> list[Path]:
    return sorted(env.state_dir.glob("zygote-*.sock"))


def _wait_gone(pid: int, start: int) -> bool:
    return _proc.wait_for(lambda: not _proc.is_alive(pid, start), 10.0)


def _zygote_of(env, container_id: str) -> tuple[int, int]:
    monitor = env.plugin.containers.observe(container_id).monitor_pid
    zygote = _parent(monitor)
    return zygote, _proc.start_time(zygote) or 0


def test_one_zygote_forks_every_monitor_and_goes_with_the_last_container(busybox_env):
    env = busybox_env
    first_sandbox, first = _start(env, "z1")
    second_sandbox, second = _start(env, "z2")
    zygote, zygote_start = _zygote_of(env, first)
    assert _zygote_of(env, second) == (zygote, zygote_start)
    assert _comm(zygote) == "podkit-zygote"
    assert _comm(env.plugin.containers.observe(first).monitor_pid) == "podkit-monitor"
    assert _parent(zygote) != os.getpid()  # nobody's child: the agent's death leaves it
    assert os.getsid(zygote) != os.getsid(0)  # a session of its own, not the agent's
    assert [p.name for p in _sockets(env)] == [env.plugin.containers.spawner.socket_path.name]
    assert _sockets(env)[0].stat().st_mode & 0o777 == 0o600

    env.pm.runtime.remove_pod_sandbox(HANDLER, first_sandbox)
    assert _proc.is_alive(zygote, zygote_start), "a container is left: the zygote stays"
    env.pm.runtime.remove_pod_sandbox(HANDLER, second_sandbox)
    assert _wait_gone(zygote, zygote_start)
    assert _sockets(env) == []


def test_a_restarted_agent_uses_the_zygote_again(busybox_env):
    env = busybox_env
    _, first = _start(env, "again1")
    zygote = _zygote_of(env, first)
    env.plugin = env.new_plugin()  # as after a restart of the agent
    env.pm.unregister(name="namespace-runtime")
    env.pm.register(env.plugin, name="namespace-runtime", kind="runtime")
    _, second = _start(env, "again2")
    assert _zygote_of(env, second) == zygote


def test_a_killed_zygote_is_replaced_and_its_monitors_live_on(busybox_env):
    env = busybox_env
    _, first = _start(env, "killed1")
    zygote, zygote_start = _zygote_of(env, first)
    os.kill(zygote, signal.SIGKILL)
    assert _wait_gone(zygote, zygote_start)
    assert len(_sockets(env)) == 1  # stale: nobody listens on it
    _, second = _start(env, "killed2")
    assert _zygote_of(env, second)[0] != zygote
    assert env.pm.runtime.container_status(HANDLER, first).status.state is RUNNING
    env.pm.runtime.stop_container(HANDLER, first, 0)
    status = env.pm.runtime.container_status(HANDLER, first).status
    assert (status.state, status.exit_code) == (ContainerState.CONTAINER_EXITED, 137)


def test_a_zygote_of_other_code_is_retired_and_its_monitors_live_on(busybox_env):
    env = busybox_env
    spawner = env.plugin.containers.spawner
    current = spawner.socket_path
    spawner.socket_path = current.with_name("zygote-0000000000000000.sock")  # "old code"
    _, old = _start(env, "old")
    old_zygote, old_start = _zygote_of(env, old)
    spawner.socket_path = current
    _, new = _start(env, "new")
    assert _wait_gone(old_zygote, old_start)
    assert _sockets(env) == [current]
    assert _zygote_of(env, new)[0] != old_zygote
    assert env.pm.runtime.container_status(HANDLER, old).status.state is RUNNING


def test_the_zygote_refuses_directories_that_are_not_its_containers(busybox_env):
    env = busybox_env
    _start(env, "refuse")
    for directory in ("/etc", str(env.state_dir / "sandboxes" / "x"), "relative"):
        with socket.socket(socket.AF_UNIX) as conn:
            with socket_address(env.plugin.containers.spawner.socket_path) as address:
                conn.connect(address)
            conn.sendall(json.dumps({"start": directory}).encode() + b"\n")
            reply = json.loads(conn.makefile("rb").readline())
        assert "refuses" in reply["error"]


def test_containers_start_at_once_from_many_threads(busybox_env):
    env = busybox_env
    failures: list[BaseException] = []
    ids: list[str] = []

    def one(i: int) -> None:
        try:
            ids.append(_start(env, f"par{i}", "/bin/sh", "-c", f"exit {i}")[1])
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    deadline = time.monotonic() + 20
    codes = set()
    for container_id in ids:
        while time.monotonic() < deadline:
            status = env.pm.runtime.container_status(HANDLER, container_id).status
            if status.state is ContainerState.CONTAINER_EXITED:
                codes.add(status.exit_code)
                break
            time.sleep(0.02)
    assert codes == set(range(8))


def test_a_spawner_on_an_empty_state_dir_retires_nothing_and_leaves_nothing(tmp_state_dir):
    spawner = MonitorSpawner(tmp_state_dir)
    spawner.retire()
    assert list(tmp_state_dir.iterdir()) == []


def _pid_seen_inside(env, name: str, mode: NamespaceMode) -> str:
    sandbox = sandbox_config(name, log_directory=str(env.log_dir))
    sandbox_id = env.pm.runtime.run_pod_sandbox(HANDLER, sandbox)
    context = LinuxContainerSecurityContext(namespace_options=NamespaceOption(pid=mode))
    config = container_config(
        "/bin/sh",
        "-c",
        "echo $$",
        name=name,
        linux=LinuxContainerConfig(security_context=context),
    )
    container_id = env.pm.runtime.create_container(HANDLER, sandbox_id, config, sandbox)
    env.pm.runtime.start_container(HANDLER, container_id)
    deadline = time.monotonic() + 20
    while env.pm.runtime.container_status(HANDLER, container_id).status.state is not EXITED:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    line = (env.log_dir / name / "0.log").read_text().splitlines()[0]
    return line.split(" ", 3)[3]


def test_a_pid_namespace_of_its_own_or_the_nodes_one_after_the_other(busybox_env):
    """A spare monitor serves either kind of PID namespace, whatever came before."""
    env = busybox_env
    assert _pid_seen_inside(env, "own1", NamespaceMode.CONTAINER) == "1"
    assert _pid_seen_inside(env, "node", NamespaceMode.NODE) != "1"
    assert _pid_seen_inside(env, "own2", NamespaceMode.CONTAINER) == "1"

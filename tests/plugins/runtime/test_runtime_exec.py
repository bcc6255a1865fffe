"""ExecSync through the zygote: no interpreter per exec, same process settings, same deadline."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from pkr_helpers import HANDLER, container_config, sandbox_config

import podkit
from podkit.models.runtime import (
    Capability,
    ContainerState,
    LinuxContainerConfig,
    LinuxContainerSecurityContext,
)
from podkit.plugins.runtime._zygote import socket_address

pytestmark = [pytest.mark.root, pytest.mark.netns]


def _start(env, name: str, config=None) -> str:
    sandbox = sandbox_config(name, log_directory=str(env.log_dir))
    sandbox_id = env.pm.runtime.run_pod_sandbox(HANDLER, sandbox)
    config = config or container_config("/bin/sleep", "300", name=name)
    container_id = env.pm.runtime.create_container(HANDLER, sandbox_id, config, sandbox)
    env.pm.runtime.start_container(HANDLER, container_id)
    return container_id


def _stat(pid: int) -> tuple[str, int]:
    stat = Path(f"/proc/{pid}/stat").read_text()
    comm = stat[stat.index("(") + 1 : stat.rindex(")")]
    return comm, int(stat[stat.rindex(")") + 2 :].split()[1])


def _processes_named(name: str) -> list[tuple[int, int]]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                comm, parent = _stat(int(entry.name))
            except (OSError, ValueError):
                continue
            if comm == name:
                found.append((int(entry.name), parent))
    return found


def test_the_exec_process_is_forked_by_the_zygote_not_a_new_interpreter(busybox_env):
    env = busybox_env
    container_id = _start(env, "xz")
    monitor = env.plugin.containers.observe(container_id).monitor_pid
    zygote = _stat(monitor)[1]
    before = {pid for pid, _ in _processes_named("podkit-exec")}
    results = []
    thread = threading.Thread(
        target=lambda: results.append(
            env.pm.runtime.exec_sync(HANDLER, container_id, ("/bin/sleep", "2"), 10)
        )
    )
    thread.start()
    seen: list[tuple[int, int]] = []
    deadline = time.monotonic() + 10
    while not seen and thread.is_alive() and time.monotonic() < deadline:
        seen = [p for p in _processes_named("podkit-exec") if p[0] not in before]
        time.sleep(0.02)
    # The command's process bears the name too until its execve: leave it out.
    execs = [p for p in seen if p[1] not in {pid for pid, _ in seen}]
    sessions = [os.getsid(pid) for pid, _ in execs]  # the command sleeps 2 s: still there
    thread.join()
    assert [parent for _, parent in execs] == [zygote]
    assert sessions == [execs[0][0]]  # a session of its own, not the zygote's
    assert results[0].exit_code == 0


def test_exec_keeps_the_containers_capabilities_and_no_new_privs(busybox_env):
    env = busybox_env
    context = LinuxContainerSecurityContext(
        capabilities=Capability(drop_capabilities=("ALL",), add_capabilities=("CHOWN",)),
        no_new_privs=True,
    )
    config = container_config(
        "/bin/sleep", "300", name="xc", linux=LinuxContainerConfig(security_context=context)
    )
    container_id = _start(env, "xc", config)
    script = "grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status /proc/1/status"
    result = env.pm.runtime.exec_sync(HANDLER, container_id, ("/bin/sh", "-c", script), 10)
    assert result.exit_code == 0, result
    mine, init = {}, {}
    for line in result.stdout.decode().splitlines():
        path, _, field = line.partition(":")
        key, _, value = field.partition(":")
        (mine if "self" in path else init)[key] = value.strip()
    assert mine == init
    assert mine["NoNewPrivs"] == "1"
    assert mine["CapEff"] == "0000000000000001"  # CAP_CHOWN alone


def test_exec_exit_by_signal_timeout_and_a_missing_command(busybox_env):
    env = busybox_env
    container_id = _start(env, "xs")
    run = env.pm.runtime.exec_sync
    assert run(HANDLER, container_id, ("/bin/sh", "-c", "kill -9 $$"), 10).exit_code == 137
    begin = time.monotonic()
    with pytest.raises(podkit.DeadlineExceededError):
        run(HANDLER, container_id, ("/bin/sh", "-c", "sleep 41 & sleep 42"), 1)
    assert time.monotonic() - begin < 10
    deadline = time.monotonic() + 10
    while _processes_named("podkit-exec") and time.monotonic() < deadline:
        time.sleep(0.02)
    ps = run(HANDLER, container_id, ("ps", "-o", "args"), 10).stdout
    assert b"sleep 4" not in ps, ps
    with pytest.raises(podkit.InvalidArgumentError, match="no/such"):
        run(HANDLER, container_id, ("/no/such",), 10)
    # A background process holding the pipes does not hold the call.
    result = run(HANDLER, container_id, ("/bin/sh", "-c", "echo hi; sleep 5 &"), 10)
    assert (result.stdout, result.exit_code) == (b"hi\n", 0)
    status = env.pm.runtime.container_status(HANDLER, container_id).status
    assert status.state is ContainerState.CONTAINER_RUNNING


def test_exec_leaks_no_descriptor_into_the_command(busybox_env):
    env = busybox_env
    container_id = _start(env, "xf")
    result = env.pm.runtime.exec_sync(HANDLER, container_id, ("ls", "/proc/self/fd"), 10)
    assert result.exit_code == 0, result
    assert result.stdout.split() == [b"0", b"1", b"2", b"3"]  # 3: ls's own directory
    stdin = env.pm.runtime.exec_sync(HANDLER, container_id, ("readlink", "/proc/self/fd/0"), 10)
    assert stdin.stdout == b"/dev/null\n"


def test_the_zygote_refuses_a_malformed_exec_request(busybox_env):
    env = busybox_env
    _start(env, "xr")
    requests = (
        {"exec": {"pid": 1, "args": ["/bin/true"], "cgroup_procs": [], "process": {}}},  # no fds
        {"exec": {"pid": 1, "args": [], "cgroup_procs": [], "process": {}}},
        {"exec": {"pid": 1, "args": ["x"], "cgroup_procs": ["/etc/passwd"], "process": {}}},
    )
    for i, request in enumerate(requests):
        r, w = os.pipe()
        try:
            with socket.socket(socket.AF_UNIX) as conn:
                with socket_address(env.plugin.containers.spawner.socket_path) as address:
                    conn.connect(address)
                fds = [w, w] if i else []
                socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], fds)
                reply = json.loads(conn.makefile("rb").readline())
        finally:
            os.close(r)
            os.close(w)
        assert "refuses" in reply["failed"]


def test_a_long_exec_does_not_hold_back_the_next_request(busybox_env):
    # The spare that became the long exec tells the zygote it was taken as soon
    # as another request waits (the handoff), not when its command exits.
    env = busybox_env
    container_id = _start(env, "xl")
    outcome: list[object] = []

    def long_exec() -> None:
        try:
            outcome.append(
                env.pm.runtime.exec_sync(HANDLER, container_id, ("/bin/sleep", "30"), 60)
            )
        except BaseException as exc:  # noqa: BLE001 - checked below
            outcome.append(exc)

    thread = threading.Thread(target=long_exec)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not _processes_named("podkit-exec") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _processes_named("podkit-exec")
        result = env.pm.runtime.exec_sync(HANDLER, container_id, ("echo", "meanwhile"), 10)
        assert (result.stdout, result.exit_code) == (b"meanwhile\n", 0)
        other = _start(env, "xl2", container_config("/bin/true", name="xl2"))
        assert env.pm.runtime.container_status(HANDLER, other).status.state in {
            ContainerState.CONTAINER_RUNNING,
            ContainerState.CONTAINER_EXITED,
        }
        assert thread.is_alive()  # the long exec still runs
    finally:
        env.pm.runtime.stop_container(HANDLER, container_id, 0)  # ends the sleep
        thread.join(30)
    assert not thread.is_alive()
    assert len(outcome) == 1

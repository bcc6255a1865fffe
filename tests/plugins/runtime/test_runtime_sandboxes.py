"""NamespaceRuntime sandboxes: RunPodSandbox to ListPodSandbox, on the real kernel."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest
from pkr_helpers import HANDLER, sandbox_config

import podkit
from podkit.models.runtime import (
    RUNTIME_READY,
    DNSConfig,
    NamespaceMode,
    NamespaceOption,
    PodSandboxFilter,
    PodSandboxState,
    UserNamespace,
)
from podkit.plugins.runtime import _namespaces, _proc, _syscalls

pytestmark = [pytest.mark.root, pytest.mark.netns]


def _inode(path: str) -> int:
    return Path(path).stat().st_ino


def _hostname_in(uts_path: str) -> str:
    result: list[str] = []

    def work() -> None:
        _syscalls.setns_path(uts_path, _syscalls.CLONE_NEWUTS)
        result.append(socket.gethostname())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return result[0]


def test_version_and_status_answer_for_the_handler(runtime_env):
    version = runtime_env.pm.runtime.version(HANDLER, "0.1.0")
    assert version.runtime_api_version == "v1"
    assert version.runtime_name
    status = runtime_env.pm.runtime.status(HANDLER)
    ready = [c for c in status.status.conditions if c.type == RUNTIME_READY]
    assert ready
    assert ready[0].status


def test_a_sandbox_runs_reports_its_status_lists_stops_and_is_removed(runtime_env):
    pm = runtime_env.pm
    config = sandbox_config(labels={"app": "pkr"}, annotations={"note": "x"})
    sandbox_id = pm.runtime.run_pod_sandbox(HANDLER, config)
    assert len(sandbox_id) == 64

    status = pm.runtime.pod_sandbox_status(HANDLER, sandbox_id).status
    assert status.state is PodSandboxState.SANDBOX_READY
    assert status.created_at > 0
    assert status.metadata == config.metadata
    assert dict(status.labels) == {"app": "pkr"}
    assert dict(status.annotations) == {"note": "x"}
    assert status.runtime_handler == HANDLER
    assert status.network is None
    netns = status.linux.namespaces.network_path
    assert Path(netns).is_file()

    everything = pm.runtime.list_pod_sandbox(HANDLER, PodSandboxFilter())
    assert [s.id for s in everything] == [sandbox_id]
    assert pm.runtime.list_pod_sandbox(HANDLER, PodSandboxFilter(id="nope")) == ()
    by_label = PodSandboxFilter(label_selector={"app": "pkr"})
    assert len(pm.runtime.list_pod_sandbox(HANDLER, by_label)) == 1
    other_label = PodSandboxFilter(label_selector={"app": "other"})
    assert pm.runtime.list_pod_sandbox(HANDLER, other_label) == ()

    assert pm.runtime.stop_pod_sandbox(HANDLER, sandbox_id) is True
    status = pm.runtime.pod_sandbox_status(HANDLER, sandbox_id).status
    assert status.state is PodSandboxState.SANDBOX_NOTREADY
    assert Path(netns).is_file(), "the netns stays until removal, for the network layer"
    ready = PodSandboxFilter(state=PodSandboxState.SANDBOX_READY)
    assert pm.runtime.list_pod_sandbox(HANDLER, ready) == ()

    assert pm.runtime.remove_pod_sandbox(HANDLER, sandbox_id) is True
    assert not Path(netns).exists()
    with pytest.raises(podkit.NotFoundError):
        pm.runtime.pod_sandbox_status(HANDLER, sandbox_id)


def test_the_namespaces_are_new_and_kept_by_bind_mounts(runtime_env):
    sandbox_id = runtime_env.pm.runtime.run_pod_sandbox(HANDLER, sandbox_config("ns"))
    record = runtime_env.plugin.sandboxes.records[sandbox_id]
    for name, path in (
        ("net", record.net_path),
        ("ipc", record.ipc_path),
        ("uts", record.uts_path),
    ):
        assert path.endswith(f"/ns/{name}")
        assert _inode(path) != _inode(f"/proc/self/ns/{name}")
    mounts = Path("/proc/self/mountinfo").read_text()
    assert record.net_path in mounts
    assert _hostname_in(record.uts_path) == "pkr-ns"
    assert socket.gethostname() != "pkr-ns"


def test_the_sandbox_files_follow_the_config(runtime_env):
    dns = DNSConfig(servers=("10.0.0.10",), searches=("pkr.svc",), options=("ndots:5",))
    config = sandbox_config("dns", dns_config=dns)
    sandbox_id = runtime_env.pm.runtime.run_pod_sandbox(HANDLER, config)
    directory = runtime_env.plugin.layout.sandbox_dir(sandbox_id)
    assert (directory / "hostname").read_text() == "pkr-dns\n"
    assert (directory / "resolv.conf").read_text() == (
        "search pkr.svc\nnameserver 10.0.0.10\noptions ndots:5\n"
    )
    assert "localhost" in (directory / "hosts").read_text()


def test_stop_and_remove_are_idempotent_also_for_unknown_ids(runtime_env):
    pm = runtime_env.pm
    sandbox_id = pm.runtime.run_pod_sandbox(HANDLER, sandbox_config())
    for _ in range(2):
        assert pm.runtime.stop_pod_sandbox(HANDLER, sandbox_id) is True
    for _ in range(2):
        assert pm.runtime.remove_pod_sandbox(HANDLER, sandbox_id) is True
    assert pm.runtime.stop_pod_sandbox(HANDLER, "f" * 64) is True
    assert pm.runtime.remove_pod_sandbox(HANDLER, "f" * 64) is True


def test_a_new_plugin_instance_finds_the_sandboxes_again(runtime_env):
    config = sandbox_config("again", labels={"k": "v"})
    sandbox_id = runtime_env.pm.runtime.run_pod_sandbox(HANDLER, config)
    before = runtime_env.plugin.runtime_pod_sandbox_status(sandbox_id, verbose=False)

    fresh = runtime_env.new_plugin()
    after = fresh.runtime_pod_sandbox_status(sandbox_id, verbose=False)
    assert after.status == before.status
    fresh.runtime_stop_pod_sandbox(sandbox_id)
    assert runtime_env.new_plugin().sandboxes.records[sandbox_id].state is (
        PodSandboxState.SANDBOX_NOTREADY
    )
    fresh.runtime_remove_pod_sandbox(sandbox_id)
    assert runtime_env.new_plugin().sandboxes.records == {}


def test_a_pod_on_the_node_network_gets_no_network_namespace(runtime_env):
    options = NamespaceOption(network=NamespaceMode.NODE, pid=NamespaceMode.CONTAINER)
    config = sandbox_config("hostnet", namespace_options=options, hostname="")
    sandbox_id = runtime_env.pm.runtime.run_pod_sandbox(HANDLER, config)
    status = runtime_env.pm.runtime.pod_sandbox_status(HANDLER, sandbox_id).status
    assert status.linux.namespaces.network_path == ""
    assert status.linux.namespaces.options.network is NamespaceMode.NODE
    directory = runtime_env.plugin.layout.sandbox_dir(sandbox_id)
    assert (directory / "hostname").read_text() == f"{socket.gethostname()}\n"


def test_a_shared_pid_namespace_has_an_init_until_the_sandbox_stops(runtime_env):
    config = sandbox_config("sharepid", namespace_options=NamespaceOption(pid=NamespaceMode.POD))
    sandbox_id = runtime_env.pm.runtime.run_pod_sandbox(HANDLER, config)
    record = runtime_env.plugin.sandboxes.records[sandbox_id]
    assert record.pid_init is not None
    assert _proc.is_alive(record.pid_init.pid, record.pid_init.start)
    assert _inode(record.pid_path) != _inode("/proc/self/ns/pid")
    # Forked by the monitor zygote (no interpreter started), in a session of its own.
    assert Path(f"/proc/{record.pid_init.pid}/comm").read_text() == "podkit-pidns\n"
    assert os.getsid(record.pid_init.pid) not in {os.getsid(0), record.pid_init.pid}
    fds = Path(f"/proc/{record.pid_init.pid}/fd")
    assert str((fds / "0").readlink()) == "/dev/null"
    assert sorted(fd.name for fd in fds.iterdir()) == ["0", "1", "2"]
    runtime_env.pm.runtime.stop_pod_sandbox(HANDLER, sandbox_id)
    assert not _proc.is_alive(record.pid_init.pid, record.pid_init.start)


def test_namespaced_sysctls_are_set_in_the_new_namespaces(runtime_env):
    sysctls = {"net.ipv4.ip_unprivileged_port_start": "0"}
    sandbox_id = runtime_env.pm.runtime.run_pod_sandbox(
        HANDLER, sandbox_config("sysctl", sysctls=sysctls)
    )
    record = runtime_env.plugin.sandboxes.records[sandbox_id]
    seen: list[str] = []

    def work() -> None:
        _syscalls.setns_path(record.net_path, _syscalls.CLONE_NEWNET)
        seen.append(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text().strip())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == ["0"]
    host = Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text().strip()
    assert host != "0" or seen == ["0"]


def test_bad_configs_are_refused_and_leave_nothing(runtime_env):
    pm = runtime_env.pm
    with pytest.raises(podkit.InvalidArgumentError, match=r"kernel\.panic"):
        pm.runtime.run_pod_sandbox(HANDLER, sandbox_config(sysctls={"kernel.panic": "1"}))
    userns = NamespaceOption(
        pid=NamespaceMode.CONTAINER, userns_options=UserNamespace(mode=NamespaceMode.POD)
    )
    with pytest.raises(podkit.UnimplementedError):
        pm.runtime.run_pod_sandbox(HANDLER, sandbox_config(namespace_options=userns))
    config = sandbox_config("twice")
    pm.runtime.run_pod_sandbox(HANDLER, config)
    with pytest.raises(podkit.AlreadyExistsError):
        pm.runtime.run_pod_sandbox(HANDLER, config)
    assert len(pm.runtime.list_pod_sandbox(HANDLER, PodSandboxFilter())) == 1


def test_a_new_instance_cleans_up_what_an_interrupted_run_left(runtime_env):
    directory = runtime_env.state_dir / "sandboxes" / ("0" * 64)
    paths = _namespaces.create_namespaces(directory / "ns", ("net", "uts"), "pkr-orphan", {})
    spawner = runtime_env.plugin.containers.spawner
    init, pid_path = _namespaces.start_pid_init(directory / "ns", spawner.start_pid_init)
    orphan_container = runtime_env.state_dir / "containers" / ("1" * 64)
    orphan_container.mkdir(parents=True)
    assert paths["net"] in Path("/proc/self/mountinfo").read_text()

    runtime_env.new_plugin()
    assert not directory.exists()
    assert not orphan_container.exists()
    assert paths["net"] not in Path("/proc/self/mountinfo").read_text()
    assert pid_path not in Path("/proc/self/mountinfo").read_text()
    assert _proc.wait_exit(init.pid, init.start, 5)


def test_a_sandbox_whose_network_namespace_is_lost_is_not_ready(runtime_env):
    sandbox_id = runtime_env.pm.runtime.run_pod_sandbox(HANDLER, sandbox_config("lost"))
    record = runtime_env.plugin.sandboxes.records[sandbox_id]
    _syscalls.umount2(record.net_path, _syscalls.MNT_DETACH)  # as after a reboot
    status = runtime_env.pm.runtime.pod_sandbox_status(HANDLER, sandbox_id).status
    assert status.state is PodSandboxState.SANDBOX_NOTREADY
    assert runtime_env.pm.runtime.remove_pod_sandbox(HANDLER, sandbox_id) is True

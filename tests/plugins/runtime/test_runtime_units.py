"""NamespaceRuntime pieces that need no root: process merge, CRI log, codec, paths, signals."""

from __future__ import annotations

import os
import select
import signal
import socket
import threading
from pathlib import Path

import pytest

import podkit
from podkit.models.runtime import (
    Capability,
    ContainerConfig,
    ContainerMetadata,
    DNSConfig,
    ImageSpec,
    KeyValue,
    LinuxContainerResources,
    LinuxContainerSecurityContext,
    Mount,
    PodSandboxConfig,
    PodSandboxMetadata,
    PortMapping,
    Signal,
)
from podkit.plugins.runtime import _codec, _dnsfiles, _init, _lifecycle, _limits, _logs, _process
from podkit.plugins.runtime._cgroups import Cgroups, shares_to_weight
from podkit.plugins.runtime._handoff import Handoff
from podkit.plugins.runtime._images import ImageRecord
from podkit.plugins.runtime._locks import Reservations, SandboxLocks

IMAGE = ImageRecord(
    id="sha256:" + "a" * 64,
    env=("PATH=/bin", "FOO=image"),
    entrypoint=("/entry",),
    cmd=("default",),
    user="",
)


def _config(**kwargs) -> ContainerConfig:
    return ContainerConfig(
        metadata=ContainerMetadata(name="c"), image=ImageSpec(image="x"), **kwargs
    )


@pytest.mark.parametrize(
    ("command", "args", "expected"),
    [
        ((), (), ["/entry", "default"]),
        ((), ("mine",), ["/entry", "mine"]),
        (("/bin/sh",), (), ["/bin/sh"]),
        (("/bin/sh",), ("-c", "x"), ["/bin/sh", "-c", "x"]),
    ],
)
def test_command_and_args_override_entrypoint_and_cmd_as_kubernetes_does(command, args, expected):
    assert _process.argv(_config(command=command, args=args), IMAGE) == expected


def test_no_command_at_all_is_invalid():
    with pytest.raises(podkit.InvalidArgumentError, match="no command"):
        _process.argv(_config(), ImageRecord(id=IMAGE.id))


def test_the_environment_is_hostname_then_image_then_config():
    env = _process.environment(
        _config(envs=(KeyValue("FOO", "mine"), KeyValue("NEW", "1"))), IMAGE, "h"
    )
    assert env == ["HOSTNAME=h", "PATH=/bin", "FOO=mine", "NEW=1"]


def test_capabilities_follow_containerds_rules():
    default = _process.capabilities(LinuxContainerSecurityContext())[0]
    index = _process.CAPABILITIES.index
    assert default & (1 << index("CHOWN"))
    assert not default & (1 << index("SYS_ADMIN"))
    drop_all = Capability(drop_capabilities=("ALL",), add_capabilities=("CAP_KILL",))
    caps = _process.capabilities(LinuxContainerSecurityContext(capabilities=drop_all))[0]
    assert caps == 1 << index("KILL")
    bad = LinuxContainerSecurityContext(capabilities=Capability(add_capabilities=("NOPE",)))
    with pytest.raises(podkit.InvalidArgumentError, match="NOPE"):
        _process.capabilities(bad)
    privileged = LinuxContainerSecurityContext(privileged=True)
    assert _process.capabilities(privileged)[0] == _process.bounding_set()


def test_users_resolve_through_the_image_files(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0::/:/bin/sh\napp:x:1000:1001::/:/bin/sh\n")
    (tmp_path / "etc" / "group").write_text("app:x:1001:\nextra:x:2000:app\n")
    context = LinuxContainerSecurityContext(run_as_username="app")
    user = _process.resolve_user(context, IMAGE, [tmp_path])
    assert (user.uid, user.gid, user.groups) == (1000, 1001, (2000,))
    with pytest.raises(podkit.InvalidArgumentError, match="ghost"):
        _process.resolve_user(
            LinuxContainerSecurityContext(run_as_username="ghost"), IMAGE, [tmp_path]
        )


def test_the_cri_log_has_full_and_partial_lines(tmp_path):
    path = tmp_path / "log" / "0.log"
    log = _logs.CriLog(str(path))
    log.write("stdout", b"one\ntw")
    log.write("stderr", b"err\n")
    log.write("stdout", b"o\n" + b"x" * (_logs.MAX_LINE + 5))
    log.close()
    records = [line.split(" ", 3)[1:] for line in path.read_text().splitlines()]
    assert records[:3] == [["stdout", "F", "one"], ["stderr", "F", "err"], ["stdout", "F", "two"]]
    assert records[3][:2] == ["stdout", "P"]
    assert len(records[3][2]) == _logs.MAX_LINE
    assert records[4] == ["stdout", "F", "xxxxx"]


def test_configs_round_trip_through_json():
    sandbox = PodSandboxConfig(
        metadata=PodSandboxMetadata(name="p", uid="u"),
        dns_config=DNSConfig(servers=("1.1.1.1",)),
        port_mappings=(PortMapping(container_port=80),),
        labels={"a": "b"},
    )
    assert _codec.from_json(PodSandboxConfig, _codec.to_json(sandbox)) == sandbox
    config = _config(
        mounts=(Mount(container_path="/x", host_path="/srv"),), stop_signal=Signal.SIGNAL_SIGQUIT
    )
    assert _codec.from_json(ContainerConfig, _codec.to_json(config)) == config


def test_secure_join_stays_inside_the_root(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "up").symlink_to("../../../..")
    (tmp_path / "abs").symlink_to("/etc")
    assert _init.secure_join(str(tmp_path), "/etc/up/x") == str(tmp_path / "x")
    assert _init.secure_join(str(tmp_path), "/abs/hosts") == str(tmp_path / "etc" / "hosts")
    assert _init.secure_join(str(tmp_path), "../../a") == str(tmp_path / "a")


def test_stop_signals_come_from_the_config_then_the_image():
    assert _lifecycle.stop_signal(Signal.SIGNAL_RUNTIME_DEFAULT, "") == signal.SIGTERM
    assert _lifecycle.stop_signal(Signal.SIGNAL_RUNTIME_DEFAULT, "SIGQUIT") == signal.SIGQUIT
    assert _lifecycle.stop_signal(Signal.SIGNAL_SIGINT, "SIGQUIT") == signal.SIGINT
    assert _lifecycle.stop_signal(Signal.SIGNAL_SIGRTMINPLUS3, "") == signal.SIGRTMIN + 3


def test_resolv_conf_defaults_to_the_nodes():
    config = PodSandboxConfig(metadata=PodSandboxMetadata(name="p"))
    node = Path("/etc/resolv.conf")
    expected = node.read_bytes() if node.exists() else b""
    assert _dnsfiles.resolv_conf(config) == expected


def test_cpu_shares_convert_to_weight_as_runc_does():
    assert shares_to_weight(2) == 1
    assert shares_to_weight(1024) == 39
    assert shares_to_weight(262144) == 10000


@pytest.mark.root
def test_cgroup_v2_trees_are_made_and_removed(tmp_path):
    unified = Path("/sys/fs/cgroup/unified")
    if not (unified / "cgroup.procs").exists():
        pytest.skip("no cgroup2 hierarchy mounted at /sys/fs/cgroup/unified")
    cgroups = Cgroups(v2=unified)
    rel = f"podkit/pkr-v2-{tmp_path.name[-8:]}/c1"
    try:
        cgroups.create(rel)
        assert (unified / rel / "cgroup.procs").exists()
        assert cgroups.procs_files(rel) == [str(unified / rel / "cgroup.procs")]
        assert cgroups.pids(rel) == set()
        assert cgroups.oom_kills(rel) == 0
    finally:
        cgroups.remove(rel, parents=2)
    assert not (unified / rel).exists()


@pytest.mark.root
def test_limits_land_in_the_cgroup_files_with_a_pids_limit(tmp_path):
    cgroups = Cgroups.detect()
    rel = f"podkit/pkr-limits-{tmp_path.name[-8:]}"
    resources = LinuxContainerResources(cpu_shares=256, memory_limit_in_bytes=32 * 1024 * 1024)
    try:
        cgroups.create(rel)
        _limits.apply(cgroups, rel, resources, pids_limit=64)
        if cgroups.version == 1:
            assert cgroups.read(rel, "pids", "pids.max").strip() == "64"
            assert cgroups.read(rel, "cpu", "cpu.shares").strip() == "256"
        else:
            assert cgroups.read(rel, "cpu", "cpu.weight").strip() == str(shares_to_weight(256))
        bad = LinuxContainerResources(cpuset_cpus="9999")
        with pytest.raises(podkit.FailedPreconditionError, match=r"cpuset\.cpus"):
            _limits.apply(cgroups, rel, bad, pids_limit=0)
    finally:
        cgroups.remove(rel, parents=1)


def test_v2_limits_are_converted_as_runc_converts_them():
    resources = LinuxContainerResources(
        memory_limit_in_bytes=100,
        memory_swap_limit_in_bytes=300,
        cpu_shares=1024,
        cpu_quota=50000,
        cpu_period=100000,
        unified={"memory.high": "90"},
    )
    assert _limits._v2_files(resources) == [
        ("memory", "memory.max", "100"),
        ("memory", "memory.swap.max", "200"),
        ("cpu", "cpu.weight", "39"),
        ("cpu", "cpu.max", "50000 100000"),
        ("memory", "memory.high", "90"),
    ]


def test_a_name_being_made_is_taken_until_the_making_ends():
    making = Reservations()
    taken: set[str] = set()

    def check(key: str = "pod") -> None:
        if key in taken or making.is_reserved(key):
            raise podkit.AlreadyExistsError(key)

    with making.reserve("pod", check):
        with pytest.raises(podkit.AlreadyExistsError), making.reserve("pod", check):
            pass
        with making.reserve("other", lambda: check("other")):
            assert making.is_reserved("other")
    assert not making.is_reserved("pod")
    with making.reserve("pod", check):  # free again, also after a failure
        pass


def test_sandbox_locks_serialise_one_sandbox_and_not_two():
    locks = SandboxLocks()
    inside: list[str] = []
    entered = threading.Event()
    release = threading.Event()

    def hold(sandbox_id: str) -> None:
        with locks.holding(sandbox_id):
            inside.append(sandbox_id)
            entered.set()
            release.wait(5)

    holder = threading.Thread(target=hold, args=("a",))
    holder.start()
    assert entered.wait(5)
    with locks.holding("b"):  # another sandbox: not blocked
        inside.append("b")
    waiter = threading.Thread(target=hold, args=("a",))
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive(), "a second holder of the same sandbox must wait"
    release.set()
    holder.join(5)
    waiter.join(5)
    assert inside == ["a", "b", "a"]
    with locks.holding("a"), locks.holding("a"):  # re-entrant
        locks.forget("a")


def test_split_cgroup_files_uses_tasks_where_a_v1_hierarchy_has_them(tmp_path):
    v1, v2 = tmp_path / "cpu" / "pod", tmp_path / "unified" / "pod"
    for directory in (v1, v2):
        directory.mkdir(parents=True)
        (directory / "cgroup.procs").touch()
    (v1 / "tasks").touch()
    tasks, procs = _init.split_cgroup_files([str(v1 / "cgroup.procs"), str(v2 / "cgroup.procs")])
    assert (tasks, procs) == ([str(v1 / "tasks")], [str(v2 / "cgroup.procs")])


def _handoff(tmp_path: Path) -> tuple[Handoff, int, socket.socket]:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(tmp_path / "zygote.sock"))
    listener.listen(4)
    taken_r, taken_w = os.pipe2(os.O_CLOEXEC)
    return Handoff(taken_w, b"m", listener), taken_r, listener


def test_a_handoff_tells_the_zygote_once_and_lets_go_of_its_socket(tmp_path):
    handoff, taken_r, listener = _handoff(tmp_path)
    try:
        assert handoff.watched == [listener.fileno()]
        handoff.check([])  # nothing waits: nothing told
        assert select.select([taken_r], [], [], 0)[0] == []
        handoff.tell()
        handoff.tell()
        assert os.read(taken_r, 16) == b"m"
        assert os.read(taken_r, 16) == b""  # its end is closed: told once
        assert listener.fileno() == -1
        assert handoff.watched == []
    finally:
        os.close(taken_r)


def test_a_handoff_tells_the_zygote_when_a_request_waits(tmp_path):
    handoff, taken_r, listener = _handoff(tmp_path)
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect(str(tmp_path / "zygote.sock"))
        ready, _, _ = select.select(handoff.watched, [], [], 5)
        handoff.check(ready)
        assert os.read(taken_r, 16) == b"m"
        assert handoff.watched == []
    finally:
        client.close()
        listener.close()
        os.close(taken_r)

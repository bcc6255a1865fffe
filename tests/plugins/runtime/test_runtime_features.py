"""NamespaceRuntime: security context, limits, stats, resizing and log rotation, for real."""

from __future__ import annotations

import time

import pytest
from pkr_helpers import HANDLER, container_config, sandbox_config

import podkit
from podkit.models.runtime import (
    Capability,
    ContainerState,
    ContainerStatsFilter,
    ImageSpec,
    LinuxContainerConfig,
    LinuxContainerResources,
    LinuxContainerSecurityContext,
    NamespaceMode,
    NamespaceOption,
)
from podkit.plugins.runtime import _process

pytestmark = [pytest.mark.root, pytest.mark.netns]


def _run(env, *command, name="c", sandbox=None, **kwargs):
    sandbox = sandbox or sandbox_config(name, log_directory=str(env.log_dir))
    sandbox_id = env.pm.runtime.run_pod_sandbox(HANDLER, sandbox)
    config = container_config(*command, name=name, **kwargs)
    container_id = env.pm.runtime.create_container(HANDLER, sandbox_id, config, sandbox)
    env.pm.runtime.start_container(HANDLER, container_id)
    return sandbox_id, container_id


def _exited(env, container_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = env.pm.runtime.container_status(HANDLER, container_id).status
        if status.state is ContainerState.CONTAINER_EXITED:
            return status
        time.sleep(0.05)
    pytest.fail(f"container {container_id} did not exit")


def _stdout(env, name):
    text = (env.log_dir / name / "0.log").read_text()
    return [line.split(" ", 3)[3] for line in text.splitlines() if " stdout " in line]


def _context(**kwargs):
    return LinuxContainerConfig(security_context=LinuxContainerSecurityContext(**kwargs))


def test_capabilities_are_containerds_defaults_and_follow_add_and_drop(busybox_env):
    script = "grep CapEff /proc/self/status"
    _, plain = _run(busybox_env, "/bin/sh", "-c", script, name="caps")
    caps = Capability(drop_capabilities=("ALL",), add_capabilities=("NET_ADMIN",))
    _, changed = _run(
        busybox_env, "/bin/sh", "-c", script, name="caps2", linux=_context(capabilities=caps)
    )
    _exited(busybox_env, plain)
    _exited(busybox_env, changed)
    default = sum(1 << _process.CAPABILITIES.index(c) for c in _process.DEFAULT_CAPABILITIES)
    assert int(_stdout(busybox_env, "caps")[0].split()[1], 16) == default
    net_admin = 1 << _process.CAPABILITIES.index("NET_ADMIN")
    assert int(_stdout(busybox_env, "caps2")[0].split()[1], 16) == net_admin


def test_the_user_and_a_read_only_rootfs_are_applied(busybox_env):
    linux = _context(run_as_user=65534, run_as_group=65534, readonly_rootfs=True)
    script = "id -u; id -g; touch /pkr || echo refused; grep NoNewPrivs /proc/self/status"
    _, container_id = _run(busybox_env, "/bin/sh", "-c", script, name="user", linux=linux)
    _exited(busybox_env, container_id)
    out = _stdout(busybox_env, "user")
    assert out[:3] == ["65534", "65534", "refused"]
    status = busybox_env.pm.runtime.container_status(HANDLER, container_id).status
    assert (status.user.linux.uid, status.user.linux.gid) == (65534, 65534)


def test_an_unknown_username_is_refused_at_creation(busybox_env):
    sandbox = sandbox_config("nouser")
    sandbox_id = busybox_env.pm.runtime.run_pod_sandbox(HANDLER, sandbox)
    config = container_config("/bin/true", linux=_context(run_as_username="pkr-nobody"))
    with pytest.raises(podkit.InvalidArgumentError, match="pkr-nobody"):
        busybox_env.pm.runtime.create_container(HANDLER, sandbox_id, config, sandbox)
    assert busybox_env.plugin.containers.records == {}


def test_the_oom_killer_is_reported_as_oomkilled(busybox_env):
    limit = LinuxContainerResources(memory_limit_in_bytes=16 * 1024 * 1024)
    script = "head -c 200000000 /dev/zero | tail"
    _, container_id = _run(
        busybox_env, "/bin/sh", "-c", f"exec sh -c '{script}'", name="oom",
        linux=LinuxContainerConfig(resources=limit),
    )  # fmt: skip
    status = _exited(busybox_env, container_id, timeout=60)
    assert status.reason == "OOMKilled", status


def test_containers_of_a_pod_sharing_its_pid_namespace_see_each_other(busybox_env):
    options = NamespaceOption(pid=NamespaceMode.POD)
    sandbox = sandbox_config(
        "share", log_directory=str(busybox_env.log_dir), namespace_options=options
    )
    sandbox_id, first = _run(busybox_env, "/bin/sleep", "1000", name="first", sandbox=sandbox)
    config = container_config(
        "/bin/sh", "-c", "ps -o pid,comm", name="second",
        linux=_context(namespace_options=options),
    )  # fmt: skip
    second = busybox_env.pm.runtime.create_container(HANDLER, sandbox_id, config, sandbox)
    busybox_env.pm.runtime.start_container(HANDLER, second)
    _exited(busybox_env, second)
    out = _stdout(busybox_env, "second")
    assert any(line.split()[-1] == "sleep" for line in out[1:]), out
    busybox_env.pm.runtime.stop_pod_sandbox(HANDLER, sandbox_id)
    status = busybox_env.pm.runtime.container_status(HANDLER, first).status
    assert status.state is ContainerState.CONTAINER_EXITED


def test_stats_resize_and_log_reopening_of_a_running_container(busybox_env):
    pm = busybox_env.pm
    script = "while true; do echo tick; sleep 0.1; done"
    _, container_id = _run(busybox_env, "/bin/sh", "-c", script, name="live")
    stats = pm.runtime.container_stats(HANDLER, container_id)
    assert stats.attributes.id == container_id
    assert stats.cpu.usage_core_nano_seconds is not None
    assert stats.memory.working_set_bytes is not None
    assert stats.writable_layer.used_bytes is not None
    listed = pm.runtime.list_container_stats(HANDLER, ContainerStatsFilter())
    assert [s.attributes.id for s in listed] == [container_id]

    resources = LinuxContainerResources(memory_limit_in_bytes=128 * 1024 * 1024)
    assert pm.runtime.update_container_resources(HANDLER, container_id, resources) is True
    status = pm.runtime.container_status(HANDLER, container_id).status
    assert status.resources.linux.memory_limit_in_bytes == 128 * 1024 * 1024
    cgroup = busybox_env.plugin.containers.records[container_id].cgroup
    if busybox_env.plugin.cgroups.version == 1:
        value = busybox_env.plugin.cgroups.read(cgroup, "memory", "memory.limit_in_bytes")
        assert value.strip() == str(128 * 1024 * 1024)

    log = busybox_env.log_dir / "live" / "0.log"
    log.rename(log.with_suffix(".rotated"))
    assert pm.runtime.reopen_container_log(HANDLER, container_id) is True
    deadline = time.monotonic() + 10
    while "tick" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "tick" in log.read_text()
    pm.runtime.stop_container(HANDLER, container_id, 0)
    with pytest.raises(podkit.FailedPreconditionError):
        pm.runtime.reopen_container_log(HANDLER, container_id)


def test_the_image_hooks_answer_from_the_store(busybox_env):
    pm = busybox_env.pm
    images = pm.runtime.list_images(HANDLER)
    assert len(images) == 1
    image = images[0]
    assert image.id.startswith("sha256:")
    assert "docker.io/library/busybox:latest" in image.repo_tags
    assert image.size > 0
    found = pm.runtime.image_status(HANDLER, ImageSpec(image="busybox")).image
    assert found == image
    assert pm.runtime.image_status(HANDLER, ImageSpec(image="pkr-absent")).image is None
    usage = pm.runtime.image_fs_info(HANDLER).image_filesystems[0]
    assert usage.used_bytes > 0
    assert usage.inodes_used > 0
    assert pm.runtime.remove_image(HANDLER, ImageSpec(image="busybox")) is True
    assert pm.runtime.remove_image(HANDLER, ImageSpec(image="busybox")) is True
    assert pm.runtime.list_images(HANDLER) == ()


def test_a_container_can_join_the_pid_namespace_of_a_target_container(busybox_env):
    sandbox = sandbox_config("target", log_directory=str(busybox_env.log_dir))
    sandbox_id, first = _run(busybox_env, "/bin/sleep", "1000", name="first", sandbox=sandbox)
    options = NamespaceOption(pid=NamespaceMode.TARGET, target_id=first)
    config = container_config(
        "/bin/sh", "-c", "ps -o pid,comm", name="debug", linux=_context(namespace_options=options)
    )
    debug = busybox_env.pm.runtime.create_container(HANDLER, sandbox_id, config, sandbox)
    busybox_env.pm.runtime.start_container(HANDLER, debug)
    _exited(busybox_env, debug)
    out = _stdout(busybox_env, "debug")
    assert out[1].split() == ["1", "sleep"], out

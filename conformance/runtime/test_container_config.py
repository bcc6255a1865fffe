"""CRI ContainerConfig applied: command and args, working dir, user, mounts, read-only root."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from podkit.models.runtime import ContainerState, Mount

if TYPE_CHECKING:
    from pathlib import Path

    from podkit.conformance.runtime._pods import Pods
    from podkit.models.runtime import ContainerConfig, LinuxContainerSecurityContext

EXITED = ContainerState.CONTAINER_EXITED
NOBODY = 65534


def _run(pods: Pods, config: ContainerConfig) -> list[str]:
    """Run a container of ``config`` in a sandbox of its own; its stdout lines."""
    sandbox = pods.sandbox(config.metadata.name.removeprefix("pku-"))
    container_id = pods.start(pods.create(sandbox, config))
    pods.wait_for(container_id, EXITED)
    return pods.stdout(container_id)


def _secured(config: ContainerConfig, context: LinuxContainerSecurityContext) -> ContainerConfig:
    return attrs.evolve(config, linux=attrs.evolve(config.linux, security_context=context))


def test_command_and_args_make_the_process_argv(pods: Pods) -> None:
    """CRI ContainerConfig: ``command`` is the entrypoint, ``args`` its arguments.

    api.proto: "command: Command to execute (i.e., entrypoint for docker)";
    "args: Args for the Command (i.e., command for docker)".
    """
    config = pods.container_config("echo", name="argv")
    lines = _run(pods, attrs.evolve(config, args=("one", "two words")))
    assert lines == ["one two words"]


def test_the_working_dir_is_the_process_current_directory(pods: Pods) -> None:
    """CRI ContainerConfig ``working_dir``: "Current working directory of the command"."""
    config = pods.container_config("pwd", name="cwd")
    assert _run(pods, attrs.evolve(config, working_dir="/etc")) == ["/etc"]


def test_run_as_user_and_group_set_the_process_ids(pods: Pods) -> None:
    """CRI LinuxContainerSecurityContext ``run_as_user``, ``run_as_group``: the process's IDs."""
    config = pods.container_config("sh", "-c", "id -u; id -g", name="user")
    context = attrs.evolve(config.linux.security_context, run_as_user=NOBODY, run_as_group=NOBODY)
    lines = _run(pods, _secured(config, context))
    assert lines == [str(NOBODY), str(NOBODY)]


def test_a_read_only_root_filesystem_cannot_be_written(pods: Pods) -> None:
    """CRI LinuxContainerSecurityContext ``readonly_rootfs``: the root cannot be written.

    api.proto: "If set, the root filesystem of the container is read-only."
    """
    script = "touch /pku-file && echo wrote || echo refused"
    config = pods.container_config("sh", "-c", script, name="rorootfs")
    context = attrs.evolve(config.linux.security_context, readonly_rootfs=True)
    assert _run(pods, _secured(config, context)) == ["refused"]


def test_a_host_path_is_mounted_and_read_only_when_asked(pods: Pods, tmp_path: Path) -> None:
    """CRI Mount: ``host_path`` at ``container_path``, read-only when ``readonly``.

    api.proto: "readonly: If set, the mount is read-only."
    """
    (tmp_path / "greeting").write_text("hello from the host\n")
    mounts = (
        Mount(container_path="/pku-ro", host_path=str(tmp_path), readonly=True),
        Mount(container_path="/pku-rw", host_path=str(tmp_path)),
    )
    script = (
        "cat /pku-ro/greeting; "
        "touch /pku-ro/new && echo ro-wrote || echo ro-refused; "
        "echo written > /pku-rw/from-container && echo rw-wrote"
    )
    config = pods.container_config("sh", "-c", script, name="mounts")
    lines = _run(pods, attrs.evolve(config, mounts=mounts))
    assert lines == ["hello from the host", "ro-refused", "rw-wrote"]
    assert (tmp_path / "from-container").read_text() == "written\n"

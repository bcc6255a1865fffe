"""CRI ExecSync: a command run in a running container, its output and its deadline."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import attrs
import pytest

import podkit
from podkit.conformance.runtime._peers import refused
from podkit.conformance.runtime._pods import WAIT
from podkit.models.runtime import EXEC_SYNC_OUTPUT_LIMIT, ContainerState, KeyValue

if TYPE_CHECKING:
    from podkit.conformance.runtime._pods import Pods


def test_exec_sync_returns_stdout_stderr_and_the_exit_code_apart(pods: Pods) -> None:
    """CRI ExecSync: "runs a command in a container synchronously".

    ExecSyncResponse holds stdout and stderr separately and the exit code; a
    non-zero exit is the command's, not an error of the call.
    """
    sandbox = pods.sandbox("exec")
    container_id = pods.run(sandbox, "sleep", "3600")
    script = "echo to-out; echo to-err >&2; exit 5"
    result = pods.runtime.exec_sync(pods.handler, container_id, ("sh", "-c", script), 30)
    assert result.stdout == b"to-out\n"
    assert result.stderr == b"to-err\n"
    assert result.exit_code == 5


def test_exec_sync_runs_in_the_container_environment(pods: Pods) -> None:
    """CRI ExecSync runs the command in the container: its root filesystem and PID namespace."""
    sandbox = pods.sandbox("exec-env")
    container_id = pods.run(sandbox, "sleep", "3600")
    result = pods.runtime.exec_sync(pods.handler, container_id, ("cat", "/proc/1/cmdline"), 30)
    assert result.exit_code == 0, result
    assert result.stdout.split(b"\0")[:2] == [b"sleep", b"3600"]


def test_exec_sync_past_its_timeout_is_deadline_exceeded(pods: Pods) -> None:
    """CRI ExecSync ``timeout``: a command that outlives it ends the call with DeadlineExceeded.

    containerd answers DEADLINE_EXCEEDED and the kubelet reads it as a probe
    timeout; the container itself goes on running.
    """
    sandbox = pods.sandbox("exec-timeout")
    container_id = pods.run(sandbox, "sleep", "3600")
    with pytest.raises(podkit.DeadlineExceededError):
        pods.runtime.exec_sync(pods.handler, container_id, ("sleep", "60"), 1)
    result = pods.runtime.exec_sync(pods.handler, container_id, ("true",), 30)
    assert result.exit_code == 0


def test_exec_sync_in_an_exited_container_fails(pods: Pods) -> None:
    """CRI ExecSync needs a running container: in an exited one it fails (FailedPrecondition)."""
    sandbox = pods.sandbox("exec-exited")
    container_id = pods.run(sandbox, "true")
    pods.wait_for(container_id, ContainerState.CONTAINER_EXITED)
    with refused(podkit.FailedPreconditionError, "container is in CONTAINER_EXITED state"):
        pods.runtime.exec_sync(pods.handler, container_id, ("true",), 30)


def test_exec_sync_past_its_timeout_kills_the_command_and_its_children(pods: Pods) -> None:
    """Hookspec ExecSync: on timeout, "kill it (and its children) first".

    Nothing of the timed-out command is left running in the container.
    """
    sandbox = pods.sandbox("exec-children")
    container_id = pods.run(sandbox, "sleep", "3600")
    command = ("sh", "-c", "sleep 61 & sleep 62")
    with pytest.raises(podkit.DeadlineExceededError):
        pods.runtime.exec_sync(pods.handler, container_id, command, 1)
    deadline = time.monotonic() + WAIT
    while True:
        ps = pods.runtime.exec_sync(pods.handler, container_id, ("ps", "-o", "args"), 30)
        if b"sleep 6" not in ps.stdout or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert b"sleep 61" not in ps.stdout, ps.stdout
    assert b"sleep 62" not in ps.stdout, ps.stdout


def test_exec_sync_runs_with_the_container_env_user_and_working_dir(pods: Pods) -> None:
    """Hookspec ExecSync: the command runs "with its environment, user and working directory".

    As containerd does: the exec'd process gets the container's process
    settings.
    """
    sandbox = pods.sandbox("exec-process")
    config = pods.container_config("sleep", "3600", envs=(KeyValue("PKU_EXEC", "yes"),))
    context = attrs.evolve(config.linux.security_context, run_as_user=65534)
    linux = attrs.evolve(config.linux, security_context=context)
    config = attrs.evolve(config, working_dir="/etc", linux=linux)
    container_id = pods.start(pods.create(sandbox, config))
    script = 'echo "$PKU_EXEC"; id -u; pwd'
    result = pods.runtime.exec_sync(pods.handler, container_id, ("sh", "-c", script), 30)
    assert result.stdout.decode().split() == ["yes", "65534", "/etc"], result


def test_exec_sync_output_is_capped(pods: Pods) -> None:
    """CRI ExecSync output: at most 16 MiB of each stream are kept, the rest discarded.

    api.proto (after CVE-2022-1708): the runtime caps the output it keeps;
    more output is no error.

    containerd 1.6 keeps 16 MiB of the stream but its gRPC server sends at most
    16 MiB per message, so the capped answer (16 MiB and its framing) cannot be
    sent: the call ends ResourceExhausted ("trying to send message larger than
    max"). A runtime's own transport limit, not a CRI rule; the container is
    unharmed, which is checked either way.
    """
    sandbox = pods.sandbox("exec-cap")
    container_id = pods.run(sandbox, "sleep", "3600")
    over = EXEC_SYNC_OUTPUT_LIMIT + 1024 * 1024
    command = ("sh", "-c", f"head -c {over} /dev/zero")
    try:
        result = pods.runtime.exec_sync(pods.handler, container_id, command, 60)
    except podkit.ResourceExhaustedError as exc:
        if "larger than max" not in str(exc):  # not containerd's transport limit
            raise
    else:
        assert result.exit_code == 0
        assert 0 < len(result.stdout) <= EXEC_SYNC_OUTPUT_LIMIT
    after = pods.runtime.exec_sync(pods.handler, container_id, ("echo", "alive"), 30)
    assert after.stdout == b"alive\n"

"""CRI StopContainer: the stop signal first, SIGKILL after the grace period.

api.proto: "StopContainer stops a running container with a grace period
(i.e., timeout). [...] The runtime must forcibly kill the container after the
grace period is reached." The containers here trap signals with the shell's
``trap`` and say ``ready`` once they have.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import pytest

from podkit.models.runtime import ContainerState, Signal

if TYPE_CHECKING:
    from podkit.conformance.runtime._pods import Pods

EXITED = ContainerState.CONTAINER_EXITED
# What every runtime reports for a process killed by SIGKILL: 128 + 9.
KILLED = 137


def test_stop_sends_sigterm_first(pods: Pods) -> None:
    """CRI StopContainer: the stop signal (SIGTERM by default) comes before any SIGKILL.

    A process that exits on SIGTERM within the grace period leaves its own
    exit code, not that of a kill.
    """
    sandbox = pods.sandbox("term")
    script = "trap 'echo got-term; exit 7' TERM; echo ready; while true; do sleep 1; done"
    container_id = pods.run(sandbox, "sh", "-c", script)
    pods.wait_for_output(container_id, "ready")
    pods.runtime.stop_container(pods.handler, container_id, 10)
    status = pods.status(container_id)
    assert status.state is EXITED
    assert status.exit_code == 7, status
    assert "got-term" in pods.stdout(container_id)


def test_stop_sends_the_configured_stop_signal(pods: Pods) -> None:
    """CRI ContainerConfig ``stop_signal``: the signal StopContainer sends first.

    api.proto: "Stop signal to be sent to the container"; here SIGUSR1, which
    the container traps to exit with its own code. ContainerStatus reports it.

    The field came with cri-api 1.33; a runtime older than it (containerd 1.6)
    ignores it and reports no ``stop_signal``: the test is skipped there.
    """
    sandbox = pods.sandbox("usr1")
    script = "trap 'exit 9' USR1; echo ready; while true; do sleep 1; done"
    config = attrs.evolve(
        pods.container_config("sh", "-c", script), stop_signal=Signal.SIGNAL_SIGUSR1
    )
    container_id = pods.start(pods.create(sandbox, config))
    if pods.status(container_id).stop_signal is Signal.SIGNAL_RUNTIME_DEFAULT:
        pytest.skip("the runtime predates ContainerConfig.stop_signal (cri-api 1.33)")
    pods.wait_for_output(container_id, "ready")
    pods.runtime.stop_container(pods.handler, container_id, 10)
    status = pods.status(container_id)
    assert status.exit_code == 9, status
    assert status.stop_signal is Signal.SIGNAL_SIGUSR1


def test_stop_kills_a_container_that_outlives_the_grace_period(pods: Pods) -> None:
    """CRI StopContainer: "The runtime must forcibly kill the container after the grace period".

    The container traps SIGTERM and goes on; after ``timeout`` seconds it is
    killed with SIGKILL (exit code 137) and StopContainer returns once it is
    gone.
    """
    sandbox = pods.sandbox("kill")
    script = "trap 'echo got-term' TERM; echo ready; while true; do sleep 1; done"
    container_id = pods.run(sandbox, "sh", "-c", script)
    pods.wait_for_output(container_id, "ready")
    pods.runtime.stop_container(pods.handler, container_id, 1)
    status = pods.status(container_id)
    assert status.state is EXITED
    assert status.exit_code == KILLED, status

"""CRI container logs: ``<RFC3339Nano> <stdout|stderr> <P|F> <content>`` at ``log_path``.

The format is the kubelet's (``pkg/kubelet/kuberuntime/logs``): one record per
line of output, ``F`` for a full line, ``P`` for a piece of a longer one, the
pieces ending with an ``F`` record. The file is
``PodSandboxConfig.log_directory`` joined with ``ContainerConfig.log_path``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import podkit
from podkit.conformance.runtime._peers import refused
from podkit.conformance.runtime._pods import joined_lines
from podkit.models.runtime import ContainerState

if TYPE_CHECKING:
    from podkit.conformance.runtime._pods import Pods

EXITED = ContainerState.CONTAINER_EXITED
# Longer than any runtime's maximum log line (containerd 16 KiB, CRI-O 8 KiB).
LONG = 100_000


def test_both_streams_are_logged_in_the_cri_format(pods: Pods) -> None:
    """CRI log format: every record is ``<RFC3339Nano> <stdout|stderr> <P|F> <content>``.

    Output of stdout and stderr each land in the file named by
    ``log_directory`` + ``log_path``, tagged with their stream.
    """
    sandbox = pods.sandbox("logs")
    script = "echo out-1; echo err-1 >&2; echo out-2"
    container_id = pods.run(sandbox, "sh", "-c", script, name="logs")
    status = pods.wait_for(container_id, EXITED)
    assert Path(status.log_path) == Path(sandbox.config.log_directory) / "logs" / "0.log"
    records = pods.log(container_id)  # parse_log fails on a line out of format
    assert joined_lines(records, "stdout") == ["out-1", "out-2"]
    assert joined_lines(records, "stderr") == ["err-1"]


def test_a_long_line_is_logged_in_partial_records(pods: Pods) -> None:
    """CRI log format: a line longer than the runtime's maximum is cut into ``P`` records.

    Joining the ``P`` records with the ``F`` record that follows gives the line back.
    """
    sandbox = pods.sandbox("long")
    script = f"head -c {LONG} /dev/zero | tr '\\0' x; echo; echo after"
    container_id = pods.run(sandbox, "sh", "-c", script, name="long")
    pods.wait_for(container_id, EXITED)
    records = pods.log(container_id)
    assert any(r.tag == "P" for r in records), "no partial record for a 100 kB line"
    assert joined_lines(records, "stdout") == ["x" * LONG, "after"]


def test_output_without_a_final_newline_is_logged(pods: Pods) -> None:
    """CRI log format: what a stream ends with, without a newline, is logged too.

    podkit logs it as an ``F`` record; containerd 1.6 as a ``P`` record that no
    ``F`` follows, which the kubelet's log reader prints as it is: both keep
    the output.
    """
    sandbox = pods.sandbox("tail")
    container_id = pods.run(sandbox, "printf", "first\\nno-newline", name="tail")
    pods.wait_for(container_id, EXITED)
    lines = joined_lines(pods.log(container_id), "stdout", tail=True)
    assert lines == ["first", "no-newline"]


def test_reopen_container_log_writes_to_a_new_file(pods: Pods) -> None:
    """CRI ReopenContainerLog: "asks runtime to reopen the stdout/stderr log file".

    The kubelet renames the log when it rotates it, then calls this: output
    goes on in a new file at ``log_path``.
    """
    sandbox = pods.sandbox("rotate")
    script = "i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.2; done"
    container_id = pods.run(sandbox, "sh", "-c", script, name="rotate")
    pods.wait_for_output(container_id, "tick-1")
    log = Path(pods.status(container_id).log_path)
    log.rename(log.with_name("0.log.rotated"))
    assert pods.runtime.reopen_container_log(pods.handler, container_id) is True
    pods.wait_for_output(container_id, "tick-")
    assert log.exists()


def test_reopen_container_log_of_a_stopped_container_fails(pods: Pods) -> None:
    """CRI ReopenContainerLog of a container that is not running fails.

    Upstream: "Once it returns error, new container log file MUST NOT be
    created"; containerd (and the hookspec: FailedPrecondition) refuse it.
    """
    sandbox = pods.sandbox("reopen-exited")
    container_id = pods.run(sandbox, "echo", "done", name="reopen-exited")
    status = pods.wait_for(container_id, EXITED)
    log = Path(status.log_path)
    log.rename(log.with_name("0.log.rotated"))
    with refused(podkit.FailedPreconditionError, "container is not running"):
        pods.runtime.reopen_container_log(pods.handler, container_id)
    assert not log.exists()

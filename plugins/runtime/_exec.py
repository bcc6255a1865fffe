"""ExecSync: run a command in a running container and collect its output.

The agent starts :mod:`._nsexec` with the container's process settings
(environment, user, capabilities, working directory from the launch spec),
reads stdout and stderr apart, each up to
:data:`~podkit.models.runtime.EXEC_SYNC_OUTPUT_LIMIT` bytes (the rest is
read and dropped), and kills the whole process group when the timeout
passes, answering ``DeadlineExceededError`` as containerd does.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Final

from podkit import errors
from podkit.models.runtime import EXEC_SYNC_OUTPUT_LIMIT, ContainerState, ExecSyncResponse
from podkit.plugins.runtime import _records

if TYPE_CHECKING:
    from podkit.plugins.runtime._containers import Containers

_READ: Final = 65536
_AFTER_EXIT: Final = 0.2


def _request(
    containers: Containers, container_id: str, cmd: tuple[str, ...], report_fd: int
) -> str:
    if not cmd:
        msg = f"failed to exec in container {container_id!r}: the command is empty"
        raise errors.InvalidArgumentError(msg)
    record = containers.get(container_id, "exec in")
    observed = containers.observe(container_id)
    if observed.state is not ContainerState.CONTAINER_RUNNING:
        msg = f"failed to exec in container {container_id!r}: it is not running"
        raise errors.FailedPreconditionError(msg)
    spec = _records.read_json(containers.layout.container_dir(container_id) / _records.SPEC_FILE)
    if spec is None:
        msg = f"failed to exec in container {container_id!r}: its launch spec is missing"
        raise errors.InternalError(msg)
    request = {
        "pid": observed.pid,
        "cgroup_procs": containers.cgroups.procs_files(record.cgroup),
        "args": list(cmd),
        "process": spec["process"],
        "report_fd": report_fd,
    }
    return json.dumps(request)


def _collect(process: subprocess.Popen[bytes], deadline: float | None) -> tuple[bytes, bytes]:
    outputs = {"stdout": bytearray(), "stderr": bytearray()}
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, "stdout")  # type: ignore[arg-type]
        selector.register(process.stderr, selectors.EVENT_READ, "stderr")  # type: ignore[arg-type]
        exited_at: float | None = None
        while selector.get_map():
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise TimeoutError
            if exited_at is None and process.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > _AFTER_EXIT:
                break  # a background process of the command holds the pipes
            wait = 0.05 if deadline is None else min(0.05, deadline - now)
            for key, _ in selector.select(wait):
                data = os.read(key.fd, _READ)
                if not data:
                    selector.unregister(key.fileobj)
                    continue
                buffer = outputs[key.data]
                buffer += data[: max(EXEC_SYNC_OUTPUT_LIMIT - len(buffer), 0)]
    return bytes(outputs["stdout"]), bytes(outputs["stderr"])


def exec_sync(
    containers: Containers, container_id: str, cmd: tuple[str, ...], timeout: int
) -> ExecSyncResponse:
    """Run ``cmd`` in the container; ``DeadlineExceededError`` after ``timeout`` seconds."""
    report_r, report_w = os.pipe()
    try:
        request = _request(containers, container_id, cmd, report_w)
    except BaseException:
        os.close(report_r)
        os.close(report_w)
        raise
    process = subprocess.Popen(  # noqa: S603 - our own module, no shell
        [sys.executable, "-m", "podkit.plugins.runtime._nsexec", request],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(report_w,),
        start_new_session=True,
    )
    os.close(report_w)
    deadline = time.monotonic() + timeout if timeout > 0 else None
    try:
        stdout, stderr = _collect(process, deadline)
        process.wait(None if deadline is None else max(deadline - time.monotonic(), 0.01))
    except (TimeoutError, subprocess.TimeoutExpired) as exc:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        msg = f"failed to exec in container {container_id!r}: timeout {timeout}s exceeded"
        raise errors.DeadlineExceededError(msg) from exc
    finally:
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        report = os.read(report_r, _READ)
        os.close(report_r)
    if report:
        msg = f"failed to exec in container {container_id!r}: {report.decode(errors='replace')}"
        raise errors.InvalidArgumentError(msg)
    return ExecSyncResponse(stdout=stdout, stderr=stderr, exit_code=process.returncode)


__all__ = ["exec_sync"]

"""ExecSync: run a command in a running container and collect its output.

The agent asks the monitor zygote (:mod:`._spawner`) for the exec's process
(:mod:`._nsexec`), with the container's process settings (environment, user,
capabilities, working directory from the launch spec) and the write ends of two
pipes; it reads stdout and stderr apart, each up to
:data:`~podkit.models.runtime.EXEC_SYNC_OUTPUT_LIMIT` bytes (the rest is read
and dropped), and the exit code from the connection. When the timeout passes it
shuts the connection down: the exec's process kills the command's process group
(the command and its children) and says so; the call answers
``DeadlineExceededError``, as containerd does.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import socket
import time
from typing import TYPE_CHECKING, Any, Final

from podkit import errors
from podkit.models.runtime import EXEC_SYNC_OUTPUT_LIMIT, ContainerState, ExecSyncResponse
from podkit.plugins.runtime import _records

if TYPE_CHECKING:
    from podkit.plugins.runtime._containers import Containers

_READ: Final = 65536
_AFTER_EXIT: Final = 0.2
_KILL_TIMEOUT: Final = 10.0


def _request(containers: Containers, container_id: str, cmd: tuple[str, ...]) -> dict[str, Any]:
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
    return {
        "pid": observed.pid,
        "cgroup_procs": containers.cgroups.procs_files(record.cgroup),
        "args": list(cmd),
        "process": spec["process"],
    }


def _collect(
    out_r: int, err_r: int, conn: socket.socket, deadline: float | None
) -> tuple[bytes, bytes, bytes]:
    """Read both streams and the answer until the exec ended; ``TimeoutError`` past ``deadline``."""
    outputs = {"stdout": bytearray(), "stderr": bytearray()}
    answer = bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(out_r, selectors.EVENT_READ, "stdout")
        selector.register(err_r, selectors.EVENT_READ, "stderr")
        selector.register(conn, selectors.EVENT_READ, "answer")
        ended_at: float | None = None
        while selector.get_map():
            now = time.monotonic()
            if ended_at is None and deadline is not None and now >= deadline:
                raise TimeoutError
            if ended_at is not None and now - ended_at > _AFTER_EXIT:
                break  # a background process of the command holds the pipes
            wait = None if deadline is None else deadline - now
            if ended_at is not None:
                wait = _AFTER_EXIT - (now - ended_at)
            for key, _ in selector.select(wait):
                data = os.read(key.fd, _READ)
                if not data:
                    selector.unregister(key.fileobj)
                    if key.data == "answer":
                        ended_at = time.monotonic()
                elif key.data == "answer":
                    answer += data
                else:
                    buffer = outputs[key.data]
                    buffer += data[: max(EXEC_SYNC_OUTPUT_LIMIT - len(buffer), 0)]
    return bytes(outputs["stdout"]), bytes(outputs["stderr"]), bytes(answer)


def _kill(conn: socket.socket) -> None:
    """Have the exec's process kill the command's group, and wait until it did."""
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(_KILL_TIMEOUT)
        while conn.recv(_READ):
            pass


def _start(
    containers: Containers, request: dict[str, Any], out_w: int, err_w: int
) -> socket.socket:
    try:
        return containers.spawner.send({"exec": request}, (out_w, err_w))
    finally:
        os.close(out_w)
        os.close(err_w)


def _answer(container_id: str, answer: bytes) -> dict[str, Any]:
    try:
        message = json.loads(answer.partition(b"\n")[0])
    except ValueError:
        message = None
    if not isinstance(message, dict) or "failed" in message:
        why = message.get("failed") if isinstance(message, dict) else "it ended without an answer"
        msg = f"failed to exec in container {container_id!r}: {why}"
        raise errors.FailedPreconditionError(msg)
    if message.get("error"):
        msg = f"failed to exec in container {container_id!r}: {message['error']}"
        raise errors.InvalidArgumentError(msg)
    return message


def exec_sync(
    containers: Containers, container_id: str, cmd: tuple[str, ...], timeout: int
) -> ExecSyncResponse:
    """Run ``cmd`` in the container; ``DeadlineExceededError`` after ``timeout`` seconds."""
    request = _request(containers, container_id, cmd)
    deadline = time.monotonic() + timeout if timeout > 0 else None
    out_r, out_w = os.pipe2(os.O_CLOEXEC)
    err_r, err_w = os.pipe2(os.O_CLOEXEC)
    try:
        with _start(containers, request, out_w, err_w) as conn:
            try:
                stdout, stderr, answer = _collect(out_r, err_r, conn, deadline)
            except TimeoutError as exc:
                _kill(conn)
                msg = f"failed to exec in container {container_id!r}: timeout {timeout}s exceeded"
                raise errors.DeadlineExceededError(msg) from exc
    finally:
        os.close(out_r)
        os.close(err_r)
    message = _answer(container_id, answer)
    return ExecSyncResponse(stdout=stdout, stderr=stderr, exit_code=int(message["exit_code"]))


__all__ = ["exec_sync"]

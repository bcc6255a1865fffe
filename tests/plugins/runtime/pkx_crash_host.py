"""The host process of the crash test: runs lifecycles and logs them until it is killed.

``python pkx_crash_host.py ARGS_JSON`` builds a NamespaceRuntime on the given
directories, then runs lifecycle after lifecycle from index ``first``. Before
and after every operation it appends a JSON line to the progress file (flushed
and fsynced, so a SIGKILL loses nothing already written)::

    {"do": "run_sandbox", "i": 3}
    {"done": "run_sandbox", "i": 3, "sandbox": "..."}

Lifecycle ``i`` runs a sandbox and a container in it: ``sleep 300`` for an even
``i`` (stays running), ``sh -c 'exit i % 7'`` for an odd one (waited for until it
exits). Then, depending on ``i``, it stops the container, removes it, stops the
sandbox or removes the sandbox (see ``tail_ops``).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from pkr_helpers import HANDLER, container_config, sandbox_config

from podkit.models.runtime import ContainerState
from podkit.plugins.runtime import NamespaceRuntime


def tail_ops(i: int) -> list[str]:
    """The operations after start of lifecycle ``i``."""
    ops = []
    if i % 2 == 1:
        ops.append("wait_exit")
    if i % 3 == 0:
        ops.append("stop_container")
    if i % 4 == 1:
        ops.append("remove_container")
    if i % 5 == 0:
        ops.append("stop_sandbox")
    if i % 6 == 3:
        ops.append("remove_sandbox")
    return ops


def command(i: int) -> tuple[str, ...]:
    """The container command of lifecycle ``i``."""
    if i % 2 == 0:
        return ("/bin/sleep", "300")
    return ("/bin/sh", "-c", f"exit {i % 7}")


class Progress:
    """The progress file, one fsynced JSON line per event."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def write(self, **event: object) -> None:
        event["t"] = round(time.monotonic(), 4)
        os.write(self.fd, (json.dumps(event) + "\n").encode())
        os.fsync(self.fd)


def _wait_exit(plugin: NamespaceRuntime, container_id: str) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        status = plugin.runtime_container_status(container_id, verbose=False).status
        if status.state is ContainerState.CONTAINER_EXITED:
            return status.exit_code
        time.sleep(0.01)
    raise TimeoutError(container_id)


def lifecycle(plugin: NamespaceRuntime, progress: Progress, i: int, logs: str) -> None:
    """Run lifecycle ``i``, logging every operation before and after."""
    name = f"pkx-{i}"
    sandbox = sandbox_config(name, log_directory=logs)
    progress.write(do="run_sandbox", i=i)
    sandbox_id = plugin.runtime_run_pod_sandbox(HANDLER, sandbox)
    progress.write(done="run_sandbox", i=i, sandbox=sandbox_id)
    config = container_config(*command(i), name=name)
    progress.write(do="create_container", i=i)
    container_id = plugin.runtime_create_container(HANDLER, sandbox_id, config, sandbox)
    progress.write(done="create_container", i=i, container=container_id)
    progress.write(do="start_container", i=i)
    plugin.runtime_start_container(container_id)
    progress.write(done="start_container", i=i)
    for op in tail_ops(i):
        progress.write(do=op, i=i)
        code = None
        if op == "wait_exit":
            code = _wait_exit(plugin, container_id)
        elif op == "stop_container":
            plugin.runtime_stop_container(container_id, 0)
        elif op == "remove_container":
            plugin.runtime_remove_container(container_id)
        elif op == "stop_sandbox":
            plugin.runtime_stop_pod_sandbox(sandbox_id)
        else:
            plugin.runtime_remove_pod_sandbox(sandbox_id)
        progress.write(done=op, i=i, exit_code=code)


def main() -> None:
    """Build the plugin, say ready, run lifecycles until killed (or ``last`` is done)."""
    args = json.loads(sys.argv[1])
    progress = Progress(Path(args["progress"]))
    plugin = NamespaceRuntime(
        HANDLER,
        state_dir=Path(args["state"]),
        root_dir=Path(args["root"]),
        cgroup_parent=args["cgroup"],
    )
    progress.write(ready=True)
    for i in range(args["first"], args["last"]):
        lifecycle(plugin, progress, i, args["logs"])
    progress.write(finished=True)


if __name__ == "__main__":
    main()

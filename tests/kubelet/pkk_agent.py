"""An agent for the crash test: a Node on the test's plugins, driven by a control folder.

Usage: ``python pkk_agent.py CONTROL_DIR``. ``CONTROL_DIR/settings.json`` has
the NodeEnv settings (plugins and directories, see pkk_helpers) and the
node's settings; the test writes ``CONTROL_DIR/desired.json`` (atomically),
``{"pods": {name: manifest}, "objects": [manifest]}``; the objects (Secrets,
ConfigMaps) are applied once by the first agent, later ones recover them.
The agent makes the node run exactly those pods: it applies the ones it does
not run, deletes the ones it runs that are not wanted (each deletion as a
task of its own), and writes what it sees to
``CONTROL_DIR/status-<pid>.json`` a few times a second. The runtime plugin
runs in this process, as a node agent embeds it: SIGKILL kills both. On
SIGTERM the agent closes the node (deleting every pod) and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from pathlib import Path

from pkk_helpers import NodeEnv

from podkit import manifests, statefiles
from podkit.errors import NotFoundError, PodkitError
from podkit.kubelet import BackOffPolicy, ContainerStateRunning, Node


def container_view(status):
    state = status.state
    return {
        "id": status.container_id,
        "restarts": status.restart_count,
        "running": isinstance(state, ContainerStateRunning),
        "started_at": state.started_at.isoformat()
        if isinstance(state, ContainerStateRunning) and state.started_at
        else "",
    }


async def snapshot(node):
    view = {}
    for pod in node.pods():
        meta = pod.metadata
        try:
            status = await node.status(meta.namespace, meta.name)
        except NotFoundError:
            continue
        view[meta.name] = {
            "uid": meta.uid,
            "phase": status.phase.value,
            "containers": {c.name: container_view(c) for c in status.container_statuses},
        }
    return view


async def reconcile(node, control, deleting):
    try:
        wanted = json.loads((control / "desired.json").read_text())
    except FileNotFoundError:
        wanted = {}
    desired = wanted.get("pods", {})
    marker = control / "objects-applied"
    if wanted.get("objects") and not marker.exists():  # once: later runs recover them
        text = "".join(f"---\n{json.dumps(o)}\n" for o in wanted["objects"])
        await node.apply(manifests.load(text))
        marker.touch()
    running = {pod.metadata.name for pod in node.pods()}
    missing = [name for name in desired if name not in running]
    if missing:
        objects = manifests.load("".join(f"---\n{json.dumps(desired[n])}\n" for n in missing))
        await node.apply(objects)
    for name in running - set(desired) - set(deleting):
        deleting[name] = asyncio.create_task(node.delete("default", name))
    for name, task in list(deleting.items()):
        if task.done():
            del deleting[name]
            with contextlib.suppress(PodkitError, asyncio.CancelledError):
                task.result()


async def main(control):
    settings = json.loads((control / "settings.json").read_text())
    env = NodeEnv.from_settings(settings["env"])
    node = Node(
        env.pm,
        state_dir=env.state_dir,
        run_dir=env.run_dir,
        cni_conf_dir=env.conf_dir,
        node_name="pkk-node",
        backoff=BackOffPolicy(base=0.2, max=1.0),
        sync_period=settings.get("sync_period", 0.2),
        gc_period=settings.get("gc_period", 2.0),
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    status_file = control / f"status-{os.getpid()}.json"
    deleting = {}
    async with node:
        while not stop.is_set():
            try:
                await reconcile(node, control, deleting)
            except PodkitError as exc:
                print(f"agent: {exc}", file=sys.stderr, flush=True)  # noqa: T201
            statefiles.write_json(status_file, {"pods": await snapshot(node)})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)
        await asyncio.gather(*deleting.values(), return_exceptions=True)
    status_file.unlink(missing_ok=True)


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr
    )
    asyncio.run(main(Path(sys.argv[1])))

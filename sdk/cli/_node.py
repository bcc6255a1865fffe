"""``podkit node --manifests DIR``: the node agent, in the foreground.

It runs a :class:`~podkit.kubelet.Node` on the installed plugins (as
``podkit run`` does), keeps the static pods of ``DIR`` running
(:class:`~podkit.kubelet._static.StaticPodSource`), serves the local API on
a root-only unix socket (:mod:`podkit.nodeapi`) for ``podkit get``,
``describe``, ``logs``, ``exec`` and ``delete``, and logs what happens to
its pods.

SIGTERM or SIGINT stops the agent and removes its socket. Its pods keep
running, as a kubelet's do when the kubelet stops: the next ``podkit node``
on the same ``--state-dir`` finds them (with ``--delete-pods-on-exit`` the
agent deletes every pod before it exits instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

from podkit.cli._run import _signals_set, add_node_directories
from podkit.kubelet import (
    Node,
)
from podkit.kubelet._static import DEFAULT_PERIOD, StaticPodSource
from podkit.nodeapi import DEFAULT_SOCKET, NodeApiServer

if TYPE_CHECKING:
    import argparse

LOGGER: Final = logging.getLogger("podkit.node")
_WATCH_PERIOD: Final = 1.0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    parser = commands.add_parser(
        "node",
        help="run the node agent: static pods from a directory, a local API on a socket",
        description="Run the node agent in the foreground: keep the pods of the manifests in"
        " DIR running (added, changed and removed files are followed) and serve `podkit get`,"
        " `describe`, `logs`, `exec` and `delete` on a root-only unix socket. SIGTERM or"
        " Ctrl-C stops the agent; its pods keep running unless --delete-pods-on-exit.",
    )
    parser.add_argument(
        "--manifests", type=Path, required=True, metavar="DIR", help="the static-pod directory"
    )
    parser.add_argument(
        "--socket",
        type=Path,
        default=DEFAULT_SOCKET,
        metavar="PATH",
        help=f"the local API's socket (default {DEFAULT_SOCKET})",
    )
    parser.add_argument(
        "--file-check-frequency",
        type=float,
        default=DEFAULT_PERIOD,
        dest="period",
        metavar="SECONDS",
        help=f"seconds between two looks at DIR (default {DEFAULT_PERIOD:g})",
    )
    parser.add_argument(
        "--delete-pods-on-exit",
        action="store_true",
        help="delete every pod when the agent stops (by default they keep running)",
    )
    add_node_directories(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the agent until SIGTERM or SIGINT; 0 when it stopped cleanly."""
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return asyncio.run(_agent(args))
    except PermissionError as exc:
        print(f"podkit node: {exc.strerror}: {exc.filename} (run it as root)", file=sys.stderr)
        return 1


async def _agent(args: argparse.Namespace) -> int:
    node = Node(state_dir=args.state_dir, run_dir=args.run_dir, cni_conf_dir=args.cni_conf_dir)
    stop = asyncio.Event()
    server = NodeApiServer(node, args.socket)
    source = StaticPodSource(node, args.manifests, period=args.period, delete=server.delete)
    with _signals_set(stop):
        try:
            await server.start()  # first: refused when another agent listens there
            await node.start()  # takes over the pods an earlier run left running
            LOGGER.info(
                "node %s: static pods from %s, API on %s",
                node.node_name,
                args.manifests,
                args.socket,
            )
            tasks = [asyncio.create_task(source.run()), asyncio.create_task(_watch(node))]
            try:
                await stop.wait()
            finally:
                LOGGER.info("stopping")
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await server.close()
            await _close(node, delete_pods=args.delete_pods_on_exit)
    return 0


async def _close(node: Node, *, delete_pods: bool) -> None:
    pods = [f"{p.metadata.namespace}/{p.metadata.name}" for p in node.pods()]
    if delete_pods:
        LOGGER.info("deleting %d pod(s)", len(pods))
        await node.close()
    else:
        if pods:
            LOGGER.info("leaving %d pod(s) running: %s", len(pods), ", ".join(pods))
        await node.close(keep_pods=True)


async def _watch(node: Node) -> None:
    """Log each pod's phase when it changes, and its new events."""
    seen: dict[tuple[str, str], tuple[str, float]] = {}
    while True:
        current = {}
        for pod in node.pods():
            key = (pod.metadata.namespace, pod.metadata.name)
            with contextlib.suppress(LookupError):
                status = await node.status(*key)
                phase, events = seen.get(key, ("", 0.0))
                if status.phase.value != phase:
                    LOGGER.info("pod %s/%s: phase %s", *key, status.phase.value)
                fresh = [e for e in status.events if e.time.timestamp() > events]
                for event in fresh:
                    LOGGER.info(
                        "pod %s/%s: %s %s: %s", *key, event.type, event.reason, event.message
                    )
                last = max((e.time.timestamp() for e in status.events), default=events)
                current[key] = (status.phase.value, last)
        seen = current
        await asyncio.sleep(_WATCH_PERIOD)


__all__ = ["add_parser", "run"]

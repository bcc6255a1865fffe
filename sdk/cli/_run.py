"""``podkit run -f FILE``: run the pods of manifests to completion, like a small ``kubectl``.

The pods (with the Secrets and ConfigMaps of the same files) run on a
:class:`~podkit.kubelet.Node` with the installed plugins. Each container's
output is printed when it finishes, every line prefixed ``[pod/container]``.
When every pod has Succeeded or Failed, everything is torn down (unless
``--keep``) and the exit code is 0 if all succeeded, else 1 with one line per
failed container on stderr. Ctrl-C (or SIGTERM) tears down cleanly and exits
130. Pods must have ``restartPolicy`` Never or OnFailure: others never finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final

from podkit import manifests
from podkit.cli import _files
from podkit.errors import ManifestError
from podkit.kubelet import (
    DEFAULT_CNI_CONF_DIR,
    DEFAULT_RUN_DIR,
    DEFAULT_STATE_DIR,
    ContainerStateTerminated,
    ContainerStateWaiting,
    Node,
    PodPhase,
    PodStatus,
)
from podkit.models.kube import Pod, RestartPolicy

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

    from podkit.kubelet import ContainerStatus
    from podkit.models.kube import KubeObject

DEFAULT_TIMEOUT: Final = 300.0
INTERRUPTED: Final = 130
_POLL: Final = 0.2
_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    parser = commands.add_parser(
        "run",
        help="run the pods of manifests to completion and print their output",
        description="Run Pods (with their Secrets and ConfigMaps) on this node until every pod"
        " has Succeeded or Failed; print each container's output; tear everything down.",
    )
    parser.add_argument(
        "-f",
        "--filename",
        dest="files",
        action="extend",
        nargs="+",
        required=True,
        metavar="FILE",
        help="a YAML or JSON manifest (several documents allowed), or a folder of them",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"give up (and exit 1) after this long (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the finished pods' containers, sandboxes and volumes in place",
    )
    add_node_directories(parser)
    parser.set_defaults(run=run)


def add_node_directories(parser: argparse.ArgumentParser) -> None:
    """``--state-dir``, ``--run-dir`` and ``--cni-conf-dir``: where a node keeps its pods."""
    directories = (
        ("--state-dir", DEFAULT_STATE_DIR, "the pods' volumes and logs"),
        ("--run-dir", DEFAULT_RUN_DIR, "the runtime layer's records"),
        ("--cni-conf-dir", DEFAULT_CNI_CONF_DIR, "the pods' network configuration"),
    )
    for option, default, what in directories:
        parser.add_argument(
            option, type=Path, default=default, metavar="DIR", help=f"{what} (default {default})"
        )


def run(args: argparse.Namespace) -> int:
    """Run the pods; 0 when all succeeded."""
    try:
        objects = manifests.load_files(_files.expand(args.files))
    except ManifestError as exc:
        for line in str(exc).splitlines():
            print(line, file=sys.stderr)
        return 1
    pods = [obj for obj in objects if isinstance(obj, Pod)]
    if not pods:
        print("podkit run: the manifests hold no Pod", file=sys.stderr)
        return 1
    forever = [p.metadata.name for p in pods if p.spec.restart_policy is RestartPolicy.ALWAYS]
    if forever:
        print(
            f"podkit run: pods {', '.join(forever)} have restartPolicy Always and would never"
            " finish; set restartPolicy: Never or OnFailure",
            file=sys.stderr,
        )
        return 1
    try:
        return asyncio.run(_run(args, objects))
    except PermissionError as exc:
        print(f"podkit run: {exc.strerror}: {exc.filename} (run it as root)", file=sys.stderr)
        return 1


@contextlib.contextmanager
def _signals_set(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop``, in this process only.

    Not ``loop.add_signal_handler``: its wakeup fd is inherited by processes
    that plugins fork, and a signal such a child gets before it execs would
    read as ours.
    """
    loop = asyncio.get_running_loop()
    pid = os.getpid()

    def handle(_signum: int, _frame: object) -> None:
        if os.getpid() == pid:
            loop.call_soon_threadsafe(stop.set)

    previous = {signum: signal.signal(signum, handle) for signum in _SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


async def _run(args: argparse.Namespace, objects: list[KubeObject]) -> int:
    node = Node(state_dir=args.state_dir, run_dir=args.run_dir, cni_conf_dir=args.cni_conf_dir)
    stop = asyncio.Event()
    with _signals_set(stop):
        try:
            pods = await node.apply(objects)
            return await _follow(node, pods, stop, args.timeout)
        finally:
            if args.keep:
                await node.close(keep_pods=True)
                print(f"podkit run: kept the pods' data under {args.state_dir}", file=sys.stderr)
            else:
                await node.close()


def _label(pod: Pod) -> str:
    meta = pod.metadata
    return meta.name if meta.namespace == "default" else f"{meta.namespace}/{meta.name}"


class _Printer:
    """Prints each run of each container once, when it has ended."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.printed: set[tuple[str, str, int]] = set()

    async def show(self, pod: Pod, status: PodStatus) -> None:
        for container in (*status.init_container_statuses, *status.container_statuses):
            ended = isinstance(container.state, ContainerStateTerminated)
            if ended:
                await self._print(pod, container.name, container.restart_count, previous=False)
            elif container.last_state is not None and container.restart_count:
                await self._print(pod, container.name, container.restart_count - 1, previous=True)

    async def _print(self, pod: Pod, container: str, run: int, *, previous: bool) -> None:
        key = (pod.metadata.uid, container, run)
        if key in self.printed:
            return
        self.printed.add(key)
        meta = pod.metadata
        with contextlib.suppress(Exception):  # a log gone meanwhile is not worth failing for
            text = await self.node.logs(meta.namespace, meta.name, container, previous=previous)
            prefix = f"[{_label(pod)}/{container}]"
            for line in text.splitlines():
                print(f"{prefix} {line}", flush=True)


async def _follow(node: Node, pods: list[Pod], stop: asyncio.Event, limit: float) -> int:
    printer = _Printer(node)
    deadline = time.monotonic() + limit
    while True:
        statuses = {}
        for pod in pods:
            status = await node.status(pod.metadata.namespace, pod.metadata.name)
            await printer.show(pod, status)
            statuses[_label(pod)] = status
        if all(s.phase in {PodPhase.SUCCEEDED, PodPhase.FAILED} for s in statuses.values()):
            return _report(statuses)
        if time.monotonic() > deadline:
            print(f"podkit run: timed out after {limit:g}s", file=sys.stderr)
            _report(statuses)
            return 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), _POLL)
        if stop.is_set():
            print("podkit run: interrupted; tearing down", file=sys.stderr)
            return INTERRUPTED


def _reason(container: ContainerStatus) -> str | None:
    state = container.state
    if isinstance(state, ContainerStateTerminated) and state.exit_code:
        return f"exited with code {state.exit_code} ({state.reason})"
    if isinstance(state, ContainerStateWaiting) and state.reason not in {
        "PodInitializing",
        "ContainerCreating",
    }:
        return f"is waiting: {state.reason}: {state.message}".rstrip(": ")
    return None


def _report(statuses: dict[str, PodStatus]) -> int:
    failed = False
    for label, status in statuses.items():
        if status.phase is PodPhase.SUCCEEDED:
            continue
        failed = True
        reasons = [
            f'pod {label}: container "{c.name}" {reason}'
            for c in (*status.init_container_statuses, *status.container_statuses)
            if (reason := _reason(c)) is not None
        ]
        for line in reasons or [f"pod {label}: {status.phase.value}"]:
            print(line, file=sys.stderr)
    return 1 if failed else 0


__all__ = ["add_node_directories", "add_parser", "run"]

"""``podkit get pods``: the agent's pods as a table, as ``kubectl get pods`` prints it.

The columns are kubectl's (NAME READY STATUS RESTARTS AGE; ``-o wide`` adds
IP and NODE; ``-A`` puts NAMESPACE first), and STATUS is computed as kubectl's
``printPod`` does: the pod's reason or phase, overridden by an init
container's progress (``Init:0/1``, ``Init:Error``...), then by an app
container's waiting or terminated reason (``CrashLoopBackOff``,
``ContainerCreating``, ``Completed``, ``Error``), and ``Terminating`` while
the pod is deleted. ``-o json`` and ``-o yaml`` print the ``v1.PodList``.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Final

import yaml

from podkit.cli._nodeclient import (
    add_connection,
    add_resource,
    age,
    client,
    items,
    mapping,
    parse_time,
)

if TYPE_CHECKING:
    import argparse

Json = dict[str, object]
OUTPUTS: Final = ("wide", "json", "yaml")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    parser = commands.add_parser(
        "get",
        help="list the pods of a running `podkit node`, like kubectl get pods",
        description="List the pods that a `podkit node` runs, as `kubectl get pods` does.",
    )
    add_resource(parser)
    parser.add_argument("names", nargs="*", metavar="NAME", help="only these pods")
    add_connection(parser)
    parser.add_argument(
        "-A", "--all-namespaces", action="store_true", help="the pods of every namespace"
    )
    parser.add_argument("-o", "--output", choices=OUTPUTS, help="wide, json or yaml")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the pods; 1 when a pod named is not found."""
    api = client(args)
    if args.names:
        pods = [api.pod(args.namespace, name) for name in args.names]
    else:
        pods = api.pods(None if args.all_namespaces else args.namespace)
    if args.output in {"json", "yaml"}:
        listed: Json = {"apiVersion": "v1", "kind": "List", "items": pods}
        document = pods[0] if len(args.names) == 1 else listed
        if args.output == "json":
            print(json.dumps(document, indent=4))
        else:
            print(yaml.safe_dump(document, sort_keys=False), end="")
        return 0
    if not pods:
        where = "any namespace" if args.all_namespaces else f"{args.namespace} namespace"
        print(f"No resources found in {where}.", file=sys.stderr)
        return 0
    rows = [pod_row(pod, wide=args.output == "wide") for pod in pods]
    header = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    if args.output == "wide":
        header += ["IP", "NODE"]
    if args.all_namespaces:
        header.insert(0, "NAMESPACE")
        rows = [
            [str(mapping(p, "metadata").get("namespace", "")), *r]
            for p, r in zip(pods, rows, strict=True)
        ]
    print(table([header, *rows]), end="")
    return 0


def table(rows: list[list[str]]) -> str:
    """Columns padded as kubectl's tabwriter pads them (3 spaces apart)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "   ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "".join(f"{line}\n" for line in lines)


def _terminated_reason(terminated: Json, prefix: str = "") -> str:
    reason = str(terminated.get("reason", ""))
    if reason:
        return prefix + reason
    signal = terminated.get("signal")
    if signal:
        return f"{prefix}Signal:{signal}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


def _init_status(spec: Json, status: Json) -> str | None:
    """Kubectl's reading of the init containers: None once all succeeded."""
    total = len(items(spec, "initContainers"))
    for index, container in enumerate(items(status, "initContainerStatuses")):
        state = mapping(container, "state")
        terminated, waiting = mapping(state, "terminated"), mapping(state, "waiting")
        if terminated and terminated.get("exitCode") == 0:
            continue
        if terminated:
            return _terminated_reason(terminated, "Init:")
        if waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            return f"Init:{waiting['reason']}"
        return f"Init:{index}/{total}"
    return None


def pod_status(pod: Json) -> str:
    """The STATUS column of ``kubectl get pods`` (kubectl's ``printPod``)."""
    spec, status, meta = mapping(pod, "spec"), mapping(pod, "status"), mapping(pod, "metadata")
    reason = str(status.get("reason") or status.get("phase") or "Unknown")
    init = _init_status(spec, status)
    if init is not None:
        reason = init
    else:
        running = False
        for container in reversed(items(status, "containerStatuses")):
            state = mapping(container, "state")
            waiting, terminated = mapping(state, "waiting"), mapping(state, "terminated")
            if waiting.get("reason"):
                reason = str(waiting["reason"])
            elif terminated:
                reason = _terminated_reason(terminated)
            elif state.get("running") and container.get("ready"):
                running = True
        if reason == "Completed" and running:
            ready = any(
                c.get("type") == "Ready" and c.get("status") == "True"
                for c in items(status, "conditions")
            )
            reason = "Running" if ready else "NotReady"
    if meta.get("deletionTimestamp"):
        reason = "Terminating"
    return reason


def restarts(status: Json) -> str:
    """RESTARTS: the count, and how long ago the last one ended (``3 (45s ago)``)."""
    containers = [*items(status, "initContainerStatuses"), *items(status, "containerStatuses")]
    count = sum(int(str(c.get("restartCount", 0))) for c in containers)
    ends = [
        finished
        for c in containers
        if (
            finished := parse_time(mapping(mapping(c, "lastState"), "terminated").get("finishedAt"))
        )
    ]
    if count and ends:
        return f"{count} ({age(max(ends).isoformat())} ago)"
    return str(count)


def pod_row(pod: Json, *, wide: bool = False) -> list[str]:
    """One row of the table."""
    meta, status = mapping(pod, "metadata"), mapping(pod, "status")
    containers = items(status, "containerStatuses")
    total = len(items(mapping(pod, "spec"), "containers"))
    ready = sum(1 for c in containers if c.get("ready"))
    row = [
        str(meta.get("name", "")),
        f"{ready}/{total}",
        pod_status(pod),
        restarts(status),
        age(meta.get("creationTimestamp") or status.get("startTime")),
    ]
    if wide:
        row += [
            str(status.get("podIP") or "<none>"),
            str(mapping(pod, "spec").get("nodeName") or "<none>"),
        ]
    return row


__all__ = ["add_parser", "pod_row", "pod_status", "restarts", "run", "table"]

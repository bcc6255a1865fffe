"""``podkit describe pod NAME``: a pod's spec, status and events, as ``kubectl describe pod``.

The same sections as kubectl's, in its order: the pod's metadata, its
(init) containers with state, last state, ready and restart count, image,
command, environment and mounts; its conditions, volumes, QoS class; and
its events with their age. Read from the agent's API.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final

from podkit.cli._get import table
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
_NONE: Final = "<none>"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    parser = commands.add_parser(
        "describe",
        help="show a pod of a running `podkit node` in detail, like kubectl describe pod",
        description="Show a pod's spec, status and events, as `kubectl describe pod` does.",
    )
    add_resource(parser)
    parser.add_argument("names", nargs="+", metavar="NAME", help="the pod(s)")
    add_connection(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Describe the pods."""
    api = client(args)
    texts = []
    for name in args.names:
        pod = api.pod(args.namespace, name)
        texts.append(describe(pod, api.events(args.namespace, name)))
    print("\n\n".join(texts), end="")
    return 0


def _when(value: object) -> str:
    moment = parse_time(value)
    return moment.strftime("%a, %d %b %Y %H:%M:%S %z") if moment else _NONE


def _pairs(rows: list[tuple[str, str]], indent: int = 0) -> list[str]:
    """``Label:  value`` lines, the values in one column (kubectl's tabwriter)."""
    if not rows:
        return []
    width = max(len(label) + 1 for label, _ in rows) + 2
    pad = " " * indent
    return [
        f"{pad}{label}:{value}"
        if value.startswith("\n")
        else f"{pad}{(label + ':').ljust(width)}{value}".rstrip()
        for label, value in rows
    ]


def _map_lines(values: dict[str, object], separator: str) -> str:
    if not values:
        return _NONE
    entries = [f"{k}{separator}{v}" for k, v in sorted(values.items())]
    return ("\n" + " " * 18).join(entries)


def _state_rows(label: str, state: Json) -> list[tuple[str, str]]:
    if running := mapping(state, "running"):
        return [(label, "Running"), ("  Started", _when(running.get("startedAt")))]
    if waiting := mapping(state, "waiting"):
        rows = [(label, "Waiting"), ("  Reason", str(waiting.get("reason", "")))]
        if waiting.get("message"):
            rows.append(("  Message", str(waiting["message"])))
        return rows
    if terminated := mapping(state, "terminated"):
        rows = [
            (label, "Terminated"),
            ("  Reason", str(terminated.get("reason", ""))),
            ("  Exit Code", str(terminated.get("exitCode", ""))),
            ("  Started", _when(terminated.get("startedAt"))),
            ("  Finished", _when(terminated.get("finishedAt"))),
        ]
        if terminated.get("message"):
            rows.insert(2, ("  Message", str(terminated["message"])))
        return rows
    return [] if label == "Last State" else [(label, "Waiting")]


def _container(spec: Json, status: Json) -> list[str]:
    ports = items(spec, "ports")
    rows: list[tuple[str, str]] = [
        ("Container ID", str(status.get("containerID") or "")),
        ("Image", str(spec.get("image", ""))),
        ("Image ID", str(status.get("imageID") or "")),
        (
            "Port",
            ", ".join(f"{p.get('containerPort')}/{p.get('protocol', 'TCP')}" for p in ports)
            or _NONE,
        ),
    ]
    for key, label in (("command", "Command"), ("args", "Args")):
        words = spec.get(key)
        if isinstance(words, list) and words:
            rows.append((label, "\n      " + "\n      ".join(str(w) for w in words)))
    rows += _state_rows("State", mapping(status, "state"))
    rows += _state_rows("Last State", mapping(status, "lastState"))
    rows += [
        ("Ready", str(bool(status.get("ready")))),
        ("Restart Count", str(status.get("restartCount", 0))),
    ]
    env = items(spec, "env")
    rows.append(("Environment", "" if env else _NONE))
    lines = [f"  {spec.get('name')}:", *_pairs(rows, indent=4)]
    lines += [f"      {e.get('name')}:  {e.get('value', '<set from a source>')}" for e in env]
    mounts = items(spec, "volumeMounts")
    lines.append("    Mounts:" + ("" if mounts else f"         {_NONE}"))
    lines += [
        f"      {m.get('mountPath')} from {m.get('name')} ({'ro' if m.get('readOnly') else 'rw'})"
        for m in mounts
    ]
    return lines


def _containers(title: str, specs: list[Json], statuses: list[Json]) -> list[str]:
    if not specs:
        return []
    by_name = {str(s.get("name")): s for s in statuses}
    lines = [f"{title}:"]
    for spec in specs:
        lines += _container(spec, by_name.get(str(spec.get("name")), {}))
    return lines


def _volumes(spec: Json) -> list[str]:
    volumes = items(spec, "volumes")
    if not volumes:
        return ["Volumes:  <none>"]
    lines = ["Volumes:"]
    for volume in volumes:
        lines.append(f"  {volume.get('name')}:")
        for kind, source in volume.items():
            if kind == "name" or not isinstance(source, dict):
                continue
            rows = [("Type", kind[0].upper() + kind[1:])]
            rows += [(k[0].upper() + k[1:], str(v)) for k, v in source.items()]
            lines += _pairs(rows, indent=4)
    return lines


def _events(events: list[Json], now: dt.datetime) -> list[str]:
    if not events:
        return ["Events:  <none>"]
    rows = [
        ["Type", "Reason", "Age", "From", "Message"],
        ["----", "------", "----", "----", "-------"],
    ]
    rows += [
        [
            str(e.get("type", "")),
            str(e.get("reason", "")),
            age(e.get("lastTimestamp"), now),
            str(mapping(e, "source").get("component", "kubelet")),
            str(e.get("message", "")),
        ]
        for e in events
    ]
    return ["Events:", *("  " + line for line in table(rows).splitlines())]


def describe(pod: Json, events: list[Json], now: dt.datetime | None = None) -> str:
    """The ``kubectl describe pod`` text of a ``v1.Pod`` and its events."""
    meta, spec, status = mapping(pod, "metadata"), mapping(pod, "spec"), mapping(pod, "status")
    host_ip = str(status.get("hostIP") or "")
    node = str(spec.get("nodeName", "")) + (f"/{host_ip}" if host_ip else "")
    rows = [
        ("Name", str(meta.get("name", ""))),
        ("Namespace", str(meta.get("namespace", ""))),
        ("Service Account", str(spec.get("serviceAccountName") or "default")),
        ("Node", node or _NONE),
        ("Start Time", _when(status.get("startTime"))),
        ("Labels", _map_lines(mapping(meta, "labels"), "=")),
        ("Annotations", _map_lines(mapping(meta, "annotations"), ": ")),
        ("Status", _phase(meta, status)),
    ]
    if status.get("reason"):
        rows.append(("Reason", str(status["reason"])))
    if status.get("message"):
        rows.append(("Message", str(status["message"])))
    rows.append(("IP", str(status.get("podIP") or "")))
    lines = _pairs(rows)
    lines.append("IPs:" + ("" if status.get("podIPs") else "  <none>"))
    lines += [f"  IP:  {ip.get('ip')}" for ip in items(status, "podIPs")]
    lines += _containers(
        "Init Containers", items(spec, "initContainers"), items(status, "initContainerStatuses")
    )
    lines += _containers(
        "Containers", items(spec, "containers"), items(status, "containerStatuses")
    )
    conditions = [["Type", "Status"]] + [
        [str(c.get("type")), str(c.get("status"))] for c in items(status, "conditions")
    ]
    lines += ["Conditions:", *("  " + line for line in table(conditions).splitlines())]
    lines += _volumes(spec)
    lines += _pairs(
        [
            ("QoS Class", str(status.get("qosClass") or "")),
            ("Node-Selectors", _map_lines(mapping(spec, "nodeSelector"), "=")),
        ]
    )
    lines += _events(events, now or dt.datetime.now(dt.UTC))
    return "\n".join(lines) + "\n"


def _phase(meta: Json, status: Json) -> str:
    phase = str(status.get("phase", "Unknown"))
    if meta.get("deletionTimestamp"):
        return f"Terminating (lasts {age(meta['deletionTimestamp'])})"
    return phase


__all__ = ["add_parser", "describe", "run"]

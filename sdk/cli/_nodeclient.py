"""What the commands that talk to ``podkit node`` share: ``--socket``, ``-n``, ages, the client.

``podkit get``, ``describe``, ``logs``, ``exec`` and ``delete`` are clients
of the agent's local API (:mod:`podkit.nodeapi`); a podkit error (no agent
listening, no such pod) is one line on stderr and exit code 1, printed by
:func:`podkit.cli._main.main`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Final

from podkit.nodeapi import DEFAULT_SOCKET, NodeApiClient

if TYPE_CHECKING:
    import argparse

DEFAULT_NAMESPACE: Final = "default"
#: The names kubectl accepts for pods.
POD_RESOURCES: Final = ("pods", "pod", "po")
_MINUTE: Final = 60
_HOUR: Final = 3600
_DAY: Final = 86400


def add_connection(parser: argparse.ArgumentParser, *, namespaced: bool = True) -> None:
    """``--socket`` (and ``-n/--namespace``)."""
    parser.add_argument(
        "--socket",
        type=Path,
        default=DEFAULT_SOCKET,
        metavar="PATH",
        help=f"the podkit node's socket (default {DEFAULT_SOCKET})",
    )
    if namespaced:
        parser.add_argument(
            "-n",
            "--namespace",
            default=DEFAULT_NAMESPACE,
            help=f"the pod's namespace (default {DEFAULT_NAMESPACE})",
        )


def add_resource(parser: argparse.ArgumentParser) -> None:
    """The ``pod``/``pods``/``po`` word that kubectl's commands take."""
    parser.add_argument("resource", choices=POD_RESOURCES, metavar="pod", help="pod (or pods, po)")


def client(args: argparse.Namespace, *, timeout: float | None = 600.0) -> NodeApiClient:
    """A client of the agent that ``args.socket`` names."""
    return NodeApiClient(args.socket, timeout=timeout)


def parse_time(value: object) -> dt.datetime | None:
    """A Kubernetes timestamp (``2026-01-02T03:04:05Z``), or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def age(since: object, now: dt.datetime | None = None) -> str:  # noqa: PLR0911 - kubectl's steps
    """Kubectl's short age (``45s``, ``12m``, ``3h5m``, ``2d``); ``<unknown>`` without a time."""
    start = parse_time(since)
    if start is None:
        return "<unknown>"
    seconds = int(((now or dt.datetime.now(dt.UTC)) - start).total_seconds())
    seconds = max(seconds, 0)
    if seconds < 2 * _MINUTE:
        return f"{seconds}s"
    if seconds < 10 * _MINUTE:
        minutes, rest = divmod(seconds, _MINUTE)
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if seconds < 3 * _HOUR:
        return f"{seconds // _MINUTE}m"
    if seconds < 8 * _HOUR:
        hours, rest = divmod(seconds, _HOUR)
        return f"{hours}h{rest // _MINUTE}m" if rest // _MINUTE else f"{hours}h"
    if seconds < 2 * _DAY:
        return f"{seconds // _HOUR}h"
    return f"{seconds // _DAY}d"


def mapping(value: object, key: str) -> dict[str, object]:
    """``value[key]`` when both are JSON objects, else an empty one."""
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, dict) else {}


def items(value: object, key: str) -> list[dict[str, object]]:
    """The objects of the list ``value[key]``."""
    found = value.get(key) if isinstance(value, dict) else None
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


__all__ = [
    "DEFAULT_NAMESPACE",
    "POD_RESOURCES",
    "add_connection",
    "add_resource",
    "age",
    "client",
    "items",
    "mapping",
    "parse_time",
]

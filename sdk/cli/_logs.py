"""``podkit logs NAME [-c C] [-f] [--previous]``: a container's output, as ``kubectl logs``.

The container may be left out when the pod has only one; otherwise the
agent's error lists the pod's containers. ``-f`` follows the output as it
is written, across the container's restarts, until the pod is deleted or
has ended (or Ctrl-C).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from podkit.cli._nodeclient import add_connection, client

if TYPE_CHECKING:
    import argparse


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    parser = commands.add_parser(
        "logs",
        help="print a container's output from a running `podkit node`, like kubectl logs",
        description="Print the output of a container of a pod that a `podkit node` runs.",
    )
    parser.add_argument("name", metavar="NAME", help="the pod")
    parser.add_argument("-c", "--container", default="", help="the container (if several)")
    parser.add_argument("-f", "--follow", action="store_true", help="keep printing new output")
    parser.add_argument(
        "-p",
        "--previous",
        action="store_true",
        help="the output of the run before the last restart",
    )
    add_connection(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the log."""
    lines = client(args).logs(
        args.namespace,
        args.name,
        container=args.container,
        follow=args.follow,
        previous=args.previous,
    )
    try:
        for line in lines:
            sys.stdout.write(line)
            sys.stdout.flush()
    except BrokenPipeError:  # `podkit logs ... | head`
        sys.stderr.close()
    return 0


__all__ = ["add_parser", "run"]

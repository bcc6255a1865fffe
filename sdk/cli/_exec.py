"""``podkit exec NAME [-c C] -- CMD...``: run a command in a pod's container, as ``kubectl exec``.

The command runs to its end (CRI ``ExecSync``: no terminal, no stdin);
its stdout and stderr go to ours and its exit code is ours.
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
        "exec",
        help="run a command in a container of a running `podkit node`'s pod, like kubectl exec",
        description="Run a command in a container of a pod that a `podkit node` runs:"
        " podkit exec NAME [-c CONTAINER] -- COMMAND [ARGS...]",
    )
    parser.add_argument("name", metavar="NAME", help="the pod")
    parser.add_argument("-c", "--container", default="", help="the container (if several)")
    parser.add_argument(
        "--timeout", type=int, default=0, metavar="SECONDS", help="stop the command after this long"
    )
    add_connection(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the command; its exit code."""
    if not args.passthrough:
        print("podkit exec: give the command after --: podkit exec NAME -- CMD", file=sys.stderr)
        return 1
    result = client(args).exec(
        args.namespace,
        args.name,
        list(args.passthrough),
        container=args.container,
        timeout=args.timeout,
    )
    sys.stdout.buffer.write(result.stdout)
    sys.stdout.flush()
    sys.stderr.buffer.write(result.stderr)
    sys.stderr.flush()
    return result.exit_code


__all__ = ["add_parser", "run"]

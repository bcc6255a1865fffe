"""``podkit delete pod NAME [--grace-period N]``: delete an agent's pods, as ``kubectl delete``.

Each pod is stopped gracefully (its containers get ``--grace-period``
seconds, the pod's ``terminationGracePeriodSeconds`` by default) and removed;
the command returns when it is gone. A static pod comes back: its file says
it should run (remove the file to remove it for good).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podkit.cli._nodeclient import add_connection, add_resource, client

if TYPE_CHECKING:
    import argparse


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    parser = commands.add_parser(
        "delete",
        help="delete pods of a running `podkit node`, like kubectl delete pod",
        description="Delete pods that a `podkit node` runs; wait until they are gone.",
    )
    add_resource(parser)
    parser.add_argument("names", nargs="+", metavar="NAME", help="the pod(s)")
    parser.add_argument(
        "--grace-period",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how long the containers get to stop (default: the pod's own)",
    )
    add_connection(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Delete the pods."""
    api = client(args)
    for name in args.names:
        api.delete(args.namespace, name, grace_period=args.grace_period)
        print(f'pod "{name}" deleted')
    return 0


__all__ = ["add_parser", "run"]

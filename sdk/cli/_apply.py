"""``podkit apply -f FILE|DIR``: hand manifests to a running ``podkit node``, as ``kubectl apply``.

The embedding-API source of pods, from the shell: each file is validated
here first (every error, field path first, before anything reaches the
agent), then posted to the agent's local API, which takes its Secrets and
ConfigMaps and runs its Pods. Applying a Pod that runs with the same spec
changes nothing; with another spec the agent refuses it (pod specs are
immutable: delete it first).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from podkit import manifests
from podkit.cli._files import expand
from podkit.cli._nodeclient import add_connection, client
from podkit.errors import InvalidArgumentError

if TYPE_CHECKING:
    import argparse


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    parser = commands.add_parser(
        "apply",
        help="run the pods of manifests on a running `podkit node`, like kubectl apply",
        description="Validate manifests and hand them to a running `podkit node`: its"
        " Secrets and ConfigMaps are taken, its Pods run.",
    )
    parser.add_argument(
        "-f",
        "--filename",
        dest="files",
        action="append",
        required=True,
        metavar="FILE",
        help="a manifest file, a folder of them, or - for stdin (repeatable)",
    )
    add_connection(parser, namespaced=False)
    parser.set_defaults(run=run)


def _read(name: str) -> tuple[str, bytes]:
    if name == "-":
        return "<stdin>", sys.stdin.buffer.read()
    try:
        return name, Path(name).read_bytes()
    except OSError as exc:
        msg = f"cannot read {name}: {exc.strerror or exc}"
        raise InvalidArgumentError(msg) from exc


def run(args: argparse.Namespace) -> int:
    """Validate every file, then apply them one by one; print what runs."""
    documents = []
    for name in expand(args.files):
        source, data = _read(name)
        objects = manifests.load(data, source=source)
        namespaces = sorted({obj.metadata.namespace for obj in objects})
        if len(namespaces) > 1:
            msg = f"{source}: objects of several namespaces ({', '.join(namespaces)}): one per file"
            raise InvalidArgumentError(msg)
        if namespaces:
            documents.append((namespaces[0], data, objects))
    api = client(args)
    for namespace, data, objects in documents:
        api.apply(namespace, data)
        for obj in objects:
            print(f"{type(obj).__name__.lower()}/{obj.metadata.name} applied")
    return 0


__all__ = ["add_parser", "run"]

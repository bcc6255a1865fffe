"""``podkit validate -f FILE...``: check manifests without running them.

Exit 0 when every document of every file is valid. Otherwise exit 1 and
print every problem, one per line, field path first, then where it is.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from podkit import manifests
from podkit.cli import _files
from podkit.errors import ManifestError

if TYPE_CHECKING:
    import argparse


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    parser = commands.add_parser(
        "validate",
        help="check Kubernetes manifests (Pod, Secret, ConfigMap)",
        description="Load manifests as the node would and report every problem found.",
    )
    parser.add_argument(
        "-f",
        "--filename",
        dest="files",
        action="extend",
        nargs="+",
        required=True,
        metavar="FILE",
        help="a YAML or JSON file (several documents allowed), a folder of them, or - for stdin",
    )
    parser.set_defaults(run=run)


def _load(name: str) -> list[object]:
    if name == "-":
        return list(manifests.load(sys.stdin.read(), source="<stdin>"))
    return list(manifests.load_file(Path(name)))


def _describe(obj: object) -> str:
    kind = getattr(obj, "kind", type(obj).__name__)
    name = getattr(getattr(obj, "metadata", None), "name", "?")
    return f"{kind.lower()}/{name}"


def run(args: argparse.Namespace) -> int:
    """Validate every file; report all problems."""
    failed = False
    for name in _files.expand(args.files):
        try:
            objects = _load(name)
        except ManifestError as exc:
            failed = True
            source = exc.source or name
            for error in exc.errors:
                print(f"{error}  ({source})")
            continue
        except OSError as exc:
            failed = True
            print(f"{name}: cannot read: {exc.strerror or exc}")
            continue
        print(f"{name}: valid ({', '.join(_describe(o) for o in objects) or 'no objects'})")
    return 1 if failed else 0

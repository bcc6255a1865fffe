"""``podkit``: the argument parser and the dispatch to subcommands.

Every subcommand returns an exit code. Expected failures (a podkit error, a
file that cannot be read) print one clear line to stderr and exit 1; only a
bug would show a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import TYPE_CHECKING

from podkit import __version__
from podkit.cli import (
    _apply,
    _conformance,
    _delete,
    _describe,
    _exec,
    _get,
    _install_cni,
    _logs,
    _node,
    _plugins,
    _run,
    _serve,
    _validate,
)
from podkit.errors import PodkitError

if TYPE_CHECKING:
    from collections.abc import Sequence

EPILOG = """\
environment:
  PODKIT_TRACE=1             log every hook call (same as --trace)
  PODKIT_DISABLED_PLUGINS    comma-separated plugin names not to load
"""


def build_parser() -> argparse.ArgumentParser:
    """The ``podkit`` parser with all subcommands."""
    parser = argparse.ArgumentParser(
        prog="podkit",
        description="podkit: run Kubernetes pods' node side through runtime, network and"
        " storage plugins.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"podkit {__version__}")
    parser.add_argument(
        "--trace", action="store_true", help="log every hook call: target, duration, outcome"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _plugins.add_parser(commands)
    _validate.add_parser(commands)
    _conformance.add_parser(commands)
    _run.add_parser(commands)
    _serve.add_parser(commands)
    _install_cni.add_parser(commands)
    _node.add_parser(commands)
    for client in (_apply, _get, _describe, _logs, _exec, _delete):
        client.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``podkit`` with ``argv`` (default: the process arguments)."""
    words = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in words:  # what follows goes to the tool below (pytest), unparsed
        passthrough = words[words.index("--") + 1 :]
        words = words[: words.index("--")]
    args = build_parser().parse_args(words)
    args.passthrough = passthrough
    if args.trace:
        os.environ["PODKIT_TRACE"] = "1"
    if os.environ.get("PODKIT_TRACE", "").lower() in {"1", "true", "yes"}:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    try:
        return int(args.run(args))
    except PodkitError as exc:
        print(f"podkit {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130

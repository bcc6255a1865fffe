"""``podkit conformance KIND``: run a conformance suite against a plugin.

The suites are the pytest plugin :mod:`podkit.conformance`; this command is
a thin front for ``pytest --pyargs podkit.conformance.KIND`` that picks the
target, passes ``--junitxml`` through and ends with a one-line summary.
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, final

import pytest

from podkit.hookspecs import KINDS

if TYPE_CHECKING:
    import argparse


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    parser = commands.add_parser(
        "conformance",
        usage="podkit conformance {network,runtime,storage} --plugin NAME [options]"
        " [-- PYTEST_ARG...]",
        help="run a conformance suite against a plugin",
        description="Run the conformance suite of one plugin kind against a target plugin."
        " Arguments after -- go to pytest, e.g. `-- -x -k version`.",
    )
    parser.add_argument("kind", choices=sorted(KINDS), help="the suite to run")
    parser.add_argument(
        "--plugin",
        required=True,
        metavar="NAME",
        help="an installed plugin's name (see `podkit plugins`) or a module:attribute path",
    )
    parser.add_argument(
        "--target",
        metavar="NAME",
        help="the handler / CNI type / CSI driver to address (default: the plugin's first name)",
    )
    parser.add_argument("--junitxml", metavar="FILE", help="also write a JUnit XML report")
    parser.set_defaults(run=run)


@final
class _Summary:
    """Counts outcomes, for the closing line."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or report.outcome != "passed":
            self.counts[report.outcome] += 1


def run(args: argparse.Namespace) -> int:
    """Run the suite; exit 0 when every test passed or was skipped by capability."""
    argv = ["--pyargs", f"podkit.conformance.{args.kind}", f"--podkit-plugin={args.plugin}"]
    argv += ["-p", "no:cacheprovider"]
    if args.target:
        argv.append(f"--podkit-target={args.target}")
    if args.junitxml:
        argv.append(f"--junitxml={args.junitxml}")
    summary = _Summary()
    code = pytest.main([*argv, *args.passthrough], plugins=[summary])
    counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(summary.counts.items()))
    if code == pytest.ExitCode.USAGE_ERROR:
        verdict = "could not be tested (see the error above)"
    elif code == pytest.ExitCode.OK:
        verdict = f"conforms ({counts})"
    else:
        verdict = f"does NOT conform ({counts or 'no tests ran'})"
    print(f"podkit conformance {args.kind}: plugin {args.plugin!r} {verdict}")
    return int(code)

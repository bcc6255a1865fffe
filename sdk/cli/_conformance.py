"""``podkit conformance KIND``: run a conformance suite against a plugin.

The suites are the pytest plugin :mod:`podkit.conformance`; this command is
a thin front for ``pytest --pyargs podkit.conformance.KIND`` that picks the
target, passes ``--junitxml`` through and ends with a one-line summary.
"""

from __future__ import annotations

import collections
import os
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
        metavar="NAME",
        help="an installed plugin's name (see `podkit plugins`) or a module:attribute path",
    )
    parser.add_argument(
        "--target",
        metavar="NAME",
        help="the handler / CNI type / CSI driver to address (default: the plugin's first name)",
    )
    parser.add_argument(
        "--via-exec",
        action="store_true",
        help="network: call the plugin through the podkit-cni executable, as a CNI runtime would",
    )
    parser.add_argument(
        "--cni-path",
        metavar="DIR",
        help="network: test the upstream CNI plugin binaries in DIR instead (with --target)",
    )
    parser.add_argument(
        "--csi-endpoint",
        metavar="unix://PATH",
        help="storage: test the CSI driver serving on this unix socket instead",
    )
    parser.add_argument(
        "--cri-endpoint",
        metavar="unix://PATH",
        help="runtime: test the CRI runtime serving on this unix socket instead (containerd,"
        " CRI-O, podkit serve cri), through podkit.CriClientPlugin",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="run only the smoke suite: the plugin loads and answers for its names (and only them)",
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
            outcome: str = report.outcome
            if hasattr(report, "wasxfail"):
                outcome = "xpassed" if report.outcome == "passed" else "xfailed"
            self.counts[outcome] += 1


def _cri_client_argv(endpoint: str, handler: str | None) -> list[str]:
    """Load a CriClientPlugin of ``endpoint`` as the plugin under test, answering for ``handler``.

    The suite loads plugins by name and instantiates classes without
    arguments, so the client takes its endpoint from the environment.
    """
    from podkit.wire.cri import _conformance  # noqa: PLC0415 - gRPC loads only for this option

    os.environ[_conformance.ENDPOINT_ENV] = endpoint
    os.environ[_conformance.HANDLER_ENV] = handler or "cri"
    return [f"--podkit-plugin={_conformance.PLUGIN_SPEC}"]


def _usage_error(args: argparse.Namespace) -> str | None:
    """What is wrong with the target options, or ``None``."""
    if not (args.plugin or args.cni_path or args.csi_endpoint or args.cri_endpoint):
        return (
            "give --plugin NAME (or --cni-path DIR for network, --csi-endpoint unix://PATH"
            " for storage, --cri-endpoint unix://PATH for runtime)"
        )
    if args.cri_endpoint and args.kind != "runtime":
        return "--cri-endpoint tests a runtime: use `podkit conformance runtime`"
    return None


def _pytest_argv(args: argparse.Namespace) -> list[str]:
    """The suite and its options, as pytest takes them."""
    suite = f"podkit.conformance.{args.kind}" + (".test_smoke" if args.smoke else "")
    argv = ["--pyargs", suite, "-p", "no:cacheprovider"]
    if args.plugin:
        argv.append(f"--podkit-plugin={args.plugin}")
    if args.via_exec:
        argv.append("--via-exec")
    if args.cni_path:
        argv.append(f"--cni-path={args.cni_path}")
    if args.csi_endpoint:
        argv.append(f"--csi-endpoint={args.csi_endpoint}")
    if args.cri_endpoint:
        argv += _cri_client_argv(args.cri_endpoint, args.target)
    if args.target:
        argv.append(f"--podkit-target={args.target}")
    if args.junitxml:
        argv.append(f"--junitxml={args.junitxml}")
    return argv


def run(args: argparse.Namespace) -> int:
    """Run the suite; exit 0 when every test passed or was skipped by capability."""
    problem = _usage_error(args)
    if problem is not None:
        print(f"podkit conformance: {problem}")
        return 2
    summary = _Summary()
    code = pytest.main([*_pytest_argv(args), *args.passthrough], plugins=[summary])
    counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(summary.counts.items()))
    if code == pytest.ExitCode.USAGE_ERROR:
        verdict = "could not be tested (see the error above)"
    elif code == pytest.ExitCode.OK:
        verdict = f"conforms ({counts})"
    else:
        verdict = f"does NOT conform ({counts or 'no tests ran'})"
    target = args.plugin or args.cni_path or args.csi_endpoint or args.cri_endpoint
    how = " via podkit-cni" if args.via_exec else ""
    print(f"podkit conformance {args.kind}: plugin {target!r}{how} {verdict}")
    return int(code)

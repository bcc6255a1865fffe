"""Developer sessions: ``nox -s lint typecheck tests`` is what CI runs.

mypy and import-linter find modules by folder name, and podkit's folders are
not named like its packages (``sdk/`` is ``podkit``). The ``lint`` and
``typecheck`` sessions therefore look at the package tree as it is installed:
``_package_tree`` lays out ``podkit/`` (``sdk/`` with ``plugins/`` and
``conformance/`` inside) under ``.typecheck/`` with symbolic links, so error
messages still lead to the real files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"

ROOT = Path(__file__).parent
TREE = ROOT / ".typecheck"
EXAMPLE = ROOT / "examples" / "third-party-plugin"
#: Every suite against every reference plugin and the example plugins.
CONFORMANCE_TARGETS = [
    ("runtime", "example-runtime"),
    ("runtime", "namespace"),
    ("network", "example-network"),
    ("network", "bridge"),
    ("network", "host-local"),
    ("network", "loopback"),
    ("network", "portmap"),
    ("storage", "example-storage"),
    ("storage", "hostpath-csi"),
    ("storage", "hostpath-volumes"),
    ("storage", "emptydir"),
    ("storage", "secret"),
    ("storage", "configmap"),
]


def _package_tree(*, copy: bool = False) -> Path:
    """Lay out the ``podkit`` package tree under ``.typecheck/`` and return it.

    Links by default (mypy reports the real files' lines); a copy when the
    tool does not follow linked folders (import-linter).
    """
    shutil.rmtree(TREE, ignore_errors=True)
    package = TREE / "podkit"
    package.mkdir(parents=True)
    entries = [*((ROOT / "sdk").iterdir())]
    entries += [ROOT / "plugins", ROOT / "conformance"]
    for entry in entries:
        if entry.name == "__pycache__":
            continue
        target = package / entry.name
        if copy and entry.is_dir():
            shutil.copytree(entry, target, ignore=shutil.ignore_patterns("__pycache__"))
        elif copy:
            shutil.copy2(entry, target)
        else:
            target.symlink_to(entry)
    return TREE


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff (lint and format) and the import contracts."""
    session.install("-e", ".[dev]", "-e", str(EXAMPLE))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    tree = _package_tree(copy=True)
    session.run(
        "lint-imports",
        "--no-cache",
        env={"PYTHONPATH": os.pathsep.join([str(tree), str(EXAMPLE / "src")])},
    )


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy, strict on the SDK; plugins, suites and tests are checked too."""
    session.install("-e", ".[dev]")
    tree = _package_tree()
    session.run(
        "mypy",
        "-p",
        "podkit",
        env={"MYPYPATH": str(tree)},
    )


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite; tests that need root run when it runs as root."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def conformance(session: nox.Session) -> None:
    """Every conformance suite against every installed plugin of its kind."""
    session.install("-e", ".[test]", "-e", str(EXAMPLE))
    for kind, plugin in CONFORMANCE_TARGETS:
        smoke = ["--smoke"] if plugin.startswith("example-") else []  # templates, not full plugins
        session.run("podkit", "conformance", kind, "--plugin", plugin, *smoke)


@nox.session
def bench(session: nox.Session) -> None:
    """The benchmarks (on demand; never part of the test suite)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "benchmarks", *session.posargs)

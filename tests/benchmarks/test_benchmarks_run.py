"""Smoke test of the benchmarks: each runs in ``--quick`` mode, prints its table, leaks nothing.

Figures are printed, never checked: no timing assertion here or anywhere. The leak
check of root tests (podkit.testing.pytest_plugin) proves that each benchmark took
away the namespaces, links, mounts, cgroups and processes it made.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.root, pytest.mark.netns, pytest.mark.integration]

#: Each benchmark and a title line its table must print.
TABLES = {
    "cri": "== cri: pod start and teardown through CRI",
    "dispatch": "podkit: in-process call",
    "runtime": "== runtime: sandbox + container of /bin/true",
    "network": "== network: CNI ADD and DEL of a bridge attachment",
    "storage": "== storage: hostpath CSI NodePublishVolume",
}


def _leftovers() -> list[str]:
    """Temporary dirs the benchmarks make (and must remove): /tmp/pkb-<name>-*."""
    return sorted(str(p) for p in Path(tempfile.gettempdir()).glob("pkb-*-*") if p.is_dir())


@pytest.mark.parametrize("name", sorted(TABLES))
def test_benchmark_runs_quick_and_prints_its_table(name):
    before = _leftovers()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", name],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert TABLES[name] in done.stdout, done.stdout
    if name != "dispatch":
        assert "median" in done.stdout
        if "missing:" not in done.stdout:  # the upstream peer is installed
            assert " x" in done.stdout  # so a ratio to it was printed
    assert _leftovers() == before

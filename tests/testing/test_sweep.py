"""The sweeps: what a failed run left in cgroups and under a folder, removed for real."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from podkit.testing import sweep_cgroups, sweep_mounts

pytestmark = pytest.mark.root


def _mounted(path: Path) -> bool:
    lines = Path("/proc/self/mountinfo").read_text().splitlines()
    return any(line.split()[4] == str(path).replace(" ", "\\040") for line in lines)


def test_mounts_under_a_folder_go_deepest_first_and_others_stay(tmp_path):
    outer, inner = tmp_path / "a dir", tmp_path / "a dir" / "inner"
    beside = tmp_path / "a dir-beside"  # shares the prefix, not the folder
    for path in (outer, beside):
        path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "pkt-sweep", outer], check=True)
    inner.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "pkt-sweep", inner], check=True)
    subprocess.run(["mount", "-t", "tmpfs", "pkt-sweep", beside], check=True)
    try:
        sweep_mounts(outer)
        assert not _mounted(inner)
        assert not _mounted(outer)
        assert _mounted(beside)
    finally:
        subprocess.run(["umount", "-l", beside], check=False)
        sweep_mounts(outer)


def test_cgroups_are_emptied_of_processes_and_removed(tmp_path):
    top = Path("/sys/fs/cgroup/pids/podkit-pkt-sweep/run")
    child = top / "pod" / "container"
    child.mkdir(parents=True)
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        (child / "cgroup.procs").write_text(str(sleeper.pid))
        sweep_cgroups([top])
        assert sleeper.wait(timeout=10) == -9
        assert not top.exists()
        assert not top.parent.exists()  # left empty: removed too
    finally:
        if sleeper.poll() is None:
            sleeper.kill()
            sleeper.wait()
        sweep_cgroups([top])

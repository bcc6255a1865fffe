"""The leak checker finds each kind of resource a test can leave on the host.

Every test here makes a real resource, shows that the checker reports it, then
removes it (also on failure, through the ``cleanup`` fixture) and shows that the
checker is quiet again. The plugin's own leak check then runs around each of them.
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from podkit.testing import (
    HostResource,
    HostSnapshot,
    LeakChecker,
    LeakError,
    ResourceDiff,
    ResourceKind,
    diff_host_resources,
    require_binary,
    snapshot_host_resources,
)

if TYPE_CHECKING:
    from collections.abc import Callable


def _run(*argv: str) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(argv)} failed: {result.stderr}"


def _cgroup_hierarchies() -> list[str]:
    mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    points = {
        line.split()[4]
        for line in mounts
        if line.split(" - ")[1].split()[0] in {"cgroup", "cgroup2"}
    }
    return sorted(points)


def _appeared(checker: LeakChecker) -> set[HostResource]:
    return set(checker.check(settle=0).appeared)


def _leak(kind: ResourceKind, name: str) -> HostResource:
    return HostResource(kind=kind, name=name)


@pytest.mark.root
@pytest.mark.usefixtures("netns_dir_restored")
def test_a_network_namespace_left_behind_is_reported(
    unique: str, cleanup: Callable[..., None]
) -> None:
    name = f"podkit-leak-{unique}"
    checker = LeakChecker()
    checker.start()
    cleanup("ip", "netns", "delete", name)
    _run("ip", "netns", "add", name)

    assert _leak(ResourceKind.NETNS, f"/run/netns/{name}") in _appeared(checker)
    # Named once, as a network namespace: not again as its nsfs mount, nor the
    # /run/netns bind mount iproute2 makes once and keeps.
    assert not [r for r in _appeared(checker) if r.kind is ResourceKind.MOUNT and "netns" in r.name]

    _run("ip", "netns", "delete", name)
    assert not [r for r in _appeared(checker) if name in r.name]


@pytest.mark.root
def test_links_left_behind_are_reported(unique: str, cleanup: Callable[..., None]) -> None:
    # A veth pair: both ends are reported (the dummy type is not in every kernel).
    first, second = f"pkleak{unique}a", f"pkleak{unique}b"
    checker = LeakChecker()
    checker.start()
    cleanup("ip", "link", "delete", first)
    _run("ip", "link", "add", first, "type", "veth", "peer", "name", second)

    leaks = _appeared(checker)
    assert _leak(ResourceKind.LINK, first) in leaks
    assert _leak(ResourceKind.LINK, second) in leaks

    _run("ip", "link", "delete", first)
    assert not [r for r in _appeared(checker) if r.name in {first, second}]


@pytest.mark.root
def test_a_link_that_goes_away_while_settling_is_no_leak(
    unique: str, cleanup: Callable[..., None]
) -> None:
    # As a plugin's deleting thread or the kernel's namespace clean-up do it: soon after.
    first, second = f"pkleak{unique}s", f"pkleak{unique}t"
    checker = LeakChecker()
    checker.start()
    cleanup("ip", "link", "delete", first)
    _run("ip", "link", "add", first, "type", "veth", "peer", "name", second)
    assert _leak(ResourceKind.LINK, first) in _appeared(checker)
    remover = threading.Timer(0.3, _run, ("ip", "link", "delete", first))
    remover.start()
    try:
        assert not [r for r in checker.check(settle=30).appeared if unique in r.name]
    finally:
        remover.join()


@pytest.mark.root
def test_a_mount_left_behind_is_reported(tmp_path: Path, cleanup: Callable[..., None]) -> None:
    target = tmp_path / "mnt"
    target.mkdir()
    checker = LeakChecker()
    checker.start()
    cleanup("umount", str(target))
    _run("mount", "-t", "tmpfs", "podkit-leaktest", str(target))

    leaks = [r for r in _appeared(checker) if r.kind is ResourceKind.MOUNT]
    assert leaks == [_leak(ResourceKind.MOUNT, f"{target} (tmpfs)")]
    assert leaks[0].detail == "source podkit-leaktest"

    _run("mount", "-t", "tmpfs", "podkit-leaktest", str(target))  # stacked on the first
    assert _leak(ResourceKind.MOUNT, f"{target} (tmpfs) #2") in _appeared(checker)
    cleanup("umount", str(target))

    _run("umount", str(target))
    _run("umount", str(target))
    assert not [r for r in _appeared(checker) if str(target) in r.name]


@pytest.mark.root
@pytest.mark.parametrize("hierarchy", _cgroup_hierarchies())
def test_a_podkit_cgroup_left_behind_is_reported(
    hierarchy: str, unique: str, cleanup: Callable[..., None]
) -> None:
    parent = Path(hierarchy) / f"podkit-leaktest-{unique}"
    child = parent / "pod1"
    other = Path(hierarchy) / f"leaktest-{unique}"
    checker = LeakChecker()
    checker.start()
    cleanup("rmdir", str(parent))
    cleanup("rmdir", str(child))
    cleanup("rmdir", str(other))
    parent.mkdir()
    child.mkdir()
    other.mkdir()

    leaks = {r for r in _appeared(checker) if r.kind is ResourceKind.CGROUP}
    # Only podkit's cgroups count: those whose path names podkit.
    assert leaks == {
        _leak(ResourceKind.CGROUP, str(parent)),
        _leak(ResourceKind.CGROUP, str(child)),
    }

    child.rmdir()
    parent.rmdir()
    other.rmdir()
    assert not [r for r in _appeared(checker) if r.kind is ResourceKind.CGROUP]


@pytest.mark.root
def test_an_nftables_table_left_behind_is_reported(
    unique: str, cleanup: Callable[..., None]
) -> None:
    nft = require_binary("nft")
    table = f"podkit_leaktest_{unique}"
    checker = LeakChecker()
    assert ResourceKind.NFT_TABLE not in checker.start().unavailable
    cleanup(nft, "delete", "table", "inet", table)
    _run(nft, "add", "table", "inet", table)

    assert _leak(ResourceKind.NFT_TABLE, f"inet {table}") in _appeared(checker)

    _run(nft, "delete", "table", "inet", table)
    assert _leak(ResourceKind.NFT_TABLE, f"inet {table}") not in _appeared(checker)


def test_a_child_process_left_running_is_reported(cleanup: Callable[..., None]) -> None:
    checker = LeakChecker(state_dirs=[])
    checker.start()
    # A child that starts a grandchild: both are descendants of the test process.
    shell = subprocess.Popen(
        ["sh", "-c", "sleep 61 & echo $!; wait"], stdout=subprocess.PIPE, text=True
    )
    cleanup("kill", str(shell.pid))
    assert shell.stdout is not None
    grandchild = int(shell.stdout.readline())
    cleanup("kill", str(grandchild))
    try:
        leaks = {r for r in _appeared(checker) if r.kind is ResourceKind.PROCESS}
        assert leaks == {
            _leak(ResourceKind.PROCESS, str(shell.pid)),
            _leak(ResourceKind.PROCESS, str(grandchild)),
        }
        assert {r.detail for r in leaks} == {"sh -c sleep 61 & echo $!; wait", "sleep 61"}
    finally:
        _run("kill", str(grandchild))
        shell.wait(timeout=10)
        shell.stdout.close()
    assert not [r for r in _appeared(checker) if r.kind is ResourceKind.PROCESS]


def test_a_zombie_child_is_reported_as_never_waited_for() -> None:
    checker = LeakChecker(state_dirs=[])
    checker.start()
    child = subprocess.Popen(["true"])
    try:
        stat = Path(f"/proc/{child.pid}/stat")
        deadline = time.monotonic() + 10
        while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z":
            assert time.monotonic() < deadline, "the child did not exit"
            time.sleep(0.01)
        (leak,) = (r for r in _appeared(checker) if r.kind is ResourceKind.PROCESS)
        assert leak.name == str(child.pid)
        assert leak.detail == "true, a zombie: exited but never waited for"
    finally:
        child.wait(timeout=10)
    assert not [r for r in _appeared(checker) if r.kind is ResourceKind.PROCESS]


def test_files_left_in_a_state_dir_are_reported(tmp_path: Path) -> None:
    state = tmp_path / "state"
    checker = LeakChecker(state_dirs=[state, tmp_path / "never-made"])
    checker.start()
    (state / "sandboxes").mkdir(parents=True)
    (state / "sandboxes" / "abc.json").write_text("{}")

    leaks = [r for r in checker.check(settle=0).appeared if r.kind is ResourceKind.STATE_FILE]
    assert leaks == [
        _leak(ResourceKind.STATE_FILE, str(state / "sandboxes")),
        _leak(ResourceKind.STATE_FILE, str(state / "sandboxes" / "abc.json")),
    ]
    assert leaks[0].detail == "dir"


def test_a_watched_dir_counts_only_what_appears_after(tmp_path: Path) -> None:
    (tmp_path / "old").write_text("")
    checker = LeakChecker(state_dirs=[])
    checker.start()
    checker.watch_dir(tmp_path)
    checker.watch_dir(tmp_path)  # twice is once
    (tmp_path / "new").write_text("")

    assert checker.state_dirs == (tmp_path,)
    leaks = [r for r in checker.check(settle=0).appeared if r.kind is ResourceKind.STATE_FILE]
    assert leaks == [_leak(ResourceKind.STATE_FILE, str(tmp_path / "new"))]


def _leave_a_file(checker: LeakChecker, path: Path) -> None:
    with checker:
        path.write_text("")


def _fail_after_leaving_a_file(checker: LeakChecker, path: Path) -> None:
    with checker:
        path.write_text("")
        raise KeyError


def test_the_context_manager_raises_a_readable_leak_error(tmp_path: Path) -> None:
    checker = LeakChecker(state_dirs=[tmp_path])
    with pytest.raises(LeakError) as caught:
        _leave_a_file(checker, tmp_path / "left")

    assert checker.started
    assert caught.value.diff.appeared == (_leak(ResourceKind.STATE_FILE, str(tmp_path / "left")),)
    assert str(caught.value) == f"1 host resource left behind:\n  state file: {tmp_path}/left"


def test_the_context_manager_lets_the_block_s_own_error_through(tmp_path: Path) -> None:
    with pytest.raises(KeyError):
        _fail_after_leaving_a_file(LeakChecker(state_dirs=[tmp_path]), tmp_path / "left")


@pytest.mark.root
@pytest.mark.usefixtures("netns_dir_restored")
def test_a_block_that_removes_all_it_made_reports_nothing(
    tmp_path: Path, unique: str, cleanup: Callable[..., None]
) -> None:
    # One of each kind, made and removed, so that "nothing" is not for want of looking.
    nft = require_binary("nft")
    netns, link, table = f"podkit-leak-{unique}", f"pkleak{unique}", f"podkit_leaktest_{unique}"
    mount, cgroup = tmp_path / "mnt", Path(_cgroup_hierarchies()[0]) / f"podkit-leak-{unique}"
    mount.mkdir()
    for argv in (
        ("ip", "netns", "delete", netns),
        ("ip", "link", "delete", link),
        ("umount", str(mount)),
        ("rmdir", str(cgroup)),
        (nft, "delete", "table", "inet", table),
    ):
        cleanup(*argv)
    with LeakChecker(state_dirs=[tmp_path / "state"]):
        _run("ip", "netns", "add", netns)
        _run("ip", "link", "add", link, "type", "bridge")
        _run("mount", "-t", "tmpfs", "none", str(mount))
        cgroup.mkdir()
        _run(nft, "add", "table", "inet", table)
        (tmp_path / "state").mkdir()
        _run("sleep", "0")

        _run("ip", "netns", "delete", netns)
        _run("ip", "link", "delete", link)
        _run("umount", str(mount))
        cgroup.rmdir()
        _run(nft, "delete", "table", "inet", table)
        (tmp_path / "state").rmdir()


def test_check_before_start_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError, match=r"start\(\) was not called"):
        LeakChecker().check()


def test_a_snapshot_sees_this_machine() -> None:
    snapshot = snapshot_host_resources(state_dirs=[])
    assert _leak(ResourceKind.LINK, "lo") in snapshot.resources
    assert _leak(ResourceKind.MOUNT, "/proc (proc)") in snapshot.of_kind(ResourceKind.MOUNT)


def test_the_diff_leaves_out_kinds_that_could_not_be_read() -> None:
    table = _leak(ResourceKind.NFT_TABLE, "inet podkit")
    link = _leak(ResourceKind.LINK, "veth0")
    before = HostSnapshot(resources=[], unavailable={ResourceKind.NFT_TABLE: "no nft"})
    after = HostSnapshot(resources=[table, link])

    assert diff_host_resources(before, after) == ResourceDiff(appeared=[link])
    assert diff_host_resources(after, before) == ResourceDiff(vanished=[link])


def test_the_report_lists_leaks_by_kind_then_what_vanished() -> None:
    diff = ResourceDiff(
        appeared=[
            HostResource(kind=ResourceKind.PROCESS, name="42", detail="sleep 60"),
            _leak(ResourceKind.LINK, "veth2"),
            _leak(ResourceKind.NETNS, "/run/netns/a"),
            _leak(ResourceKind.LINK, "veth1"),
        ],
        vanished=[_leak(ResourceKind.CGROUP, "/sys/fs/cgroup/podkit")],
    )

    assert diff.describe() == (
        "4 host resources left behind:\n"
        "  network namespace: /run/netns/a\n"
        "  link: veth1\n"
        "  link: veth2\n"
        "  process: 42 [sleep 60]\n"
        "and gone meanwhile (not a leak; shown to help read the above):\n"
        "  cgroup: /sys/fs/cgroup/podkit"
    )


def test_a_resource_is_identified_by_kind_and_name_only() -> None:
    assert HostResource(kind=ResourceKind.PROCESS, name="7", detail="a") == HostResource(
        kind=ResourceKind.PROCESS, name="7", detail="b"
    )

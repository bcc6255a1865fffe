"""The pytest plugin: markers, capability skips, strict mode, ordering, the leak check.

Each test runs a small test suite in-process with ``pytester``, with the plugin
loaded as podkit's conftest loads it (``-p podkit.testing.pytest_plugin``).
"""

from __future__ import annotations

import contextlib
import os
import signal
from typing import TYPE_CHECKING

import pytest

from podkit.testing import STRICT_ENV

if TYPE_CHECKING:
    from collections.abc import Callable

pytest_plugins = ["pytester"]

# Hypothesis's plugin is left out: pytester unloads the modules an inner run imports,
# so every run would import hypothesis again, a second each.
PLUGIN = ("-p", "podkit.testing.pytest_plugin", "-p", "no:hypothesispytest")


@pytest.fixture(autouse=True)
def _not_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test says whether it wants strict mode; CI's setting must not leak in.
    monkeypatch.delenv(STRICT_ENV, raising=False)


def _not_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)


def test_the_markers_are_declared_with_descriptions(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.server
        @pytest.mark.slow
        @pytest.mark.integration
        def test_marked():
            pass
        """
    )
    result = pytester.runpytest(*PLUGIN, "--strict-markers")
    result.assert_outcomes(passed=1)

    markers = pytester.runpytest(*PLUGIN, "--markers")
    for name in ("root", "netns", "server", "slow", "integration", "leaks_ok"):
        markers.stdout.fnmatch_lines([f"@pytest.mark.{name}: *?"])


def test_privileged_tests_run_last_in_their_own_order(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.root
        def test_a(): pass
        def test_b(): pass
        @pytest.mark.netns
        def test_c(): pass
        def test_d(): pass
        """
    )
    result = pytester.runpytest(*PLUGIN, "--collect-only", "-q")
    names = [line.rpartition("::")[2] for line in result.outlines if "::" in line]
    assert names == ["test_b", "test_d", "test_a", "test_c"]


_NEEDS_ROOT = """
    import pytest

    @pytest.mark.root
    def test_needs_root():
        pass

    @pytest.mark.netns
    def test_needs_netns():
        pass
    """


def test_root_tests_are_skipped_when_not_root(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(_NEEDS_ROOT)
    _not_root(monkeypatch)
    result = pytester.runpytest(*PLUGIN, "-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines(["SKIPPED * needs root, runs as uid 1000"])


def test_strict_mode_turns_capability_skips_into_failures(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(_NEEDS_ROOT)
    _not_root(monkeypatch)
    monkeypatch.setenv(STRICT_ENV, "1")
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [f"*needs root, runs as uid 1000 (and {STRICT_ENV} is set: capability skips fail)"]
    )


_NEEDS_A_PROGRAM = """
    from podkit.testing import require_binary

    def test_needs_a_program():
        require_binary("podkit-no-such-program")

    def test_needs_sh():
        assert require_binary("sh").endswith("/sh")
    """


def test_a_missing_program_skips(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(_NEEDS_A_PROGRAM)
    result = pytester.runpytest(*PLUGIN, "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*needs the 'podkit-no-such-program' program*"])


def test_a_missing_program_fails_in_strict_mode(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(_NEEDS_A_PROGRAM)
    monkeypatch.setenv(STRICT_ENV, "1")
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1, failed=1)


@pytest.mark.root
def test_a_root_test_that_leaks_a_link_fails_and_a_clean_one_passes(
    pytester: pytest.Pytester, unique: str, cleanup: Callable[..., None]
) -> None:
    link = f"pkleak{unique}"
    cleanup("ip", "link", "delete", link)
    pytester.makepyfile(
        f"""
        import subprocess
        import pytest

        @pytest.mark.root
        def test_leaks():
            subprocess.run(["ip", "link", "add", "{link}", "type", "bridge"], check=True)

        @pytest.mark.root
        def test_cleans_up():
            subprocess.run(["ip", "link", "add", "{link}x", "type", "bridge"], check=True)
            subprocess.run(["ip", "link", "delete", "{link}x"], check=True)
        """
    )
    result = pytester.runpytest(*PLUGIN)
    # The leak is reported when the test's fixtures are gone: an error at teardown.
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_leaks*",
            "*test_leaks leaked: 1 host resource left behind:",
            f"*  link: {link}",
        ]
    )
    assert "test_cleans_up leaked" not in result.stdout.str()


@pytest.mark.root
def test_a_process_left_running_fails_the_test(pytester: pytest.Pytester) -> None:
    pid_file = pytester.path / "pid"
    pytester.makepyfile(
        f"""
        import pathlib, subprocess
        import pytest

        @pytest.mark.root
        def test_leaves_a_child():
            child = subprocess.Popen(["sleep", "62"])
            pathlib.Path("{pid_file}").write_text(str(child.pid))
        """
    )
    try:
        result = pytester.runpytest(*PLUGIN, "-W", "ignore::ResourceWarning")
        result.assert_outcomes(passed=1, errors=1)
        pid = pid_file.read_text()
        result.stdout.fnmatch_lines([f"*  process: {pid} [[]sleep 62[]]"])
    finally:
        if pid_file.exists():
            _kill(int(pid_file.read_text()))


def _kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):  # subprocess may have reaped it
        os.waitpid(pid, 0)


_STATE_TESTS = """
    import pytest

    @pytest.mark.root
    def test_leaves_state(tmp_state_dir):
        (tmp_state_dir / "sandbox.json").write_text("{}")

    @pytest.mark.root
    def test_removes_its_state(tmp_state_dir):
        (tmp_state_dir / "sandbox.json").write_text("{}")
        (tmp_state_dir / "sandbox.json").unlink()

    @pytest.mark.root
    @pytest.mark.leaks_ok
    def test_of_the_checker_itself(tmp_state_dir):
        (tmp_state_dir / "sandbox.json").write_text("{}")

    def test_not_privileged(tmp_state_dir):
        (tmp_state_dir / "sandbox.json").write_text("{}")
    """


@pytest.mark.root
def test_state_left_in_tmp_state_dir_fails_unless_leaks_ok(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(_STATE_TESTS)
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(["*test_leaves_state leaked*", "*  state file: */sandbox.json"])


@pytest.mark.root
def test_more_state_dirs_come_from_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\npodkit_state_dirs = state\n")
    pytester.makepyfile(
        """
        import pathlib
        import pytest

        @pytest.mark.root
        def test_leaves_state(pytestconfig):
            (pytestconfig.rootpath / "state" / "pod").write_text("")
        """
    )
    (pytester.path / "state").mkdir()
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([f"*  state file: {pytester.path}/state/pod"])


def test_the_busybox_image_fixture_builds_a_valid_layout(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from podkit.testing import read_oci_layout

        def test_one(busybox_image):
            assert read_oci_layout(busybox_image.path) == busybox_image

        def test_two(busybox_image, tmp_path_factory):
            assert busybox_image.path.parent.parent == tmp_path_factory.getbasetemp()
        """
    )
    pytester.runpytest(*PLUGIN).assert_outcomes(passed=2)

"""The pytest plugin of podkit's own tests: markers, capability skips, the leak check.

Load it with ``-p podkit.testing.pytest_plugin`` (podkit's conftest does). It is not
a ``pytest11`` entry point, so installing podkit does not change anyone's pytest.

- Markers ``root``, ``netns``, ``server``, ``slow``, ``integration`` and ``leaks_ok``,
  declared with descriptions, so ``--strict-markers`` catches typos.
- Capability skips: a ``root`` or ``netns`` test is skipped when the machine cannot
  run it; with ``PODKIT_TESTS_STRICT=1`` (set in CI) it fails instead.
- Privileged tests (``root``, ``netns``) run after all the others, as tox and kopf
  order theirs.
- The autouse fixture ``leak_check`` snapshots the host around every privileged test
  and fails the test (at teardown, after all its fixtures are gone) when it left a
  network namespace, link, mount, cgroup, nftables table, process or state file.
- Fixtures ``busybox_image`` (session) and ``tmp_state_dir``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import pytest

from podkit.testing._busybox import DEFAULT_BUSYBOX, build_busybox_image
from podkit.testing._capabilities import (
    require_netns,
    require_root,
    skip_missing_capability,
)
from podkit.testing._leaks import LeakChecker
from podkit.testing._resources import DEFAULT_STATE_DIRS

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from podkit.testing._oci import OciImage

#: The markers this plugin declares, with their descriptions.
MARKERS: Final = {
    "root": "needs root; skipped otherwise (failed under PODKIT_TESTS_STRICT=1). "
    "Runs last, inside the leak check.",
    "netns": "needs to create network namespaces (root and a kernel with them); "
    "skipped otherwise (failed under PODKIT_TESTS_STRICT=1). Runs last, inside the leak check.",
    "server": "starts a server process (a daemon, a registry, etcd...) and stops it by PID.",
    "slow": "takes seconds or more.",
    "integration": "drives real components together (kernel, daemons, binaries).",
    "leaks_ok": "skip the leak check of this privileged test. Only for the tests of the "
    "leak checker itself, which leak on purpose and clean up after it.",
}
_PRIVILEGED: Final = ("root", "netns")
_STATE_DIRS_INI: Final = "podkit_state_dirs"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Declare the ini option for more state directories to check for leaks."""
    parser.addini(
        _STATE_DIRS_INI,
        type="paths",
        default=[],
        help="more directories whose content is podkit state, checked for files left "
        "behind by privileged tests (besides /run/podkit and /var/lib/podkit)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Declare the markers."""
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")


def is_privileged(item: pytest.Item) -> bool:
    """Tell whether ``item`` is marked ``root`` or ``netns``."""
    return any(item.get_closest_marker(name) is not None for name in _PRIVILEGED)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move the privileged tests last, keeping the order within each group."""
    items.sort(key=is_privileged)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip (or in strict mode fail) the tests the machine cannot run."""
    if item.get_closest_marker("netns") is not None:
        require_netns()
    elif item.get_closest_marker("root") is not None:
        require_root()


@pytest.fixture(autouse=True)
def leak_check(request: pytest.FixtureRequest) -> Iterator[LeakChecker]:
    """Fail a privileged test that leaves host resources behind.

    Runs around every test marked ``root`` or ``netns`` and not ``leaks_ok``; being
    autouse, it is set up before the test's other function fixtures and torn down
    after them, so what those fixtures remove is no leak. The leaks are reported as
    an error at teardown, one resource per line. Other tests get the checker unstarted.
    A test can have more directories watched with :meth:`LeakChecker.watch_dir`.
    """
    extra: list[Path] = request.config.getini(_STATE_DIRS_INI)
    checker = LeakChecker(state_dirs=[*DEFAULT_STATE_DIRS, *extra])
    node = request.node
    if not (isinstance(node, pytest.Item) and is_privileged(node)):
        yield checker
        return
    if node.get_closest_marker("leaks_ok") is not None:
        yield checker
        return
    checker.start()
    yield checker
    diff = checker.check()
    if diff.appeared:
        pytest.fail(f"{node.nodeid} leaked: {diff.describe()}", pytrace=False)


@pytest.fixture(scope="session")
def busybox_image(tmp_path_factory: pytest.TempPathFactory) -> OciImage:
    """Build the busybox OCI image layout once per session, in a temporary directory.

    Skipped (failed in strict mode) when ``/bin/busybox`` is missing.
    """
    if not DEFAULT_BUSYBOX.exists():
        skip_missing_capability(
            f"needs {DEFAULT_BUSYBOX}: install it with `apt-get install busybox-static`"
        )
    return build_busybox_image(tmp_path_factory.mktemp("busybox-oci") / "layout")


@pytest.fixture
def tmp_state_dir(tmp_path: Path, leak_check: LeakChecker) -> Path:
    """Return an empty directory for the state of the code under test.

    In a privileged test the leak check watches it: what the code leaves in it fails
    the test.
    """
    state_dir = tmp_path / "podkit-state"
    state_dir.mkdir()
    leak_check.watch_dir(state_dir)
    return state_dir


__all__ = [
    "MARKERS",
    "busybox_image",
    "is_privileged",
    "leak_check",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_runtest_setup",
    "tmp_state_dir",
]

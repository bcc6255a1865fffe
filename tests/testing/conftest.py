"""Fixtures shared by the tests of :mod:`podkit.testing`."""

from __future__ import annotations

import contextlib
import secrets
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@pytest.fixture
def unique() -> str:
    """Return a short random suffix, so that concurrent runs never share a name."""
    return secrets.token_hex(3)


@pytest.fixture
def cleanup() -> Iterator[Callable[..., None]]:
    """Register commands that remove what a test made; they run at teardown, last first.

    They run even when the test fails, and before the leak check looks at the host.
    A command may find nothing left to remove.
    """
    commands: list[tuple[str, ...]] = []
    yield lambda *argv: commands.append(argv)
    for argv in reversed(commands):
        subprocess.run(argv, capture_output=True, check=False)


_RUN_NETNS = Path("/run/netns")


def _netns_dir_mounted() -> bool:
    # os.path.ismount cannot see it: /run/netns is bind-mounted on itself, same device.
    lines = Path("/proc/self/mountinfo").read_text().splitlines()
    return any(line.split()[4] == str(_RUN_NETNS) for line in lines)


@pytest.fixture
def netns_dir_restored() -> Iterator[None]:
    """Undo what the first ``ip netns add`` on a machine makes and keeps.

    iproute2 creates ``/run/netns`` and bind-mounts it on itself (to make it a
    shared mount) once, and never removes it. Request this fixture before
    ``cleanup``, so that it runs after the namespaces are deleted.
    """
    existed, mounted = _RUN_NETNS.exists(), _netns_dir_mounted()
    yield
    if not existed and _RUN_NETNS.exists() and not any(_RUN_NETNS.iterdir()):
        if not mounted and _netns_dir_mounted():
            subprocess.run(["umount", str(_RUN_NETNS)], capture_output=True, check=False)
        with contextlib.suppress(OSError):  # someone else's namespace came meanwhile
            _RUN_NETNS.rmdir()

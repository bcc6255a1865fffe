"""Skip a test by what the machine can do, never by hand; fail instead in strict mode.

A test that needs root, network namespaces or a binary asks for it here, like
pyroute2's ``require_user("root")``. On a developer's machine a missing capability
skips the test with the reason. CI runs as root with everything installed and sets
:data:`STRICT_ENV`, so there a missing capability means a broken machine, and the
test fails instead of being skipped silently (pyroute2's ``PYROUTE2_TESTS_RO``
switch, turned around).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Final, NoReturn

#: The environment variable that turns capability skips into failures (``1``).
STRICT_ENV: Final = "PODKIT_TESTS_STRICT"

_TRUE: Final = frozenset({"1", "true", "yes", "on"})
# Where root's tools live; a non-root PATH often leaves these out.
_SBIN: Final = ("/usr/local/sbin", "/usr/sbin", "/sbin")


def is_strict() -> bool:
    """Tell whether :data:`STRICT_ENV` asks for capability skips to fail.

    .. versionadded:: 0.1
    """
    return os.environ.get(STRICT_ENV, "").strip().lower() in _TRUE


def skip_missing_capability(reason: str) -> NoReturn:
    """Skip the running test because the machine lacks something; fail it in strict mode.

    :param reason: what is missing, shown as the skip (or failure) reason.

    .. versionadded:: 0.1
    """
    # Imported here: the image and leak helpers of podkit.testing do not need pytest.
    import pytest  # noqa: PLC0415

    if is_strict():
        pytest.fail(f"{reason} (and {STRICT_ENV} is set: capability skips fail)", pytrace=False)
    pytest.skip(reason)


def is_root() -> bool:
    """Tell whether the tests run as root (effective uid 0).

    .. versionadded:: 0.1
    """
    return os.geteuid() == 0


def require_root() -> None:
    """Skip the running test unless it runs as root (fail it in strict mode).

    .. versionadded:: 0.1
    """
    if not is_root():
        skip_missing_capability(f"needs root, runs as uid {os.geteuid()}")


def require_netns() -> None:
    """Skip the running test unless it can create network namespaces.

    That takes root (``CAP_SYS_ADMIN``) and a kernel with network namespaces.

    .. versionadded:: 0.1
    """
    require_root()
    if not Path("/proc/self/ns/net").exists():
        skip_missing_capability("needs network namespaces; the kernel has none")


def find_binary(name: str) -> str | None:
    """Return the path of the executable ``name``, looking in the sbin dirs too, or None.

    .. versionadded:: 0.1
    """
    search = os.pathsep.join([os.environ.get("PATH", os.defpath), *_SBIN])
    return shutil.which(name, path=search)


def require_binary(name: str) -> str:
    """Return the path of the executable ``name``; skip the test when it is missing.

    In strict mode a missing binary fails the test instead.

    :param name: the program, as it would be typed at a shell (``"nft"``, ``"ip"``).
    :returns: its absolute path.

    .. versionadded:: 0.1
    """
    path = find_binary(name)
    if path is None:
        skip_missing_capability(f"needs the {name!r} program, which is not installed")
    return path


__all__ = [
    "STRICT_ENV",
    "find_binary",
    "is_root",
    "is_strict",
    "require_binary",
    "require_netns",
    "require_root",
    "skip_missing_capability",
]

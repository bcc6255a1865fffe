"""Entry point of the ``podkit-cni`` executable, shaped like CNI's ``skel``."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import TextIO

#: The CNI versions this executable understands (CNI SPEC, "Version").
SUPPORTED_VERSIONS: Final = ("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")


def _error(stdout: TextIO, code: int, msg: str, details: str = "") -> int:
    body = {"cniVersion": SUPPORTED_VERSIONS[-1], "code": code, "msg": msg}
    if details:
        body["details"] = details
    stdout.write(json.dumps(body) + "\n")
    return 1


def run(
    argv: Sequence[str],
    *,
    getenv: Callable[[str], str | None] = os.environ.get,
    stdout: TextIO = sys.stdout,
) -> int:
    """Dispatch one CNI invocation; returns the process exit code."""
    if "--version" in argv[1:]:
        from podkit import __version__  # noqa: PLC0415 - only this branch needs it

        stdout.write(f"podkit-cni {__version__}\n")
        return 0
    command = getenv("CNI_COMMAND")
    if command == "VERSION":
        body = {"cniVersion": SUPPORTED_VERSIONS[-1], "supportedVersions": list(SUPPORTED_VERSIONS)}
        stdout.write(json.dumps(body) + "\n")
        return 0
    if not command:
        return _error(stdout, 4, "CNI_COMMAND is not set", "podkit-cni is a CNI plugin executable")
    return _error(
        stdout,
        4,
        f"unsupported CNI_COMMAND {command!r}",
        "this podkit-cni answers VERSION only; ADD, DEL, CHECK, STATUS and GC come with the"
        " network plugins",
    )


def main() -> int:
    """Console-script entry point."""
    return run(sys.argv)

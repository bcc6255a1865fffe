"""The unix socket of a server (CSI, CRI, the CNI agent): take over a stale one, never a live one.

gRPC removes its socket file when the server stops, but a server that died
leaves it; the next one replaces it, never a socket someone still serves on,
nor a file that is not a socket.
"""

from __future__ import annotations

import contextlib
import socket
import stat
from typing import TYPE_CHECKING

from podkit.errors import AlreadyExistsError, FailedPreconditionError

if TYPE_CHECKING:
    from pathlib import Path


def _in_use(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
        return True


def clear_stale_socket(path: Path, protocol: str) -> None:
    """Remove a socket file nobody serves on; refuse anything else in the way.

    :param protocol: what is to be served (``"CSI"``, ``"CRI"``, ``"CNI"``), for the messages.
    :raises podkit.errors.FailedPreconditionError: the path is no socket.
    :raises podkit.errors.AlreadyExistsError: a server listens on it.
    """
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        msg = f"failed to serve {protocol} on {str(path)!r}: the path exists and is not a socket"
        raise FailedPreconditionError(msg)
    if _in_use(path):
        msg = f"failed to serve {protocol} on {str(path)!r}: another server listens on it"
        raise AlreadyExistsError(msg)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


__all__ = ["clear_stale_socket"]

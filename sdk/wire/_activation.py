"""A listening socket handed over by systemd (socket activation, ``sd_listen_fds(3)``).

With a ``.socket`` unit, systemd owns the socket file from boot on and
starts the service at the first connection, passing the listening socket
as file descriptor 3 with ``LISTEN_PID`` (the process it is meant for) and
``LISTEN_FDS`` (how many) in the environment. A server that takes it never
binds, nor removes, the socket file. The variables are removed from the
environment either way, so that no child takes them for its own.
"""

from __future__ import annotations

import os
import socket
from typing import Final

from podkit.errors import InvalidArgumentError

#: The first descriptor systemd passes (``SD_LISTEN_FDS_START``).
FIRST_FD: Final = 3
_VARIABLES: Final = ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES")


def inherited_unix_listener(protocol: str) -> socket.socket | None:
    """The unix stream socket systemd passed this process; ``None`` when it passed none.

    :param protocol: what is to be served (``"CNI"``), for the messages.
    :raises podkit.errors.InvalidArgumentError: systemd passed more than one
        socket, or one that is not a listening unix stream socket (a unit
        file's mistake, said as such).
    """
    pid, count = os.environ.get("LISTEN_PID"), os.environ.get("LISTEN_FDS")
    for name in _VARIABLES:
        os.environ.pop(name, None)
    if pid is None or count is None or pid != str(os.getpid()):
        return None  # not socket-activated, or the variables were meant for a parent
    if count != "1":
        msg = (
            f"failed to serve {protocol}: systemd passed {count} sockets; the socket unit "
            "must have exactly one ListenStream= (a unix socket path)"
        )
        raise InvalidArgumentError(msg)
    problem = (
        f"failed to serve {protocol}: descriptor {FIRST_FD}, which systemd passed, is not a "
        "listening unix stream socket (ListenStream= must be a path)"
    )
    try:
        listener = socket.socket(fileno=FIRST_FD)
    except OSError as exc:
        msg = f"{problem}: {exc.strerror}"
        raise InvalidArgumentError(msg) from exc
    listening = listener.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
    if listener.family != socket.AF_UNIX or listener.type != socket.SOCK_STREAM or not listening:
        listener.detach()  # not ours to close: report it, and leave the descriptor be
        raise InvalidArgumentError(problem)
    listener.set_inheritable(False)
    return listener


__all__ = ["FIRST_FD", "inherited_unix_listener"]

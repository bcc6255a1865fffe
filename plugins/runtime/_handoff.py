"""How a taken spare tells the zygote so: when its work is under way, not at once.

The zygote (:mod:`._zygote`) forks the next spare when the last one says it
was taken. Saying so at the moment of the request wakes the zygote, which the
scheduler tends to run on the spare's own CPU, preempting it to fork the next
spare: about a millisecond added to every StartContainer and ExecSync on
this machine's VM. So a spare that became a monitor tells the zygote when
its container runs (or failed to start), an exec when its command is forked
(and may run for long); and a monitor tells it at once when another request
is waiting on the listening socket, which it watches until then
(:attr:`Handoff.watched`), so requests that come together do not queue
behind one start. A spare killed before it
told is seen dying by the zygote, which forks the next one then.
Standard library only.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket
    from collections.abc import Collection


class Handoff:
    """The spare's pipe to the zygote and the listening socket, until it told the zygote.

    :param taken_fd: the pipe the zygote reads; gets ``message`` once, then is closed.
    :param listener: the zygote's listening socket, watched for waiting
        requests; closed when told.
    """

    def __init__(self, taken_fd: int, message: bytes, listener: socket.socket) -> None:
        self._taken_fd = taken_fd
        self._message = message
        self._listener: socket.socket | None = listener

    @property
    def watched(self) -> list[int]:
        """The descriptor to add to a ``select``: readable when a request waits."""
        return [] if self._listener is None else [self._listener.fileno()]

    def check(self, readable: Collection[int]) -> None:
        """Tell the zygote if ``select`` found a request waiting."""
        if self._listener is not None and self._listener.fileno() in readable:
            self.tell()

    def tell(self) -> None:
        """Tell the zygote that this spare was taken (once; later calls do nothing)."""
        if self._listener is None:
            return
        with contextlib.suppress(OSError):  # the zygote is gone: nobody to tell
            os.write(self._taken_fd, self._message)
        os.close(self._taken_fd)
        self._listener.close()
        self._listener = None


__all__ = ["Handoff"]

"""One lock per sandbox, so that pods are made and ended side by side.

A single plugin-wide lock made 20 pods started at once wait for each other
(StartContainer alone used to take ~80 ms). What must not interleave are
the operations on one sandbox and its containers: creating a container in a
sandbox being removed, starting one being removed, two creations of the same
container name. Those take the sandbox's lock (:meth:`SandboxLocks.holding`);
the only plugin-wide sections left are the short checks that a new sandbox's
or container's name is free (:meth:`Reservations.reserve`).
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Iterator


class SandboxLocks:
    """A re-entrant lock per sandbox id, made on first use."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.RLock] = {}

    @contextlib.contextmanager
    def holding(self, sandbox_id: str) -> Iterator[None]:
        """Hold the lock of ``sandbox_id`` for the block."""
        with self._guard:
            lock = self._locks.setdefault(sandbox_id, threading.RLock())
        with lock:
            yield

    def forget(self, sandbox_id: str) -> None:
        """Drop the lock of a removed sandbox."""
        with self._guard:
            self._locks.pop(sandbox_id, None)


class Reservations:
    """Names being made: checked and taken in one short plugin-wide section."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._taken: set[Hashable] = set()

    @contextlib.contextmanager
    def reserve(self, key: Hashable, check: Callable[[], None]) -> Iterator[None]:
        """Run ``check`` (which raises when ``key`` is in use) and hold ``key`` for the block.

        A second reservation of a held ``key`` fails ``check``'s way: ``check``
        is called with the key taken, so it should also raise for a key
        :meth:`is_reserved`.
        """
        with self._guard:
            check()
            self._taken.add(key)
        try:
            yield
        finally:
            with self._guard:
                self._taken.discard(key)

    def is_reserved(self, key: Hashable) -> bool:
        """Whether ``key`` is being made right now."""
        return key in self._taken


__all__ = ["Reservations", "SandboxLocks"]

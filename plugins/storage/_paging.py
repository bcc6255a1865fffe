"""Pagination of the CSI List RPCs: a page of a sorted list, and the token of the next.

The token is the position of the next entry, as the upstream hostpath driver
makes it. A token that is not one of ours, or past the end, is answered with
ABORTED ("Invalid starting_token"), so that the caller starts over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from podkit.errors import AbortedError, InvalidArgumentError

if TYPE_CHECKING:
    from collections.abc import Sequence

_T = TypeVar("_T")


def page(
    items: Sequence[_T], max_entries: int, starting_token: str, what: str
) -> tuple[Sequence[_T], str]:
    """Return the entries from ``starting_token`` on, at most ``max_entries`` (0: all)."""
    if max_entries < 0:
        msg = f"failed to list {what}: max_entries must not be negative, got {max_entries}"
        raise InvalidArgumentError(msg)
    start = 0
    if starting_token:
        if not starting_token.isdecimal() or int(starting_token) > len(items):
            msg = f"failed to list {what}: invalid starting_token {starting_token!r}"
            raise AbortedError(msg)
        start = int(starting_token)
    end = len(items) if max_entries == 0 else min(len(items), start + max_entries)
    return items[start:end], (str(end) if end < len(items) else "")


__all__ = ["page"]

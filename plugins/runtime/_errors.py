"""Turn the kernel's refusals into the podkit errors the hookspec names.

A syscall that fails raises :class:`OSError`; reaching the caller as such it
would be "a bug in the plugin" (hookspec, "Errors"). The hooks run their
work inside :func:`translated`, which keeps podkit errors as they are and
maps ``EPERM``/``EACCES`` to :class:`~podkit.errors.PermissionDeniedError`
and any other ``OSError`` to :class:`~podkit.errors.InternalError`, with the
``failed to <verb> <object> <id>: <cause>`` message.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from podkit import errors

if TYPE_CHECKING:
    from collections.abc import Iterator


@contextlib.contextmanager
def translated(verb: str, what: str) -> Iterator[None]:
    """Re-raise an :class:`OSError` of the block as the matching podkit error."""
    try:
        yield
    except errors.PodkitError:
        raise
    except PermissionError as exc:
        msg = f"failed to {verb} {what}: {exc}"
        raise errors.PermissionDeniedError(msg) from exc
    except OSError as exc:
        msg = f"failed to {verb} {what}: {exc}"
        raise errors.InternalError(msg) from exc


__all__ = ["translated"]

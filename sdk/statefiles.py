"""Atomic state files, for podkit and for plugin authors.

State on disk is written atomically: to a temporary file in the same
directory, flushed and fsynced, then renamed over the target, and the
directory fsynced, so that a reader (or a plugin restarted after kill -9)
sees the old content or the new, never a mix or an empty file.

The fsyncs (~0.6 ms a file on this project's machines) make the write
durable: it survives a power loss, not just a killed process (the page
cache outlives processes). State that means nothing after a reboot, such as
an IP reservation for a container a reboot ends, may skip them with
``durable=False``: the rename still makes the write atomic for every
process on the running host.

.. versionadded:: 0.1
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_bytes(path: Path, data: bytes, *, mode: int = 0o600, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically, creating parent folders.

    :param durable: fsync the file and its directory, so that the write
        also survives a power loss (see the module's notes).

    .. versionchanged:: 0.1 ``durable``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            if durable:
                file.flush()
                os.fsync(file.fileno())
            os.fchmod(file.fileno(), mode)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(path.parent)


def write_json(path: Path, value: Any, *, mode: int = 0o600, durable: bool = True) -> None:  # noqa: ANN401 - any JSON value
    """Replace ``path`` with ``value`` as JSON, atomically (``durable`` as :func:`write_bytes`)."""
    data = json.dumps(value, sort_keys=True, indent=1).encode()
    write_bytes(path, data, mode=mode, durable=durable)


def fsync_dir(path: Path) -> None:
    """Make a rename or an unlink in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["fsync_dir", "write_bytes", "write_json"]

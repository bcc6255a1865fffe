"""Atomic state files, for podkit and for plugin authors.

State on disk is written atomically: to a temporary file in the same
directory, flushed and fsynced, then renamed over the target, and the
directory fsynced, so that a reader (or a plugin restarted after kill -9)
sees the old content or the new, never a mix or an empty file.

.. versionadded:: 0.1
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_bytes(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` atomically, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_json(path: Path, value: Any, *, mode: int = 0o600) -> None:  # noqa: ANN401 - any JSON value
    """Replace ``path`` with ``value`` as JSON, atomically."""
    write_bytes(path, json.dumps(value, sort_keys=True, indent=1).encode(), mode=mode)


def fsync_dir(path: Path) -> None:
    """Make a rename or an unlink in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["fsync_dir", "write_bytes", "write_json"]

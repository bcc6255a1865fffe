"""Atomic state files: the reference plugins use the public :mod:`podkit.statefiles`."""

from __future__ import annotations

from podkit.statefiles import fsync_dir, write_bytes, write_json

__all__ = ["fsync_dir", "write_bytes", "write_json"]

"""The ``podkit`` command line."""

from __future__ import annotations

from podkit.cli._main import main

__all__ = ["main"]

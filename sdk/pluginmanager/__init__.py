"""Plugin discovery, validation, routing and calling.

The public names are re-exported by :mod:`podkit`.
"""

from __future__ import annotations

from podkit.pluginmanager._discovery import GROUPS
from podkit.pluginmanager._facades import NetworkHooks, RuntimeHooks, StorageHooks
from podkit.pluginmanager._manager import (
    DISABLED_ENV,
    TRACE_ENV,
    PluginInfo,
    PluginManager,
    answers_for,
)
from podkit.pluginmanager._trace import TracePlugin

__all__ = [
    "DISABLED_ENV",
    "GROUPS",
    "TRACE_ENV",
    "NetworkHooks",
    "PluginInfo",
    "PluginManager",
    "RuntimeHooks",
    "StorageHooks",
    "TracePlugin",
    "answers_for",
]

"""The pluggy markers of the ``podkit`` project name.

The spec marker stays private to :mod:`podkit.hookspecs`; plugin authors use
:data:`podkit.hookimpl` (pytest exports ``pytest.hookimpl`` the same way).
"""

from __future__ import annotations

from typing import Final

import pluggy

PROJECT: Final = "podkit"

hookspec: Final = pluggy.HookspecMarker(PROJECT)

#: Marks a function or method as an implementation of a podkit hook.
#:
#: ``@podkit.hookimpl`` for an implementation; ``@podkit.hookimpl(wrapper=True)``
#: for a wrapper that observes or adjusts the call (a generator that yields
#: once and returns the result); ``tryfirst``/``trylast`` to order plugins.
hookimpl: Final = pluggy.HookimplMarker(PROJECT)

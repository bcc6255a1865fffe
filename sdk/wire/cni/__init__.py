"""The CNI executable protocol, both ways.

- ``podkit-cni`` (:func:`main`): podkit network plugins as CNI plugin
  binaries, for containerd, CRI-O or any CNI caller;
- :class:`CniExecPlugin`: upstream CNI plugin binaries (Debian's
  containernetworking-plugins in ``/usr/lib/cni``) as a podkit network plugin.

Names load on first use: ``podkit-cni`` is exec'd once per CNI call, and
must not pay for the exec client's imports; :func:`main` is the thin client
(:mod:`podkit.wire.cni._thin`), which hands the call to the agent
(``podkit serve cni``) and imports only ``_socket``, ``os`` and ``sys``. This
module imports nothing either (not even :mod:`typing`).
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing costs ~3 ms of start-up; mypy reads this name as True
if TYPE_CHECKING:
    from podkit.wire.cni._client import DEFAULT_CNI_PATH as DEFAULT_CNI_PATH
    from podkit.wire.cni._client import CniExecPlugin as CniExecPlugin
    from podkit.wire.cni._exec import run as run
    from podkit.wire.cni._thin import main as main

__all__ = ["DEFAULT_CNI_PATH", "CniExecPlugin", "main", "run"]

_LAZY = {
    "DEFAULT_CNI_PATH": "podkit.wire.cni._client",
    "CniExecPlugin": "podkit.wire.cni._client",
    "main": "podkit.wire.cni._thin",
    "run": "podkit.wire.cni._exec",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'podkit.wire.cni' has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(module), name)

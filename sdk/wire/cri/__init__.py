"""CRI over gRPC, both ways.

- :func:`serve_cri` (and ``podkit serve cri``): podkit's runtime layer (the
  runtime plugins, with the network plugins of a CNI configuration
  directory) behind a CRI endpoint, for a kubelet, crictl or critest;
- :class:`CriClientPlugin`: any CRI runtime's endpoint (containerd, CRI-O,
  ``podkit serve cri``) as a podkit runtime plugin.

The protocol is podkit's own ``_proto/api.proto``, upstream's
``runtime.v1``. Names load on first use: importing gRPC costs tens of
milliseconds, which ``import podkit`` does not pay.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from podkit.wire.cri._client import CriClientPlugin as CriClientPlugin
    from podkit.wire.cri._server import serve_cri as serve_cri

__all__ = ["CriClientPlugin", "serve_cri"]

_LAZY: Final = {
    "CriClientPlugin": "podkit.wire.cri._client",
    "serve_cri": "podkit.wire.cri._server",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'podkit.wire.cri' has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(module), name)

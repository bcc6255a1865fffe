"""CSI over gRPC, both ways.

- :func:`serve_csi` (and ``podkit serve csi``): a podkit storage plugin
  behind a CSI endpoint, for a kubelet, csi-sanity or any CSI caller;
- :class:`CsiClientPlugin`: any CSI driver's endpoint as a podkit storage
  plugin.

The protocol is podkit's own ``_proto/csi.proto``, the spec's ``csi.v1``
(v1.12). Names load on first use: importing gRPC costs tens of
milliseconds, which ``import podkit`` does not pay.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from podkit.wire.csi._client import CsiClientPlugin as CsiClientPlugin
    from podkit.wire.csi._server import serve_csi as serve_csi

__all__ = ["CsiClientPlugin", "serve_csi"]

_LAZY: Final = {
    "CsiClientPlugin": "podkit.wire.csi._client",
    "serve_csi": "podkit.wire.csi._server",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'podkit.wire.csi' has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(module), name)

"""The runtime layer: runtime hooks with network hooks, as a CRI runtime does.

Sandboxes and containers go through the runtime hooks, and sandboxes get
their networks through the network hooks. The kubelet core and the CRI
server both use it.
"""

from __future__ import annotations

from podkit.runtimelayer._layer import (
    DEFAULT_HANDLER,
    SETS_UP_POD_NETWORK,
    RuntimeLayer,
    SandboxRecord,
)

__all__ = ["DEFAULT_HANDLER", "SETS_UP_POD_NETWORK", "RuntimeLayer", "SandboxRecord"]

"""The network a node gives its pods when nothing else is configured.

As containerd ships ``10-containerd-net.conflist``: a bridge (``podkit0``)
with host-local addresses from 10.88.0.0/16, the bridge as the pods'
gateway, masquerade for traffic leaving the node, and port mappings. It is
written only into an empty configuration directory: a directory that holds
any network already is the administrator's.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from podkit import statefiles

if TYPE_CHECKING:
    from pathlib import Path

DEFAULT_NETWORK_FILE: Final = "10-podkit.conflist"
_SUFFIXES: Final = (".conf", ".conflist", ".json")


def default_network(
    *, bridge: str = "podkit0", subnet: str = "10.88.0.0/16", name: str = "podkit"
) -> dict[str, Any]:
    """The default configuration list."""
    return {
        "cniVersion": "1.0.0",
        "name": name,
        "plugins": [
            {
                "type": "bridge",
                "bridge": bridge,
                "isGateway": True,
                "ipMasq": True,
                "ipam": {
                    "type": "host-local",
                    "ranges": [[{"subnet": subnet}]],
                    "routes": [{"dst": "0.0.0.0/0"}],
                },
            },
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }


def ensure_default_network(conf_dir: Path) -> Path | None:
    """Write the default network into ``conf_dir`` if it holds none; its path, or ``None``."""
    if conf_dir.is_dir() and any(p.suffix in _SUFFIXES for p in conf_dir.iterdir()):
        return None
    path = conf_dir / DEFAULT_NETWORK_FILE
    text = json.dumps(default_network(), indent=2) + "\n"
    statefiles.write_bytes(path, text.encode(), mode=0o644)
    return path


__all__ = ["DEFAULT_NETWORK_FILE", "default_network", "ensure_default_network"]

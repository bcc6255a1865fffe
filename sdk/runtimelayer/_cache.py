"""The last ``ADD`` result of each attachment, on disk (libcni's result cache).

``DEL`` and ``CHECK`` get it as ``prevResult``, and a runtime restarted
after kill -9 still knows what it attached and with which configuration.
One JSON file per attachment, written atomically.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, final

import attrs

from podkit import cnijson, statefiles

if TYPE_CHECKING:
    from pathlib import Path

    from podkit.models.network import Result


@final
@attrs.frozen(kw_only=True)
class CachedAttachment:
    """What was attached: the network's JSON, the interface and the result."""

    network: str
    container_id: str
    ifname: str
    source: dict[str, Any] = attrs.field(eq=False, repr=False)
    result: Result


@final
class ResultCache:
    """Cached attachments under ``root`` (e.g. ``/var/lib/podkit/cni/results``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, network: str, container_id: str, ifname: str) -> Path:
        return self.root / f"{network}-{container_id}-{ifname}.json"

    def save(self, entry: CachedAttachment) -> None:
        """Record an attachment, replacing an earlier one of the same key."""
        version = entry.result.cni_version
        body = {
            "kind": "podkitCNICacheV1",
            "network": entry.network,
            "containerId": entry.container_id,
            "ifName": entry.ifname,
            "config": entry.source,
            "result": cnijson.encode_result(entry.result, version),
        }
        statefiles.write_json(self._path(entry.network, entry.container_id, entry.ifname), body)

    def load(self, network: str, container_id: str, ifname: str) -> CachedAttachment | None:
        """The cached attachment, or ``None``."""
        path = self._path(network, container_id, ifname)
        try:
            body = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        return CachedAttachment(
            network=body["network"],
            container_id=body["containerId"],
            ifname=body["ifName"],
            source=body["config"],
            result=cnijson.decode_result(body["result"]),
        )

    def remove(self, network: str, container_id: str, ifname: str) -> None:
        """Forget an attachment; a missing one is fine."""
        self._path(network, container_id, ifname).unlink(missing_ok=True)

    def entries(self) -> list[CachedAttachment]:
        """Every cached attachment (for GC and after a restart)."""
        if not self.root.is_dir():
            return []
        found = []
        for path in sorted(self.root.glob("*.json")):
            try:
                body = json.loads(path.read_text())
            except FileNotFoundError:  # removed by a concurrent DEL since the listing
                continue
            entry = self.load(body["network"], body["containerId"], body["ifName"])
            if entry is not None:
                found.append(entry)
        return found

"""Find plugins through entry points.

The entry-point groups are the plugin kinds (documented in
``docs/plugin-authors.md``):

=================== =================================================
group               holds
=================== =================================================
``podkit.runtime``  runtime plugins (CRI-shaped hooks)
``podkit.network``  network plugins (CNI-shaped hooks)
``podkit.storage``  storage plugins (CSI-shaped hooks)
``podkit.plugins``  plugins of any kind, typically wrappers
=================== =================================================

An entry point names a module, a class (instantiated with no arguments) or
an object. A plugin that fails to import is reported with its distribution.
"""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.errors import PluginValidationError

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

#: Entry-point group -> plugin kind.
GROUPS: Final = {
    "podkit.runtime": "runtime",
    "podkit.network": "network",
    "podkit.storage": "storage",
    "podkit.plugins": "any",
}


@final
@attrs.frozen(kw_only=True)
class FoundPlugin:
    """An entry point that names a plugin, not yet imported."""

    name: str
    kind: str
    distribution: str
    version: str
    entry_point: metadata.EntryPoint

    def load(self) -> object:
        """Import the plugin; failures name the plugin and distribution."""
        try:
            return self.entry_point.load()
        except Exception as exc:
            msg = (
                f"failed to load plugin {self.name!r} from distribution {self.distribution!r}"
                f" ({self.entry_point.value}): {type(exc).__name__}: {exc}"
            )
            raise PluginValidationError(msg) from exc


def discover(blocked: Collection[str] = ()) -> Iterator[FoundPlugin]:
    """Yield the plugins of every group, sorted by group then name."""
    for group, kind in GROUPS.items():
        for entry_point in sorted(metadata.entry_points(group=group), key=lambda e: e.name):
            if entry_point.name in blocked:
                continue
            dist = entry_point.dist
            yield FoundPlugin(
                name=entry_point.name,
                kind=kind,
                distribution=dist.name if dist else "",
                version=dist.version if dist else "",
                entry_point=entry_point,
            )

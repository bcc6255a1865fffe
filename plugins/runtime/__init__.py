"""The reference runtime plugin: Linux namespaces, cgroups and an overlayfs rootfs.

:class:`NamespaceRuntime` answers for the runtime handler ``namespace``. The
name is imported on first use (PEP 562), so that the small helper processes
the plugin runs (``python -m podkit.plugins.runtime._zygote`` and the like)
do not load the models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from podkit.plugins.runtime._plugin import NamespaceRuntime as NamespaceRuntime

__all__ = ["NamespaceRuntime"]


def __getattr__(name: str) -> Any:  # noqa: ANN401 - whatever the name is
    if name == "NamespaceRuntime":
        from podkit.plugins.runtime._plugin import NamespaceRuntime  # noqa: PLC0415

        return NamespaceRuntime
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)

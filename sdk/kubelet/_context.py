"""What every pod worker of a node shares: the plugins, the runtime layer, the settings.

Hooks are synchronous (pluggy has no async); :meth:`NodeContext.call` runs a
runtime-layer or facade call in the event loop's worker pool with a copy of
the caller's context (:meth:`podkit.PluginManager.acall`), so one slow
plugin call never blocks the other pods.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Final, ParamSpec, TypeVar, final

import attrs

from podkit.kubelet._backoff import BackOffPolicy

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from podkit.kubelet._env import Objects
    from podkit.kubelet._events import EventLog
    from podkit.kubelet._volumes import VolumeManager
    from podkit.pluginmanager import PluginManager
    from podkit.runtimelayer import RuntimeLayer

_P = ParamSpec("_P")
_R = TypeVar("_R")

#: How many events a pod keeps.
DEFAULT_MAX_EVENTS: Final = 100
#: Seconds between two looks at a pod's containers.
DEFAULT_SYNC_PERIOD: Final = 1.0


@final
@attrs.frozen(kw_only=True)
class NodeContext:
    """The node's plugins, layers and settings, as the pod workers use them."""

    manager: PluginManager
    layer: RuntimeLayer
    volumes: VolumeManager
    objects: Objects
    logs_dir: Path
    node_name: str
    #: Where ``Localhost`` seccomp profiles are; ``None``: such pods are refused.
    seccomp_dir: Path | None = None
    #: Labels every sandbox of the node carries (the node's instance, to find
    #: what an earlier run of it left).
    sandbox_labels: Mapping[str, str] = attrs.field(factory=dict)
    host_ip: str = ""
    backoff: BackOffPolicy = attrs.field(factory=BackOffPolicy)
    sync_period: float = DEFAULT_SYNC_PERIOD
    max_events: int = DEFAULT_MAX_EVENTS
    #: Where the pods' events are kept across restarts; ``None``: in memory only.
    event_log: EventLog | None = None

    #: Serializes the sandbox calls of the runtime layer (network attach and
    #: detach share its CNI result cache, which is not safe to change and
    #: list from two threads at once).
    sandbox_lock: asyncio.Lock = attrs.field(factory=asyncio.Lock)

    async def call(self, method: Callable[_P, _R], /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        """Await a synchronous hook or runtime-layer call in the worker pool."""
        return await self.manager.acall(method, *args, **kwargs)

    async def sandbox_call(
        self, method: Callable[_P, _R], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> _R:
        """:meth:`call`, one sandbox operation at a time."""
        async with self.sandbox_lock:
            return await self.manager.acall(method, *args, **kwargs)


__all__ = ["DEFAULT_MAX_EVENTS", "DEFAULT_SYNC_PERIOD", "NodeContext"]

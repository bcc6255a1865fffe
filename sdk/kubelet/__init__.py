"""The kubelet core: pods run through the runtime, network and storage hooks.

:class:`Node` is the embedding API (``async``); :class:`SyncNode` wraps it
for synchronous code. A pod's status reads as Kubernetes reports it
(:class:`PodStatus`).

.. versionadded:: 0.1
"""

from __future__ import annotations

from podkit.kubelet._backoff import BackOffPolicy
from podkit.kubelet._node import (
    DEFAULT_CNI_CONF_DIR,
    DEFAULT_RUN_DIR,
    DEFAULT_STATE_DIR,
    Condition,
    Node,
)
from podkit.kubelet._status import (
    ContainerState,
    ContainerStateRunning,
    ContainerStateTerminated,
    ContainerStateWaiting,
    ContainerStatus,
    PodCondition,
    PodEvent,
    PodPhase,
    PodStatus,
)
from podkit.kubelet._sync import SyncNode

__all__ = [
    "DEFAULT_CNI_CONF_DIR",
    "DEFAULT_RUN_DIR",
    "DEFAULT_STATE_DIR",
    "BackOffPolicy",
    "Condition",
    "ContainerState",
    "ContainerStateRunning",
    "ContainerStateTerminated",
    "ContainerStateWaiting",
    "ContainerStatus",
    "Node",
    "PodCondition",
    "PodEvent",
    "PodPhase",
    "PodStatus",
    "SyncNode",
]

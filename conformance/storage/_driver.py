"""The driver under test as the suite sees it: its capabilities, and skipping by them.

csi-sanity asks a driver what it supports before testing it, and a test of an
RPC the driver does not advertise is skipped, not failed: the spec makes
every Controller RPC optional, and most Node RPCs. :class:`Driver` asks once
per session and says why a test is skipped.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Final, final

import attrs
import pytest

from podkit.models.storage import (
    AccessMode,
    ControllerServiceCapability,
    MountVolume,
    NodeServiceCapability,
    PluginService,
    VolumeCapability,
)

if TYPE_CHECKING:
    from podkit.conformance.plugin import Target
    from podkit.models.storage import PluginCapability

#: Every name and id the suite makes starts with this, so that anything it
#: leaves behind can be told apart from the driver's other volumes.
PREFIX: Final = "pkt-"
#: How the suite uses volumes unless a test says otherwise: csi-sanity's default,
#: a mounted filesystem on a single node.
MOUNT: Final = VolumeCapability(
    access_type=MountVolume(), access_mode=AccessMode.SINGLE_NODE_WRITER
)

Capability = PluginService | ControllerServiceCapability | NodeServiceCapability


def unique_name(what: str) -> str:
    """A fresh name for a volume, snapshot or path: ``pkt-<what>-<random>``."""
    return f"{PREFIX}{what}-{uuid.uuid4().hex[:12]}"


@final
@attrs.frozen(kw_only=True)
class Driver:
    """The CSI driver under test and what it advertises."""

    target: Target
    plugin_capabilities: frozenset[PluginCapability]
    controller_capabilities: frozenset[ControllerServiceCapability]
    node_capabilities: frozenset[NodeServiceCapability]

    @classmethod
    def discover(cls, target: Target) -> Driver:
        """Ask the driver for its capabilities (the Controller's only with CONTROLLER_SERVICE)."""
        storage = target.manager.storage
        plugin = frozenset(storage.get_plugin_capabilities(target.name))
        controller: frozenset[ControllerServiceCapability] = frozenset()
        if PluginService.CONTROLLER_SERVICE in plugin:
            controller = frozenset(storage.controller_get_capabilities(target.name))
        node = frozenset(storage.node_get_capabilities(target.name))
        return cls(
            target=target,
            plugin_capabilities=plugin,
            controller_capabilities=controller,
            node_capabilities=node,
        )

    @property
    def name(self) -> str:
        """The driver name every call is addressed to."""
        return self.target.name

    def has(self, capability: Capability) -> bool:
        """Whether the driver advertises ``capability`` (a Controller one needs the service)."""
        if isinstance(capability, ControllerServiceCapability):
            return capability in self.controller_capabilities
        if isinstance(capability, NodeServiceCapability):
            return capability in self.node_capabilities
        return capability in self.plugin_capabilities

    def require(self, *capabilities: Capability) -> None:
        """Skip the test unless the driver advertises every one of ``capabilities``."""
        for capability in capabilities:
            if isinstance(capability, ControllerServiceCapability):
                self.require(PluginService.CONTROLLER_SERVICE)
            if not self.has(capability):
                kind = {
                    ControllerServiceCapability: "controller",
                    NodeServiceCapability: "node",
                }.get(type(capability), "plugin")
                pytest.skip(
                    f"capability: {self.name} does not advertise the {kind} "
                    f"capability {capability.name}"
                )


__all__ = ["MOUNT", "PREFIX", "Capability", "Driver", "unique_name"]

"""Smoke: the network plugin under test is loaded and answers ``VERSION``.

The full network suite (ADD/DEL/CHECK/STATUS/GC, chaining) comes with the
reference network plugins; these tests check the plumbing every suite relies on.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

import pytest

import podkit

if TYPE_CHECKING:
    from podkit.conformance.plugin import Target

SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def test_version_lists_the_supported_spec_versions(network_target: Target) -> None:
    """CNI SPEC 1.1, VERSION: the result has ``cniVersion`` and ``supportedVersions``.

    Every supported version has the ``x.y.z`` form, and one of them is a
    version podkit's wire speaks (0.4.0 or newer), or no runtime could call
    the plugin.
    """
    result = network_target.manager.call("network_version", cni_type=network_target.name)
    assert result.supported_versions, "supportedVersions is empty"
    assert all(SEMVER.match(v) for v in result.supported_versions)
    assert {"0.4.0", "1.0.0", "1.1.0"} & set(result.supported_versions)


def test_version_is_the_same_through_the_async_api(network_target: Target) -> None:
    """Podkit: a hook answers alike when awaited from an event loop (``acall``)."""
    manager = network_target.manager

    async def version() -> object:
        return await manager.acall(manager.call, "network_version", cni_type=network_target.name)

    assert asyncio.run(version()) == manager.call("network_version", cni_type=network_target.name)


def test_calls_for_another_type_are_not_answered(network_target: Target) -> None:
    """Podkit addressing: a plugin answers only for its own CNI types."""
    with pytest.raises(podkit.NoPluginError):
        network_target.manager.call("network_version", cni_type="podkit-conformance-no-such-type")

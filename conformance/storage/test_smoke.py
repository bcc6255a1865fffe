"""Smoke: the storage plugin under test is loaded and answers the Identity service.

The full storage suite (controller and node RPCs, idempotency, error codes)
comes with the reference storage plugins; these tests check the plumbing
every suite relies on.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

import podkit

if TYPE_CHECKING:
    from podkit.conformance.plugin import Target


def test_plugin_info_names_the_driver_it_was_addressed_as(storage_target: Target) -> None:
    """CSI GetPluginInfo: ``name`` is the driver's name, ``vendor_version`` is required.

    podkit routes calls by driver name, so the name a plugin reports must be
    the name it answers for.
    """
    info = storage_target.manager.call("storage_get_plugin_info", driver=storage_target.name)
    assert info.name == storage_target.name
    assert info.vendor_version, "vendor_version is empty"


def test_probe_answers(storage_target: Target) -> None:
    """CSI Probe: a healthy plugin answers; ``ready`` is true or unset."""
    result = storage_target.manager.call("storage_probe", driver=storage_target.name)
    assert result.ready in {True, None}


def test_plugin_info_is_the_same_through_the_async_api(storage_target: Target) -> None:
    """Podkit: a hook answers alike when awaited from an event loop (``acall``)."""
    manager = storage_target.manager

    async def info() -> object:
        return await manager.acall(
            manager.call, "storage_get_plugin_info", driver=storage_target.name
        )

    assert asyncio.run(info()) == manager.call(
        "storage_get_plugin_info", driver=storage_target.name
    )


def test_calls_for_another_driver_are_not_answered(storage_target: Target) -> None:
    """Podkit addressing: a plugin answers only for its own driver names."""
    with pytest.raises(podkit.NoPluginError):
        storage_target.manager.call(
            "storage_get_plugin_info", driver="no-such-driver.conformance.podkit.dev"
        )

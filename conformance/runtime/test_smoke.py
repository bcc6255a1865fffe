"""Smoke: the runtime plugin under test is loaded and answers ``Version``.

The full runtime suite (sandboxes, containers, images) comes with the
reference runtime; these tests check the plumbing every suite relies on.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

import podkit

if TYPE_CHECKING:
    from podkit.conformance.plugin import Target

CRI_API_VERSION = "v1"


def test_version_names_the_runtime_and_its_cri_api_version(runtime_target: Target) -> None:
    """CRI Version: it "returns the runtime name, runtime version, and runtime API version".

    podkit's runtime hooks are CRI ``runtime.v1``, so ``runtime_api_version``
    must be ``v1``; name and version must not be empty.
    """
    response = runtime_target.manager.call(
        "runtime_version", handler=runtime_target.name, version=CRI_API_VERSION
    )
    assert response.runtime_name, "runtime_name is empty"
    assert response.runtime_version, "runtime_version is empty"
    assert response.runtime_api_version == CRI_API_VERSION


def test_version_is_the_same_through_the_async_api(runtime_target: Target) -> None:
    """Podkit: a hook answers alike when awaited from an event loop (``acall``)."""
    manager = runtime_target.manager

    async def version() -> object:
        return await manager.acall(
            manager.call, "runtime_version", handler=runtime_target.name, version="v1"
        )

    sync = manager.call("runtime_version", handler=runtime_target.name, version="v1")
    assert asyncio.run(version()) == sync


def test_calls_for_another_handler_are_not_answered(runtime_target: Target) -> None:
    """Podkit addressing: a plugin answers only for its own runtime handlers."""
    with pytest.raises(podkit.NoPluginError):
        runtime_target.manager.call(
            "runtime_version", handler="podkit-conformance-no-such-handler", version="v1"
        )

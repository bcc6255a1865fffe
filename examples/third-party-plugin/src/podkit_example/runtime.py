"""Runtime handler ``example``: Version and Status, as ``async def`` hooks.

A hook implementation may be a coroutine function: podkit awaits it in the
caller's event loop (the kubelet's), instead of running it in a worker
thread as it does synchronous hooks. Sandboxes and containers are not
implemented here: a call for them gets ``UNIMPLEMENTED``.
"""

from __future__ import annotations

import podkit
from podkit.models.runtime import (
    NETWORK_READY,
    RUNTIME_READY,
    RuntimeCondition,
    RuntimeStatus,
    StatusResponse,
    VersionResponse,
)


@podkit.answers_for("example")
class ExampleRuntime:
    """Reports itself ready; runs nothing."""

    @podkit.hookimpl
    async def runtime_version(self) -> VersionResponse:
        """Name, version, and the CRI API version: v1."""
        return VersionResponse(
            version="0.1.0",
            runtime_name="podkit-example",
            runtime_version="0.1.0",
            runtime_api_version="v1",
        )

    @podkit.hookimpl
    async def runtime_status(self) -> StatusResponse:
        """Ready, with no network of its own (the runtime layer brings it)."""
        return StatusResponse(
            status=RuntimeStatus(
                conditions=(
                    RuntimeCondition(type=RUNTIME_READY, status=True),
                    RuntimeCondition(type=NETWORK_READY, status=True),
                )
            )
        )

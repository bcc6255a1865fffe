"""CRI RuntimeService: Version and Status, what the kubelet asks first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from podkit.models.runtime import RUNTIME_READY

if TYPE_CHECKING:
    from podkit.conformance.plugin import Target


def test_version_is_answered_through_the_typed_runtime_api(runtime_target: Target) -> None:
    """CRI Version: "returns the runtime name, runtime version, and runtime API version".

    The runtime API version is ``v1`` (``runtime.v1``).
    """
    response = runtime_target.manager.runtime.version(runtime_target.name, "0.1.0")
    assert response.runtime_name
    assert response.runtime_version
    assert response.runtime_api_version == "v1"


def test_status_reports_the_runtime_ready(runtime_target: Target) -> None:
    """CRI Status: RuntimeReady is a required condition; true when containers can run.

    api.proto: "RuntimeReady: Runtime is up and ready to accept basic
    containers". A node whose runtime is not ready runs no pods.
    """
    status = runtime_target.manager.runtime.status(runtime_target.name).status
    ready = [c for c in status.conditions if c.type == RUNTIME_READY]
    assert len(ready) == 1, status.conditions
    assert ready[0].status, f"RuntimeReady is false: {ready[0].reason}: {ready[0].message}"

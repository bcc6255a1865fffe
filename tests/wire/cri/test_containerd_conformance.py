"""The runtime conformance suite passes against Debian's containerd, through the CRI client.

The suite checks CRI behaviour, not podkit's: run in-process (pytester) as
``podkit conformance runtime --cri-endpoint`` runs it, against a containerd
1.6 of the test's own (:mod:`podkit.testing.containerd`) with runc and
podkit's CNI plugins through ``podkit-cni``, reached through
:class:`podkit.CriClientPlugin`. Where containerd keeps the CRI's rules in
its own way the suite accepts both (``podkit.conformance.runtime._peers``).
Inside the leak check: every sandbox, container, mount, veth and process the
suite makes must be gone afterwards.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import pytest
from pkcd_containerd import pkcd_layouts, run_suite, running_containerd

from podkit.wire.cri._conformance import ENDPOINT_ENV, PLUGIN_SPEC
from podkit.wire.cri._proto import api_pb2, api_pb2_grpc

if TYPE_CHECKING:
    from podkit.testing.containerd import Containerd

pytest_plugins = ["pytester"]
pytestmark = [pytest.mark.root, pytest.mark.netns, pytest.mark.slow, pytest.mark.integration]

__all__ = ["pkcd_layouts"]  # the fixture, imported for pytest

#: The deadline of this module's own CRI calls (no pytest-timeout alarm is armed after the suite).
_CALL_TIMEOUT = 60


def _warm_up(endpoint: str) -> None:
    """Run and remove one sandbox, so that the bridge exists before the leak check."""
    with contextlib.closing(grpc.insecure_channel(endpoint)) as channel:
        runtime = api_pb2_grpc.RuntimeServiceStub(channel)
        metadata = api_pb2.PodSandboxMetadata(
            name="pkcd-warm-up", uid=secrets.token_hex(8), namespace="pkcd"
        )
        request = api_pb2.RunPodSandboxRequest(config=api_pb2.PodSandboxConfig(metadata=metadata))
        sandbox_id = runtime.RunPodSandbox(request, timeout=_CALL_TIMEOUT).pod_sandbox_id
        runtime.StopPodSandbox(
            api_pb2.StopPodSandboxRequest(pod_sandbox_id=sandbox_id), timeout=_CALL_TIMEOUT
        )
        runtime.RemovePodSandbox(
            api_pb2.RemovePodSandboxRequest(pod_sandbox_id=sandbox_id), timeout=_CALL_TIMEOUT
        )


def _left_in(daemon: Containerd) -> list[str]:
    """What containerd still holds: sandboxes, containers, shims, IPs, bridge ports."""
    with contextlib.closing(grpc.insecure_channel(daemon.endpoint)) as channel:
        runtime = api_pb2_grpc.RuntimeServiceStub(channel)
        request = api_pb2.ListPodSandboxRequest()
        sandboxes = runtime.ListPodSandbox(request, timeout=_CALL_TIMEOUT).items
        listed = runtime.ListContainers(api_pb2.ListContainersRequest(), timeout=_CALL_TIMEOUT)
    assert daemon.network is not None
    brif = Path("/sys/class/net", daemon.network.bridge, "brif")
    return [
        *(f"sandbox {s.id}" for s in sandboxes),
        *(f"container {c.id}" for c in listed.containers),
        *(f"shim {pid}" for pid in daemon.shim_pids()),
        *(f"address {a}" for a in daemon.network.reservations()),
        *(f"bridge port {p.name}" for p in brif.iterdir()),
    ]


@pytest.fixture(scope="module")
def containerd(pkcd_layouts):
    """A containerd on podkit-cni, warmed up; module-scoped, outside the leak check."""
    with running_containerd(pkcd_layouts) as daemon:
        _warm_up(daemon.endpoint)
        yield daemon


def test_the_runtime_suite_passes_against_containerd(pytester, containerd, leak_check, monkeypatch):
    assert leak_check.started  # the autouse leak check watches the whole run
    monkeypatch.setenv(ENDPOINT_ENV, containerd.endpoint)
    result = run_suite(
        pytester, "--pyargs", "podkit.conformance.runtime", f"--podkit-plugin={PLUGIN_SPEC}"
    )
    outcomes = result.parseoutcomes()
    report = f"{result.stdout.str()}\ncontainerd's log:\n{containerd.log_tail(20000)}"
    assert outcomes.get("failed", 0) == 0, report
    assert outcomes.get("errors", 0) == 0, report
    assert outcomes.get("passed", 0) >= 75, outcomes
    # The two skips, and why: cgroup v2 `unified` on this v1 node, and stop_signal.
    skipped = [line for line in result.outlines if line.startswith("SKIPPED")]
    assert len(skipped) <= 2, skipped
    deadline = time.monotonic() + 10  # shims exit a moment after their task is deleted
    while (left := _left_in(containerd)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == []

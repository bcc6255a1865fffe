"""The runtime conformance suite against ``podkit serve cri``, through CriClientPlugin.

The server is a subprocess on a socket in a temporary folder, serving the
reference runtime (on directories of its own) with the loopback plugin,
and stopped by its PID. The suite runs in-process (pytester) as
``podkit conformance runtime --cri-endpoint unix://PATH`` runs it, inside
the leak check: every sandbox, container, mount, cgroup and process it
makes through CRI must be gone afterwards.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from pkcw_server import ServerProcess, remove_parent_cgroups

import podkit
from podkit.models.runtime import PodSandboxConfig, PodSandboxMetadata
from podkit.wire.cri import CriClientPlugin
from podkit.wire.cri._conformance import ENDPOINT_ENV, HANDLER_ENV, PLUGIN_SPEC

pytest_plugins = ["pytester"]
pytestmark = [pytest.mark.root, pytest.mark.netns, pytest.mark.slow, pytest.mark.integration]


@pytest.fixture(scope="module")
def server():
    """``podkit serve cri``, warmed up before the leak check starts.

    One sandbox run and removed makes the runtime's directories and parent
    cgroups, which are not what the suite leaks.
    """
    folder = Path(tempfile.mkdtemp(prefix="pkcw-", dir="/tmp"))
    served = ServerProcess(folder, "loopback")
    client = CriClientPlugin(f"unix://{served.socket}", "pkcw-warm")
    manager = podkit.PluginManager()
    manager.register(client, name="pkcw-warm", kind="runtime")
    config = PodSandboxConfig(
        metadata=PodSandboxMetadata(name="pkcw-warm-up", uid="pkcw-warm", namespace="pkcw")
    )
    sandbox_id = manager.runtime.run_pod_sandbox("pkcw-warm", config)
    manager.runtime.remove_pod_sandbox("pkcw-warm", sandbox_id)
    client.close()
    yield served
    code = served.stop()
    remove_parent_cgroups()
    shutil.rmtree(folder, ignore_errors=True)
    assert code == 0, served.output()


def test_podkit_serve_cri_conforms_through_the_cri_client_and_leaks_nothing(
    pytester, server, leak_check, monkeypatch
):
    assert leak_check.started
    monkeypatch.setenv(ENDPOINT_ENV, f"unix://{server.socket}")
    monkeypatch.setenv(HANDLER_ENV, "pkcw-cri")
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "podkit.conformance.runtime",
        f"--podkit-plugin={PLUGIN_SPEC}",
        "-p",
        "no:cacheprovider",
        "--timeout=120",  # per test of the suite: else all of it runs under this test's 120 s
        "-rfEx",
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes.get("passed", 0) >= 80, outcomes
    assert "RunPodSandbox" in server.output()  # the calls went through the server

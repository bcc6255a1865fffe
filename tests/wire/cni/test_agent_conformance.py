"""The network conformance suite through ``podkit-cni`` with the agent running.

As ``tests/conformance/network`` runs the suite ``--via-exec``, but with
``podkit serve cni`` up (every installed plugin loaded, as on a node) and
``PODKIT_CNI_AGENT`` pointing at it: each exec'd ``podkit-cni`` hands its
call to the agent. The agent's log shows the calls reached it; the leak
checks show nothing was left behind.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from podkit.testing import LeakChecker

pytest_plugins = ["pytester"]

BIN = Path(sys.executable).parent
MUST_PASS = {
    "bridge": [
        "test_two_pods_on_the_same_bridge_reach_each_other",
        "test_check_fails_when_the_pod_address_was_flushed",
        "test_del_succeeds_after_the_namespace_is_gone",
        "test_concurrent_adds_never_hand_out_an_address_twice",
        "test_gc_releases_the_addresses_of_stale_attachments",
    ],
    "portmap": ["test_a_mapped_host_port_reaches_the_pod", "test_del_twice_succeeds"],
}


def run_suite(pytester: pytest.Pytester, *options: str) -> pytest.RunResult:
    # The autouse leak check of root tests watches the run (and the agent) as a whole.
    return pytester.runpytest_subprocess(
        "--pyargs",
        "podkit.conformance.network",
        "-p",
        "no:cacheprovider",
        "-v",
        "-rsfE",
        "-W",
        "error::ResourceWarning",
        "-W",
        "error::pytest.PytestUnraisableExceptionWarning",
        *options,
    )


@pytest.mark.root
@pytest.mark.netns
@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.timeout(900)
@pytest.mark.parametrize("target", sorted(MUST_PASS))
def test_the_suite_passes_via_exec_with_the_agent_running(
    pytester: pytest.Pytester,
    leak_check: LeakChecker,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    target: str,
) -> None:
    assert leak_check.started
    socket_path = tmp_path / "run" / "cni.sock"
    log = tmp_path / "agent.log"
    argv = [str(BIN / "podkit"), "serve", "cni", "--socket", str(socket_path), "--debug"]
    with log.open("w") as err:
        agent = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        assert agent.stdout is not None
        assert "agent on" in agent.stdout.readline(), log.read_text()
        monkeypatch.setenv("PODKIT_CNI_AGENT", str(socket_path))
        result = run_suite(pytester, f"--podkit-plugin={target}", "--via-exec")
    finally:
        os.kill(agent.pid, signal.SIGTERM)
        assert agent.wait(timeout=60) == 0
        assert agent.stdout is not None
        agent.stdout.close()
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes.get("errors", 0) == 0, result.stdout.str()
    result.stdout.fnmatch_lines_random([f"*::{test} PASSED*" for test in MUST_PASS[target]])
    served = re.findall(rf"(ADD|DEL|CHECK) {re.escape(target)} \S*: exit 0", log.read_text())
    assert {"ADD", "DEL", "CHECK"} <= set(served), "the calls did not go through the agent"
    assert not socket_path.exists()

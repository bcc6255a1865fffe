"""The network conformance suite, run the three ways against the reference plugins.

Each reference plugin is tested in-process (``--podkit-plugin``), through
the ``podkit-cni`` executable (``--via-exec``), and the upstream binaries of
Debian's containernetworking-plugins the same way (``--cni-path
/usr/lib/cni``), as ``podkit conformance network`` does. Every run is
inside a :class:`podkit.testing.LeakChecker` (and the autouse leak check of
privileged tests): every namespace, link, nftables table and process the
suite makes must be gone afterwards.

A careless plugin shows that the suite fails what breaks the SPEC.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podkit.testing import LeakChecker, require_binary

pytest_plugins = ["pytester"]

UPSTREAM = "/usr/lib/cni"
#: (target, way) -> tests that must pass (not be skipped) there.
MUST_PASS = {
    "bridge": [
        "test_add_returns_a_result_of_the_requested_version[[]1.0.0[]]",
        "test_two_pods_on_the_same_bridge_reach_each_other",
        "test_check_fails_when_the_pod_address_was_flushed",
        "test_del_succeeds_after_the_namespace_is_gone",
        "test_concurrent_adds_never_hand_out_an_address_twice",
        "test_a_bad_request_is_refused_with_the_spec_code[[]range-start-outside-the-subnet[]]",
    ],
    "host-local": [
        "test_concurrent_adds_never_hand_out_an_address_twice",
        "test_a_released_address_is_handed_out_again",
        "test_check_fails_when_the_reservation_was_removed",
        "test_an_exhausted_range_fails_add",
    ],
    "loopback": [
        "test_loopback_answers_inside_the_pod_after_add",
        "test_check_fails_when_lo_was_set_down",
        "test_del_twice_succeeds",
    ],
    "portmap": [
        "test_check_passes_right_after_add",
        "test_del_twice_succeeds",
    ],
}
#: Tests that need SPEC 1.1.0, which podkit's plugins support and Debian's do not.
PODKIT_ONLY = [
    "test_gc_releases_the_addresses_of_stale_attachments",
    "test_status_reports_an_exhausted_address_range",
]
PORT_MAPPING = [
    "test_a_mapped_host_port_reaches_the_pod",
    "test_after_del_the_host_port_no_longer_reaches_the_pod",
    "test_gc_removes_only_the_mappings_of_stale_attachments",
]
WAYS = {
    "in-process": lambda target: [f"--podkit-plugin={target}"],
    "via-exec": lambda target: [f"--podkit-plugin={target}", "--via-exec"],
    "upstream": lambda target: [f"--cni-path={UPSTREAM}", f"--podkit-target={target}"],
}


def run_suite(pytester: pytest.Pytester, *options: str) -> pytest.RunResult:
    # In a process of its own: an in-process run would import the models anew,
    # and the plugins loaded before would build instances of the old classes.
    with LeakChecker():
        return pytester.runpytest_subprocess(
            "--pyargs",
            "podkit.conformance.network",
            "-p",
            "no:cacheprovider",
            "-v",
            "-rsfE",
            # What a plugin leaves unclosed fails the test that made it (the suite's
            # harness collects garbage at teardown), as in podkit's own test runs.
            "-W",
            "error::ResourceWarning",
            "-W",
            "error::pytest.PytestUnraisableExceptionWarning",
            *options,
        )


def _must_pass(target: str, way: str) -> list[str]:
    tests = list(MUST_PASS[target])
    if way != "upstream" and target in {"bridge", "host-local"}:
        tests += PODKIT_ONLY
    if way != "upstream" and target == "portmap":
        tests += PORT_MAPPING
    return tests


@pytest.mark.root
@pytest.mark.netns
@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.timeout(900)
@pytest.mark.parametrize("way", sorted(WAYS))
@pytest.mark.parametrize("target", sorted(MUST_PASS))
def test_a_reference_plugin_conforms_and_leaks_nothing(
    pytester: pytest.Pytester, leak_check: LeakChecker, target: str, way: str
) -> None:
    assert leak_check.started  # the autouse leak check watches the whole run too
    if way == "upstream":
        require_binary(f"{UPSTREAM}/{target}")
    result = run_suite(pytester, *WAYS[way](target))
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes.get("errors", 0) == 0, result.stdout.str()
    result.stdout.fnmatch_lines_random([f"*::{test} PASSED*" for test in _must_pass(target, way)])


CARELESS = '''
import ipaddress
import socket

import podkit
from podkit.models.network import IPConfig, Result, VersionResult


@podkit.answers_for("host-local")
class Careless:
    """Hands out addresses without looking at what is taken, forgets nothing, leaks sockets."""

    def __init__(self):
        self.held = {}

    def network_version(self):
        return VersionResult(supported_versions=("1.0.0",))

    def network_add(self, config, attachment):
        start = config.ipam.raw["ranges"][0][0].get("rangeStart", "198.51.100.2")
        address = ipaddress.ip_address(start)
        self.held[attachment.container_id] = address
        return Result(
            cni_version=config.cni_version, ips=(IPConfig(address=f"{address}/24"),)
        )

    def network_del(self, config, attachment):
        if attachment.container_id not in self.held:
            raise podkit.NotFoundError("no such container")
        return True

    def network_check(self, config, attachment):
        self.probe = socket.socket()  # dropped, never closed, on the next CHECK
        return True
'''


@pytest.mark.root
@pytest.mark.netns
@pytest.mark.integration
@pytest.mark.timeout(300)
def test_a_careless_plugin_fails_the_suite(
    pytester: pytest.Pytester, leak_check: LeakChecker, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert leak_check.started
    (Path(pytester.path) / "careless_plugin.py").write_text(CARELESS)
    monkeypatch.setenv("PYTHONPATH", str(pytester.path))
    result = run_suite(pytester, "--podkit-plugin=careless_plugin:Careless")
    result.stdout.fnmatch_lines_random(
        [
            "*::test_concurrent_adds_never_hand_out_an_address_twice FAILED*",
            "*::test_del_of_an_attachment_never_added_succeeds FAILED*",
            "*::test_check_fails_when_the_reservation_was_removed FAILED*",
            "*::test_a_bad_request_is_refused_with_the_spec_code[[]no-ranges[]] FAILED*",
            "*::test_check_passes_again_and_changes_nothing FAILED*",  # the leaked socket
        ]
    )

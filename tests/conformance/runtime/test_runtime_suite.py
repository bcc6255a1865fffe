"""The runtime conformance suite, run against the reference plugin ``namespace``.

The suite runs in-process (pytester) against the installed ``namespace``
runtime on its default directories, as ``podkit conformance runtime --plugin
namespace`` does, inside the leak check of the privileged tests: every
sandbox, container, mount, cgroup, process and image the suite makes must be
gone afterwards.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.models.runtime import PodSandboxConfig, PodSandboxMetadata

if TYPE_CHECKING:
    from podkit.testing import LeakChecker

pytest_plugins = ["pytester"]
pytestmark = [pytest.mark.root, pytest.mark.netns, pytest.mark.slow, pytest.mark.integration]

HANDLER = "namespace"


@pytest.fixture(scope="module")
def installed_runtime() -> podkit.PluginManager:
    """The installed runtime, its directories made (as on a node where it runs).

    Module-scoped, so it is set up before the leak check starts: the runtime's
    own state directories, its parent cgroup and its empty image store are not
    what the suite leaks. One sandbox run and removed makes them.
    """
    manager = podkit.PluginManager.load(select=[HANDLER])
    manager.runtime.image_fs_info(HANDLER)
    config = PodSandboxConfig(
        metadata=PodSandboxMetadata(name="pku-warm-up", uid=secrets.token_hex(8), namespace="pku")
    )
    sandbox_id = manager.runtime.run_pod_sandbox(HANDLER, config)
    manager.runtime.remove_pod_sandbox(HANDLER, sandbox_id)
    return manager


def test_the_namespace_runtime_conforms_and_leaks_nothing(
    pytester: pytest.Pytester, installed_runtime: podkit.PluginManager, leak_check: LeakChecker
) -> None:
    del installed_runtime
    assert leak_check.started  # the autouse leak check watches the whole run
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "podkit.conformance.runtime",
        f"--podkit-plugin={HANDLER}",
        "-p",
        "no:cacheprovider",
        "--timeout=120",  # per test of the suite: else all of it runs under this test's 120 s
        "-rfEx",
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes.get("passed", 0) >= 40, outcomes


FORGETFUL = '''
import podkit
from podkit.plugins.runtime import NamespaceRuntime


class ForgetfulRuntime(NamespaceRuntime):
    """Breaks a CRI rule: removing a container that is gone is an error."""

    @podkit.hookimpl
    def runtime_remove_container(self, container_id):
        if container_id not in self.containers.records:
            raise podkit.NotFoundError(f"container {container_id!r} not found")
        return super().runtime_remove_container(container_id)
'''


def test_a_runtime_breaking_a_rule_fails_the_test_of_that_rule(
    pytester: pytest.Pytester, installed_runtime: podkit.PluginManager
) -> None:
    del installed_runtime
    pytester.makepyfile(pku_forgetful=FORGETFUL)
    pytester.syspathinsert()
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "podkit.conformance.runtime",
        "--podkit-plugin=pku_forgetful:ForgetfulRuntime",
        "--podkit-target=namespace",
        "-p",
        "no:cacheprovider",
        "--timeout=120",  # per test of the suite: else all of it runs under this test's 120 s
        "-k",
        "unknown_container or container_are_idempotent or a_created_container_is_created",
    )
    result.stdout.fnmatch_lines(
        [
            "*FAILED*test_stop_and_remove_of_a_container_are_idempotent*",
            "*FAILED*test_stop_and_remove_of_an_unknown_container_succeed*",
        ]
    )
    assert result.parseoutcomes().get("passed") == 1

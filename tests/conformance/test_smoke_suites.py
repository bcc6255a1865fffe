"""The conformance framework, run with pytester against plugins made for the test."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

PLUGINS = '''
import podkit
from podkit.models.network import VersionResult
from podkit.models.runtime import VersionResponse
from podkit.models.storage import PluginInfo, ProbeResult

VERSION = VersionResponse(
    version="0.1.0", runtime_name="smoke", runtime_version="1.0", runtime_api_version="v1"
)


@podkit.answers_for("smoke")
class SyncRuntime:
    def runtime_version(self, handler, version):
        return VERSION


@podkit.answers_for("smoke")
class AsyncRuntime:
    async def runtime_version(self, handler, version):
        return VERSION


@podkit.answers_for("smoke")
class WrongApiRuntime:
    def runtime_version(self, handler, version):
        return VersionResponse(
            runtime_name="smoke", runtime_version="1", runtime_api_version="v1alpha2"
        )


class GreedyRuntime:
    """Answers for every handler: fails the addressing rule."""

    def runtime_version(self, handler, version):
        return VERSION


@podkit.answers_for("smoke-bridge")
class SyncNetwork:
    def network_version(self, cni_type):
        return VersionResult(supported_versions=("0.4.0", "1.0.0", "1.1.0"))


@podkit.answers_for("smoke-bridge")
class AsyncNetwork:
    async def network_version(self, cni_type):
        return VersionResult(supported_versions=("1.1.0",))


@podkit.answers_for("smoke.podkit.dev")
class SyncStorage:
    def storage_get_plugin_info(self, driver):
        return PluginInfo(name=driver, vendor_version="1.0")

    def storage_probe(self, driver):
        return ProbeResult(ready=True)


@podkit.answers_for("smoke.podkit.dev")
class AsyncStorage:
    async def storage_get_plugin_info(self, driver):
        return PluginInfo(name=driver, vendor_version="1.0")

    async def storage_probe(self, driver):
        return ProbeResult()
'''


@pytest.fixture
def run_suite(pytester):
    pytester.makepyfile(smoke_plugins=PLUGINS)
    pytester.syspathinsert()

    def run(kind, plugin, *extra):
        return pytester.runpytest_inprocess(
            "--pyargs",
            f"podkit.conformance.{kind}.test_smoke",
            f"--podkit-plugin=smoke_plugins:{plugin}",
            "-p",
            "no:cacheprovider",
            *extra,
        )

    return run


@pytest.mark.parametrize(
    ("kind", "plugin", "tests"),
    [
        ("runtime", "SyncRuntime", 3),
        ("runtime", "AsyncRuntime", 3),
        ("network", "SyncNetwork", 3),
        ("network", "AsyncNetwork", 3),
        ("storage", "SyncStorage", 4),
        ("storage", "AsyncStorage", 4),
    ],
)
def test_the_smoke_suite_passes_against_sync_and_async_plugins(run_suite, kind, plugin, tests):
    result = run_suite(kind, plugin)
    result.assert_outcomes(passed=tests)


def test_a_plugin_with_the_wrong_api_version_fails(run_suite):
    result = run_suite("runtime", "WrongApiRuntime")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*test_version_names_the_runtime_and_its_cri_api_version*"])


def test_a_plugin_answering_for_every_name_fails_addressing(run_suite):
    result = run_suite("runtime", "GreedyRuntime", "--podkit-target=smoke")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*FAILED*test_calls_for_another_handler_are_not_answered*"])


def test_a_plugin_of_another_kind_is_refused(run_suite):
    result = run_suite("storage", "SyncNetwork")
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines(["*implements no storage hooks*"])


def test_without_a_target_the_suite_skips_and_says_why(pytester):
    result = pytester.runpytest_inprocess(
        "--pyargs", "podkit.conformance.network.test_smoke", "-rs"
    )
    result.assert_outcomes(skipped=3)
    result.stdout.fnmatch_lines(["*no conformance target: pass --podkit-plugin NAME*"])


INSTALLED = """
import podkit
from podkit.models.network import VersionResult


@podkit.answers_for("pkc-bridge", "pkc-other")
class Plugin:
    def network_version(self):
        return VersionResult(supported_versions=("1.0.0", "1.1.0"))
"""


def test_the_network_suite_runs_through_podkit_cni(pytester, monkeypatch):
    dist = pytester.path / "pkc_cni-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pkc-cni\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[podkit.network]\npkc = pkc_plugin:Plugin\n")
    (pytester.path / "pkc_plugin.py").write_text(INSTALLED)
    monkeypatch.setenv("PYTHONPATH", str(pytester.path))  # for the podkit-cni processes
    pytester.syspathinsert()
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "podkit.conformance.network.test_smoke",
        "--podkit-plugin=pkc",
        "--via-exec",
        "-v",
    )
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*test_version_lists_the_supported_spec_versions PASSED*"])


def test_the_network_suite_runs_against_upstream_binaries(pytester):
    from podkit.testing import require_binary

    require_binary("/usr/lib/cni/host-local")
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "podkit.conformance.network.test_smoke",
        "--cni-path=/usr/lib/cni",
        "--podkit-target=host-local",
    )
    result.assert_outcomes(passed=3)

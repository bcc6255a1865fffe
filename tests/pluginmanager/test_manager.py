from __future__ import annotations

import asyncio
import contextvars
import logging
import textwrap

import pytest

import podkit
from podkit.models.network import VersionResult

REQUEST_ID = contextvars.ContextVar("REQUEST_ID", default="")


def _version(*versions: str) -> VersionResult:
    return VersionResult(cni_version=versions[0], supported_versions=versions)


@podkit.answers_for("bridge")
class Bridge:
    @podkit.hookimpl
    def network_version(self, cni_type):
        return _version("0.4.0", "1.0.0")


@podkit.answers_for("macvlan", "ipvlan")
class Vlans:
    def network_version(self, cni_type):  # no marker: picked up by its prefix
        return _version("1.1.0")


class Decider:
    """Declares no names: called for every name, declines what is not its own."""

    @podkit.hookimpl
    def network_version(self, cni_type):
        return _version("1.0.0") if cni_type == "ptp" else None


@pytest.fixture
def manager():
    return podkit.PluginManager()


def test_calls_are_routed_to_the_plugin_that_answers_for_the_name(manager):
    manager.register(Bridge, name="bridge", kind="network")
    manager.register(Vlans(), name="vlans", kind="network")
    manager.register(Decider(), name="decider", kind="network")
    assert manager.call("network_version", cni_type="bridge").supported_versions == (
        "0.4.0",
        "1.0.0",
    )
    assert manager.call("network_version", cni_type="ipvlan").cni_version == "1.1.0"
    assert manager.call("network_version", cni_type="ptp").cni_version == "1.0.0"


def test_a_call_nobody_answers_is_a_clear_not_found_error(manager):
    manager.register(Bridge, name="bridge", kind="network")
    with pytest.raises(podkit.NoPluginError) as info:
        manager.call("network_version", cni_type="vxlan")
    assert str(info.value) == (
        "failed to call network_version: no network plugin answers for cni_type 'vxlan'"
    )
    assert isinstance(info.value, LookupError)


def test_plugins_lists_names_kind_and_hooks(manager):
    manager.register(Vlans, name="vlans", kind="network", distribution="acme", version="2.0")
    [info] = manager.plugins()
    assert (info.name, info.kind, info.answers_for) == ("vlans", "network", ("macvlan", "ipvlan"))
    assert (info.distribution, info.version, info.hooks) == ("acme", "2.0", ("network_version",))
    assert manager.names("network") == ["ipvlan", "macvlan"]


def test_a_misspelt_hook_fails_loading_naming_plugin_and_hook(manager):
    class Typo:
        @podkit.hookimpl
        def network_verison(self, cni_type):
            return None

    with pytest.raises(podkit.PluginValidationError) as info:
        manager.register(Typo, name="typo", kind="network", distribution="acme-cni")
    assert str(info.value) == (
        "plugin 'typo' from distribution 'acme-cni': hook 'network_verison' is not a podkit hook"
        " (did you mean 'network_version'?)"
    )
    assert manager.plugins() == []


def test_a_misspelt_argument_fails_loading_naming_hook_and_argument(manager):
    class Typo:
        @podkit.hookimpl
        def network_version(self, cni_typ):
            return None

    with pytest.raises(podkit.PluginValidationError) as info:
        manager.register(Typo, name="typo", kind="network")
    message = str(info.value)
    assert message.startswith(
        "plugin 'typo': hook 'network_version' takes argument 'cni_typ', which its spec does"
        " not have (did you mean 'cni_type'?)"
    )


def test_a_plugin_may_only_implement_hooks_of_its_kind(manager):
    with pytest.raises(podkit.PluginValidationError, match="is not a runtime hook"):
        manager.register(Bridge, name="bridge", kind="runtime")


def test_two_plugins_of_a_kind_cannot_answer_for_one_name(manager):
    manager.register(Bridge, name="bridge", kind="network")

    @podkit.answers_for("bridge")
    class Other:
        def network_version(self, cni_type):
            return _version("1.0.0")

    with pytest.raises(podkit.PluginValidationError, match=r"answers for \['bridge'\] already"):
        manager.register(Other, name="other", kind="network")


def test_names_must_be_unique(manager):
    manager.register(Bridge, name="bridge", kind="network")
    with pytest.raises(podkit.PluginValidationError, match="registered already"):
        manager.register(Vlans, name="bridge", kind="network")


def test_unregister_removes_the_route(manager):
    manager.register(Bridge, name="bridge", kind="network")
    manager.call("network_version", cni_type="bridge")
    manager.unregister("bridge")
    with pytest.raises(podkit.NoPluginError):
        manager.call("network_version", cni_type="bridge")


def test_answers_for_needs_names():
    with pytest.raises(podkit.InvalidArgumentError):
        podkit.answers_for()


# -- async hook implementations ----------------------------------------------


@podkit.answers_for("async-bridge")
class AsyncBridge:
    def __init__(self):
        self.loops = []
        self.requests = []

    @podkit.hookimpl
    async def network_version(self, cni_type):
        self.loops.append(asyncio.get_running_loop())
        self.requests.append(REQUEST_ID.get())
        await asyncio.sleep(0)
        return _version("1.1.0")


def test_an_async_plugin_is_awaited_in_the_callers_event_loop(manager):
    plugin = AsyncBridge()
    manager.register(plugin, name="async", kind="network")

    async def main():
        REQUEST_ID.set("req-42")
        result = await manager.acall(manager.call, "network_version", cni_type="async-bridge")
        return result, asyncio.get_running_loop()

    result, loop = asyncio.run(main())
    assert plugin.loops == [loop]
    assert plugin.requests == ["req-42"]
    assert result.supported_versions == ("1.1.0",)


def test_a_sync_plugin_runs_in_a_worker_thread_with_the_callers_context(manager):
    import threading

    seen = {}

    @podkit.answers_for("sync")
    class Sync:
        def network_version(self, cni_type):
            seen["thread"] = threading.current_thread()
            seen["request"] = REQUEST_ID.get()
            return _version("1.0.0")

    manager.register(Sync, name="sync", kind="network")

    async def main():
        REQUEST_ID.set("req-7")
        return await manager.acall(manager.call, "network_version", cni_type="sync")

    assert asyncio.run(main()).cni_version == "1.0.0"
    assert seen["thread"] is not threading.main_thread()
    assert seen["request"] == "req-7"


def test_an_async_plugin_called_from_sync_code_runs_to_completion(manager):
    plugin = AsyncBridge()
    manager.register(plugin, name="async", kind="network")
    assert manager.call("network_version", cni_type="async-bridge").cni_version == "1.1.0"
    assert len(plugin.loops) == 1


def test_a_sync_call_of_an_async_plugin_inside_a_loop_says_to_await(manager):
    manager.register(AsyncBridge(), name="async", kind="network")

    async def main():
        manager.call("network_version", cni_type="async-bridge")

    with pytest.raises(RuntimeError, match=r"await manager\.acall"):
        asyncio.run(main())


def test_errors_of_async_plugins_reach_the_caller(manager):
    @podkit.answers_for("broken")
    class Broken:
        async def network_version(self, cni_type):
            msg = f"failed to report version of {cni_type!r}: not ready"
            raise podkit.UnavailableError(msg)

    manager.register(Broken, name="broken", kind="network")
    with pytest.raises(podkit.UnavailableError, match="not ready"):
        manager.call("network_version", cni_type="broken")
    with pytest.raises(podkit.UnavailableError, match="not ready"):
        asyncio.run(manager.acall(manager.call, "network_version", cni_type="broken"))


# -- wrappers and the trace plugin -------------------------------------------


def test_a_wrapper_sees_and_may_adjust_every_call(manager):
    class Pinning:
        @podkit.hookimpl(wrapper=True)
        def network_version(self, cni_type):
            result = yield
            return _version(*result.supported_versions, "9.9.9")

    manager.register(Bridge, name="bridge", kind="network")
    manager.register(Pinning, name="pinning")
    assert manager.call("network_version", cni_type="bridge").supported_versions[-1] == "9.9.9"


def test_trace_logs_target_duration_and_outcome(caplog):
    manager = podkit.PluginManager.load(entry_points=False, trace=True)
    manager.register(Bridge, name="bridge", kind="network")
    manager.register(AsyncBridge(), name="async", kind="network")
    with caplog.at_level(logging.INFO, logger="podkit.trace"):
        manager.call("network_version", cni_type="bridge")
        manager.call("network_version", cni_type="async-bridge")
        with pytest.raises(podkit.NoPluginError):
            manager.call("network_version", cni_type="vxlan")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3
    assert lines[0].startswith("network_version 'bridge' ")
    assert lines[0].endswith("ms ok")
    assert lines[1].startswith("network_version 'async-bridge' ")
    assert lines[1].endswith("ms ok")
    assert lines[2].endswith("ms no plugin answered")


def test_trace_is_on_when_the_environment_says_so(monkeypatch):
    monkeypatch.setenv("PODKIT_TRACE", "1")
    manager = podkit.PluginManager.load(entry_points=False)
    assert [p.name for p in manager.plugins()] == ["trace"]
    monkeypatch.setenv("PODKIT_TRACE", "0")
    assert podkit.PluginManager.load(entry_points=False).plugins() == []


# -- discovery through entry points ------------------------------------------


def _distribution(tmp_path, name, entry_points, modules):
    """Install a distribution the way pip lays it out: a module and dist-info."""
    dist_info = tmp_path / f"{name.replace('-', '_')}-1.2.3.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2.3\n")
    (dist_info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    for module, source in modules.items():
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))


PLUGIN_MODULE = """
    import podkit
    from podkit.models.network import VersionResult

    @podkit.answers_for("acme")
    class Acme:
        def network_version(self, cni_type):
            return VersionResult(cni_version="1.1.0", supported_versions=("1.1.0",))
"""


def test_plugins_are_discovered_through_entry_points(tmp_path, monkeypatch):
    _distribution(
        tmp_path,
        "acme-cni",
        "[podkit.network]\nacme = acme_plugin:Acme\n",
        {"acme_plugin": PLUGIN_MODULE},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    manager = podkit.PluginManager.load(select=["acme"])
    [info] = manager.plugins()
    assert (info.name, info.kind, info.distribution, info.version) == (
        "acme",
        "network",
        "acme-cni",
        "1.2.3",
    )
    assert manager.call("network_version", cni_type="acme").cni_version == "1.1.0"
    monkeypatch.setenv("PODKIT_DISABLED_PLUGINS", "acme")
    assert podkit.PluginManager.load(select=["acme"]).plugins() == []


def test_a_plugin_that_fails_to_import_names_its_distribution(tmp_path, monkeypatch):
    _distribution(
        tmp_path,
        "acme-broken",
        "[podkit.network]\nbroken = acme_broken:Plugin\n",
        {"acme_broken": "import does_not_exist\n"},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(podkit.PluginValidationError) as info:
        podkit.PluginManager.load(select=["broken"])
    assert str(info.value).startswith(
        "failed to load plugin 'broken' from distribution 'acme-broken' (acme_broken:Plugin):"
        " ModuleNotFoundError:"
    )


def test_a_misspelt_hook_in_an_installed_plugin_names_the_distribution(tmp_path, monkeypatch):
    source = PLUGIN_MODULE.replace("def network_version", "def network_versoin")
    _distribution(
        tmp_path,
        "acme-typo",
        "[podkit.network]\ntypo = acme_typo:Acme\n",
        {"acme_typo": source},
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(podkit.PluginValidationError) as info:
        podkit.PluginManager.load(select=["typo"])
    assert str(info.value) == (
        "plugin 'typo' from distribution 'acme-typo': hook 'network_versoin' is not a podkit"
        " hook (did you mean 'network_version'?)"
    )


def test_trace_wraps_every_hook_of_every_kind():
    from podkit.hookspecs import KINDS
    from podkit.pluginmanager import TracePlugin

    manager = podkit.PluginManager.load(entry_points=False, trace=True)
    [info] = manager.plugins()
    every_hook = sorted(h for kind in KINDS.values() for h in kind.module.__all__)
    assert list(info.hooks) == every_hook
    assert isinstance(info.plugin, TracePlugin)
    assert len(every_hook) == 23 + 6 + 25

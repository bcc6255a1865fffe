from __future__ import annotations

import asyncio
import inspect
import keyword

import pytest

import podkit
from podkit.hookspecs import KINDS
from podkit.models.network import Attachment, IPConfig, NetworkConfig, Result, VersionResult
from podkit.models.runtime import (
    PodSandboxConfig,
    PodSandboxFilter,
    PodSandboxMetadata,
    VersionResponse,
)
from podkit.models.storage import AccessMode, MountVolume, Secrets, VolumeCapability
from podkit.pluginmanager import NetworkHooks, RuntimeHooks, StorageHooks

FACADES = {"runtime": RuntimeHooks, "network": NetworkHooks, "storage": StorageHooks}
HOOKS = [(kind, hook) for kind in KINDS.values() for hook in kind.module.__all__]


def method_name(kind, hook):
    operation = hook.removeprefix(kind.prefix)
    return f"{operation}_" if keyword.iskeyword(operation) else operation


def facade_method(kind, hook):
    method = getattr(FACADES[kind.name], method_name(kind, hook), None)
    assert method is not None, f"{FACADES[kind.name].__name__} has no method for {hook}"
    return method


@pytest.fixture
def manager():
    return podkit.PluginManager()


# -- every hook has its method, and nothing else ------------------------------------


@pytest.mark.parametrize(("kind", "hook"), HOOKS, ids=[hook for _, hook in HOOKS])
def test_the_facade_method_takes_the_specs_parameters_in_order(kind, hook):
    spec = inspect.signature(getattr(kind.module, hook))
    [self, *parameters] = inspect.signature(facade_method(kind, hook)).parameters.values()
    assert self.name == "self"
    assert [p.name for p in parameters] == list(spec.parameters)
    assert parameters[0].name == kind.target_arg
    assert {p.kind for p in parameters} == {inspect.Parameter.POSITIONAL_OR_KEYWORD}


@pytest.mark.parametrize(("kind", "hook"), HOOKS, ids=[hook for _, hook in HOOKS])
def test_the_facade_method_has_the_specs_types_and_never_returns_none(kind, hook):
    spec = inspect.signature(getattr(kind.module, hook))
    facade = inspect.signature(facade_method(kind, hook))
    assert spec.return_annotation.endswith(" | None")
    assert facade.return_annotation == spec.return_annotation.removesuffix(" | None")
    for name, parameter in spec.parameters.items():
        widened = name in {"secrets", "filter"}  # None: no secrets, the default filter
        expected = f"{parameter.annotation} | None" if widened else parameter.annotation
        assert facade.parameters[name].annotation == expected


@pytest.mark.parametrize("kind", KINDS.values(), ids=list(KINDS))
def test_a_facade_has_no_public_method_but_the_hooks(kind):
    public = {
        name
        for name, _ in inspect.getmembers(FACADES[kind.name], inspect.isfunction)
        if not name.startswith("_")
    }
    assert public == {method_name(kind, hook) for hook in kind.module.__all__}


@pytest.mark.parametrize(("kind", "hook"), HOOKS, ids=[hook for _, hook in HOOKS])
def test_the_facade_method_calls_its_hook_with_every_argument_by_name(kind, hook):
    calls = []

    def call(hook_name, /, **kwargs):
        calls.append((hook_name, kwargs))
        return "the result"

    arguments = {
        name: {"token": "s3cr3t"} if name == "secrets" else object()
        for name in inspect.signature(getattr(kind.module, hook)).parameters
    }
    method = getattr(FACADES[kind.name](call), method_name(kind, hook))
    assert method(*arguments.values()) == "the result"
    [(hook_name, kwargs)] = calls
    assert hook_name == hook
    assert kwargs.keys() == arguments.keys()
    for name, value in kwargs.items():
        if name == "secrets":
            assert isinstance(value, Secrets)
            assert value == {"token": "s3cr3t"}
        else:
            assert value is arguments[name]


def test_the_manager_holds_one_facade_per_kind(manager):
    assert isinstance(manager.runtime, RuntimeHooks)
    assert isinstance(manager.network, NetworkHooks)
    assert isinstance(manager.storage, StorageHooks)


# -- runtime ---------------------------------------------------------------------------


@podkit.answers_for("runc")
class Runc:
    @podkit.hookimpl
    def runtime_version(self, handler, version):
        return VersionResponse(
            version=version,
            runtime_name="test-runc",
            runtime_version="1.0.0",
            runtime_api_version="v1",
        )

    @podkit.hookimpl
    def runtime_run_pod_sandbox(self, handler, config):
        return f"{handler}-{config.metadata.namespace}-{config.metadata.name}"

    @podkit.hookimpl
    def runtime_list_pod_sandbox(self, handler, filter):  # noqa: A002 - the spec's name
        assert filter == PodSandboxFilter()
        return ()


def test_runtime_calls_return_the_plugins_results(manager):
    manager.register(Runc, name="runc", kind="runtime")
    version = manager.runtime.version("runc", "0.1.0")
    assert (version.version, version.runtime_name) == ("0.1.0", "test-runc")
    config = PodSandboxConfig(metadata=PodSandboxMetadata(name="web-0", namespace="shop"))
    assert manager.runtime.run_pod_sandbox("runc", config) == "runc-shop-web-0"
    assert manager.runtime.run_pod_sandbox(handler="runc", config=config) == "runc-shop-web-0"


def test_runtime_list_without_a_filter_passes_the_default_filter(manager):
    manager.register(Runc, name="runc", kind="runtime")
    assert manager.runtime.list_pod_sandbox("runc") == ()


def test_runtime_calls_nobody_answers_raise(manager):
    manager.register(Runc, name="runc", kind="runtime")
    with pytest.raises(podkit.NoPluginError, match="'crun'"):
        manager.runtime.version("crun", "0.1.0")
    with pytest.raises(podkit.UnimplementedError, match="runtime_status"):
        manager.runtime.status("runc")


# -- network ---------------------------------------------------------------------------


@podkit.answers_for("bridge")
class Bridge:
    @podkit.hookimpl
    def network_add(self, cni_type, config, attachment):
        previous = config.prev_result or Result()
        return Result(
            cni_version=config.cni_version,
            ips=(*previous.ips, IPConfig(address="10.1.0.2/24", gateway="10.1.0.1")),
        )


def test_network_add_returns_the_result_built_on_prev_result(manager):
    manager.register(Bridge, name="bridge", kind="network")
    previous = Result(ips=(IPConfig(address="10.0.0.2/24"),))
    config = NetworkConfig(name="pods", type="bridge", prev_result=previous)
    attachment = Attachment(container_id="c1", netns="/run/netns/c1", ifname="eth0")
    result = manager.network.add("bridge", config, attachment)
    assert [str(ip.address) for ip in result.ips] == ["10.0.0.2/24", "10.1.0.2/24"]
    assert result.cni_version == config.cni_version


# -- storage ---------------------------------------------------------------------------

CAPABILITY = VolumeCapability(access_type=MountVolume(), access_mode=AccessMode.SINGLE_NODE_WRITER)


@podkit.answers_for("secrets.csi.test")
class SecretsDriver:
    def __init__(self):
        self.published = []

    @podkit.hookimpl
    def storage_node_publish_volume(self, driver, volume_id, target_path, secrets):
        assert isinstance(secrets, Secrets)
        assert "s3cr3t" not in repr(secrets)
        assert "token" in repr(secrets)
        self.published.append((volume_id, target_path, dict(secrets)))
        return True

    @podkit.hookimpl
    def storage_delete_volume(self, driver, volume_id, secrets):
        assert isinstance(secrets, Secrets)
        assert len(secrets) == 0
        return True


class SecretsSpy:
    """A wrapper of every driver's calls, as the trace plugin is."""

    def __init__(self):
        self.seen = []

    @podkit.hookimpl(wrapper=True)
    def storage_node_publish_volume(self, driver, secrets):
        self.seen.append(repr(secrets))
        return (yield)


def test_storage_secrets_reach_plugins_and_wrappers_with_values_hidden(manager):
    driver, spy = SecretsDriver(), SecretsSpy()
    manager.register(driver, name="driver", kind="storage")
    manager.register(spy, name="spy")
    done = manager.storage.node_publish_volume(
        "secrets.csi.test",
        "vol-1",
        {},
        "",
        "/var/lib/kubelet/pods/p/volumes/v",
        CAPABILITY,
        False,  # noqa: FBT003 - readonly, positional as in the spec
        {"token": "s3cr3t"},
    )
    assert done is True
    assert driver.published == [("vol-1", "/var/lib/kubelet/pods/p/volumes/v", {"token": "s3cr3t"})]
    [seen] = spy.seen
    assert "token" in seen
    assert "s3cr3t" not in seen


def test_storage_secrets_default_to_none_given(manager):
    manager.register(SecretsDriver, name="driver", kind="storage")
    assert manager.storage.delete_volume("secrets.csi.test", "vol-1") is True


def test_storage_secrets_with_an_invalid_key_are_refused_before_any_call(manager):
    driver = SecretsDriver()
    manager.register(driver, name="driver", kind="storage")
    with pytest.raises(podkit.InvalidArgumentError, match="secret key"):
        manager.storage.node_publish_volume(
            driver="secrets.csi.test",
            volume_id="vol-1",
            publish_context={},
            staging_target_path="",
            target_path="/mnt/v",
            volume_capability=CAPABILITY,
            readonly=False,
            secrets={"no spaces": "x"},
        )
    assert driver.published == []


# -- async -----------------------------------------------------------------------------


@podkit.answers_for("async-bridge")
class AsyncBridge:
    @podkit.hookimpl
    async def network_version(self, cni_type):
        await asyncio.sleep(0)
        return VersionResult(cni_version="1.1.0", supported_versions=("1.0.0", "1.1.0"))


def test_a_facade_method_is_awaited_through_acall(manager):
    manager.register(AsyncBridge, name="async-bridge", kind="network")
    manager.register(Bridge, name="bridge", kind="network")

    async def main():
        return await manager.acall(manager.network.version, cni_type="async-bridge")

    result = asyncio.run(main())
    assert result.supported_versions == ("1.0.0", "1.1.0")

"""Fixtures of the storage suite: the driver's capabilities, the cleanup registry, volumes.

- ``driver`` (session): the driver under test and what it advertises.
- ``resources``: the cleanup registry; fails the test at teardown when
  something it made cannot be undone.
- ``workdir``: an empty directory for staging and target paths.
- ``make_node_volume``: makes volumes ready for NodePublishVolume, the way
  the driver's capabilities say (created, controller-published, staged);
  ``node_volume``: one such volume, mounted single-writer.

Tests marked ``root`` mount; they are skipped unless the suite runs as root.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.storage._driver import MOUNT, Driver, unique_name
from podkit.conformance.storage._resources import NodeVolume, Resources
from podkit.models.storage import ControllerServiceCapability, PluginService
from podkit.testing import require_root

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from podkit.conformance.plugin import Target
    from podkit.models.storage import VolumeCapability

_ROOT_MARKER = "root: mounts; needs root (skipped otherwise)"
#: How a node-only driver may refuse a volume it knows nothing about.
_REFUSALS = (podkit.InvalidArgumentError, podkit.NotFoundError, podkit.FailedPreconditionError)


def pytest_configure(config: pytest.Config) -> None:
    """Declare the ``root`` marker, unless podkit's test plugin has."""
    declared = {line.split(":")[0].strip() for line in config.getini("markers")}
    if "root" not in declared:
        config.addinivalue_line("markers", _ROOT_MARKER)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip the tests that mount unless running as root."""
    if item.get_closest_marker("root") is not None:
        require_root()


@pytest.fixture(scope="session")
def driver(storage_target: Target) -> Driver:
    """The driver under test, with the capabilities it advertises.

    GetPluginCapabilities is "This REQUIRED RPC"; of NodeGetCapabilities, "A
    Node Plugin MUST implement this RPC call". Without them no test can run.
    """
    try:
        return Driver.discover(storage_target)
    except podkit.PodkitError as exc:
        pytest.fail(
            f"cannot learn what {storage_target.name} supports: {type(exc).__name__}: {exc}",
            pytrace=False,
        )


@pytest.fixture
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty directory for the test's staging and target paths; removed if left empty."""
    path = tmp_path_factory.mktemp("pkt-storage")
    yield path
    with contextlib.suppress(OSError):
        path.rmdir()


@pytest.fixture
def resources(
    driver: Driver,
    workdir: Path,  # noqa: ARG001 -- requested so that it is removed after the cleanup
) -> Iterator[Resources]:
    """The cleanup registry; undoes, after the test, everything recorded in it."""
    registry = Resources(driver)
    yield registry
    if errors := registry.cleanup():
        pytest.fail("cleanup failed:\n  " + "\n  ".join(errors), pytrace=False)


@pytest.fixture(scope="session")
def ephemeral_refusal(driver: Driver, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Why the node-only driver refuses a volume with an empty context; ``""`` if it does not.

    Drivers without a Controller service publish volumes they did not create
    (hostPath, Secret, emptyDir...); a generic suite can only publish one
    that needs no ``volume_context``. Tried once, and undone.
    """
    if driver.has(PluginService.CONTROLLER_SERVICE):
        return ""
    storage = driver.target.manager.storage
    volume_id = unique_name("probe")
    target = tmp_path_factory.mktemp("pkt-probe") / "target"
    try:
        storage.node_publish_volume(
            driver.name, volume_id, {}, "", str(target), MOUNT, readonly=False
        )
    except _REFUSALS as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        storage.node_unpublish_volume(driver.name, volume_id, str(target))
        target.parent.rmdir()
    return ""


@pytest.fixture
def make_node_volume(
    driver: Driver, resources: Resources, workdir: Path, request: pytest.FixtureRequest
) -> Callable[[VolumeCapability], NodeVolume]:
    """Make volumes ready for NodePublishVolume, as the driver's capabilities say.

    With CREATE_DELETE_VOLUME, a new volume; without a Controller service, a
    volume id of the suite's own and an empty ``volume_context`` (skipped when
    the driver refuses that); then ControllerPublishVolume and NodeStageVolume
    when advertised. Call it with the capability the volume is used with.
    """
    if driver.has(PluginService.CONTROLLER_SERVICE):
        driver.require(ControllerServiceCapability.CREATE_DELETE_VOLUME)
    else:
        refusal: str = request.getfixturevalue("ephemeral_refusal")
        if refusal:
            pytest.skip(
                f"capability: {driver.name} has no Controller service and refuses a volume "
                f"with an empty volume_context ({refusal}); its node tests need a "
                "volume_context only its own tests know"
            )

    def make(capability: VolumeCapability) -> NodeVolume:
        if driver.has(PluginService.CONTROLLER_SERVICE):
            return resources.prepare_on_node(unique_name("volume"), workdir, capability)
        own = NodeVolume(volume_id=unique_name("volume"))
        return resources.prepare_on_node(own, workdir, capability)

    return make


@pytest.fixture
def node_volume(make_node_volume: Callable[[VolumeCapability], NodeVolume]) -> NodeVolume:
    """A volume ready for NodePublishVolume (see ``make_node_volume``), mounted single-writer."""
    return make_node_volume(MOUNT)

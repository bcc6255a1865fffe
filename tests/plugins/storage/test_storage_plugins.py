from __future__ import annotations

from pathlib import Path

import pytest

import podkit
from podkit.models.storage import NodeServiceCapability
from podkit.plugins.storage.emptydir import EmptyDirVolumes
from podkit.plugins.storage.hostpath import HostPathDriver
from podkit.plugins.storage.hostpath_volume import HostPathVolumes
from podkit.plugins.storage.projected import ConfigMapVolumes, SecretVolumes

PLUGINS = {
    "hostpath.csi.podkit.dev": HostPathDriver,
    "hostpath.volumes.podkit.dev": HostPathVolumes,
    "emptydir.volumes.podkit.dev": EmptyDirVolumes,
    "secret.volumes.podkit.dev": SecretVolumes,
    "configmap.volumes.podkit.dev": ConfigMapVolumes,
}


@pytest.fixture
def storage(manager, pks_dir):
    return manager(*(cls(pks_dir / name) for name, cls in PLUGINS.items())).storage


@pytest.mark.parametrize("driver", PLUGINS)
def test_each_plugin_answers_for_its_own_driver(storage, driver):
    assert storage.get_plugin_info(driver).name == driver
    assert storage.probe(driver).ready
    assert NodeServiceCapability.GET_VOLUME_STATS in storage.node_get_capabilities(driver)
    assert storage.node_get_info(driver).node_id


def test_node_only_plugins_have_no_controller(storage):
    for driver in list(PLUGINS)[1:]:
        assert storage.get_plugin_capabilities(driver) == ()


def test_another_driver_is_no_plugin(storage):
    with pytest.raises(podkit.NoPluginError):
        storage.probe("nfs.csi.k8s.io")


@pytest.mark.parametrize("cls", PLUGINS.values())
def test_constructing_with_the_defaults_writes_nothing(cls):
    root = Path("/var/lib/podkit/storage")
    existed = root.exists()
    cls()
    assert root.exists() == existed

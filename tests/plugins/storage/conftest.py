from __future__ import annotations

import pytest
from pks_helpers import mount_capability

import podkit


@pytest.fixture
def pks_dir(tmp_path_factory):
    """A fresh directory named with this helper's prefix, so that mounts are recognisable."""
    return tmp_path_factory.mktemp("pks")


@pytest.fixture
def manager():
    """Make a plugin manager with the given storage plugins registered."""

    def make(*plugins):
        pm = podkit.PluginManager()
        for index, plugin in enumerate(plugins):
            pm.register(plugin, name=f"pks-{index}", kind="storage")
        return pm

    return make


@pytest.fixture
def cap():
    return mount_capability()

"""Fixtures of the kubelet tests: a registry serving busybox, and a node on real plugins."""

from __future__ import annotations

import pytest
from pkk_helpers import NodeEnv

from podkit.testing import require_binary, require_root
from podkit.testing.registry import LocalRegistry, push_oci_layout


@pytest.fixture(scope="session")
def pkk_image(busybox_image, tmp_path_factory):
    """``127.0.0.1:PORT/pkk/busybox:latest``, served by a registry for the whole session."""
    require_root()
    require_binary("skopeo")
    workdir = tmp_path_factory.mktemp("pkk-registry")
    registry = LocalRegistry(workdir)
    try:
        image = f"{registry.host}/pkk/busybox:latest"
        push_oci_layout(busybox_image.path, image, workdir=workdir)
        yield image
    finally:
        registry.stop()


@pytest.fixture
def env(tmp_path, pkk_image):
    """Real plugins on temporary directories; everything removed at teardown."""
    node_env = NodeEnv(tmp_path, pkk_image)
    try:
        yield node_env
    finally:
        leftovers = node_env.cleanup()
    assert not leftovers, f"the node left: {leftovers}"

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import grpc
import pytest
from pkg_csi_helpers import MIB, Stubs

import podkit
from podkit.plugins.storage.hostpath import DRIVER, HostPathDriver
from podkit.wire.csi import CsiClientPlugin, serve_csi


@pytest.fixture
def pkg_dir():
    """A short folder (unix socket paths are limited to 108 bytes) named with our prefix."""
    folder = Path(tempfile.mkdtemp(prefix="pkg-csi-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def served(pkg_dir):
    """The hostpath driver, in a manager, served over CSI; yields the socket path."""
    manager = podkit.PluginManager()
    manager.register(
        HostPathDriver(pkg_dir / "base", capacity=10 * MIB), name="pkg-hostpath", kind="storage"
    )
    socket_path = pkg_dir / "csi.sock"
    server = serve_csi(manager, DRIVER, socket_path)
    yield socket_path
    server.stop(None).wait()


@pytest.fixture
def stubs(served):
    with grpc.insecure_channel(f"unix://{served}") as channel:
        yield Stubs(channel)


@pytest.fixture
def through_csi(served):
    """A plugin manager holding only a CsiClientPlugin for the served driver."""
    client = CsiClientPlugin(f"unix://{served}")
    manager = podkit.PluginManager()
    manager.register(client, name="pkg-csi-client", kind="storage")
    yield manager
    client.close()

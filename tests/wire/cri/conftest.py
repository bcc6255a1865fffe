from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import grpc
import pytest
from pkcw_cri_samples import HANDLER, RecordingRuntime
from pkcw_server import CLIENT_HANDLER

import podkit
from podkit.wire.cri import CriClientPlugin, serve_cri
from podkit.wire.cri._proto import api_pb2_grpc


@pytest.fixture
def pkcw_dir():
    """A short folder (unix socket paths are limited to 108 bytes) named with our prefix."""
    folder = Path(tempfile.mkdtemp(prefix="pkcw-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def recorder():
    return RecordingRuntime()


@pytest.fixture
def served(pkcw_dir, recorder):
    """The recording runtime, in a manager, served over CRI; yields the socket path."""
    manager = podkit.PluginManager()
    manager.register(recorder, name="pkcw-recorder", kind="runtime")
    socket_path = pkcw_dir / "cri.sock"
    (pkcw_dir / "net.d").mkdir()
    server = serve_cri(
        manager,
        socket_path,
        state_dir=pkcw_dir / "state",
        cni_conf_dir=pkcw_dir / "net.d",
        runtime_handler=HANDLER,
    )
    yield socket_path
    server.stop(None).wait()


class Stubs:
    """The raw stubs of both services over one channel."""

    def __init__(self, channel):
        self.runtime = api_pb2_grpc.RuntimeServiceStub(channel)
        self.images = api_pb2_grpc.ImageServiceStub(channel)


@pytest.fixture
def stubs(served):
    with grpc.insecure_channel(f"unix://{served}") as channel:
        yield Stubs(channel)


@pytest.fixture
def through_cri(served):
    """A plugin manager holding only a CriClientPlugin for the served runtime."""
    client = CriClientPlugin(f"unix://{served}", CLIENT_HANDLER)
    manager = podkit.PluginManager()
    manager.register(client, name="pkcw-cri-client", kind="runtime")
    yield manager
    client.close()

"""``podkit serve csi`` as a process: serves, answers, stops on SIGTERM/SIGINT, cleans up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest

from podkit.plugins.storage.hostpath import DRIVER
from podkit.wire.csi._proto import csi_pb2, csi_pb2_grpc

pytestmark = pytest.mark.server

PODKIT = str(Path(sys.executable).parent / "podkit")
PLUGIN_MODULE = """
import os
from podkit.plugins.storage.hostpath import HostPathDriver

plugin = HostPathDriver(os.environ["PKG_CSI_BASE"], capacity=1 << 30)
"""


@pytest.fixture
def serve(pkg_dir):
    """Start ``podkit serve csi`` on a socket in pkg_dir; kill it by PID if a test did not."""
    (pkg_dir / "pkg_csi_plugin.py").write_text(PLUGIN_MODULE)
    env = {**os.environ, "PYTHONPATH": str(pkg_dir), "PKG_CSI_BASE": str(pkg_dir / "base")}
    started = []

    def start(*extra, driver=DRIVER):
        socket_path = pkg_dir / "csi.sock"
        command = [PODKIT, "serve", "csi", "--driver", driver, "--socket", str(socket_path)]
        process = subprocess.Popen(
            [*command, "--plugin", "pkg_csi_plugin:plugin", *extra],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process, socket_path

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def wait_for_socket(process, path, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.05)


def plugin_info(path):
    with grpc.insecure_channel(f"unix://{path}") as channel:
        stub = csi_pb2_grpc.IdentityStub(channel)
        return stub.GetPluginInfo(csi_pb2.GetPluginInfoRequest(), timeout=10)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_and_stops_gracefully(serve, stop):
    process, socket_path = serve()
    wait_for_socket(process, socket_path)
    assert plugin_info(socket_path).name == DRIVER
    process.send_signal(stop)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert not socket_path.exists()
    assert f"driver {DRIVER!r} on unix://{socket_path}" in out
    assert "stopped" in out
    assert "GetPluginInfo [1]" in err  # the call was logged


def test_serve_replaces_a_stale_socket(serve, pkg_dir):
    import socket

    with socket.socket(socket.AF_UNIX) as stale:
        stale.bind(str(pkg_dir / "csi.sock"))
    process, socket_path = serve()
    deadline = time.monotonic() + 20
    while True:
        try:
            assert plugin_info(socket_path).name == DRIVER
            break
        except grpc.RpcError:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
    process.terminate()
    assert process.wait(timeout=30) == 0
    assert not socket_path.exists()


def test_serve_for_a_driver_nobody_answers_for_fails_in_one_line(serve):
    process, socket_path = serve(driver="pkg.example.com")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    expected = (
        "podkit serve: failed to call storage_get_plugin_info: no storage plugin answers"
        " for driver 'pkg.example.com'"
    )
    assert err.strip().splitlines() == [expected]
    assert not socket_path.exists()

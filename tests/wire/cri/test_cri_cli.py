"""``podkit serve cri`` as a process: serves, answers, stops on SIGTERM/SIGINT, cleans up.

The runtime it serves is the recording test plugin (nothing runs on the
host), loaded with ``--plugin module:attribute``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from pkcw_cri_samples import HANDLER

from podkit.wire.cri._proto import api_pb2 as pb
from podkit.wire.cri._proto import api_pb2_grpc

PODKIT = str(Path(sys.executable).parent / "podkit")
HERE = Path(__file__).parent


@pytest.fixture
def serve(pkcw_dir):
    """Start ``podkit serve cri`` on a socket in pkcw_dir; kill it by PID if a test did not."""
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    started = []

    def start(*extra, handler=HANDLER):
        socket_path = pkcw_dir / "cri.sock"
        command = [
            PODKIT, "serve", "cri", "--socket", str(socket_path),
            "--state-dir", str(pkcw_dir / "state"), "--cni-conf-dir", str(pkcw_dir / "net.d"),
            "--runtime-handler", handler, "--plugin", "pkcw_cri_samples:RecordingRuntime",
        ]  # fmt: skip
        process = subprocess.Popen(
            [*command, *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        started.append(process)
        return process, socket_path

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def version(path, timeout=10):
    with grpc.insecure_channel(f"unix://{path}") as channel:
        stub = api_pb2_grpc.RuntimeServiceStub(channel)
        return stub.Version(pb.VersionRequest(version="0.1.0"), timeout=timeout)


def wait_until_served(process, path, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return version(path, timeout=1)
        except grpc.RpcError:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, f"{path} is not served"
            time.sleep(0.05)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_and_stops_gracefully(serve, stop):
    process, socket_path = serve()
    assert wait_until_served(process, socket_path).runtime_name == "podkit"
    process.send_signal(stop)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert not socket_path.exists()
    assert f"handler {HANDLER!r} on unix://{socket_path}" in out
    assert "podkit serve cri: stopped" in out
    assert "Version [1]" in err  # the call was logged


def test_serve_replaces_a_stale_socket(serve, pkcw_dir):
    with socket.socket(socket.AF_UNIX) as stale:
        stale.bind(str(pkcw_dir / "cri.sock"))
    process, socket_path = serve()
    wait_until_served(process, socket_path)
    process.terminate()
    assert process.wait(timeout=30) == 0
    assert not socket_path.exists()


def test_a_second_server_on_a_served_socket_fails_and_leaves_the_first(serve):
    first, socket_path = serve()
    wait_until_served(first, socket_path)
    second, _ = serve()
    _, err = second.communicate(timeout=30)
    assert second.returncode == 1
    assert "another server listens on it" in err
    assert version(socket_path).runtime_name == "podkit"  # the first one still serves
    first.terminate()
    assert first.wait(timeout=30) == 0


def test_serve_for_a_handler_nobody_answers_for_fails_in_one_line(serve):
    process, socket_path = serve(handler="pkcw-nobody")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "no runtime plugin answers for handler 'pkcw-nobody'" in lines[0]
    assert not socket_path.exists()


def test_serve_with_a_plugin_that_cannot_be_imported_says_so(serve):
    process, _ = serve("--plugin", "pkcw_no_such_module:plugin")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert "cannot import plugin 'pkcw_no_such_module:plugin'" in err


def test_conformance_runs_against_a_cri_endpoint(served):
    result = subprocess.run(
        [PODKIT, "conformance", "runtime", "--smoke", "--cri-endpoint", f"unix://{served}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last == f"podkit conformance runtime: plugin 'unix://{served}' conforms (3 passed)"


def test_cri_endpoint_is_for_the_runtime_suite_only(served):
    result = subprocess.run(
        [PODKIT, "conformance", "network", "--cri-endpoint", f"unix://{served}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--cri-endpoint tests a runtime" in result.stdout

"""The generated modules are current, and the proto is upstream's runtime.v1."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from podkit.wire.cri import _generate
from podkit.wire.cri._proto import api_pb2

# The versions of the tools that generated a module: they differ with the
# installed grpcio-tools, and say nothing about whether the module is current.
VERSION_STAMPS = (
    re.compile(r"# Protobuf Python Version: .*"),
    re.compile(r"ValidateProtobufRuntimeVersion\(.*?\)", re.DOTALL),
    re.compile(r"GRPC_GENERATED_VERSION = '.*'"),
)


def _without_version_stamps(text):
    for stamp in VERSION_STAMPS:
        text = stamp.sub("<version>", text)
    return text


def test_generated_modules_are_current(tmp_path):
    pytest.importorskip("grpc_tools")
    _generate.generate(tmp_path)
    for name in _generate.GENERATED:
        fresh = _without_version_stamps((tmp_path / name).read_text())
        kept = _without_version_stamps((_generate.PROTO_DIR / name).read_text())
        assert fresh == kept, f"{name} is stale: run python -m podkit.wire.cri._generate"


def test_the_grpc_module_imports_the_messages_relatively():
    text = (_generate.PROTO_DIR / "api_pb2_grpc.py").read_text()
    assert "from . import api_pb2 as api__pb2" in text
    assert "\nimport api_pb2" not in text


def test_services_and_methods_are_upstreams():
    services = api_pb2.DESCRIPTOR.services_by_name
    assert api_pb2.DESCRIPTOR.package == "runtime.v1"
    assert set(services) == {"RuntimeService", "ImageService"}
    assert [m.name for m in services["ImageService"].methods] == [
        "ListImages",
        "StreamImages",
        "ImageStatus",
        "PullImage",
        "RemoveImage",
        "ImageFsInfo",
    ]
    runtime = [m.name for m in services["RuntimeService"].methods]
    assert len(runtime) == 37
    assert runtime[:6] == [
        "Version",
        "RunPodSandbox",
        "StopPodSandbox",
        "RemovePodSandbox",
        "PodSandboxStatus",
        "ListPodSandbox",
    ]
    for name in ("Exec", "Attach", "PortForward", "GetContainerEvents", "CheckpointContainer"):
        assert name in runtime


@pytest.mark.parametrize(
    ("message", "numbers"),
    [
        ("RunPodSandboxRequest", {"config": 1, "runtime_handler": 2}),
        ("PodSandboxConfig", {"metadata": 1, "hostname": 2, "log_directory": 3, "linux": 8}),
        ("PodSandboxStatus", {"id": 1, "state": 3, "network": 5, "runtime_handler": 9}),
        ("PodSandboxNetworkStatus", {"ip": 1, "additional_ips": 2}),
        ("ContainerConfig", {"image": 2, "command": 3, "mounts": 7, "tty": 14, "linux": 15}),
        ("ContainerStatus", {"id": 1, "state": 3, "exit_code": 7, "log_path": 15}),
        ("ExecSyncRequest", {"container_id": 1, "cmd": 2, "timeout": 3}),
        ("PullImageRequest", {"image": 1, "auth": 2, "sandbox_config": 3}),
        ("ImageSpec", {"image": 1, "annotations": 2, "user_specified_image": 18}),
        ("LinuxContainerResources", {"cpu_shares": 3, "memory_limit_in_bytes": 4}),
    ],
)
def test_field_numbers_are_upstreams(message, numbers):
    fields = api_pb2.DESCRIPTOR.message_types_by_name[message].fields_by_name
    assert {name: fields[name].number for name in numbers} == numbers


def test_state_enums_are_upstreams():
    assert api_pb2.PodSandboxState.Value("SANDBOX_READY") == 0
    assert api_pb2.PodSandboxState.Value("SANDBOX_NOTREADY") == 1
    assert [api_pb2.ContainerState.Name(n) for n in range(4)] == [
        "CONTAINER_CREATED",
        "CONTAINER_RUNNING",
        "CONTAINER_EXITED",
        "CONTAINER_UNKNOWN",
    ]


def test_importing_the_package_and_the_cli_does_not_import_grpc():
    lazy = (
        "import sys, podkit, podkit.wire.cri, podkit.wire.cri._conformance, podkit.cli._main;"
        " print('grpc' in sys.modules)"
    )
    used = (
        "import sys, podkit.wire.cri; podkit.wire.cri.CriClientPlugin; print('grpc' in sys.modules)"
    )
    assert subprocess.check_output([sys.executable, "-c", lazy], text=True).strip() == "False"
    assert subprocess.check_output([sys.executable, "-c", used], text=True).strip() == "True"

"""The generated modules are current, and the proto is the spec's csi.v1."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from podkit.wire.csi import _generate
from podkit.wire.csi._proto import csi_pb2

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
        assert fresh == kept, f"{name} is stale: run python -m podkit.wire.csi._generate"


def test_the_grpc_module_imports_the_messages_relatively():
    text = (_generate.PROTO_DIR / "csi_pb2_grpc.py").read_text()
    assert "from . import csi_pb2 as csi__pb2" in text
    assert "\nimport csi_pb2" not in text


def test_services_and_methods_are_the_specs():
    services = csi_pb2.DESCRIPTOR.services_by_name
    assert csi_pb2.DESCRIPTOR.package == "csi.v1"
    assert set(services) == {"Identity", "Controller", "Node"}
    assert [m.name for m in services["Identity"].methods] == [
        "GetPluginInfo",
        "GetPluginCapabilities",
        "Probe",
    ]
    assert len(services["Controller"].methods) == 15
    assert [m.name for m in services["Node"].methods] == [
        "NodeStageVolume",
        "NodeUnstageVolume",
        "NodePublishVolume",
        "NodeUnpublishVolume",
        "NodeGetVolumeStats",
        "NodeExpandVolume",
        "NodeGetCapabilities",
        "NodeGetInfo",
    ]


@pytest.mark.parametrize(
    ("message", "numbers"),
    [
        ("CreateVolumeRequest", {"name": 1, "secrets": 5, "mutable_parameters": 8}),
        ("NodePublishVolumeRequest", {"target_path": 4, "readonly": 6, "volume_context": 8}),
        ("Snapshot", {"creation_time": 4, "group_snapshot_id": 6}),
        ("NodeGetVolumeStatsRequest", {"staging_target_path": 3}),
    ],
)
def test_field_numbers_are_the_specs(message, numbers):
    fields = csi_pb2.DESCRIPTOR.message_types_by_name[message].fields_by_name
    assert {name: fields[name].number for name in numbers} == numbers


def test_secret_fields_carry_the_csi_secret_option():
    fields = csi_pb2.DESCRIPTOR.message_types_by_name["NodePublishVolumeRequest"].fields_by_name
    assert fields["secrets"].GetOptions().Extensions[csi_pb2.csi_secret]
    assert not fields["volume_context"].GetOptions().Extensions[csi_pb2.csi_secret]


def test_import_podkit_does_not_import_grpc():
    code = (
        "import sys, podkit; podkit.PluginManager; podkit.CsiClientPlugin.__name__;"
        " import podkit.wire.csi;"
        " print('grpc' in sys.modules)"
    )
    lazy = "import sys, podkit, podkit.wire.csi; podkit.PluginManager; print('grpc' in sys.modules)"
    assert subprocess.check_output([sys.executable, "-c", lazy], text=True).strip() == "False"
    assert subprocess.check_output([sys.executable, "-c", code], text=True).strip() == "True"

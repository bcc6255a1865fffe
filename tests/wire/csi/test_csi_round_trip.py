"""Every storage hook, through CsiClientPlugin -> CSI -> serve_csi -> a recording plugin.

The plugin records the arguments it receives and returns fixed results: each
hook must arrive with the arguments the caller gave, and its result must come
back equal, for every field the models have (including the ones the hostpath
driver never sets: topology, conditions, content sources, limits).
"""

# next_token values are page tokens, not passwords.
# ruff: noqa: S106

from __future__ import annotations

import time

import grpc
import pytest
from pkg_csi_helpers import mount_capability

import podkit
from podkit.models.storage import (
    AccessMode,
    BlockVolume,
    CapacityRange,
    ConfirmedCapabilities,
    ControllerExpandVolumeResult,
    ControllerGetVolumeResult,
    ControllerServiceCapability,
    GetCapacityResult,
    ListSnapshotsEntry,
    ListSnapshotsResult,
    ListVolumesEntry,
    ListVolumesResult,
    MountVolume,
    NodeGetInfoResult,
    NodeGetVolumeStatsResult,
    NodeServiceCapability,
    PluginInfo,
    PluginService,
    ProbeResult,
    Snapshot,
    SnapshotSource,
    Topology,
    TopologyRequirement,
    ValidateVolumeCapabilitiesResult,
    Volume,
    VolumeCapability,
    VolumeCondition,
    VolumeExpansion,
    VolumeSource,
    VolumeStatus,
    VolumeUsage,
    VolumeUsageUnit,
)
from podkit.wire.csi import CsiClientPlugin, serve_csi
from podkit.wire.csi._proto import csi_pb2, csi_pb2_grpc

NAME = "recorder.csi.podkit.dev"
ZONE = Topology({"topology.podkit.dev/zone": "pkg-z1"})
BLOCK = VolumeCapability(access_type=BlockVolume(), access_mode=AccessMode.MULTI_NODE_READER_ONLY)
MOUNT = VolumeCapability(
    access_type=MountVolume(fs_type="ext4", mount_flags=("ro", "noatime"), volume_mount_group="5"),
    access_mode=AccessMode.SINGLE_NODE_MULTI_WRITER,
)
CONDITION = VolumeCondition(abnormal=True, message="pkg degraded")
VOLUME = Volume(
    capacity_bytes=1 << 20,
    volume_id="pkg-vol",
    volume_context={"k": "v"},
    content_source=VolumeSource("pkg-src"),
    accessible_topology=(ZONE,),
)
SNAPSHOT = Snapshot(
    size_bytes=7,
    snapshot_id="pkg-snap",
    source_volume_id="pkg-vol",
    creation_time=1_700_000_000_123_456_789,
    ready_to_use=False,
    group_snapshot_id="pkg-group",
)
SECRETS = {"user": "pkg", "password": "pkg-secret"}

# (facade method, positional arguments after the driver, keyword arguments, result)
CASES = [
    ("get_plugin_info", (), {}, PluginInfo(name=NAME, vendor_version="1.2", manifest={"a": "b"})),
    (
        "get_plugin_capabilities",
        (),
        {},
        (
            PluginService.CONTROLLER_SERVICE,
            PluginService.VOLUME_ACCESSIBILITY_CONSTRAINTS,
            VolumeExpansion.ONLINE,
        ),
    ),
    ("probe", (), {}, ProbeResult()),
    (
        "create_volume",
        ("pkg-pvc", CapacityRange(required_bytes=1, limit_bytes=2), (MOUNT, BLOCK)),
        {
            "parameters": {"p": "1"},
            "secrets": SECRETS,
            "volume_content_source": SnapshotSource("pkg-snap"),
            "accessibility_requirements": TopologyRequirement(requisite=[ZONE], preferred=[ZONE]),
            "mutable_parameters": {"iops": "10"},
        },
        VOLUME,
    ),
    ("delete_volume", ("pkg-vol",), {"secrets": SECRETS}, True),
    (
        "controller_publish_volume",
        ("pkg-vol", "pkg-node", MOUNT, True),
        {"secrets": SECRETS, "volume_context": {"c": "d"}},
        {"device": "/dev/pkg"},
    ),
    ("controller_unpublish_volume", ("pkg-vol", "pkg-node"), {"secrets": SECRETS}, True),
    (
        "validate_volume_capabilities",
        ("pkg-vol", {"c": "d"}, (MOUNT,)),
        {"parameters": {"p": "1"}, "secrets": SECRETS, "mutable_parameters": {"m": "2"}},
        ValidateVolumeCapabilitiesResult(
            confirmed=ConfirmedCapabilities(
                volume_context={"c": "d"},
                volume_capabilities=(MOUNT,),
                parameters={"p": "1"},
                mutable_parameters={"m": "2"},
            )
        ),
    ),
    (
        "list_volumes",
        (),
        {"max_entries": 3, "starting_token": "pkg-t"},
        ListVolumesResult(
            entries=[
                ListVolumesEntry(
                    volume=VOLUME,
                    status=VolumeStatus(published_node_ids=("n1",), volume_condition=CONDITION),
                ),
                ListVolumesEntry(volume=Volume(volume_id="pkg-2")),
            ],
            next_token="pkg-next",
        ),
    ),
    (
        "controller_get_volume",
        ("pkg-vol",),
        {},
        ControllerGetVolumeResult(volume=VOLUME, status=VolumeStatus(volume_condition=CONDITION)),
    ),
    ("controller_modify_volume", ("pkg-vol", SECRETS, {"iops": "20"}), {}, True),
    (
        "get_capacity",
        (),
        {"volume_capabilities": (BLOCK,), "parameters": {"p": "1"}, "accessible_topology": ZONE},
        GetCapacityResult(available_capacity=100, maximum_volume_size=50, minimum_volume_size=0),
    ),
    (
        "controller_get_capabilities",
        (),
        {},
        (
            ControllerServiceCapability.CREATE_DELETE_VOLUME,
            ControllerServiceCapability.MODIFY_VOLUME,
        ),
    ),
    (
        "create_snapshot",
        ("pkg-vol", "pkg-snap-name"),
        {"secrets": SECRETS, "parameters": {"p": "1"}},
        SNAPSHOT,
    ),
    ("delete_snapshot", ("pkg-snap",), {"secrets": SECRETS}, True),
    (
        "list_snapshots",
        (),
        {
            "max_entries": 1,
            "starting_token": "t",
            "source_volume_id": "v",
            "snapshot_id": "s",
            "secrets": SECRETS,
        },
        ListSnapshotsResult(entries=[ListSnapshotsEntry(SNAPSHOT)], next_token="n"),
    ),
    (
        "controller_expand_volume",
        ("pkg-vol", CapacityRange(required_bytes=5)),
        {"secrets": SECRETS, "volume_capability": MOUNT},
        ControllerExpandVolumeResult(capacity_bytes=5, node_expansion_required=True),
    ),
    (
        "node_stage_volume",
        ("pkg-vol", {"pc": "1"}, "/pkg/stage", MOUNT),
        {"secrets": SECRETS, "volume_context": {"c": "d"}},
        True,
    ),
    ("node_unstage_volume", ("pkg-vol", "/pkg/stage"), {}, True),
    (
        "node_publish_volume",
        ("pkg-vol", {"pc": "1"}, "/pkg/stage", "/pkg/target", BLOCK, True),
        {"secrets": SECRETS, "volume_context": {"c": "d"}},
        True,
    ),
    ("node_unpublish_volume", ("pkg-vol", "/pkg/target"), {}, True),
    (
        "node_get_volume_stats",
        ("pkg-vol", "/pkg/target", "/pkg/stage"),
        {},
        NodeGetVolumeStatsResult(
            usage=[
                VolumeUsage(available=1, total=3, used=2, unit=VolumeUsageUnit.BYTES),
                VolumeUsage(total=9, unit=VolumeUsageUnit.INODES),
            ],
            volume_condition=CONDITION,
        ),
    ),
    (
        "node_expand_volume",
        ("pkg-vol", "/pkg/target"),
        {
            "capacity_range": CapacityRange(limit_bytes=9),
            "staging_target_path": "/pkg/stage",
            "volume_capability": MOUNT,
            "secrets": SECRETS,
        },
        9,
    ),
    (
        "node_get_capabilities",
        (),
        {},
        (NodeServiceCapability.EXPAND_VOLUME, NodeServiceCapability.VOLUME_MOUNT_GROUP),
    ),
    (
        "node_get_info",
        (),
        {},
        NodeGetInfoResult(node_id="pkg-node", max_volumes_per_node=4, accessible_topology=ZONE),
    ),
]


class Recorder:
    """A storage plugin implementing every hook: records arguments, returns the case's result."""

    podkit_names = (NAME,)

    def __init__(self):
        self.calls = []
        self.results = {}
        self.failure = None
        self.delay = 0.0

    def record(self, hook_name, arguments):
        self.calls.append((hook_name, {k: v for k, v in arguments.items() if k != "self"}))
        time.sleep(self.delay)
        if self.failure is not None:
            raise self.failure
        return self.results[hook_name]


def _make_hook(hook_name):
    """A method taking the spec's arguments by name (pluggy reads them from the code)."""
    import inspect

    from podkit.hookspecs import storage as spec

    names = [p for p in inspect.signature(getattr(spec, hook_name)).parameters if p != "driver"]
    source = f"def {hook_name}(self, {', '.join(names)}):\n"
    source += f"    return self.record({hook_name!r}, locals())\n"
    namespace = {}
    exec(source, namespace)  # noqa: S102 - builds one recording method per hook spec
    return podkit.hookimpl(namespace[hook_name])


for _method, *_ in CASES:
    setattr(Recorder, f"storage_{_method}", _make_hook(f"storage_{_method}"))


@pytest.fixture
def recorder_over_csi(pkg_dir):
    recorder = Recorder()
    recorder.results["storage_get_plugin_info"] = CASES[0][3]
    served = podkit.PluginManager()
    served.register(recorder, name="pkg-recorder", kind="storage")
    server = serve_csi(served, NAME, pkg_dir / "csi.sock")
    client = CsiClientPlugin(f"unix://{pkg_dir}/csi.sock")
    manager = podkit.PluginManager()
    manager.register(client, name="pkg-client", kind="storage")
    recorder.calls.clear()
    yield recorder, manager, pkg_dir / "csi.sock"
    client.close()
    server.stop(None).wait()


@pytest.mark.parametrize(("method", "args", "kwargs", "result"), CASES, ids=[c[0] for c in CASES])
def test_the_hook_travels_both_ways(recorder_over_csi, method, args, kwargs, result):
    recorder, manager, _ = recorder_over_csi
    recorder.results[f"storage_{method}"] = result
    answer = getattr(manager.storage, method)(NAME, *args, **kwargs)
    direct = podkit.PluginManager()
    plain = Recorder()
    plain.results[f"storage_{method}"] = result
    direct.register(plain, name="pkg-direct", kind="storage")
    expected = getattr(direct.storage, method)(NAME, *args, **kwargs)
    assert answer == expected
    [(hook, received)] = recorder.calls
    [(_, sent)] = plain.calls
    assert hook == f"storage_{method}"
    assert set(received) == set(sent)
    assert {k: dict(v) if hasattr(v, "keys") else v for k, v in received.items()} == {
        k: dict(v) if hasattr(v, "keys") else v for k, v in sent.items()
    }


@pytest.mark.parametrize(
    "error",
    [
        podkit.NotFoundError("pkg: no such volume"),
        podkit.AbortedError("pkg: pending"),
        podkit.OutOfRangeError("pkg: too big"),
        podkit.PermissionDeniedError("pkg: no"),
        podkit.UnauthenticatedError("pkg: who"),
        podkit.FailedPreconditionError("pkg: busy"),
        podkit.ResourceExhaustedError("pkg: full"),
    ],
)
def test_plugin_errors_travel_as_their_class(recorder_over_csi, error):
    recorder, manager, _ = recorder_over_csi
    recorder.failure = error
    with pytest.raises(type(error), match=error.message):
        manager.storage.delete_volume(NAME, "pkg-vol")


def test_a_bug_in_the_plugin_is_internal_and_the_server_lives_on(recorder_over_csi):
    recorder, manager, _ = recorder_over_csi
    recorder.failure = KeyError("pkg-bug")
    with pytest.raises(podkit.InternalError, match="KeyError"):
        manager.storage.delete_volume(NAME, "pkg-vol")
    recorder.failure = None
    recorder.results["storage_probe"] = ProbeResult(ready=False)
    assert manager.storage.probe(NAME) == ProbeResult(ready=False)


def test_unknown_enum_values_in_responses_are_dropped(recorder_over_csi):
    """A newer driver's capabilities podkit does not know never reach the caller."""
    recorder, _, socket_path = recorder_over_csi
    recorder.results["storage_node_get_capabilities"] = ()
    with grpc.insecure_channel(f"unix://{socket_path}") as channel:
        stub = csi_pb2_grpc.NodeStub(channel)
        assert stub.NodeGetCapabilities(csi_pb2.NodeGetCapabilitiesRequest()).capabilities == []
    from podkit.wire.csi._convert_node import from_csi_node_capabilities

    rpc = csi_pb2.NodeServiceCapability.RPC
    response = csi_pb2.NodeGetCapabilitiesResponse(
        capabilities=[
            csi_pb2.NodeServiceCapability(rpc=rpc(type=1)),
            csi_pb2.NodeServiceCapability(rpc=rpc(type=99)),
        ]
    )
    assert from_csi_node_capabilities(response) == (NodeServiceCapability.STAGE_UNSTAGE_VOLUME,)


def test_a_response_the_models_refuse_is_internal(recorder_over_csi):
    """A driver answering what the models refuse (here: a volume without an id)."""
    from podkit.wire.csi._connection import CsiConnection

    connection = CsiConnection(f"unix://{recorder_over_csi[2]}")  # answers GetPluginInfo
    try:
        with pytest.raises(podkit.InternalError, match="invalid response"):
            connection.call(
                connection.identity.GetPluginInfo,
                csi_pb2.GetPluginInfoRequest(),
                lambda _response: Volume(volume_id=""),
            )
    finally:
        connection.close()


def test_mount_capability_defaults_survive(recorder_over_csi):
    recorder, manager, _ = recorder_over_csi
    cap = mount_capability()
    recorder.results["storage_node_publish_volume"] = True
    manager.storage.node_publish_volume(NAME, "v", {}, "", "/pkg/t", cap, False)  # noqa: FBT003
    assert recorder.calls[-1][1]["volume_capability"] == cap


def test_a_call_slower_than_the_timeout_is_deadline_exceeded(recorder_over_csi):
    recorder, _, socket_path = recorder_over_csi
    recorder.delay = 0.5
    recorder.results["storage_probe"] = ProbeResult()
    client = CsiClientPlugin(f"unix://{socket_path}", NAME, timeout=0.1)
    manager = podkit.PluginManager()
    manager.register(client, name="pkg-impatient", kind="storage")
    try:
        with pytest.raises(podkit.DeadlineExceededError, match="Probe"):
            manager.storage.probe(NAME)
    finally:
        client.close()

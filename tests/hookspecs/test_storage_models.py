"""Tests of podkit.models.storage (CSI v1.12 messages) and the storage hookspec module."""

from __future__ import annotations

import inspect
import re

import attrs
import pluggy
import pytest

from podkit import errors
from podkit.hookspecs import storage as hookspecs
from podkit.models import storage
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
    PluginCapability,
    PluginInfo,
    PluginService,
    ProbeResult,
    Secrets,
    Snapshot,
    SnapshotSource,
    Topology,
    TopologyRequirement,
    ValidateVolumeCapabilitiesResult,
    Volume,
    VolumeCapability,
    VolumeCondition,
    VolumeContentSource,
    VolumeExpansion,
    VolumeSource,
    VolumeStatus,
    VolumeUsage,
    VolumeUsageUnit,
)

ZONE_A = Topology({"topology.example.com/zone": "a"})
ZONE_B = Topology({"topology.example.com/zone": "b"})
PASSWORD = "hunter2"  # noqa: S105 -- a fake secret to look for in reprs
MOUNT_RW = VolumeCapability(
    access_type=MountVolume(fs_type="ext4"), access_mode=AccessMode.SINGLE_NODE_WRITER
)


# -- enums: upstream names and numbers, no UNKNOWN ------------------------------


@pytest.mark.parametrize(
    ("enum", "expected"),
    [
        (
            AccessMode,
            {
                "SINGLE_NODE_WRITER": 1,
                "SINGLE_NODE_READER_ONLY": 2,
                "MULTI_NODE_READER_ONLY": 3,
                "MULTI_NODE_SINGLE_WRITER": 4,
                "MULTI_NODE_MULTI_WRITER": 5,
                "SINGLE_NODE_SINGLE_WRITER": 6,
                "SINGLE_NODE_MULTI_WRITER": 7,
            },
        ),
        (
            PluginService,
            {
                "CONTROLLER_SERVICE": 1,
                "VOLUME_ACCESSIBILITY_CONSTRAINTS": 2,
                "GROUP_CONTROLLER_SERVICE": 3,
            },
        ),
        (VolumeExpansion, {"ONLINE": 1, "OFFLINE": 2}),
        (
            ControllerServiceCapability,
            {
                "CREATE_DELETE_VOLUME": 1,
                "PUBLISH_UNPUBLISH_VOLUME": 2,
                "LIST_VOLUMES": 3,
                "GET_CAPACITY": 4,
                "CREATE_DELETE_SNAPSHOT": 5,
                "LIST_SNAPSHOTS": 6,
                "CLONE_VOLUME": 7,
                "PUBLISH_READONLY": 8,
                "EXPAND_VOLUME": 9,
                "LIST_VOLUMES_PUBLISHED_NODES": 10,
                "VOLUME_CONDITION": 11,
                "GET_VOLUME": 12,
                "SINGLE_NODE_MULTI_WRITER": 13,
                "MODIFY_VOLUME": 14,
            },
        ),
        (
            NodeServiceCapability,
            {
                "STAGE_UNSTAGE_VOLUME": 1,
                "GET_VOLUME_STATS": 2,
                "EXPAND_VOLUME": 3,
                "VOLUME_CONDITION": 4,
                "SINGLE_NODE_MULTI_WRITER": 5,
                "VOLUME_MOUNT_GROUP": 6,
            },
        ),
        (VolumeUsageUnit, {"BYTES": 1, "INODES": 2}),
    ],
)
def test_enums_carry_the_upstream_names_and_numbers(enum, expected):
    assert {member.name: member.value for member in enum} == expected


def test_an_enum_member_is_found_by_its_wire_number():
    assert AccessMode(5) is AccessMode.MULTI_NODE_MULTI_WRITER
    with pytest.raises(ValueError, match="0 is not a valid AccessMode"):
        AccessMode(0)


def test_a_plugin_capability_is_a_service_or_a_volume_expansion():
    assert isinstance(PluginService.CONTROLLER_SERVICE, PluginCapability)
    assert isinstance(VolumeExpansion.ONLINE, PluginCapability)
    assert not isinstance(ControllerServiceCapability.EXPAND_VOLUME, PluginCapability)


# -- secrets --------------------------------------------------------------------


def test_secrets_read_like_a_mapping():
    secrets = Secrets({"username": "bob", "password": PASSWORD})
    assert secrets["password"] == PASSWORD
    assert len(secrets) == 2
    assert sorted(secrets) == ["password", "username"]
    assert dict(secrets) == {"username": "bob", "password": PASSWORD}
    assert secrets == {"password": PASSWORD, "username": "bob"}
    assert secrets == Secrets([("username", "bob"), ("password", PASSWORD)])
    assert secrets.get("token") is None


def test_secrets_never_show_their_values():
    secrets = Secrets({"username": "bob", "password": PASSWORD})
    assert repr(secrets) == "Secrets(<values hidden>, keys=['password', 'username'])"
    assert str(secrets) == repr(secrets)
    assert PASSWORD not in f"{secrets} {secrets!r} {[secrets]}"
    assert PASSWORD not in repr({"secrets": secrets})


def test_secrets_are_a_read_only_copy():
    source = {"username": "bob"}
    secrets = Secrets(source)
    source["username"] = "alice"
    assert secrets["username"] == "bob"
    with pytest.raises(TypeError, match="does not support item assignment"):
        secrets["username"] = "alice"  # type: ignore[index]
    with pytest.raises(AttributeError):
        secrets.extra = 1  # type: ignore[attr-defined]


def test_empty_secrets():
    assert Secrets() == {}
    assert repr(Secrets()) == "Secrets(<values hidden>, keys=[])"


@pytest.mark.parametrize("key", ["a-b_c.D9", "username", "tls.crt"])
def test_secret_keys_may_use_alphanumerics_dash_underscore_and_dot(key):
    assert list(Secrets({key: "v"})) == [key]


@pytest.mark.parametrize("key", ["", "user name", "a/b", "pässword", "a:b"])
def test_other_secret_keys_are_invalid(key):
    with pytest.raises(
        errors.InvalidArgumentError, match=f"invalid secret key {re.escape(repr(key))}"
    ):
        Secrets({key: "v"})


def test_secret_values_are_strings():
    with pytest.raises(TypeError, match="secret 'token' must be a string, got bytes"):
        Secrets({"token": b"abc"})  # type: ignore[arg-type]


# -- topology -------------------------------------------------------------------


def test_topology_segments_are_a_read_only_copy():
    source = {"topology.example.com/zone": "a"}
    topology = Topology(source)
    source["topology.example.com/zone"] = "b"
    assert topology == ZONE_A
    assert topology.segments == {"topology.example.com/zone": "a"}
    with pytest.raises(TypeError):
        topology.segments["rack"] = "r1"  # type: ignore[index]


@pytest.mark.parametrize(
    "segments",
    [
        {},
        {"zone": "Z1"},
        {"topology.kubernetes.io/zone": "eu-west-1a", "kubernetes.io/hostname": "node_1.x"},
        {"a" * 63: "b" * 63},
        {("p" * 63) + "/" + ("n" * 63): "v"},
    ],
)
def test_valid_topologies(segments):
    assert dict(Topology(segments).segments) == segments


@pytest.mark.parametrize(
    ("segments", "message"),
    [
        ({"/zone": "a"}, "invalid topology key '/zone': bad prefix ''"),
        ({"Example.com/zone": "a"}, "invalid topology key 'Example.com/zone': bad prefix"),
        ({"ex_ample.com/zone": "a"}, "bad prefix 'ex_ample.com'"),
        ({"a/b/zone": "a"}, "bad prefix 'a/b'"),
        ({("p" * 64) + "/zone": "a"}, "bad prefix"),
        ({"example.com/": "a"}, "bad name ''"),
        ({"-zone": "a"}, "bad name '-zone'"),
        ({"zone.": "a"}, "bad name 'zone.'"),
        ({"z" * 64: "a"}, "bad name"),
        ({"zone": ""}, "invalid topology segment '' for key 'zone'"),
        ({"zone": "Z 1"}, "invalid topology segment 'Z 1'"),
        ({"zone": "v" * 64}, "invalid topology segment"),
        ({"Zone": "a", "zone": "b"}, r"topology keys differ only in case: \['Zone', 'zone'\]"),
    ],
)
def test_invalid_topologies(segments, message):
    with pytest.raises(errors.InvalidArgumentError, match=message):
        Topology(segments)


def test_topology_requirement_converts_lists_to_tuples():
    requirement = TopologyRequirement(requisite=[ZONE_A, ZONE_B], preferred=[ZONE_B])
    assert requirement.requisite == (ZONE_A, ZONE_B)
    assert requirement.preferred == (ZONE_B,)
    assert TopologyRequirement(preferred=[ZONE_A]).requisite == ()


def test_topology_requirement_needs_requisite_or_preferred():
    with pytest.raises(
        errors.InvalidArgumentError,
        match="a topology requirement needs requisite or preferred topologies",
    ):
        TopologyRequirement()


def test_preferred_topologies_must_be_requisite_when_requisite_is_set():
    with pytest.raises(errors.InvalidArgumentError, match="preferred topologies not in requisite"):
        TopologyRequirement(requisite=[ZONE_A], preferred=[ZONE_B])


def test_a_string_is_not_taken_for_a_list():
    with pytest.raises(TypeError, match="expected a sequence, got the string 'zone'"):
        TopologyRequirement(requisite="zone")  # type: ignore[arg-type]


def test_topology_lists_hold_topologies():
    with pytest.raises(TypeError, match="'requisite' must be <class"):
        TopologyRequirement(requisite=[{"zone": "a"}])  # type: ignore[list-item]


# -- capacity range ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("required", "limit"), [(1, 0), (0, 1), (10, 10), (10, 20), (2**62, 2**63 - 1)]
)
def test_valid_capacity_ranges(required, limit):
    capacity = CapacityRange(required_bytes=required, limit_bytes=limit)
    assert (capacity.required_bytes, capacity.limit_bytes) == (required, limit)


def test_a_capacity_range_needs_a_bound():
    with pytest.raises(
        errors.InvalidArgumentError, match="a capacity range needs required_bytes or limit_bytes"
    ):
        CapacityRange()


def test_a_capacity_limit_cannot_be_below_the_requirement():
    with pytest.raises(
        errors.InvalidArgumentError, match="limit_bytes 5 is below required_bytes 10"
    ):
        CapacityRange(required_bytes=10, limit_bytes=5)


def test_capacities_are_not_negative():
    with pytest.raises(ValueError, match="'required_bytes' must be >= 0: -1"):
        CapacityRange(required_bytes=-1)


# -- volume capability and content source ----------------------------------------------


def test_mount_volume_defaults_to_upstream_zero_values():
    mount = MountVolume()
    assert (mount.fs_type, mount.mount_flags, mount.volume_mount_group) == ("", (), "")


def test_mount_flags_are_a_tuple_and_never_show():
    mount = MountVolume(fs_type="cifs", mount_flags=["ro", f"password={PASSWORD}"])
    assert mount.mount_flags == ("ro", f"password={PASSWORD}")
    assert (
        repr(mount) == "MountVolume(fs_type='cifs', mount_flags=<2 hidden>, volume_mount_group='')"
    )
    capability = VolumeCapability(access_type=mount, access_mode=AccessMode.SINGLE_NODE_WRITER)
    assert PASSWORD not in repr(capability)


def test_mount_flags_are_strings():
    with pytest.raises(TypeError, match="expected a sequence, got the string 'ro'"):
        MountVolume(mount_flags="ro")
    with pytest.raises(TypeError, match="'mount_flags' must be <class 'str'>"):
        MountVolume(mount_flags=[1])  # type: ignore[list-item]


def test_volume_capability_is_block_or_mount():
    block = VolumeCapability(
        access_type=BlockVolume(), access_mode=AccessMode.MULTI_NODE_READER_ONLY
    )
    assert block.access_type == BlockVolume()
    assert block != MOUNT_RW
    with pytest.raises(TypeError, match="'access_type' must be"):
        VolumeCapability(access_type=MountVolume, access_mode=AccessMode.SINGLE_NODE_WRITER)  # type: ignore[arg-type]


def test_volume_capability_needs_an_access_mode():
    with pytest.raises(TypeError, match="'access_mode' must be <enum 'AccessMode'>"):
        VolumeCapability(access_type=BlockVolume(), access_mode=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'access_mode'"):
        VolumeCapability(access_type=BlockVolume())  # type: ignore[call-arg]


def test_content_sources():
    assert SnapshotSource("snap-1").snapshot_id == "snap-1"
    assert VolumeSource("vol-1").volume_id == "vol-1"
    assert isinstance(SnapshotSource("snap-1"), VolumeContentSource)
    assert isinstance(VolumeSource("vol-1"), VolumeContentSource)
    with pytest.raises(errors.InvalidArgumentError, match="snapshot_id is required"):
        SnapshotSource("")
    with pytest.raises(errors.InvalidArgumentError, match="volume_id is required"):
        VolumeSource("")


# -- Identity service -------------------------------------------------------------


@pytest.mark.parametrize("name", ["hostpath.csi.k8s.io", "a", "A-b.C9", "x" * 63])
def test_valid_plugin_names(name):
    assert PluginInfo(name=name, vendor_version="1.0").name == name


@pytest.mark.parametrize(
    "name", ["", "-hostpath", "hostpath.", "host_path", "host path", "x" * 64, "példa.io"]
)
def test_invalid_plugin_names(name):
    with pytest.raises(
        errors.InvalidArgumentError, match=f"invalid CSI plugin name {re.escape(repr(name))}"
    ):
        PluginInfo(name=name, vendor_version="1.0")


def test_plugin_info_needs_a_version_and_freezes_its_manifest():
    info = PluginInfo(name="hostpath.csi.k8s.io", vendor_version="v1.2", manifest={"url": "x"})
    assert info.manifest == {"url": "x"}
    with pytest.raises(TypeError):
        info.manifest["url"] = "y"  # type: ignore[index]
    assert PluginInfo(name="a", vendor_version="1").manifest == {}
    with pytest.raises(errors.InvalidArgumentError, match="vendor_version is required"):
        PluginInfo(name="a", vendor_version="")


def test_probe_result_defaults_to_unset_which_means_ready():
    assert ProbeResult().ready is None
    assert ProbeResult(ready=False).ready is False
    with pytest.raises(TypeError, match="'ready' must be <class 'bool'>"):
        ProbeResult(ready="yes")  # type: ignore[arg-type]


# -- Controller service --------------------------------------------------------------


def test_volume_defaults_and_conversions():
    volume = Volume(
        volume_id="vol-1",
        volume_context={"k": "v"},
        content_source=SnapshotSource("snap-1"),
        accessible_topology=[ZONE_A],
    )
    assert volume.capacity_bytes == 0
    assert volume.volume_context == {"k": "v"}
    assert volume.content_source == SnapshotSource("snap-1")
    assert volume.accessible_topology == (ZONE_A,)
    assert Volume(volume_id="v").content_source is None
    assert Volume(volume_id="v").accessible_topology == ()


def test_models_are_frozen_and_evolve():
    volume = Volume(volume_id="vol-1", capacity_bytes=1 << 30)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        volume.volume_id = "vol-2"  # type: ignore[misc]
    bigger = attrs.evolve(volume, capacity_bytes=2 << 30)
    assert (bigger.volume_id, bigger.capacity_bytes) == ("vol-1", 2 << 30)
    assert volume.capacity_bytes == 1 << 30


def test_a_volume_needs_an_id():
    with pytest.raises(
        errors.InvalidArgumentError, match="volume_id is required and must not be empty"
    ):
        Volume(volume_id="")
    with pytest.raises(ValueError, match="'capacity_bytes' must be >= 0: -1"):
        Volume(volume_id="v", capacity_bytes=-1)
    with pytest.raises(TypeError, match="'content_source' must be"):
        Volume(volume_id="v", content_source="snap-1")  # type: ignore[arg-type]


def test_validate_volume_capabilities_result():
    unconfirmed = ValidateVolumeCapabilitiesResult(message="block is not supported")
    assert (unconfirmed.confirmed, unconfirmed.message) == (None, "block is not supported")
    confirmed = ConfirmedCapabilities(volume_capabilities=[MOUNT_RW], parameters={"type": "ssd"})
    assert confirmed.volume_capabilities == (MOUNT_RW,)
    assert confirmed.volume_context == {}
    assert confirmed.mutable_parameters == {}
    assert ValidateVolumeCapabilitiesResult(confirmed=confirmed).message == ""
    with pytest.raises(ValueError, match="Length of 'volume_capabilities' must be >= 1: 0"):
        ConfirmedCapabilities(volume_capabilities=[])


def test_list_volumes_result():
    status = VolumeStatus(
        published_node_ids=["node-1"],
        volume_condition=VolumeCondition(abnormal=True, message="degraded"),
    )
    entry = ListVolumesEntry(volume=Volume(volume_id="vol-1"), status=status)
    result = ListVolumesResult(entries=[entry], next_token="page-2")  # noqa: S106 -- not a secret
    assert result.entries == (entry,)
    assert result.entries[0].status is not None
    assert result.entries[0].status.published_node_ids == ("node-1",)
    assert ListVolumesEntry(volume=Volume(volume_id="v")).status is None
    assert ListVolumesResult() == ListVolumesResult(entries=(), next_token="")


def test_controller_get_volume_result_needs_a_status():
    result = ControllerGetVolumeResult(volume=Volume(volume_id="v"), status=VolumeStatus())
    assert result.status == VolumeStatus(published_node_ids=(), volume_condition=None)
    with pytest.raises(TypeError, match="'status' must be"):
        ControllerGetVolumeResult(volume=Volume(volume_id="v"), status=None)  # type: ignore[arg-type]


def test_volume_condition_fields_are_required():
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'message'"):
        VolumeCondition(abnormal=False)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="'abnormal' must be <class 'bool'>"):
        VolumeCondition(abnormal=0, message="")  # type: ignore[arg-type]


def test_get_capacity_result():
    result = GetCapacityResult(available_capacity=10 << 30)
    assert (result.maximum_volume_size, result.minimum_volume_size) == (None, None)
    assert GetCapacityResult(available_capacity=0, maximum_volume_size=0).maximum_volume_size == 0
    with pytest.raises(ValueError, match="'minimum_volume_size' must be >= 0: -1"):
        GetCapacityResult(available_capacity=1, minimum_volume_size=-1)


def test_snapshot():
    snapshot = Snapshot(
        snapshot_id="snap-1",
        source_volume_id="vol-1",
        creation_time=1_700_000_000_123_456_789,
        ready_to_use=False,
    )
    assert snapshot.size_bytes == 0
    assert snapshot.group_snapshot_id == ""
    assert snapshot.creation_time == 1_700_000_000_123_456_789
    result = ListSnapshotsResult(entries=[ListSnapshotsEntry(snapshot)])
    assert result.entries[0].snapshot is snapshot
    assert result.next_token == ""


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"snapshot_id": ""}, errors.InvalidArgumentError, "snapshot_id is required"),
        ({"source_volume_id": ""}, errors.InvalidArgumentError, "source_volume_id is required"),
        ({"ready_to_use": 1}, TypeError, "'ready_to_use' must be <class 'bool'>"),
        ({"creation_time": -1}, ValueError, "'creation_time' must be >= 0: -1"),
        ({"creation_time": 1.5}, TypeError, "'creation_time' must be <class 'int'>"),
    ],
)
def test_invalid_snapshots(fields, error, message):
    valid = {"snapshot_id": "s", "source_volume_id": "v", "creation_time": 0, "ready_to_use": True}
    with pytest.raises(error, match=message):
        Snapshot(**(valid | fields))


def test_controller_expand_volume_result():
    result = ControllerExpandVolumeResult(capacity_bytes=5, node_expansion_required=True)
    assert (result.capacity_bytes, result.node_expansion_required) == (5, True)


# -- Node service ------------------------------------------------------------------


def test_node_get_volume_stats_result():
    usage = VolumeUsage(total=100, used=40, available=60, unit=VolumeUsageUnit.BYTES)
    inodes = VolumeUsage(total=10, unit=VolumeUsageUnit.INODES)
    result = NodeGetVolumeStatsResult(usage=[usage, inodes])
    assert result.usage == (usage, inodes)
    assert (inodes.available, inodes.used) == (0, 0)
    assert result.volume_condition is None
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'unit'"):
        VolumeUsage(total=1)  # type: ignore[call-arg]


def test_node_get_info_result():
    info = NodeGetInfoResult(node_id="node-1", accessible_topology=ZONE_A)
    assert (info.max_volumes_per_node, info.accessible_topology) == (0, ZONE_A)
    assert NodeGetInfoResult(node_id="n" * 256).node_id == "n" * 256


@pytest.mark.parametrize(
    ("node_id", "message"),
    [
        ("", "node_id is required"),
        ("n" * 257, "node_id must be at most 256 bytes"),
        ("é" * 129, "node_id must be at most 256 bytes"),
    ],
)
def test_invalid_node_ids(node_id, message):
    with pytest.raises(errors.InvalidArgumentError, match=message):
        NodeGetInfoResult(node_id=node_id)


# -- the module ----------------------------------------------------------------------


def test_models_module_exports_a_sorted_all():
    assert storage.__all__ == sorted(storage.__all__)
    public = {
        name
        for name, value in vars(storage).items()
        if not name.startswith("_")
        and str(getattr(value, "__module__", "")).startswith(storage.__name__ + ".")
    }
    assert public <= set(storage.__all__)


def test_invalid_values_are_value_errors_for_the_wire_to_map():
    assert issubclass(errors.InvalidArgumentError, ValueError)


# -- the hookspec module ----------------------------------------------------------------


def test_pluggy_accepts_the_storage_hookspecs():
    pm = pluggy.PluginManager("podkit")
    pm.add_hookspecs(hookspecs)
    names = sorted(name for name in vars(pm.hook) if name.startswith("storage_"))
    assert names == hookspecs.__all__
    assert len(names) == 25
    for name in names:
        assert getattr(pm.hook, name).spec.opts["firstresult"] is True


@pytest.mark.parametrize("name", hookspecs.__all__)
def test_every_hook_is_addressed_by_driver_and_documented(name):
    function = getattr(hookspecs, name)
    parameters = list(inspect.signature(function).parameters)
    assert parameters[0] == "driver"
    doc = " ".join((inspect.getdoc(function) or "").split())
    for parameter in parameters:
        assert f":param {parameter}:" in doc
    assert ":returns:" in doc
    assert "First non-None result wins" in doc
    assert "Idempotency:" in doc
    assert "Mirrors: CSI spec v1.12.0, " in doc
    assert doc.endswith(".. versionadded:: 0.1")


def test_secrets_are_passed_to_the_hooks_that_upstream_marks_csi_secret():
    with_secrets = {
        name
        for name in hookspecs.__all__
        if "secrets" in inspect.signature(getattr(hookspecs, name)).parameters
    }
    assert with_secrets == {
        "storage_controller_expand_volume",
        "storage_controller_modify_volume",
        "storage_controller_publish_volume",
        "storage_controller_unpublish_volume",
        "storage_create_snapshot",
        "storage_create_volume",
        "storage_delete_snapshot",
        "storage_delete_volume",
        "storage_list_snapshots",
        "storage_node_expand_volume",
        "storage_node_publish_volume",
        "storage_node_stage_volume",
        "storage_validate_volume_capabilities",
    }

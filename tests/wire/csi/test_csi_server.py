"""The CSI server, serving the hostpath driver, called with the raw generated stubs."""

from __future__ import annotations

import logging
import socket

import grpc
import pytest
from pkg_csi_helpers import MIB, pb_mount_capability, status_of

import podkit
from podkit.models.storage import PluginInfo
from podkit.plugins.storage.hostpath import DRIVER, HostPathDriver
from podkit.wire.csi import serve_csi
from podkit.wire.csi._proto import csi_pb2 as pb
from podkit.wire.csi._proto.csi_pb2_grpc import IdentityStub

SERVICE = pb.PluginCapability.Service
RPC = pb.ControllerServiceCapability.RPC
NODE_RPC = pb.NodeServiceCapability.RPC


def create_request(name="pvc", required=MIB, **fields):
    return pb.CreateVolumeRequest(
        name=name,
        capacity_range=pb.CapacityRange(required_bytes=required),
        volume_capabilities=[pb_mount_capability()],
        **fields,
    )


# -- Identity ------------------------------------------------------------------------------


def test_get_plugin_info(stubs):
    info = stubs.identity.GetPluginInfo(pb.GetPluginInfoRequest())
    assert info.name == DRIVER
    assert info.vendor_version


def test_probe_is_ready(stubs):
    response = stubs.identity.Probe(pb.ProbeRequest())
    assert response.HasField("ready")
    assert response.ready.value is True


def test_plugin_capabilities(stubs):
    response = stubs.identity.GetPluginCapabilities(pb.GetPluginCapabilitiesRequest())
    services = [c.service.type for c in response.capabilities if c.HasField("service")]
    assert services == [SERVICE.CONTROLLER_SERVICE]


def test_controller_and_node_capabilities(stubs):
    controller = stubs.controller.ControllerGetCapabilities(pb.ControllerGetCapabilitiesRequest())
    rpcs = {c.rpc.type for c in controller.capabilities}
    assert {RPC.CREATE_DELETE_VOLUME, RPC.LIST_VOLUMES, RPC.GET_CAPACITY} <= rpcs
    node = stubs.node.NodeGetCapabilities(pb.NodeGetCapabilitiesRequest())
    assert {NODE_RPC.STAGE_UNSTAGE_VOLUME, NODE_RPC.GET_VOLUME_STATS} <= {
        c.rpc.type for c in node.capabilities
    }
    assert stubs.node.NodeGetInfo(pb.NodeGetInfoRequest()).node_id


# -- Controller -------------------------------------------------------------------------------


def test_create_volume_twice_gives_the_same_volume(stubs):
    first = stubs.controller.CreateVolume(create_request())
    again = stubs.controller.CreateVolume(create_request())
    assert first.volume.volume_id
    assert first.volume.capacity_bytes >= MIB
    assert again == first
    stubs.controller.DeleteVolume(pb.DeleteVolumeRequest(volume_id=first.volume.volume_id))


def test_create_volume_again_with_another_capacity_is_already_exists(stubs):
    created = stubs.controller.CreateVolume(create_request())
    code, details = status_of(stubs.controller.CreateVolume, create_request(required=2 * MIB))
    assert code == grpc.StatusCode.ALREADY_EXISTS
    assert "pvc" in details
    stubs.controller.DeleteVolume(pb.DeleteVolumeRequest(volume_id=created.volume.volume_id))


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (create_request(name=""), "name"),
        (pb.CreateVolumeRequest(name="pvc"), "volume_capabilities"),
        (pb.DeleteVolumeRequest(), "volume_id"),
        (pb.ValidateVolumeCapabilitiesRequest(volume_id="v"), "volume_capabilities"),
        (pb.CreateSnapshotRequest(name="s"), "source_volume_id"),
        (pb.DeleteSnapshotRequest(), "snapshot_id"),
    ],
)
def test_missing_required_field_is_invalid_argument_naming_it(stubs, request_, field):
    method = type(request_).__name__.removesuffix("Request")
    code, details = status_of(getattr(stubs.controller, method), request_)
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert f"missing required field {field}" in details


def test_an_unknown_access_mode_is_invalid_argument(stubs):
    request = create_request()
    request.volume_capabilities[0].access_mode.mode = 0  # UNKNOWN
    code, details = status_of(stubs.controller.CreateVolume, request)
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert "access_mode" in details


def test_an_invalid_capacity_range_is_invalid_argument(stubs):
    request = create_request(required=0)  # neither bound set
    code, details = status_of(stubs.controller.CreateVolume, request)
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert "capacity_range" in details


def test_delete_of_a_missing_volume_is_ok(stubs):
    assert stubs.controller.DeleteVolume(pb.DeleteVolumeRequest(volume_id="pkg-missing")) == (
        pb.DeleteVolumeResponse()
    )


def test_list_volumes_pages(stubs):
    ids = {
        stubs.controller.CreateVolume(create_request(name=f"pkg-{i}")).volume.volume_id
        for i in range(3)
    }
    seen, token, pages = [], "", 0
    while True:
        page = stubs.controller.ListVolumes(
            pb.ListVolumesRequest(max_entries=2, starting_token=token)
        )
        assert len(page.entries) <= 2
        seen += [entry.volume.volume_id for entry in page.entries]
        pages += 1
        token = page.next_token
        if not token:
            break
    assert pages == 2
    assert sorted(seen) == sorted(ids)
    for volume_id in ids:
        stubs.controller.DeleteVolume(pb.DeleteVolumeRequest(volume_id=volume_id))


def test_list_volumes_with_a_bad_token_is_aborted(stubs):
    code, _ = status_of(
        stubs.controller.ListVolumes,
        pb.ListVolumesRequest(starting_token="pkg-bogus"),  # noqa: S106
    )
    assert code == grpc.StatusCode.ABORTED


def test_get_capacity(stubs):
    response = stubs.controller.GetCapacity(pb.GetCapacityRequest())
    assert 0 < response.available_capacity <= 10 * MIB
    assert response.HasField("maximum_volume_size")
    assert not response.HasField("minimum_volume_size")


def test_snapshots(stubs):
    volume = stubs.controller.CreateVolume(create_request()).volume
    snapshot = stubs.controller.CreateSnapshot(
        pb.CreateSnapshotRequest(source_volume_id=volume.volume_id, name="pkg-snap")
    ).snapshot
    assert snapshot.source_volume_id == volume.volume_id
    assert snapshot.creation_time.seconds > 0
    assert snapshot.ready_to_use
    listed = stubs.controller.ListSnapshots(pb.ListSnapshotsRequest())
    assert [e.snapshot for e in listed.entries] == [snapshot]
    stubs.controller.DeleteSnapshot(pb.DeleteSnapshotRequest(snapshot_id=snapshot.snapshot_id))
    stubs.controller.DeleteVolume(pb.DeleteVolumeRequest(volume_id=volume.volume_id))


def test_rpcs_the_plugin_lacks_are_unimplemented(stubs):
    code, details = status_of(
        stubs.controller.ControllerGetVolume, pb.ControllerGetVolumeRequest(volume_id="v")
    )
    assert code == grpc.StatusCode.UNIMPLEMENTED
    assert "storage_controller_get_volume" in details
    code, _ = status_of(
        stubs.controller.ControllerPublishVolume,
        pb.ControllerPublishVolumeRequest(
            volume_id="v", node_id="n", volume_capability=pb_mount_capability()
        ),
    )
    assert code == grpc.StatusCode.UNIMPLEMENTED
    code, _ = status_of(stubs.controller.GetSnapshot, pb.GetSnapshotRequest(snapshot_id="s"))
    assert code == grpc.StatusCode.UNIMPLEMENTED


# -- Node, without mounting -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "request_", "field"),
    [
        ("NodePublishVolume", pb.NodePublishVolumeRequest(target_path="/t"), "volume_id"),
        (
            "NodePublishVolume",
            pb.NodePublishVolumeRequest(volume_id="v", volume_capability=pb_mount_capability()),
            "target_path",
        ),
        (
            "NodePublishVolume",
            pb.NodePublishVolumeRequest(volume_id="v", target_path="/t"),
            "volume_capability",
        ),
        ("NodeUnpublishVolume", pb.NodeUnpublishVolumeRequest(volume_id="v"), "target_path"),
        ("NodeStageVolume", pb.NodeStageVolumeRequest(volume_id="v"), "staging_target_path"),
        ("NodeUnstageVolume", pb.NodeUnstageVolumeRequest(), "volume_id"),
        ("NodeGetVolumeStats", pb.NodeGetVolumeStatsRequest(volume_id="v"), "volume_path"),
    ],
)
def test_node_missing_required_field_is_invalid_argument(stubs, method, request_, field):
    code, details = status_of(getattr(stubs.node, method), request_)
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert f"missing required field {field}" in details


def test_stats_of_an_unknown_volume_is_not_found(stubs, pkg_dir):
    request = pb.NodeGetVolumeStatsRequest(volume_id="pkg-unknown", volume_path=str(pkg_dir))
    code, _ = status_of(stubs.node.NodeGetVolumeStats, request)
    assert code == grpc.StatusCode.NOT_FOUND


# -- the server itself -----------------------------------------------------------------------


def test_secrets_are_never_logged(stubs, caplog):
    caplog.set_level(logging.DEBUG, logger="podkit.wire.csi")
    request = create_request(secrets={"password": "pkg-very-secret"})
    volume = stubs.controller.CreateVolume(request).volume
    stubs.controller.DeleteVolume(pb.DeleteVolumeRequest(volume_id=volume.volume_id))
    assert "CreateVolume" in caplog.text
    assert "name='pvc'" in caplog.text
    assert "password" in caplog.text  # the key shows...
    assert "pkg-very-secret" not in caplog.text  # ...never the value


def test_no_plugin_for_the_driver_fails_at_start(pkg_dir):
    with pytest.raises(podkit.NoPluginError):
        serve_csi(podkit.PluginManager(), "pkg.example.com", pkg_dir / "csi.sock")
    assert not (pkg_dir / "csi.sock").exists()


def _manager(base):
    manager = podkit.PluginManager()
    manager.register(HostPathDriver(base, capacity=10 * MIB), name="pkg-hostpath", kind="storage")
    return manager


def test_a_stale_socket_is_replaced_and_removed_at_stop(pkg_dir):
    path = pkg_dir / "csi.sock"
    with socket.socket(socket.AF_UNIX) as stale:
        stale.bind(str(path))  # bound, never listened on: what a killed server leaves
    server = serve_csi(_manager(pkg_dir / "base"), DRIVER, path)
    try:
        with grpc.insecure_channel(f"unix://{path}") as channel:
            info = IdentityStub(channel).GetPluginInfo(pb.GetPluginInfoRequest())
        assert info.name == DRIVER
    finally:
        server.stop(None).wait()
    assert not path.exists()


def test_a_socket_in_use_is_not_taken_over(served, pkg_dir):
    with pytest.raises(podkit.AlreadyExistsError, match="another server"):
        serve_csi(_manager(pkg_dir / "other"), DRIVER, served)


def test_a_file_in_the_way_is_not_removed(pkg_dir):
    path = pkg_dir / "csi.sock"
    path.write_text("not a socket")
    with pytest.raises(podkit.FailedPreconditionError, match="not a socket"):
        serve_csi(_manager(pkg_dir / "base"), DRIVER, path)
    assert path.read_text() == "not a socket"


def test_a_socket_that_cannot_be_bound_is_unavailable(pkg_dir):
    with pytest.raises(podkit.UnavailableError, match="failed to serve CSI"):
        serve_csi(_manager(pkg_dir / "base"), DRIVER, pkg_dir / "no-such-dir" / "csi.sock")


def test_a_plugin_reporting_another_name_is_not_served(pkg_dir):
    @podkit.answers_for("pkg.example.com")
    class Misnamed:
        def storage_get_plugin_info(self, driver):
            return PluginInfo(name="pkg.other.example.com", vendor_version="1")

    manager = podkit.PluginManager()
    manager.register(Misnamed(), name="pkg-misnamed", kind="storage")
    with pytest.raises(podkit.FailedPreconditionError, match="reports the name"):
        serve_csi(manager, "pkg.example.com", pkg_dir / "csi.sock")

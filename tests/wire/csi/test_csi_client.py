"""CsiClientPlugin: a plugin manager reaching the hostpath driver over CSI."""

from __future__ import annotations

import concurrent.futures

import grpc
import pytest
from pkg_csi_helpers import MIB, mount_capability

import podkit
from podkit import errors
from podkit.models.storage import (
    BlockVolume,
    CapacityRange,
    SnapshotSource,
    Topology,
    TopologyRequirement,
    VolumeCapability,
)
from podkit.plugins.storage.hostpath import DRIVER, HostPathDriver
from podkit.wire import _codes
from podkit.wire.csi import CsiClientPlugin, serve_csi

pytest_plugins = ["pytester"]


def test_the_client_answers_for_the_driver_the_endpoint_reports(served):
    client = CsiClientPlugin(f"unix://{served}")
    try:
        assert client.podkit_names == (DRIVER,)
        assert client.driver_name == DRIVER
        assert client.endpoint == f"unix://{served}"
    finally:
        client.close()


def test_a_given_driver_name_is_not_asked_for(pkg_dir):
    client = CsiClientPlugin(f"unix://{pkg_dir}/nobody.sock", "pkg.example.com")
    manager = podkit.PluginManager()
    manager.register(client, name="pkg-csi", kind="storage")
    try:
        with pytest.raises(podkit.UnavailableError):
            manager.storage.probe("pkg.example.com")
    finally:
        client.close()


def test_an_endpoint_nobody_serves_is_unavailable(pkg_dir):
    with pytest.raises(podkit.UnavailableError, match="GetPluginInfo"):
        CsiClientPlugin(f"unix://{pkg_dir}/nobody.sock")


@pytest.mark.parametrize("endpoint", ["tcp://127.0.0.1:1", "relative/csi.sock", "unix://rel"])
def test_an_endpoint_that_is_not_a_unix_socket_is_refused(endpoint):
    with pytest.raises(podkit.InvalidArgumentError, match="unix:///"):
        CsiClientPlugin(endpoint, "pkg.example.com")


def test_queries_answer_as_the_plugin_does_in_process(through_csi, pkg_dir):
    direct = podkit.PluginManager()
    direct.register(HostPathDriver(pkg_dir / "base", capacity=10 * MIB), name="pkg-direct")
    for method in (
        "get_plugin_info",
        "get_plugin_capabilities",
        "probe",
        "controller_get_capabilities",
        "node_get_capabilities",
        "node_get_info",
        "get_capacity",
        "list_volumes",
        "list_snapshots",
    ):
        assert getattr(through_csi.storage, method)(DRIVER) == getattr(direct.storage, method)(
            DRIVER
        ), method


def test_volumes_and_snapshots_round_trip(through_csi):
    storage, cap = through_csi.storage, mount_capability()
    volume = storage.create_volume(
        DRIVER, "pkg-a", CapacityRange(required_bytes=MIB), (cap,), secrets={"k": "v"}
    )
    assert storage.create_volume(DRIVER, "pkg-a", CapacityRange(required_bytes=MIB), (cap,)) == (
        volume
    )
    validated = storage.validate_volume_capabilities(DRIVER, volume.volume_id, {}, (cap,))
    assert validated.confirmed is not None
    assert validated.confirmed.volume_capabilities == (cap,)
    snapshot = storage.create_snapshot(DRIVER, volume.volume_id, "pkg-snap")
    assert snapshot.source_volume_id == volume.volume_id
    assert snapshot.creation_time > 0
    clone = storage.create_volume(
        DRIVER,
        "pkg-b",
        CapacityRange(required_bytes=MIB),
        (cap,),
        volume_content_source=SnapshotSource(snapshot.snapshot_id),
    )
    assert clone.content_source == SnapshotSource(snapshot.snapshot_id)
    page = storage.list_volumes(DRIVER, max_entries=1)
    assert len(page.entries) == 1
    assert page.next_token
    rest = storage.list_volumes(DRIVER, starting_token=page.next_token)
    listed = {e.volume.volume_id for e in (*page.entries, *rest.entries)}
    assert listed == {volume.volume_id, clone.volume_id}
    assert storage.list_snapshots(DRIVER, snapshot_id=snapshot.snapshot_id).entries[0].snapshot == (
        snapshot
    )
    for volume_id in (clone.volume_id, volume.volume_id):
        assert storage.delete_volume(DRIVER, volume_id) is True
    assert storage.delete_snapshot(DRIVER, snapshot.snapshot_id) is True


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            lambda s: s.create_volume(
                DRIVER, "pkg-a", CapacityRange(required_bytes=2 * MIB), (mount_capability(),)
            ),
            podkit.AlreadyExistsError,
        ),
        (
            lambda s: s.create_volume(DRIVER, "", None, (mount_capability(),)),
            errors.InvalidArgumentError,
        ),
        (lambda s: s.node_get_volume_stats(DRIVER, "pkg-none", "/pkg-none"), podkit.NotFoundError),
        (lambda s: s.controller_get_volume(DRIVER, "pkg-none"), podkit.UnimplementedError),
        (lambda s: s.list_volumes(DRIVER, 0, "pkg-bad"), podkit.AbortedError),
        (
            lambda s: s.create_volume(
                DRIVER,
                "pkg-topology",
                None,
                (mount_capability(),),
                accessibility_requirements=TopologyRequirement(
                    requisite=[Topology({"zone": "pkg-nowhere"})]
                ),
            ),
            podkit.ResourceExhaustedError,
        ),
    ],
)
def test_errors_come_back_as_the_podkit_error_of_their_code(through_csi, call, error):
    storage = through_csi.storage
    first = storage.create_volume(
        DRIVER, "pkg-a", CapacityRange(required_bytes=MIB), (mount_capability(),)
    )
    try:
        with pytest.raises(error):
            call(storage)
    finally:
        storage.delete_volume(DRIVER, first.volume_id)


def test_block_capabilities_travel(through_csi):
    block = VolumeCapability(access_type=BlockVolume(), access_mode=mount_capability().access_mode)
    result = through_csi.storage.get_capacity(DRIVER, (block,))
    assert result.available_capacity >= 0


@pytest.mark.parametrize("code", list(errors.GrpcCode))
def test_every_status_code_maps_back_to_a_class_with_that_code(code):
    if code == errors.GrpcCode.OK:
        return
    cls = _codes.error_class(_codes.status_code(code))
    if code.name in {"UNKNOWN", "CANCELLED", "DATA_LOSS"}:
        assert cls is podkit.PodkitError
    else:
        assert cls.grpc_code == code
        assert _codes.status_code(cls.grpc_code) == getattr(grpc.StatusCode, code.name)


def test_the_storage_smoke_suite_passes_over_csi(served, pytester):
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "--pyargs",
        "podkit.conformance.storage.test_smoke",
        f"--csi-endpoint=unix://{served}",
    )
    result.assert_outcomes(passed=4)


PLUGIN_MODULE = """
import os
from podkit.plugins.storage.hostpath import HostPathDriver

plugin = HostPathDriver(os.environ["PKG_CSI_BASE"], capacity=1 << 40)
"""


@pytest.mark.root
def test_the_storage_suite_answers_alike_in_process_and_over_csi(pkg_dir, pytester, monkeypatch):
    """The whole storage suite: the same outcomes for the plugin and for it over CSI."""
    pytester.makepyfile(pkg_csi_plugin=PLUGIN_MODULE)
    args = ("-p", "no:cacheprovider", "--pyargs", "podkit.conformance.storage")
    monkeypatch.setenv("PKG_CSI_BASE", str(pkg_dir / "in-process"))
    in_process = pytester.runpytest_subprocess(*args, "--podkit-plugin=pkg_csi_plugin:plugin")
    manager = podkit.PluginManager()
    manager.register(HostPathDriver(pkg_dir / "served", capacity=1 << 40), name="pkg-hostpath")
    server = serve_csi(manager, DRIVER, pkg_dir / "csi.sock")
    try:
        over_csi = pytester.runpytest_subprocess(*args, f"--csi-endpoint=unix://{pkg_dir}/csi.sock")
    finally:
        server.stop(None).wait()
    outcomes = over_csi.parseoutcomes()
    assert outcomes.get("passed", 0) > 0
    assert outcomes == in_process.parseoutcomes()


def test_podkit_conformance_takes_a_csi_endpoint(served, capsys):
    from podkit.cli import main

    code = main(
        [
            "conformance",
            "storage",
            f"--csi-endpoint=unix://{served}",
            "--",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "test_smoke",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"plugin 'unix://{served}' conforms (4 passed)" in out


def test_concurrent_creates_of_one_name_make_one_volume(through_csi):
    storage, cap = through_csi.storage, mount_capability()

    def create(_):
        return storage.create_volume(DRIVER, "pkg-race", CapacityRange(required_bytes=MIB), (cap,))

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        volumes = list(pool.map(create, range(16)))
    assert len({v.volume_id for v in volumes}) == 1
    assert len(storage.list_volumes(DRIVER).entries) == 1
    storage.delete_volume(DRIVER, volumes[0].volume_id)

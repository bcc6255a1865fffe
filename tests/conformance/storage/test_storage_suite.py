"""The storage conformance suite, run against the reference storage plugins and made-up ones.

Each reference plugin is loaded by its entry-point name on its default
directories, as ``podkit conformance storage --plugin NAME`` does, inside
the leak check of the privileged tests (``root``): every volume, snapshot,
staging, publication, mount and state file the suite makes must be gone
afterwards. Every test passes or is skipped for a capability the plugin
does not advertise; the hostpath driver passes alike behind a CSI endpoint.

A careless in-memory controller shows that the suite fails what breaks the
spec, and that its cleanup registry deletes what the failed tests created;
a controller by the book passes the Controller tests no reference plugin
advertises the capabilities of (ControllerPublishVolume, GetVolume, Expand).
"""

from __future__ import annotations

import json
import os
import re

import pytest

from podkit.testing import STRICT_ENV

pytest_plugins = ["pytester"]

#: Entry-point name -> tests that must pass for it (not be skipped).
REFERENCE_PLUGINS = {
    "hostpath-csi": [
        "test_create_volume_twice_with_the_same_name_returns_the_same_volume",
        "test_list_volumes_pages_hold_at_most_max_entries_and_chain_by_token",
        "test_create_volume_from_a_snapshot_succeeds",
        "test_node_stage_twice_with_the_same_arguments_succeeds",
        "test_node_publish_readonly_refuses_writes_with_erofs",
        "test_node_get_volume_stats_reports_usage_of_a_published_volume",
        "test_a_volume_from_a_snapshot_holds_the_data_of_that_point_in_time",
        "test_a_clone_holds_the_data_of_its_source",
        "test_a_single_node_multi_writer_volume_is_published_at_two_targets",
    ],
    "hostpath-volumes": ["test_node_get_info_reports_a_node_id_of_at_most_256_bytes"],
    "emptydir": [
        "test_node_publish_twice_with_the_same_arguments_succeeds",
        "test_node_publish_readonly_refuses_writes_with_erofs",
        "test_the_size_limit_of_the_memory_medium_refuses_more_with_enospc",
    ],
    "secret": [
        "test_node_unpublish_unmounts_and_removes_the_target",
        "test_a_secret_volume_is_a_tmpfs",
        "test_an_update_is_seen_whole_by_a_concurrent_reader",
    ],
    "configmap": [
        "test_items_project_only_the_listed_keys_to_their_paths_and_modes",
        "test_an_update_is_seen_whole_by_a_concurrent_reader",
    ],
}
_SKIP_LINE = re.compile(r"SKIPPED \[\d+\] [^:]+:\d+: (.*)")


def run_suite(pytester: pytest.Pytester, plugin: str, *extra: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess(
        "--pyargs",
        "podkit.conformance.storage",
        f"--podkit-plugin={plugin}",
        "-p",
        "no:cacheprovider",
        "-v",
        "-rsfE",
        *extra,
    )


@pytest.mark.root
@pytest.mark.integration
@pytest.mark.parametrize("plugin", sorted(REFERENCE_PLUGINS))
def test_a_reference_plugin_conforms_and_leaks_nothing(pytester, leak_check, plugin):
    assert leak_check.started  # the autouse leak check watches the whole run
    result = run_suite(pytester, plugin)
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes.get("errors", 0) == 0, result.stdout.str()
    skips = [m[1] for line in result.outlines if (m := _SKIP_LINE.match(line))]
    assert skips, "the -rs summary was not parsed"
    assert all(reason.startswith("capability: ") for reason in skips), skips
    result.stdout.fnmatch_lines_random([f"*::{test} PASSED*" for test in REFERENCE_PLUGINS[plugin]])


def test_without_root_the_tests_that_mount_are_skipped_and_say_why(pytester, monkeypatch):
    monkeypatch.delenv(STRICT_ENV, raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    result = run_suite(pytester, "emptydir", "--strict-markers", "-m", "root")
    outcomes = result.parseoutcomes()
    assert outcomes.get("skipped", 0) >= 20, outcomes
    assert set(outcomes) <= {"skipped", "deselected"}, outcomes
    result.stdout.fnmatch_lines(["*needs root, runs as uid 1000*"])


CARELESS = '''
import itertools
import json
import pathlib

import podkit
from podkit.models.storage import (
    ControllerServiceCapability, PluginInfo, PluginService, Volume,
)

#: What the careless driver holds: volume id -> size; saved beside this module.
VOLUMES = {}
SAVED = pathlib.Path(__file__).with_name("careless-volumes.json")
_IDS = itertools.count()


def save():
    SAVED.write_text(json.dumps(VOLUMES))


@podkit.answers_for("careless.podkit.dev")
class Careless:
    """Not idempotent: CreateVolume makes a new volume every time, DeleteVolume
    of a missing volume is NotFound."""

    def storage_get_plugin_info(self, driver):
        return PluginInfo(name=driver, vendor_version="1")

    def storage_get_plugin_capabilities(self):
        return (PluginService.CONTROLLER_SERVICE,)

    def storage_controller_get_capabilities(self):
        return (ControllerServiceCapability.CREATE_DELETE_VOLUME,)

    def storage_node_get_capabilities(self):
        return ()

    def storage_create_volume(self, name, capacity_range, volume_capabilities):
        if not name:
            raise podkit.InvalidArgumentError("name is required")
        if not volume_capabilities:
            raise podkit.InvalidArgumentError("volume_capabilities is required")
        volume_id = f"careless-{next(_IDS)}"
        VOLUMES[volume_id] = capacity_range.required_bytes if capacity_range else 1 << 20
        save()
        return Volume(volume_id=volume_id, capacity_bytes=VOLUMES[volume_id])

    def storage_delete_volume(self, volume_id):
        if not volume_id:
            raise podkit.InvalidArgumentError("volume_id is required")
        if VOLUMES.pop(volume_id, None) is None:
            raise podkit.NotFoundError(f"no volume {volume_id!r}")
        save()
        return True
'''


def test_the_suite_fails_a_careless_controller_and_still_cleans_up(pytester):
    pytester.makepyfile(pkt_careless=CARELESS)
    pytester.syspathinsert()
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "podkit.conformance.storage.test_controller",
        "--podkit-plugin=pkt_careless:Careless",
        "-p",
        "no:cacheprovider",
        "-v",
    )
    result.stdout.fnmatch_lines_random(
        [
            "*::test_create_volume_twice_with_the_same_name_returns_the_same_volume FAILED*",
            (
                "*::test_create_volume_with_an_existing_name_and_another_capacity_is_already_exists"
                " FAILED*"
            ),
            "*::test_delete_volume_of_a_missing_volume_succeeds FAILED*",
            "*::test_delete_volume_twice_succeeds FAILED*",
            "*::test_create_volume_without_a_name_is_an_invalid_argument PASSED*",
            "*::test_delete_volume_without_an_id_is_an_invalid_argument PASSED*",
        ]
    )
    saved = json.loads((pytester.path / "careless-volumes.json").read_text())
    assert saved == {}  # every volume the failed tests created was deleted again


TIDY = '''
import itertools

import attrs

import podkit
from podkit.models.storage import (
    ConfirmedCapabilities, ControllerExpandVolumeResult, ControllerGetVolumeResult,
    ControllerServiceCapability as C, ListVolumesEntry, ListVolumesResult, NodeGetInfoResult,
    PluginInfo, PluginService, ProbeResult, ValidateVolumeCapabilitiesResult, Volume,
    VolumeExpansion, VolumeStatus,
)

NODE = "pkt-node"


def required(value, field):
    if not value:
        raise podkit.InvalidArgumentError(f"{field} is required")


@podkit.answers_for("tidy.podkit.dev")
class Tidy:
    """A network-attached storage in memory: a controller by the book, no node mounts."""

    def __init__(self):
        self.volumes, self.names, self.published = {}, {}, set()
        self.ids = itertools.count()

    def storage_get_plugin_info(self, driver):
        return PluginInfo(name=driver, vendor_version="1")

    def storage_get_plugin_capabilities(self):
        return (PluginService.CONTROLLER_SERVICE, VolumeExpansion.OFFLINE)

    def storage_probe(self):
        return ProbeResult()

    def storage_controller_get_capabilities(self):
        return (
            C.CREATE_DELETE_VOLUME, C.PUBLISH_UNPUBLISH_VOLUME, C.LIST_VOLUMES, C.GET_VOLUME,
            C.EXPAND_VOLUME,
        )

    def storage_node_get_capabilities(self):
        return ()

    def storage_node_get_info(self):
        return NodeGetInfoResult(node_id=NODE)

    def volume(self, volume_id):
        required(volume_id, "volume_id")
        if volume_id not in self.volumes:
            raise podkit.NotFoundError(f"volume {volume_id!r} does not exist")
        return self.volumes[volume_id]

    def storage_create_volume(self, name, capacity_range, volume_capabilities):
        required(name, "name")
        required(volume_capabilities, "volume_capabilities")
        wanted = capacity_range.required_bytes if capacity_range else 0
        limit = capacity_range.limit_bytes if capacity_range else 0
        if name in self.names:
            volume = self.volumes[self.names[name]]
            if volume.capacity_bytes < wanted or (limit and volume.capacity_bytes > limit):
                raise podkit.AlreadyExistsError(f"volume {name!r} exists with another size")
            return volume
        volume = Volume(volume_id=f"tidy-{next(self.ids)}", capacity_bytes=wanted or 1 << 20)
        self.volumes[volume.volume_id], self.names[name] = volume, volume.volume_id
        return volume

    def storage_delete_volume(self, volume_id):
        required(volume_id, "volume_id")
        if self.volumes.pop(volume_id, None) is not None:
            self.names = {n: i for n, i in self.names.items() if i != volume_id}
        return True

    def storage_validate_volume_capabilities(self, volume_id, volume_context, volume_capabilities):
        self.volume(volume_id)
        required(volume_capabilities, "volume_capabilities")
        confirmed = ConfirmedCapabilities(
            volume_context=volume_context, volume_capabilities=volume_capabilities
        )
        return ValidateVolumeCapabilitiesResult(confirmed=confirmed)

    def storage_list_volumes(self, max_entries, starting_token):
        if max_entries < 0:
            raise podkit.InvalidArgumentError("max_entries must not be negative")
        ids, start = sorted(self.volumes), 0
        if starting_token:
            if not starting_token.isdecimal() or int(starting_token) > len(ids):
                raise podkit.AbortedError(f"invalid starting_token {starting_token!r}")
            start = int(starting_token)
        end = min(len(ids), start + max_entries) if max_entries else len(ids)
        entries = [ListVolumesEntry(volume=self.volumes[i]) for i in ids[start:end]]
        return ListVolumesResult(entries=entries, next_token=str(end) if end < len(ids) else "")

    def storage_controller_publish_volume(self, volume_id, node_id):
        self.volume(volume_id)
        required(node_id, "node_id")
        if node_id != NODE:
            raise podkit.NotFoundError(f"node {node_id!r} does not exist")
        self.published.add((volume_id, node_id))
        return {"device": f"/dev/{volume_id}"}

    def storage_controller_unpublish_volume(self, volume_id, node_id):
        required(volume_id, "volume_id")
        self.published.discard((volume_id, node_id))
        return True

    def storage_controller_get_volume(self, volume_id):
        nodes = [node for volume, node in self.published if volume == volume_id]
        status = VolumeStatus(published_node_ids=nodes)
        return ControllerGetVolumeResult(volume=self.volume(volume_id), status=status)

    def storage_controller_expand_volume(self, volume_id, capacity_range):
        volume = self.volume(volume_id)
        size = max(volume.capacity_bytes, capacity_range.required_bytes)
        self.volumes[volume_id] = attrs.evolve(volume, capacity_bytes=size)
        return ControllerExpandVolumeResult(capacity_bytes=size, node_expansion_required=False)
'''


def test_a_controller_by_the_book_passes_the_controller_tests(pytester):
    pytester.makepyfile(pkt_tidy=TIDY)
    pytester.syspathinsert()
    modules = ["test_identity", "test_controller", "test_controller_queries"]
    modules.append("test_controller_publish")
    result = pytester.runpytest_inprocess(
        "--pyargs",
        *(f"podkit.conformance.storage.{module}" for module in modules),
        "--podkit-plugin=pkt_tidy:Tidy",
        "-p",
        "no:cacheprovider",
        "-v",
        "-rs",
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes.get("errors", 0) == 0, result.stdout.str()
    result.stdout.fnmatch_lines_random(
        [
            "*::test_controller_publish_twice_with_the_same_arguments_succeeds PASSED*",
            "*::test_controller_publish_to_a_missing_node_is_not_found PASSED*",
            "*::test_controller_get_volume_reports_the_volume PASSED*",
            "*::test_controller_expand_volume_grows_it_to_the_required_size PASSED*",
            "*::test_offline_expansion_comes_with_controller_expansion PASSED*",
            "*::test_list_volumes_pages_hold_at_most_max_entries_and_chain_by_token PASSED*",
        ]
    )


@pytest.mark.root
@pytest.mark.integration
def test_the_suite_runs_unchanged_over_csi(pytester, tmp_path, leak_check):
    """The hostpath driver behind a CSI endpoint passes as it does in-process."""
    pytest.importorskip("grpc")
    import podkit
    from podkit.wire.csi import serve_csi

    manager = podkit.PluginManager.load(select=["hostpath-csi"])
    socket = tmp_path / "pkt-csi.sock"
    server = serve_csi(manager, "hostpath.csi.podkit.dev", socket)
    try:
        result = pytester.runpytest_inprocess(
            "--pyargs",
            "podkit.conformance.storage",
            f"--csi-endpoint=unix://{socket}",
            "-p",
            "no:cacheprovider",
            "-v",
        )
    finally:
        server.stop(None).wait()
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes.get("errors", 0) == 0, result.stdout.str()
    result.stdout.fnmatch_lines_random(
        [f"*::{test} PASSED*" for test in REFERENCE_PLUGINS["hostpath-csi"]]
    )

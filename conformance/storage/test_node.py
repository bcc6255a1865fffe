"""CSI Node service: NodeGetInfo, NodeGetCapabilities, staging and volume stats.

Tests marked ``root`` mount: they get a volume from the ``node_volume``
fixture (created, controller-published and staged as the driver advertises);
the cleanup registry unstages and deletes it after the test. Publishing is
in ``test_node_publish``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.storage._driver import MOUNT, unique_name
from podkit.conformance.storage._host import is_mount_point
from podkit.models.storage import (
    ControllerServiceCapability,
    NodeServiceCapability,
    PluginService,
    VolumeUsageUnit,
)

if TYPE_CHECKING:
    from pathlib import Path

    from podkit.conformance.storage._driver import Driver
    from podkit.conformance.storage._resources import NodeVolume, Resources

STAGE = NodeServiceCapability.STAGE_UNSTAGE_VOLUME
STATS = NodeServiceCapability.GET_VOLUME_STATS


# -- NodeGetInfo, NodeGetCapabilities --------------------------------------------------


def test_node_get_info_reports_a_node_id_of_at_most_256_bytes(driver: Driver) -> None:
    """CSI NodeGetInfo: ``node_id`` "This field is REQUIRED" and "SHALL NOT exceed 256 bytes"."""
    info = driver.target.manager.storage.node_get_info(driver.name)
    assert info.node_id
    assert len(info.node_id.encode()) <= 256
    assert info.max_volumes_per_node >= 0


def test_node_get_info_reports_topology_only_with_accessibility_constraints(
    driver: Driver,
) -> None:
    """CSI NodeGetInfo: ``accessible_topology`` only with VOLUME_ACCESSIBILITY_CONSTRAINTS.

    "A plugin that returns this field MUST also set the
    VOLUME_ACCESSIBILITY_CONSTRAINTS plugin capability."
    """
    info = driver.target.manager.storage.node_get_info(driver.name)
    if info.accessible_topology is not None:
        assert driver.has(PluginService.VOLUME_ACCESSIBILITY_CONSTRAINTS)


def test_node_get_capabilities_are_the_same_on_every_call(driver: Driver) -> None:
    """CSI NodeGetCapabilities: the Node service's capabilities are fixed for a version.

    As GetPluginCapabilities': "All instances of the same version ... of the
    Plugin SHALL return the same set of capabilities".
    """
    again = driver.target.manager.storage.node_get_capabilities(driver.name)
    assert set(again) == driver.node_capabilities


# -- NodeStageVolume, NodeUnstageVolume -------------------------------------------------


@pytest.mark.root
def test_node_stage_without_a_volume_id_is_an_invalid_argument(
    driver: Driver, resources: Resources, workdir: Path
) -> None:
    """CSI NodeStageVolume: ``volume_id`` "This field is REQUIRED"; missing, INVALID_ARGUMENT."""
    driver.require(STAGE)
    staging = resources.make_directory(workdir / "staging")
    with pytest.raises(podkit.InvalidArgumentError, match="volume_id"):
        driver.target.manager.storage.node_stage_volume(driver.name, "", {}, str(staging), MOUNT)


@pytest.mark.root
def test_node_stage_without_a_staging_path_is_an_invalid_argument(
    driver: Driver, node_volume: NodeVolume
) -> None:
    """CSI NodeStageVolume: ``staging_target_path`` "This is a REQUIRED field"."""
    driver.require(STAGE)
    with pytest.raises(podkit.InvalidArgumentError, match="staging_target_path"):
        driver.target.manager.storage.node_stage_volume(
            driver.name, node_volume.volume_id, node_volume.publish_context, "", MOUNT
        )


@pytest.mark.root
def test_node_stage_twice_with_the_same_arguments_succeeds(
    driver: Driver, node_volume: NodeVolume, resources: Resources
) -> None:
    """CSI NodeStageVolume: "This operation MUST be idempotent".

    "If the volume corresponding to the ``volume_id`` is already staged to
    the ``staging_target_path``, and is identical to the specified
    ``volume_capability`` the Plugin MUST reply ``0 OK``."
    """
    driver.require(STAGE)
    resources.stage(node_volume)  # the fixture staged it once already


@pytest.mark.root
def test_node_unstage_of_a_volume_not_staged_succeeds_twice(
    driver: Driver, node_volume: NodeVolume
) -> None:
    """CSI NodeUnstageVolume: not staged (any more) is success.

    "This operation MUST be idempotent. If the volume corresponding to the
    ``volume_id`` is not staged to the ``staging_target_path``, the Plugin
    MUST reply ``0 OK``."
    """
    driver.require(STAGE)
    storage = driver.target.manager.storage
    path = node_volume.staging_target_path
    assert storage.node_unstage_volume(driver.name, node_volume.volume_id, path)
    assert storage.node_unstage_volume(driver.name, node_volume.volume_id, path)
    assert not is_mount_point(path)


@pytest.mark.root
def test_node_unstage_without_a_staging_path_is_an_invalid_argument(
    driver: Driver, node_volume: NodeVolume
) -> None:
    """CSI NodeUnstageVolume: ``staging_target_path`` "This is a REQUIRED field"."""
    driver.require(STAGE)
    with pytest.raises(podkit.InvalidArgumentError, match="staging_target_path"):
        driver.target.manager.storage.node_unstage_volume(driver.name, node_volume.volume_id, "")


@pytest.mark.root
def test_node_publish_without_a_staging_path_is_a_failed_precondition(
    driver: Driver, node_volume: NodeVolume, resources: Resources, workdir: Path
) -> None:
    """CSI NodePublishVolume: "Staging target path not set | 9 FAILED_PRECONDITION".

    "Indicates that ``STAGE_UNSTAGE_VOLUME`` capability is set but no
    ``staging_target_path`` was set."
    """
    driver.require(STAGE)
    target = workdir / "target"
    resources.track_publication(node_volume.volume_id, str(target))
    with pytest.raises(podkit.FailedPreconditionError):
        driver.target.manager.storage.node_publish_volume(
            driver.name,
            node_volume.volume_id,
            node_volume.publish_context,
            "",
            str(target),
            MOUNT,
            readonly=False,
            volume_context=node_volume.volume_context,
        )


@pytest.mark.root
def test_node_stage_of_a_missing_volume_is_not_found(
    driver: Driver, resources: Resources, workdir: Path
) -> None:
    """CSI NodeStageVolume: "Volume does not exist | 5 NOT_FOUND".

    Checked for drivers that create their volumes (CREATE_DELETE_VOLUME):
    only they can tell a volume id that does not exist.
    """
    driver.require(STAGE, ControllerServiceCapability.CREATE_DELETE_VOLUME)
    staging = resources.make_directory(workdir / "staging")
    missing = unique_name("missing")
    resources.track_staging(missing, str(staging))
    with pytest.raises(podkit.NotFoundError):
        driver.target.manager.storage.node_stage_volume(
            driver.name, missing, {}, str(staging), MOUNT
        )


# -- NodeGetVolumeStats -----------------------------------------------------------------


@pytest.mark.root
def test_node_get_volume_stats_reports_usage_of_a_published_volume(
    driver: Driver, node_volume: NodeVolume, resources: Resources, workdir: Path
) -> None:
    """CSI NodeGetVolumeStats: usage in bytes (and inodes), never negative, used within total.

    VolumeUsage: ``total`` "This field is REQUIRED"; ``available``,
    ``total`` and ``used``: "The value of this field MUST NOT be negative".
    """
    driver.require(STATS)
    target = workdir / "target"
    resources.publish(node_volume, target)
    stats = driver.target.manager.storage.node_get_volume_stats(
        driver.name, node_volume.volume_id, str(target), node_volume.staging_target_path
    )
    units = [usage.unit for usage in stats.usage]
    assert VolumeUsageUnit.BYTES in units
    assert len(units) == len(set(units)), "a unit reported twice"
    for usage in stats.usage:
        assert usage.total > 0
        assert usage.used <= usage.total
        assert usage.available <= usage.total


@pytest.mark.root
def test_node_get_volume_stats_of_an_unknown_volume_is_not_found(
    driver: Driver, node_volume: NodeVolume, resources: Resources, workdir: Path
) -> None:
    """CSI NodeGetVolumeStats: "Volume does not exist | 5 NOT_FOUND".

    "Indicates that a volume corresponding to the specified ``volume_id``
    does not exist on specified ``volume_path``."
    """
    driver.require(STATS)
    target = workdir / "target"
    resources.publish(node_volume, target)
    with pytest.raises(podkit.NotFoundError):
        driver.target.manager.storage.node_get_volume_stats(
            driver.name, unique_name("missing"), str(target)
        )


@pytest.mark.root
def test_node_get_volume_stats_where_the_volume_is_not_published_is_not_found(
    driver: Driver, node_volume: NodeVolume, workdir: Path
) -> None:
    """CSI NodeGetVolumeStats: a volume is not on a path where it was never published.

    "Volume does not exist | 5 NOT_FOUND | Indicates that a volume
    corresponding to the specified ``volume_id`` does not exist on specified
    ``volume_path``."
    """
    driver.require(STATS)
    with pytest.raises(podkit.NotFoundError):
        driver.target.manager.storage.node_get_volume_stats(
            driver.name, node_volume.volume_id, str(workdir)
        )


def test_node_get_volume_stats_without_a_volume_id_is_an_invalid_argument(
    driver: Driver, workdir: Path
) -> None:
    """CSI NodeGetVolumeStats: ``volume_id`` "This field is REQUIRED"."""
    driver.require(STATS)
    with pytest.raises(podkit.InvalidArgumentError, match="volume_id"):
        driver.target.manager.storage.node_get_volume_stats(driver.name, "", str(workdir))


def test_node_get_volume_stats_without_a_volume_path_is_an_invalid_argument(
    driver: Driver,
) -> None:
    """CSI NodeGetVolumeStats: ``volume_path`` "This is a REQUIRED field"."""
    driver.require(STATS)
    with pytest.raises(podkit.InvalidArgumentError, match="volume_path"):
        driver.target.manager.storage.node_get_volume_stats(driver.name, unique_name("volume"), "")


@pytest.mark.root
def test_node_get_volume_stats_reports_usage_at_the_staging_path(
    driver: Driver, node_volume: NodeVolume
) -> None:
    """CSI NodeGetVolumeStats: ``volume_path`` may be where the volume is staged.

    "It can be any valid path where volume was previously staged or
    published."
    """
    driver.require(STATS, STAGE)
    stats = driver.target.manager.storage.node_get_volume_stats(
        driver.name,
        node_volume.volume_id,
        node_volume.staging_target_path,
        node_volume.staging_target_path,
    )
    assert VolumeUsageUnit.BYTES in {usage.unit for usage in stats.usage}

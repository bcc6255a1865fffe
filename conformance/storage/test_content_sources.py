"""CSI CreateVolume with a content source: volumes from a snapshot, and clones of a volume.

From a snapshot needs CREATE_DELETE_VOLUME and CREATE_DELETE_SNAPSHOT; a
clone, CREATE_DELETE_VOLUME and CLONE_VOLUME. The ``root`` tests write data
into the source through a publication and read it back from the new volume.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.storage._driver import unique_name
from podkit.models.storage import (
    CapacityRange,
    ControllerServiceCapability,
    SnapshotSource,
    VolumeSource,
)

if TYPE_CHECKING:
    from pathlib import Path

    from podkit.conformance.storage._driver import Driver
    from podkit.conformance.storage._resources import NodeVolume, Resources
    from podkit.models.storage import Snapshot, VolumeContentSource

CREATE = ControllerServiceCapability.CREATE_DELETE_VOLUME
SNAPSHOT = ControllerServiceCapability.CREATE_DELETE_SNAPSHOT
CLONE = ControllerServiceCapability.CLONE_VOLUME


def _snapshot_of_a_new_volume(driver: Driver, resources: Resources) -> Snapshot:
    driver.require(CREATE, SNAPSHOT)
    volume = resources.create_volume(unique_name("volume"))
    return resources.create_snapshot(volume.volume_id, unique_name("snapshot"))


def test_create_volume_from_a_snapshot_succeeds(driver: Driver, resources: Resources) -> None:
    """CSI CreateVolume: a volume may be created "From an existing snapshot".

    "When plugin supports ``CREATE_DELETE_VOLUME`` and
    ``CREATE_DELETE_SNAPSHOT`` OPTIONAL capabilities"; its ``content_source``,
    if set, "indicates that the volume is not empty and is pre-populated
    with data from the specified source".
    """
    snapshot = _snapshot_of_a_new_volume(driver, resources)
    source = SnapshotSource(snapshot.snapshot_id)
    volume = resources.create_volume(unique_name("restored"), source=source)
    assert volume.content_source in {None, source}
    if snapshot.size_bytes and volume.capacity_bytes:
        # Snapshot.size_bytes: "The size of the volume MUST NOT be less than
        # the size of the source snapshot."
        assert volume.capacity_bytes >= snapshot.size_bytes


def test_create_volume_from_a_missing_snapshot_is_not_found(
    driver: Driver, resources: Resources
) -> None:
    """CSI CreateVolume: "Source does not exist | 5 NOT_FOUND"."""
    driver.require(CREATE, SNAPSHOT)
    with pytest.raises(podkit.NotFoundError):
        resources.create_volume(
            unique_name("restored"), source=SnapshotSource(unique_name("missing"))
        )


def test_create_volume_smaller_than_its_snapshot_is_out_of_range(
    driver: Driver, resources: Resources
) -> None:
    """CSI CreateVolume: "Unsupported ``capacity_range`` | 11 OUT_OF_RANGE".

    "Indicates that the capacity range is not allowed by the Plugin, for
    example when trying to create a volume smaller than the source
    snapshot".
    """
    snapshot = _snapshot_of_a_new_volume(driver, resources)
    if snapshot.size_bytes < 2:  # a limit below it must stay positive
        pytest.skip("capability: the snapshot's size_bytes is not reported")
    smaller = CapacityRange(limit_bytes=snapshot.size_bytes - 1)
    with pytest.raises(podkit.OutOfRangeError):
        resources.create_volume(
            unique_name("restored"),
            capacity_range=smaller,
            source=SnapshotSource(snapshot.snapshot_id),
        )


@pytest.mark.root
def test_a_volume_from_a_snapshot_holds_the_data_of_that_point_in_time(
    driver: Driver, resources: Resources, workdir: Path
) -> None:
    """CSI CreateVolume from a snapshot: the volume holds the snapshotted data.

    ``content_source``: "indicates that the volume is not empty and is
    pre-populated with data from the specified source"; the snapshot is
    "point-in-time" (``creation_time``: "Timestamp when the point-in-time
    snapshot is taken"), so a later write to the source is not in it.
    """
    driver.require(CREATE, SNAPSHOT)
    source = _published_with_data(resources, workdir, b"snapshotted")
    snapshot = resources.create_snapshot(source.volume_id, unique_name("snapshot"))
    (workdir / "source" / "pkt-data").write_bytes(b"written after the snapshot")
    restored = _publish_new_volume(resources, workdir, SnapshotSource(snapshot.snapshot_id))
    assert (restored / "pkt-data").read_bytes() == b"snapshotted"


# -- clones -----------------------------------------------------------------------------


def test_create_volume_from_another_volume_succeeds(driver: Driver, resources: Resources) -> None:
    """CSI CreateVolume: a volume may be created "From an existing volume".

    "When plugin supports cloning, and reports the OPTIONAL capabilities
    ``CREATE_DELETE_VOLUME`` and ``CLONE_VOLUME``."
    """
    driver.require(CREATE, CLONE)
    original = resources.create_volume(unique_name("volume"))
    source = VolumeSource(original.volume_id)
    clone = resources.create_volume(unique_name("clone"), source=source)
    assert clone.volume_id != original.volume_id
    assert clone.content_source in {None, source}


def test_create_volume_from_a_missing_volume_is_not_found(
    driver: Driver, resources: Resources
) -> None:
    """CSI CreateVolume: "Source does not exist | 5 NOT_FOUND", for a clone's source too."""
    driver.require(CREATE, CLONE)
    with pytest.raises(podkit.NotFoundError):
        resources.create_volume(unique_name("clone"), source=VolumeSource(unique_name("missing")))


@pytest.mark.root
def test_a_clone_holds_the_data_of_its_source(
    driver: Driver, resources: Resources, workdir: Path
) -> None:
    """CSI CreateVolume from a volume: the clone holds the data of its source.

    ``content_source``: "indicates that the volume is not empty and is
    pre-populated with data from the specified source".
    """
    driver.require(CREATE, CLONE)
    source = _published_with_data(resources, workdir, b"cloned")
    clone = _publish_new_volume(resources, workdir, VolumeSource(source.volume_id))
    assert (clone / "pkt-data").read_bytes() == b"cloned"


def _published_with_data(resources: Resources, workdir: Path, data: bytes) -> NodeVolume:
    """A new volume, published at ``workdir/source`` with ``data`` in its file ``pkt-data``."""
    volume = resources.prepare_on_node(unique_name("volume"), workdir)
    resources.publish(volume, workdir / "source")
    (workdir / "source" / "pkt-data").write_bytes(data)
    return volume


def _publish_new_volume(resources: Resources, workdir: Path, source: VolumeContentSource) -> Path:
    """A new volume from ``source``, published; returns where."""
    created = resources.create_volume(unique_name("volume"), source=source)
    target = workdir / unique_name("target")
    resources.publish(resources.prepare_on_node(created, workdir), target)
    return target

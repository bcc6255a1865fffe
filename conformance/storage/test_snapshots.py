"""CSI Controller service, snapshots: CreateSnapshot, DeleteSnapshot, ListSnapshots.

Needs CREATE_DELETE_SNAPSHOT (with CREATE_DELETE_VOLUME, to have a source
volume); listing needs LIST_SNAPSHOTS. Volumes created from snapshots are
in ``test_content_sources``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.storage._driver import unique_name
from podkit.models.storage import ControllerServiceCapability

if TYPE_CHECKING:
    from podkit.conformance.storage._driver import Driver
    from podkit.conformance.storage._resources import Resources
    from podkit.models.storage import Snapshot

CREATE = ControllerServiceCapability.CREATE_DELETE_VOLUME
SNAPSHOT = ControllerServiceCapability.CREATE_DELETE_SNAPSHOT
LIST = ControllerServiceCapability.LIST_SNAPSHOTS


def _snapshot_of_a_new_volume(driver: Driver, resources: Resources) -> Snapshot:
    driver.require(CREATE, SNAPSHOT)
    volume = resources.create_volume(unique_name("volume"))
    return resources.create_snapshot(volume.volume_id, unique_name("snapshot"))


# -- CreateSnapshot ---------------------------------------------------------------------


def test_create_snapshot_returns_a_snapshot_of_the_source_volume(
    driver: Driver, resources: Resources
) -> None:
    """CSI CreateSnapshot: the snapshot names its id, its source volume and its time.

    ``snapshot_id``, ``source_volume_id`` and ``creation_time``: "This field
    is REQUIRED"; ``source_volume_id`` is "Identity information for the
    source volume".
    """
    driver.require(CREATE, SNAPSHOT)
    volume = resources.create_volume(unique_name("volume"))
    snapshot = resources.create_snapshot(volume.volume_id, unique_name("snapshot"))
    assert snapshot.snapshot_id
    assert snapshot.source_volume_id == volume.volume_id
    assert snapshot.creation_time > 0


def test_create_snapshot_twice_with_the_same_name_returns_the_same_snapshot(
    driver: Driver, resources: Resources
) -> None:
    """CSI CreateSnapshot: "This operation MUST be idempotent".

    "If a snapshot corresponding to the specified snapshot ``name`` is
    successfully cut and ready to use ..., the Plugin MUST reply ``0 OK``
    with the corresponding ``CreateSnapshotResponse``."
    """
    driver.require(CREATE, SNAPSHOT)
    volume = resources.create_volume(unique_name("volume"))
    name = unique_name("snapshot")
    first = resources.create_snapshot(volume.volume_id, name)
    second = resources.create_snapshot(volume.volume_id, name)
    assert second.snapshot_id == first.snapshot_id
    assert second.source_volume_id == first.source_volume_id


def test_create_snapshot_with_an_existing_name_and_another_source_is_already_exists(
    driver: Driver, resources: Resources
) -> None:
    """CSI CreateSnapshot: "Snapshot already exists but is incompatible | 6 ALREADY_EXISTS".

    "Indicates that a snapshot corresponding to the specified snapshot
    ``name`` already exists but is incompatible with the specified
    ``volume_id``."
    """
    driver.require(CREATE, SNAPSHOT)
    first = resources.create_volume(unique_name("volume"))
    other = resources.create_volume(unique_name("volume"))
    name = unique_name("snapshot")
    resources.create_snapshot(first.volume_id, name)
    with pytest.raises(podkit.AlreadyExistsError):
        resources.create_snapshot(other.volume_id, name)


def test_create_snapshot_without_a_name_is_an_invalid_argument(
    driver: Driver, resources: Resources
) -> None:
    """CSI CreateSnapshot: ``name`` "This field is REQUIRED for idempotency"."""
    driver.require(CREATE, SNAPSHOT)
    volume = resources.create_volume(unique_name("volume"))
    with pytest.raises(podkit.InvalidArgumentError, match=r"\bname\b"):
        resources.create_snapshot(volume.volume_id, "")


def test_create_snapshot_without_a_source_volume_is_an_invalid_argument(driver: Driver) -> None:
    """CSI CreateSnapshot: ``source_volume_id`` "This field is REQUIRED"."""
    driver.require(SNAPSHOT)
    with pytest.raises(podkit.InvalidArgumentError, match="source_volume_id"):
        driver.target.manager.storage.create_snapshot(driver.name, "", unique_name("snapshot"))


# -- DeleteSnapshot ---------------------------------------------------------------------


def test_delete_snapshot_without_an_id_is_an_invalid_argument(driver: Driver) -> None:
    """CSI DeleteSnapshot: ``snapshot_id`` "This field is REQUIRED"."""
    driver.require(SNAPSHOT)
    with pytest.raises(podkit.InvalidArgumentError, match="snapshot_id"):
        driver.target.manager.storage.delete_snapshot(driver.name, "")


def test_delete_snapshot_of_a_missing_snapshot_succeeds(driver: Driver) -> None:
    """CSI DeleteSnapshot: an unknown snapshot is already deleted.

    "If a snapshot corresponding to the specified ``snapshot_id`` does not
    exist or the artifacts associated with the snapshot do not exist
    anymore, the Plugin MUST reply ``0 OK``."
    """
    driver.require(SNAPSHOT)
    assert driver.target.manager.storage.delete_snapshot(driver.name, unique_name("missing"))


def test_delete_snapshot_twice_succeeds(driver: Driver, resources: Resources) -> None:
    """CSI DeleteSnapshot: "This operation MUST be idempotent"; a second call replies ``0 OK``."""
    snapshot = _snapshot_of_a_new_volume(driver, resources)
    storage = driver.target.manager.storage
    assert storage.delete_snapshot(driver.name, snapshot.snapshot_id)
    assert storage.delete_snapshot(driver.name, snapshot.snapshot_id)


# -- ListSnapshots ----------------------------------------------------------------------


def test_list_snapshots_by_id_lists_that_snapshot(driver: Driver, resources: Resources) -> None:
    """CSI ListSnapshots: ``snapshot_id`` "can be used to list only a specific snapshot"."""
    driver.require(LIST)
    snapshot = _snapshot_of_a_new_volume(driver, resources)
    entries = driver.target.manager.storage.list_snapshots(
        driver.name, snapshot_id=snapshot.snapshot_id
    ).entries
    assert [entry.snapshot.snapshot_id for entry in entries] == [snapshot.snapshot_id]
    assert entries[0].snapshot.source_volume_id == snapshot.source_volume_id


def test_list_snapshots_by_source_volume_lists_its_snapshots(
    driver: Driver, resources: Resources
) -> None:
    """CSI ListSnapshots: ``source_volume_id`` "can be used to list snapshots by volume"."""
    driver.require(LIST)
    snapshot = _snapshot_of_a_new_volume(driver, resources)
    entries = driver.target.manager.storage.list_snapshots(
        driver.name, source_volume_id=snapshot.source_volume_id
    ).entries
    assert snapshot.snapshot_id in {entry.snapshot.snapshot_id for entry in entries}
    assert {entry.snapshot.source_volume_id for entry in entries} == {snapshot.source_volume_id}


def test_list_snapshots_by_an_unknown_id_is_empty(driver: Driver) -> None:
    """CSI ListSnapshots: filtering by a ``snapshot_id`` that does not exist lists nothing.

    ``snapshot_id`` "can be used to list only a specific snapshot"; there is
    none, and the call is no error (the spec lists no NOT_FOUND for it).
    """
    driver.require(LIST)
    result = driver.target.manager.storage.list_snapshots(
        driver.name, snapshot_id=unique_name("missing")
    )
    assert result.entries == ()


def test_list_snapshots_pages_hold_at_most_max_entries(
    driver: Driver, resources: Resources
) -> None:
    """CSI ListSnapshots: ``max_entries`` bounds a page, ``next_token`` leads to the next.

    "If specified (non-zero value), the Plugin MUST NOT return more entries
    than this number in the response. If the actual number of entries is
    more than this number, the Plugin MUST set ``next_token``".
    """
    driver.require(LIST)
    snapshot = _snapshot_of_a_new_volume(driver, resources)
    second = resources.create_snapshot(snapshot.source_volume_id, unique_name("snapshot"))
    storage = driver.target.manager.storage
    seen: list[str] = []
    token = ""
    for _ in range(10_000):
        page = storage.list_snapshots(driver.name, max_entries=1, starting_token=token)
        assert len(page.entries) <= 1
        seen += [entry.snapshot.snapshot_id for entry in page.entries]
        if not (token := page.next_token):
            break
    assert {snapshot.snapshot_id, second.snapshot_id} <= set(seen)
    assert len(seen) == len(set(seen))


def test_list_snapshots_with_an_invalid_starting_token_is_aborted(driver: Driver) -> None:
    """CSI ListSnapshots: "Invalid ``starting_token`` | 10 ABORTED"."""
    driver.require(LIST)
    with pytest.raises(podkit.AbortedError):
        driver.target.manager.storage.list_snapshots(
            driver.name, starting_token=unique_name("invalid-token")
        )


def test_list_snapshots_with_negative_max_entries_is_an_invalid_argument(driver: Driver) -> None:
    """CSI ListSnapshots: ``max_entries`` "The value of this field MUST NOT be negative".

    A request that breaks it is invalid ("3 INVALID_ARGUMENT").
    """
    driver.require(LIST)
    with pytest.raises(podkit.InvalidArgumentError, match="max_entries"):
        driver.target.manager.storage.list_snapshots(driver.name, max_entries=-1)

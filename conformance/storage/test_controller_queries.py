"""CSI Controller service, queries: ListVolumes (with pagination) and GetCapacity.

The driver may know volumes the suite did not create: the tests look for
theirs among the entries and never count the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.storage._driver import MOUNT, unique_name
from podkit.models.storage import ControllerServiceCapability

if TYPE_CHECKING:
    from podkit.conformance.storage._driver import Driver
    from podkit.conformance.storage._resources import Resources

LIST = ControllerServiceCapability.LIST_VOLUMES
CREATE = ControllerServiceCapability.CREATE_DELETE_VOLUME
CAPACITY = ControllerServiceCapability.GET_CAPACITY


def _all_pages(driver: Driver, max_entries: int) -> list[str]:
    """Every volume id, one page of at most ``max_entries`` at a time."""
    storage = driver.target.manager.storage
    ids: list[str] = []
    token = ""
    for _ in range(10_000):  # a bound, lest a driver hand out tokens forever
        page = storage.list_volumes(driver.name, max_entries=max_entries, starting_token=token)
        assert not max_entries or len(page.entries) <= max_entries
        ids += [entry.volume.volume_id for entry in page.entries]
        token = page.next_token
        if not token:
            return ids
    pytest.fail("ListVolumes handed out next_token 10000 times")


def test_list_volumes_lists_a_created_volume(driver: Driver, resources: Resources) -> None:
    """CSI ListVolumes: the list has every volume the plugin knows about.

    "The Plugin SHALL return the information about all the volumes that it
    knows about."
    """
    driver.require(LIST, CREATE)
    volume = resources.create_volume(unique_name("volume"))
    entries = driver.target.manager.storage.list_volumes(driver.name).entries
    listed = {entry.volume.volume_id: entry.volume for entry in entries}
    assert volume.volume_id in listed
    assert listed[volume.volume_id].capacity_bytes == volume.capacity_bytes


def test_list_volumes_pages_hold_at_most_max_entries_and_chain_by_token(
    driver: Driver, resources: Resources
) -> None:
    """CSI ListVolumes: ``max_entries`` bounds a page, ``next_token`` leads to the next one.

    "If specified (non-zero value), the Plugin MUST NOT return more entries
    than this number in the response. If the actual number of entries is
    more than this number, the Plugin MUST set ``next_token`` in the
    response which can be used to get the next page of entries in the
    subsequent ``ListVolumes`` call."
    """
    driver.require(LIST, CREATE)
    created = [resources.create_volume(unique_name("volume")).volume_id for _ in range(3)]
    everything = _all_pages(driver, 0)
    assert set(created) <= set(everything)
    for size in (1, 2):
        paged = _all_pages(driver, size)
        assert sorted(paged) == sorted(everything)  # nothing lost, nothing twice


def test_list_volumes_with_an_invalid_starting_token_is_aborted(driver: Driver) -> None:
    """CSI ListVolumes: "Invalid ``starting_token`` | 10 ABORTED"."""
    driver.require(LIST)
    with pytest.raises(podkit.AbortedError):
        driver.target.manager.storage.list_volumes(
            driver.name, starting_token=unique_name("invalid-token")
        )


def test_list_volumes_with_negative_max_entries_is_an_invalid_argument(driver: Driver) -> None:
    """CSI ListVolumes: ``max_entries`` "The value of this field MUST NOT be negative".

    A request that breaks it is invalid ("3 INVALID_ARGUMENT").
    """
    driver.require(LIST)
    with pytest.raises(podkit.InvalidArgumentError, match="max_entries"):
        driver.target.manager.storage.list_volumes(driver.name, max_entries=-1)


def test_get_capacity_answers_with_and_without_capabilities(driver: Driver) -> None:
    """CSI GetCapacity: ``available_capacity`` "MUST NOT be negative", with or without filters.

    ``volume_capabilities``: "If specified, the Plugin SHALL report the
    capacity of the storage that can be used to provision volumes that
    satisfy ALL of the specified ``volume_capabilities``."
    """
    driver.require(CAPACITY)
    storage = driver.target.manager.storage
    for result in (storage.get_capacity(driver.name), storage.get_capacity(driver.name, (MOUNT,))):
        assert result.available_capacity >= 0
        if result.maximum_volume_size is not None and result.minimum_volume_size is not None:
            assert result.minimum_volume_size <= result.maximum_volume_size

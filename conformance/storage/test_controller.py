"""CSI Controller service, volumes: CreateVolume, DeleteVolume, ValidateVolumeCapabilities.

Each test needs the capability it names (CONTROLLER_SERVICE first); a
driver that does not advertise it is skipped. Volumes are named ``pkt-...``
and deleted after each test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.storage._driver import MOUNT, unique_name
from podkit.models.storage import CapacityRange, ControllerServiceCapability, PluginService

if TYPE_CHECKING:
    from podkit.conformance.storage._driver import Driver
    from podkit.conformance.storage._resources import Resources

CREATE = ControllerServiceCapability.CREATE_DELETE_VOLUME
MIB = 1 << 20


# -- CreateVolume -----------------------------------------------------------------------


def test_create_volume_without_a_name_is_an_invalid_argument(driver: Driver) -> None:
    """CSI CreateVolume: ``name`` "This field is REQUIRED"; missing, INVALID_ARGUMENT naming it.

    Error scheme: "Missing required field | 3 INVALID_ARGUMENT | Indicates
    that a required field is missing from the request."
    """
    driver.require(CREATE)
    with pytest.raises(podkit.InvalidArgumentError, match=r"\bname\b"):
        driver.target.manager.storage.create_volume(driver.name, "", None, (MOUNT,))


def test_create_volume_without_capabilities_is_an_invalid_argument(driver: Driver) -> None:
    """CSI CreateVolume: ``volume_capabilities`` "This field is REQUIRED".

    Missing, the answer is INVALID_ARGUMENT naming the field ("Missing
    required field").
    """
    driver.require(CREATE)
    with pytest.raises(podkit.InvalidArgumentError, match="volume_capabilities"):
        driver.target.manager.storage.create_volume(driver.name, unique_name("volume"), None, ())


def test_create_volume_returns_a_volume_with_an_id(driver: Driver, resources: Resources) -> None:
    """CSI CreateVolume: the response's volume has a ``volume_id`` ("This field is REQUIRED")."""
    driver.require(CREATE)
    volume = resources.create_volume(unique_name("volume"))
    assert volume.volume_id
    assert volume.capacity_bytes >= 0


def test_create_volume_honours_the_capacity_range(driver: Driver, resources: Resources) -> None:
    """CSI CreateVolume: ``capacity_range`` "If specified it MUST always be honored".

    The volume's ``capacity_bytes``, when known (non-zero), lies within
    ``required_bytes`` and ``limit_bytes``.
    """
    driver.require(CREATE)
    wanted = CapacityRange(required_bytes=MIB, limit_bytes=64 * MIB)
    volume = resources.create_volume(unique_name("volume"), capacity_range=wanted)
    if volume.capacity_bytes:
        assert MIB <= volume.capacity_bytes <= 64 * MIB


def test_create_volume_twice_with_the_same_name_returns_the_same_volume(
    driver: Driver, resources: Resources
) -> None:
    """CSI CreateVolume: "This operation MUST be idempotent".

    "If a volume corresponding to the specified volume ``name`` already
    exists, ... and is compatible with the specified ``capacity_range``,
    ``volume_capabilities``, ``parameters`` and ``mutable_parameters`` in the
    ``CreateVolumeRequest``, the Plugin MUST reply ``0 OK`` with the
    corresponding ``CreateVolumeResponse``."
    """
    driver.require(CREATE)
    name = unique_name("volume")
    wanted = CapacityRange(required_bytes=MIB)
    first = resources.create_volume(name, capacity_range=wanted)
    second = resources.create_volume(name, capacity_range=wanted)
    assert second.volume_id == first.volume_id
    assert second.capacity_bytes == first.capacity_bytes
    assert second.volume_context == first.volume_context


def test_create_volume_with_an_existing_name_and_another_capacity_is_already_exists(
    driver: Driver, resources: Resources
) -> None:
    """CSI CreateVolume: "Volume already exists but is incompatible | 6 ALREADY_EXISTS".

    "Indicates that a volume corresponding to the specified volume ``name``
    already exists but is incompatible with the specified ``capacity_range``".
    """
    driver.require(CREATE)
    name = unique_name("volume")
    first = resources.create_volume(name, capacity_range=CapacityRange(required_bytes=MIB))
    bigger = CapacityRange(required_bytes=2 * (first.capacity_bytes or MIB))
    with pytest.raises(podkit.AlreadyExistsError):
        resources.create_volume(name, capacity_range=bigger)


def test_create_volume_larger_than_the_maximum_size_is_out_of_range(
    driver: Driver, resources: Resources
) -> None:
    """CSI CreateVolume: "Unsupported ``capacity_range`` | 11 OUT_OF_RANGE".

    GetCapacity's ``maximum_volume_size`` is "The largest size that may be
    used in a CreateVolumeRequest.capacity_range.required_bytes field"; one
    byte more "is not allowed by the Plugin".
    """
    driver.require(CREATE, ControllerServiceCapability.GET_CAPACITY)
    capacity = driver.target.manager.storage.get_capacity(driver.name, (MOUNT,))
    if capacity.maximum_volume_size is None:
        pytest.skip("capability: GetCapacity reports no maximum_volume_size")
    too_big = CapacityRange(required_bytes=capacity.maximum_volume_size + 1)
    with pytest.raises(podkit.OutOfRangeError):
        resources.create_volume(unique_name("volume"), capacity_range=too_big)


def test_create_volume_below_the_minimum_size_is_out_of_range(
    driver: Driver, resources: Resources
) -> None:
    """CSI CreateVolume: "Unsupported ``capacity_range`` | 11 OUT_OF_RANGE".

    GetCapacity's ``minimum_volume_size`` is "The smallest size that may be
    used in a CreateVolumeRequest.capacity_range.limit_bytes field"; one
    byte less "is not allowed by the Plugin".
    """
    driver.require(CREATE, ControllerServiceCapability.GET_CAPACITY)
    capacity = driver.target.manager.storage.get_capacity(driver.name, (MOUNT,))
    minimum = capacity.minimum_volume_size or 0
    if minimum < 2:  # a limit below it must stay positive
        pytest.skip("capability: GetCapacity reports no minimum_volume_size above 1")
    too_small = CapacityRange(limit_bytes=minimum - 1)
    with pytest.raises(podkit.OutOfRangeError):
        resources.create_volume(unique_name("volume"), capacity_range=too_small)


# -- DeleteVolume -----------------------------------------------------------------------


def test_delete_volume_without_an_id_is_an_invalid_argument(driver: Driver) -> None:
    """CSI DeleteVolume: ``volume_id`` "This field is REQUIRED"; missing, INVALID_ARGUMENT."""
    driver.require(CREATE)
    with pytest.raises(podkit.InvalidArgumentError, match="volume_id"):
        driver.target.manager.storage.delete_volume(driver.name, "")


def test_delete_volume_of_a_missing_volume_succeeds(driver: Driver) -> None:
    """CSI DeleteVolume: an unknown volume is already deleted.

    "If a volume corresponding to the specified ``volume_id`` does not exist
    or the artifacts associated with the volume do not exist anymore, the
    Plugin MUST reply ``0 OK``."
    """
    driver.require(CREATE)
    assert driver.target.manager.storage.delete_volume(driver.name, unique_name("missing"))


def test_delete_volume_twice_succeeds(driver: Driver, resources: Resources) -> None:
    """CSI DeleteVolume: "This operation MUST be idempotent"; a second call replies ``0 OK``."""
    driver.require(CREATE)
    volume = resources.create_volume(unique_name("volume"))
    storage = driver.target.manager.storage
    assert storage.delete_volume(driver.name, volume.volume_id)
    assert storage.delete_volume(driver.name, volume.volume_id)


def test_a_deleted_volume_is_no_longer_listed(driver: Driver, resources: Resources) -> None:
    """CSI DeleteVolume and ListVolumes: a deleted volume is gone from the list.

    ListVolumes "SHALL return the information about all the volumes that
    it knows about"; DeleteVolume deprovisions the volume.
    """
    driver.require(CREATE, ControllerServiceCapability.LIST_VOLUMES)
    volume = resources.create_volume(unique_name("volume"))
    storage = driver.target.manager.storage
    storage.delete_volume(driver.name, volume.volume_id)
    listed = {e.volume.volume_id for e in storage.list_volumes(driver.name).entries}
    assert volume.volume_id not in listed


# -- ValidateVolumeCapabilities ---------------------------------------------------------


def test_validate_volume_capabilities_confirms_those_the_volume_was_created_with(
    driver: Driver, resources: Resources
) -> None:
    """CSI ValidateVolumeCapabilities: a volume has the capabilities it was created with.

    CreateVolume: "SP MUST provision a volume that will satisfy ALL of the
    capabilities specified in this list"; ValidateVolumeCapabilities "SHALL
    return ``confirmed`` only if all the volume capabilities specified in the
    request are supported", and the CO compares them with the requested ones.
    """
    driver.require(CREATE)
    volume = resources.create_volume(unique_name("volume"))
    result = driver.target.manager.storage.validate_volume_capabilities(
        driver.name, volume.volume_id, volume.volume_context, (MOUNT,)
    )
    assert result.confirmed is not None, result.message
    assert result.confirmed.volume_capabilities == (MOUNT,)


def test_validate_volume_capabilities_of_a_missing_volume_is_not_found(driver: Driver) -> None:
    """CSI ValidateVolumeCapabilities: "Volume does not exist | 5 NOT_FOUND".

    "A Controller Plugin MUST implement this RPC call."
    """
    driver.require(PluginService.CONTROLLER_SERVICE)
    with pytest.raises(podkit.NotFoundError):
        driver.target.manager.storage.validate_volume_capabilities(
            driver.name, unique_name("missing"), {}, (MOUNT,)
        )


def test_validate_volume_capabilities_without_an_id_is_an_invalid_argument(
    driver: Driver,
) -> None:
    """CSI ValidateVolumeCapabilities: ``volume_id`` "This field is REQUIRED"."""
    driver.require(PluginService.CONTROLLER_SERVICE)
    with pytest.raises(podkit.InvalidArgumentError, match="volume_id"):
        driver.target.manager.storage.validate_volume_capabilities(driver.name, "", {}, (MOUNT,))


def test_validate_volume_capabilities_without_capabilities_is_an_invalid_argument(
    driver: Driver, resources: Resources
) -> None:
    """CSI ValidateVolumeCapabilities: ``volume_capabilities`` "This field is REQUIRED"."""
    driver.require(CREATE)
    volume = resources.create_volume(unique_name("volume"))
    with pytest.raises(podkit.InvalidArgumentError, match="volume_capabilities"):
        driver.target.manager.storage.validate_volume_capabilities(
            driver.name, volume.volume_id, volume.volume_context, ()
        )

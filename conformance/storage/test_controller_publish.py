"""CSI Controller service: ControllerPublishVolume, ControllerGetVolume, ControllerExpandVolume.

RPCs of network-attached storage; podkit's reference drivers serve one node
and advertise none of them, so these tests check drivers reached over CSI.
Each needs its capability (PUBLISH_UNPUBLISH_VOLUME, GET_VOLUME,
EXPAND_VOLUME) with CREATE_DELETE_VOLUME, to have a volume.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.storage._driver import MOUNT, unique_name
from podkit.conformance.storage._resources import NodeVolume
from podkit.models.storage import CapacityRange, ControllerServiceCapability

if TYPE_CHECKING:
    from podkit.conformance.storage._driver import Driver
    from podkit.conformance.storage._resources import Resources
    from podkit.models.storage import Volume

CREATE = ControllerServiceCapability.CREATE_DELETE_VOLUME
PUBLISH = ControllerServiceCapability.PUBLISH_UNPUBLISH_VOLUME
MIB = 1 << 20


def _node_id(driver: Driver) -> str:
    return driver.target.manager.storage.node_get_info(driver.name).node_id


def _publish(driver: Driver, volume_id: str, node_id: str) -> object:
    return driver.target.manager.storage.controller_publish_volume(
        driver.name, volume_id, node_id, MOUNT, readonly=False
    )


def _new_volume(
    driver: Driver, resources: Resources, *needs: ControllerServiceCapability
) -> Volume:
    driver.require(CREATE, *needs)
    return resources.create_volume(unique_name("volume"))


# -- ControllerPublishVolume, ControllerUnpublishVolume --------------------------------


def test_controller_publish_without_a_volume_id_is_an_invalid_argument(driver: Driver) -> None:
    """CSI ControllerPublishVolume: ``volume_id`` "This field is REQUIRED"."""
    driver.require(PUBLISH)
    with pytest.raises(podkit.InvalidArgumentError, match="volume_id"):
        _publish(driver, "", _node_id(driver))


def test_controller_publish_without_a_node_id_is_an_invalid_argument(
    driver: Driver, resources: Resources
) -> None:
    """CSI ControllerPublishVolume: ``node_id`` "This field is REQUIRED"."""
    volume = _new_volume(driver, resources, PUBLISH)
    with pytest.raises(podkit.InvalidArgumentError, match="node_id"):
        _publish(driver, volume.volume_id, "")


def test_controller_publish_of_a_missing_volume_is_not_found(driver: Driver) -> None:
    """CSI ControllerPublishVolume: "Volume does not exist | 5 NOT_FOUND"."""
    driver.require(PUBLISH)
    with pytest.raises(podkit.NotFoundError):
        _publish(driver, unique_name("missing"), _node_id(driver))


def test_controller_publish_to_a_missing_node_is_not_found(
    driver: Driver, resources: Resources
) -> None:
    """CSI ControllerPublishVolume: "Node does not exist | 5 NOT_FOUND"."""
    volume = _new_volume(driver, resources, PUBLISH)
    with pytest.raises(podkit.NotFoundError):
        _publish(driver, volume.volume_id, unique_name("missing-node"))


def test_controller_publish_twice_with_the_same_arguments_succeeds(
    driver: Driver, resources: Resources
) -> None:
    """CSI ControllerPublishVolume: "This operation MUST be idempotent".

    "If the volume corresponding to the ``volume_id`` has already been
    published at the node corresponding to the ``node_id``, and is
    compatible with the specified ``volume_capability`` and ``readonly``
    flag, the Plugin MUST reply ``0 OK``."
    """
    volume = _new_volume(driver, resources, PUBLISH)
    node_id = _node_id(driver)
    first = resources.controller_publish(_as_node_volume(volume))
    assert resources.controller_publish(_as_node_volume(volume)) == first
    assert driver.target.manager.storage.controller_unpublish_volume(
        driver.name, volume.volume_id, node_id
    )


def test_controller_unpublish_of_a_volume_not_published_succeeds_twice(
    driver: Driver, resources: Resources
) -> None:
    """CSI ControllerUnpublishVolume: not attached to the node is success.

    "This operation MUST be idempotent. If the volume corresponding to the
    ``volume_id`` is not attached to the node corresponding to the
    ``node_id``, the Plugin MUST reply ``0 OK``."
    """
    volume = _new_volume(driver, resources, PUBLISH)
    storage, node_id = driver.target.manager.storage, _node_id(driver)
    assert storage.controller_unpublish_volume(driver.name, volume.volume_id, node_id)
    assert storage.controller_unpublish_volume(driver.name, volume.volume_id, node_id)


# -- ControllerGetVolume --------------------------------------------------------------


def test_controller_get_volume_reports_the_volume(driver: Driver, resources: Resources) -> None:
    """CSI ControllerGetVolume: it "should contain current information of a volume if it exists".

    The volume is the one CreateVolume returned: "A volume uniquely
    identified by ``volume_id`` SHALL always report the same volume_context."
    """
    volume = _new_volume(driver, resources, ControllerServiceCapability.GET_VOLUME)
    result = driver.target.manager.storage.controller_get_volume(driver.name, volume.volume_id)
    assert result.volume.volume_id == volume.volume_id
    assert result.volume.volume_context == volume.volume_context


def test_controller_get_volume_without_an_id_is_an_invalid_argument(driver: Driver) -> None:
    """CSI ControllerGetVolume: ``volume_id`` "This field is REQUIRED"."""
    driver.require(ControllerServiceCapability.GET_VOLUME)
    with pytest.raises(podkit.InvalidArgumentError, match="volume_id"):
        driver.target.manager.storage.controller_get_volume(driver.name, "")


# -- ControllerExpandVolume -----------------------------------------------------------


def test_controller_expand_volume_grows_it_to_the_required_size(
    driver: Driver, resources: Resources
) -> None:
    """CSI ControllerExpandVolume: the new capacity honours ``capacity_range``.

    ``capacity_range``: "This allows CO to specify the capacity requirements
    of the volume after expansion"; ``capacity_bytes``: "Capacity of volume
    after expansion".
    """
    driver.require(CREATE, ControllerServiceCapability.EXPAND_VOLUME)
    volume = resources.create_volume(
        unique_name("volume"), capacity_range=CapacityRange(required_bytes=MIB)
    )
    wanted = 2 * max(volume.capacity_bytes, MIB)
    result = driver.target.manager.storage.controller_expand_volume(
        driver.name, volume.volume_id, CapacityRange(required_bytes=wanted)
    )
    assert result.capacity_bytes >= wanted


def test_controller_expand_of_a_missing_volume_is_not_found(driver: Driver) -> None:
    """CSI ControllerExpandVolume: "Volume does not exist | 5 NOT_FOUND"."""
    driver.require(ControllerServiceCapability.EXPAND_VOLUME)
    with pytest.raises(podkit.NotFoundError):
        driver.target.manager.storage.controller_expand_volume(
            driver.name, unique_name("missing"), CapacityRange(required_bytes=MIB)
        )


def test_controller_expand_without_a_volume_id_is_an_invalid_argument(driver: Driver) -> None:
    """CSI ControllerExpandVolume: ``volume_id`` "This field is REQUIRED"."""
    driver.require(ControllerServiceCapability.EXPAND_VOLUME)
    with pytest.raises(podkit.InvalidArgumentError, match="volume_id"):
        driver.target.manager.storage.controller_expand_volume(
            driver.name, "", CapacityRange(required_bytes=MIB)
        )


def _as_node_volume(volume: Volume) -> NodeVolume:
    return NodeVolume(volume_id=volume.volume_id, volume_context=volume.volume_context)

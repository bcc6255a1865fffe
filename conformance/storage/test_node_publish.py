"""CSI Node service: NodePublishVolume and NodeUnpublishVolume.

Tests marked ``root`` mount: they get a volume from the ``node_volume``
fixture (created, controller-published and staged as the driver advertises)
and publish it under a fresh directory; the cleanup registry unpublishes,
unstages and deletes it after the test.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.storage._driver import MOUNT, unique_name
from podkit.conformance.storage._host import is_mount_point
from podkit.models.storage import (
    AccessMode,
    ControllerServiceCapability,
    MountVolume,
    NodeServiceCapability,
    PluginService,
    VolumeCapability,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from podkit.conformance.storage._driver import Driver
    from podkit.conformance.storage._resources import NodeVolume, Resources


# -- NodePublishVolume ------------------------------------------------------------------


@pytest.mark.root
def test_node_publish_without_a_volume_id_is_an_invalid_argument(
    driver: Driver, node_volume: NodeVolume, workdir: Path
) -> None:
    """CSI NodePublishVolume: ``volume_id`` "This field is REQUIRED"; missing, INVALID_ARGUMENT."""
    target = workdir / "target"
    with pytest.raises(podkit.InvalidArgumentError, match="volume_id"):
        driver.target.manager.storage.node_publish_volume(
            driver.name,
            "",
            node_volume.publish_context,
            node_volume.staging_target_path,
            str(target),
            MOUNT,
            readonly=False,
            volume_context=node_volume.volume_context,
        )


@pytest.mark.root
def test_node_publish_without_a_target_path_is_an_invalid_argument(
    driver: Driver, node_volume: NodeVolume
) -> None:
    """CSI NodePublishVolume: ``target_path`` "This is a REQUIRED field"."""
    with pytest.raises(podkit.InvalidArgumentError, match="target_path"):
        driver.target.manager.storage.node_publish_volume(
            driver.name,
            node_volume.volume_id,
            node_volume.publish_context,
            node_volume.staging_target_path,
            "",
            MOUNT,
            readonly=False,
            volume_context=node_volume.volume_context,
        )


@pytest.mark.root
def test_node_publish_of_a_missing_volume_is_not_found(
    driver: Driver, node_volume: NodeVolume, resources: Resources, workdir: Path
) -> None:
    """CSI NodePublishVolume: "Volume does not exist | 5 NOT_FOUND".

    Checked for drivers that create their volumes (CREATE_DELETE_VOLUME);
    the request is otherwise valid (staged path included, when staging).
    """
    driver.require(ControllerServiceCapability.CREATE_DELETE_VOLUME)
    target = workdir / "target"
    missing = unique_name("missing")
    resources.track_publication(missing, str(target))
    with pytest.raises(podkit.NotFoundError):
        driver.target.manager.storage.node_publish_volume(
            driver.name,
            missing,
            node_volume.publish_context,
            node_volume.staging_target_path,
            str(target),
            MOUNT,
            readonly=False,
        )


@pytest.mark.root
def test_node_publish_mounts_a_writable_directory_at_the_target(
    node_volume: NodeVolume, resources: Resources, workdir: Path
) -> None:
    """CSI NodePublishVolume: the SP creates ``target_path`` and places the volume there.

    "For volumes with an access type of mount, the SP SHALL place the
    mounted directory at target_path. Creation of target_path is the
    responsibility of the SP." Published read/write (``readonly`` false), a
    workload can write to it.
    """
    target = workdir / "target"
    resources.publish(node_volume, target)
    assert target.is_dir()
    assert is_mount_point(target)
    (target / "pkt-written").write_bytes(b"podkit")
    assert (target / "pkt-written").read_bytes() == b"podkit"
    (target / "pkt-written").unlink()


@pytest.mark.root
def test_node_publish_twice_with_the_same_arguments_succeeds(
    node_volume: NodeVolume, resources: Resources, workdir: Path
) -> None:
    """CSI NodePublishVolume: "This operation MUST be idempotent".

    "If the volume corresponding to the ``volume_id`` has already been
    published at the specified ``target_path``, and is compatible with the
    specified ``volume_capability`` and ``readonly`` flag, the Plugin MUST
    reply ``0 OK``."
    """
    target = workdir / "target"
    resources.publish(node_volume, target)
    resources.publish(node_volume, target)
    assert is_mount_point(target)


@pytest.mark.root
def test_node_publish_again_with_another_readonly_flag_is_already_exists(
    node_volume: NodeVolume, resources: Resources, workdir: Path
) -> None:
    """CSI NodePublishVolume: "Volume published but is incompatible | 6 ALREADY_EXISTS".

    "Indicates that a volume corresponding to the specified ``volume_id``
    has already been published at the specified ``target_path`` but is
    incompatible with the specified ``volume_capability`` or ``readonly``
    flag."
    """
    target = workdir / "target"
    resources.publish(node_volume, target)
    with pytest.raises(podkit.AlreadyExistsError):
        resources.publish(node_volume, target, readonly=True)


@pytest.mark.root
def test_node_publish_readonly_refuses_writes_with_erofs(
    node_volume: NodeVolume, resources: Resources, workdir: Path
) -> None:
    """CSI NodePublishVolume: ``readonly`` "Indicates SP MUST publish the volume in readonly mode".

    A workload's write fails as on any read-only filesystem: ``EROFS``.
    """
    target = workdir / "target"
    resources.publish(node_volume, target, readonly=True)
    assert is_mount_point(target)
    with pytest.raises(OSError, match="Read-only") as raised:
        (target / "pkt-written").write_bytes(b"podkit")
    assert raised.value.errno == errno.EROFS


# -- NodeUnpublishVolume ----------------------------------------------------------------


@pytest.mark.root
def test_node_unpublish_unmounts_and_removes_the_target(
    driver: Driver, node_volume: NodeVolume, resources: Resources, workdir: Path
) -> None:
    """CSI NodeUnpublishVolume: it undoes NodePublishVolume, the target directory included.

    "This RPC MUST undo the work by the corresponding ``NodePublishVolume``."
    ``target_path``: "The SP MUST delete the file or directory it created at
    this path."
    """
    target = workdir / "target"
    resources.publish(node_volume, target)
    assert driver.target.manager.storage.node_unpublish_volume(
        driver.name, node_volume.volume_id, str(target)
    )
    assert not is_mount_point(target)
    assert not target.exists()


@pytest.mark.root
def test_node_unpublish_of_a_missing_target_succeeds_twice(
    driver: Driver, node_volume: NodeVolume, workdir: Path
) -> None:
    """CSI NodeUnpublishVolume: "This operation MUST be idempotent".

    "If this RPC failed, or the CO does not know if it failed or not, it can
    choose to call ``NodeUnpublishVolume`` again": nothing published at the
    target is success, again and again.
    """
    storage = driver.target.manager.storage
    target = str(workdir / unique_name("never-published"))
    assert storage.node_unpublish_volume(driver.name, node_volume.volume_id, target)
    assert storage.node_unpublish_volume(driver.name, node_volume.volume_id, target)


@pytest.mark.root
def test_node_unpublish_without_a_volume_id_is_an_invalid_argument(
    driver: Driver, workdir: Path
) -> None:
    """CSI NodeUnpublishVolume: ``volume_id`` "This field is REQUIRED"."""
    with pytest.raises(podkit.InvalidArgumentError, match="volume_id"):
        driver.target.manager.storage.node_unpublish_volume(
            driver.name, "", str(workdir / "target")
        )


@pytest.mark.root
def test_node_unpublish_without_a_target_path_is_an_invalid_argument(driver: Driver) -> None:
    """CSI NodeUnpublishVolume: ``target_path`` "This is a REQUIRED field"."""
    with pytest.raises(podkit.InvalidArgumentError, match="target_path"):
        driver.target.manager.storage.node_unpublish_volume(driver.name, unique_name("volume"), "")


# -- several publications ---------------------------------------------------------------


@pytest.mark.root
def test_a_single_node_multi_writer_volume_is_published_at_two_targets(
    driver: Driver,
    make_node_volume: Callable[[VolumeCapability], NodeVolume],
    resources: Resources,
    workdir: Path,
) -> None:
    """CSI NodePublishVolume: a SINGLE_NODE_MULTI_WRITER volume may be published twice.

    "This RPC MAY be called by the CO multiple times on the same node for
    the same volume with a possibly different ``target_path`` and/or other
    arguments if the volume supports either ``MULTI_NODE_...`` or
    ``SINGLE_NODE_MULTI_WRITER`` access modes"; the second table's answer for
    another target path is ``OK``. Both targets show the same data.
    """
    driver.require(NodeServiceCapability.SINGLE_NODE_MULTI_WRITER)
    if driver.has(PluginService.CONTROLLER_SERVICE):
        driver.require(ControllerServiceCapability.SINGLE_NODE_MULTI_WRITER)
    shared = VolumeCapability(
        access_type=MountVolume(), access_mode=AccessMode.SINGLE_NODE_MULTI_WRITER
    )
    volume = make_node_volume(shared)
    first, second = workdir / "first", workdir / "second"
    resources.publish(volume, first)
    resources.publish(volume, second)
    (first / "pkt-written").write_bytes(b"podkit")
    assert (second / "pkt-written").read_bytes() == b"podkit"
    (second / "pkt-written").unlink()

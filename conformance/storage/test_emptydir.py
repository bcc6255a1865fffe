"""Kubernetes ``emptyDir`` volumes, as the driver ``emptydir.volumes.podkit.dev`` serves them.

Only for that driver; skipped for any other. The rules are the Kubernetes
documentation's ("Volumes", emptyDir); the volume source's fields arrive in
``volume_context`` as the driver documents: ``{"medium": "Memory",
"sizeLimit": "64Mi"}``.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING, Final

import pytest

import podkit
from podkit.conformance.storage._driver import unique_name
from podkit.conformance.storage._host import filesystem_type
from podkit.conformance.storage._resources import NodeVolume
from podkit.models.storage import AccessMode, MountVolume, VolumeCapability

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from podkit.conformance.storage._driver import Driver
    from podkit.conformance.storage._resources import Resources

EMPTYDIR: Final = "emptydir.volumes.podkit.dev"
#: The containers of a pod share the volume: several publications on one node.
SHARED: Final = VolumeCapability(
    access_type=MountVolume(), access_mode=AccessMode.SINGLE_NODE_MULTI_WRITER
)
MIB: Final = 1 << 20

pytestmark = pytest.mark.root


@pytest.fixture
def emptydir(driver: Driver) -> Driver:
    """The driver, if it is podkit's emptyDir driver."""
    if driver.name != EMPTYDIR:
        pytest.skip(f"capability: only for {EMPTYDIR}, not {driver.name}")
    return driver


def volume(context: Mapping[str, str] | None = None, volume_id: str = "") -> NodeVolume:
    """An emptyDir volume of the pod volume ``volume_id`` (a new one by default)."""
    return NodeVolume(
        volume_id=volume_id or unique_name("emptydir"),
        volume_context=context or {},
        capability=SHARED,
    )


@pytest.mark.usefixtures("emptydir")
def test_a_new_emptydir_is_empty_and_writable(resources: Resources, workdir: Path) -> None:
    """Kubernetes emptyDir: "As the name says, the emptyDir volume is initially empty".

    "All containers in the Pod can read and write the same files in the
    emptyDir volume".
    """
    target = workdir / "target"
    resources.publish(volume(), target)
    assert list(target.iterdir()) == []
    (target / "pkt-written").write_bytes(b"podkit")


@pytest.mark.usefixtures("emptydir")
def test_the_publications_of_one_emptydir_share_its_files(
    resources: Resources, workdir: Path
) -> None:
    """Kubernetes emptyDir: "All containers in the Pod can read and write the same files".

    Each container's mount is a publication of the pod's volume (one
    ``volume_id``) at its own target.
    """
    shared = volume()
    first, second = workdir / "first", workdir / "second"
    resources.publish(shared, first)
    resources.publish(shared, second)
    (first / "pkt-written").write_bytes(b"podkit")
    assert (second / "pkt-written").read_bytes() == b"podkit"


def test_the_data_goes_with_the_last_publication(
    emptydir: Driver, resources: Resources, workdir: Path
) -> None:
    """Kubernetes emptyDir: "the data in the emptyDir is deleted permanently" with the pod.

    "When a Pod is removed from a node for any reason, the data in the
    emptyDir is deleted permanently." Published again, the volume is empty.
    """
    pod_volume, target = volume(), workdir / "target"
    resources.publish(pod_volume, target)
    (target / "pkt-written").write_bytes(b"podkit")
    emptydir.target.manager.storage.node_unpublish_volume(
        emptydir.name, pod_volume.volume_id, str(target)
    )
    resources.publish(pod_volume, target)
    assert list(target.iterdir()) == []


@pytest.mark.usefixtures("emptydir")
def test_the_memory_medium_is_a_tmpfs(resources: Resources, workdir: Path) -> None:
    """Kubernetes emptyDir ``medium: Memory``: the volume is a tmpfs.

    "If you set the ``emptyDir.medium`` field to ``"Memory"``, Kubernetes
    mounts a tmpfs (RAM-backed filesystem) for you instead."
    """
    target = workdir / "target"
    resources.publish(volume({"medium": "Memory"}), target)
    assert filesystem_type(target) == "tmpfs"


@pytest.mark.usefixtures("emptydir")
def test_the_size_limit_of_the_memory_medium_refuses_more_with_enospc(
    resources: Resources, workdir: Path
) -> None:
    """Kubernetes emptyDir ``sizeLimit``: "The size limit is also applicable for memory medium".

    "The maximum usage on memory medium EmptyDir would be the minimum value
    between the SizeLimit specified here and the sum of memory limits of all
    containers in a pod": a write beyond it fails as on a full filesystem.
    """
    target = workdir / "target"
    resources.publish(volume({"medium": "Memory", "sizeLimit": "1Mi"}), target)
    (target / "pkt-fits").write_bytes(b"x" * (MIB // 2))
    with pytest.raises(OSError, match="No space") as raised:
        (target / "pkt-too-big").write_bytes(b"x" * MIB)
    assert raised.value.errno == errno.ENOSPC


@pytest.mark.parametrize(
    "context",
    [{"medium": "Floppy"}, {"sizeLimit": "lots"}, {"sizeLimit": "-1Mi"}],
    ids=["unknown-medium", "unparsable-size-limit", "negative-size-limit"],
)
@pytest.mark.usefixtures("emptydir")
def test_an_invalid_volume_source_is_an_invalid_argument(
    resources: Resources, workdir: Path, context: dict[str, str]
) -> None:
    """Kubernetes EmptyDirVolumeSource: ``medium`` is "" or "Memory"; ``sizeLimit`` a quantity.

    An invalid field is CSI's "3 INVALID_ARGUMENT", named in the message.
    """
    with pytest.raises(podkit.InvalidArgumentError, match=next(iter(context))):
        resources.publish(volume(context), workdir / "target")

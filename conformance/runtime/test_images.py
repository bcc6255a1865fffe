"""CRI ImageService: PullImage, ListImages, ImageStatus, RemoveImage, ImageFsInfo.

Each test that pulls serves an image of its own from the suite's registry on
127.0.0.1 (same layers as the test image, another config, so another id), and
removes it: the image the other tests run is never touched.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.runtime._registry import variant_layout
from podkit.models.runtime import ImageFilter, ImageSpec

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from podkit.conformance.plugin import Target
    from podkit.conformance.runtime._registry import LocalRegistry


@pytest.fixture
def own_image(
    runtime_target: Target,
    local_registry: LocalRegistry,
    busybox_layout: Path,
    tmp_path: Path,
) -> Iterator[str]:
    """The reference of an image of this test's own, served and not yet pulled; removed after."""
    name = f"pku/image-{secrets.token_hex(4)}"
    layout = tmp_path / "variant"
    variant_layout(busybox_layout, layout, name)
    local_registry.serve(name, layout)
    reference = local_registry.reference(name, "latest")
    yield reference
    runtime_target.manager.runtime.remove_image(runtime_target.name, ImageSpec(image=reference))


def test_a_pulled_image_is_listed_and_has_a_status(runtime_target: Target, own_image: str) -> None:
    """CRI PullImage returns the ``image_ref``; ListImages and ImageStatus show that image.

    api.proto: the image's ``id`` is what PullImage returned; ``repo_tags``
    hold the reference pulled; ``size`` is > 0 ("size: Size of the image in bytes. Must be > 0").

    ListImages with a filter lists that image alone; containerd 1.6 ignores
    the filter (``ListImages``: "TODO: Add filter support") and lists every
    image, which the kubelet (which never filters) cannot tell apart.
    """
    runtime, handler = runtime_target.manager.runtime, runtime_target.name
    image_ref = runtime.pull_image(handler, ImageSpec(image=own_image))
    assert image_ref
    listed = [i for i in runtime.list_images(handler) if i.id == image_ref]
    assert len(listed) == 1
    status = runtime.image_status(handler, ImageSpec(image=own_image)).image
    assert status is not None
    assert status.id == image_ref
    assert own_image in status.repo_tags
    repository = own_image.rpartition(":")[0]
    assert any(d.startswith(f"{repository}@sha256:") for d in status.repo_digests), status
    assert status.size > 0
    by_filter = runtime.list_images(handler, ImageFilter(image=ImageSpec(image=own_image)))
    filtered = [i.id for i in by_filter]
    unfiltered = [i.id for i in runtime.list_images(handler)]
    assert filtered == [image_ref] or sorted(filtered) == sorted(unfiltered), filtered


def test_pulling_an_image_twice_gives_one_image(runtime_target: Target, own_image: str) -> None:
    """CRI PullImage is idempotent: the same reference pulled again gives the same image id."""
    runtime, handler = runtime_target.manager.runtime, runtime_target.name
    first = runtime.pull_image(handler, ImageSpec(image=own_image))
    second = runtime.pull_image(handler, ImageSpec(image=own_image))
    assert first == second
    assert [i.id for i in runtime.list_images(handler)].count(first) == 1


def test_an_image_pulled_by_digest_is_the_same_image(
    runtime_target: Target, own_image: str, local_registry: LocalRegistry
) -> None:
    """CRI PullImage of ``name@sha256:...`` gives the image its tag names; ImageStatus finds it so.

    ``repo_digests`` (api.proto: "Digests by which this image is known") hold
    that reference.
    """
    runtime, handler = runtime_target.manager.runtime, runtime_target.name
    repository = own_image.rpartition(":")[0]
    name = repository.removeprefix(f"{local_registry.host}/")
    by_digest = f"{repository}@{local_registry.digest_of(name, 'latest')}"
    first = runtime.pull_image(handler, ImageSpec(image=by_digest))
    assert runtime.pull_image(handler, ImageSpec(image=own_image)) == first
    status = runtime.image_status(handler, ImageSpec(image=by_digest)).image
    assert status is not None
    assert status.id == first
    assert by_digest in status.repo_digests


def test_a_removed_image_is_gone(runtime_target: Target, own_image: str) -> None:
    """CRI RemoveImage removes the image; ImageStatus then "returns ... Image set to nil".

    It is listed no more either.
    """
    runtime, handler = runtime_target.manager.runtime, runtime_target.name
    image_ref = runtime.pull_image(handler, ImageSpec(image=own_image))
    assert runtime.remove_image(handler, ImageSpec(image=own_image)) is True
    assert runtime.image_status(handler, ImageSpec(image=own_image)).image is None
    assert image_ref not in {i.id for i in runtime.list_images(handler)}


def test_an_image_is_found_and_removed_by_its_id(runtime_target: Target, own_image: str) -> None:
    """CRI ImageSpec ``image`` may be the image id, as the kubelet's image GC passes it.

    ImageStatus by the id PullImage returned finds the image; RemoveImage by
    it removes the image.
    """
    runtime, handler = runtime_target.manager.runtime, runtime_target.name
    image_ref = runtime.pull_image(handler, ImageSpec(image=own_image))
    status = runtime.image_status(handler, ImageSpec(image=image_ref)).image
    assert status is not None
    assert status.id == image_ref
    assert runtime.remove_image(handler, ImageSpec(image=image_ref)) is True
    assert runtime.image_status(handler, ImageSpec(image=own_image)).image is None


def test_status_of_an_absent_image_is_empty_not_an_error(runtime_target: Target) -> None:
    """CRI ImageStatus of an absent image answers with no image; absence is no error.

    api.proto: "If the image is not present, returns a response with
    ImageStatusResponse.Image set to nil."
    """
    absent = ImageSpec(image=f"127.0.0.1:1/pku/absent-{secrets.token_hex(4)}:latest")
    response = runtime_target.manager.runtime.image_status(runtime_target.name, absent)
    assert response.image is None


def test_removing_an_unknown_image_succeeds(runtime_target: Target) -> None:
    """CRI RemoveImage: "must not return an error if the image has already been removed"."""
    absent = ImageSpec(image=f"127.0.0.1:1/pku/absent-{secrets.token_hex(4)}:latest")
    assert runtime_target.manager.runtime.remove_image(runtime_target.name, absent) is True


def test_pulling_an_image_the_registry_lacks_fails(
    runtime_target: Target, local_registry: LocalRegistry
) -> None:
    """CRI PullImage of a reference the registry does not have fails (NotFound in podkit)."""
    missing = local_registry.reference("pku/busybox", f"missing-{secrets.token_hex(4)}")
    with pytest.raises(podkit.NotFoundError):
        runtime_target.manager.runtime.pull_image(runtime_target.name, ImageSpec(image=missing))


def test_image_fs_info_reports_the_image_filesystem(
    runtime_target: Target, test_image: str
) -> None:
    """CRI ImageFsInfo: "returns information of the filesystem that is used to store images".

    With an image present there is at least one image filesystem, with its
    mountpoint, a timestamp and the bytes and inodes used.
    """
    del test_image  # present, so the store is not empty
    info = runtime_target.manager.runtime.image_fs_info(runtime_target.name)
    assert info.image_filesystems
    usage = info.image_filesystems[0]
    assert usage.fs_id is not None
    assert usage.fs_id.mountpoint
    assert usage.timestamp > 0
    assert usage.used_bytes is not None
    assert usage.used_bytes > 0
    assert usage.inodes_used is not None
    assert usage.inodes_used > 0


def test_removing_an_image_by_one_tag_removes_it_under_all(
    runtime_target: Target, own_image: str, local_registry: LocalRegistry
) -> None:
    """CRI RemoveImage removes the image, not one of its names.

    The image pulled under two references is one image; RemoveImage by one
    of them removes it: ImageStatus by the other then has no image
    (containerd deletes every reference of the image).
    """
    runtime, handler = runtime_target.manager.runtime, runtime_target.name
    name, _, _ = own_image.removeprefix(f"{local_registry.host}/").rpartition(":")
    alias = f"{name}-alias"
    local_registry.serve(alias, local_registry.layout_of(name))
    other = local_registry.reference(alias, "latest")
    first = runtime.pull_image(handler, ImageSpec(image=own_image))
    try:
        assert runtime.pull_image(handler, ImageSpec(image=other)) == first
        runtime.remove_image(handler, ImageSpec(image=own_image))
        assert runtime.image_status(handler, ImageSpec(image=other)).image is None
    finally:
        runtime.remove_image(handler, ImageSpec(image=other))

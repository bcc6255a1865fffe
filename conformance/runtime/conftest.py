"""The runtime suite's fixtures: a test image pulled through CRI, and per-test cleanup.

The suite needs an image that has a shell. If the runtime already holds
``docker.io/library/busybox:latest`` it is used as it is; otherwise the suite
builds one from the node's static busybox (``podkit.testing``), serves it from
a registry of its own on 127.0.0.1 (:mod:`._registry`) and pulls it with CRI
``PullImage``, then removes it at the end. No outside registry or network is
needed, and nothing but CRI calls reach the runtime.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.runtime._pods import Pods
from podkit.conformance.runtime._registry import LocalRegistry
from podkit.models.runtime import ImageSpec
from podkit.testing import DEFAULT_BUSYBOX, build_busybox_image

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from podkit.conformance.plugin import Target

#: Used as it is when the runtime has it.
PRESENT_IMAGE = "docker.io/library/busybox:latest"
#: The repository the suite's own image is served as.
REPOSITORY = "pku/busybox"


@pytest.fixture(scope="session")
def busybox_layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An OCI layout of the node's static busybox, tagged ``latest``."""
    if not DEFAULT_BUSYBOX.exists():
        pytest.skip(f"needs {DEFAULT_BUSYBOX} (apt-get install busybox-static) for a test image")
    layout = tmp_path_factory.mktemp("pku-busybox") / "layout"
    build_busybox_image(layout)
    return layout


@pytest.fixture(scope="session")
def local_registry(busybox_layout: Path) -> Iterator[LocalRegistry]:
    """A registry on 127.0.0.1 serving the busybox layout as ``pku/busybox:latest``."""
    with LocalRegistry() as registry:
        registry.serve(REPOSITORY, busybox_layout)
        yield registry


@pytest.fixture(scope="session")
def test_image(runtime_target: Target, request: pytest.FixtureRequest) -> Iterator[str]:
    """The reference of a busybox image the runtime holds; pulled (and removed) if needed."""
    runtime, handler = runtime_target.manager.runtime, runtime_target.name
    try:
        present = runtime.image_status(handler, ImageSpec(image=PRESENT_IMAGE)).image
    except podkit.PodkitError as exc:
        pytest.fail(f"ImageStatus of {PRESENT_IMAGE} failed: {exc}", pytrace=False)
    if present is not None:
        yield PRESENT_IMAGE
        return
    registry: LocalRegistry = request.getfixturevalue("local_registry")
    reference = registry.reference(REPOSITORY, "latest")
    try:
        runtime.pull_image(handler, ImageSpec(image=reference), None, None)
    except podkit.PodkitError as exc:
        pytest.fail(f"PullImage of the test image {reference} failed: {exc}", pytrace=False)
    try:
        yield reference
    finally:
        with contextlib.suppress(podkit.PodkitError):
            runtime.remove_image(handler, ImageSpec(image=reference))


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the sandboxes' log directories go."""
    return tmp_path_factory.mktemp("pku-logs")


@pytest.fixture
def pods(runtime_target: Target, test_image: str, log_dir: Path) -> Iterator[Pods]:
    """Make sandboxes and containers; all are stopped and removed after the test."""
    made = Pods(runtime_target, test_image, log_dir)
    yield made
    failures = made.cleanup()
    if failures:
        pytest.fail("cleanup failed: " + "; ".join(failures), pytrace=False)

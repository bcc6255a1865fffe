"""What the containerd validation tests share: images, a CNI network, a started containerd.

Every name made on the host starts with ``pkcd`` (bridge, network, temp dirs), so
that a leak is told apart from another test's. The subnet is one of
10.77.0.0/16, picked at random per daemon so that two runs at once do not clash.

A conformance suite run in-process (:func:`run_suite`) shares pytest-timeout's
one ``SIGALRM`` timer with the test that runs it: without a timeout of its own
the suite's tests all ran under the outer test's 120 s, and the run on
podkit-cni (~3 min: a Python start per CNI exec) failed at that mark inside
whichever call was under way, most often the CNI exec of a Run- or
StopPodSandbox (issue #4). The suite's tests get :data:`SUITE_TEST_TIMEOUT`
each instead; each re-arms the timer, so the outer test's own timeout bounds
its set-up only.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest

from podkit.testing import build_busybox_image, require_binary
from podkit.testing.containerd import (
    BUSYBOX_IMAGE,
    UPSTREAM_CNI_DIR,
    BridgeNetwork,
    Containerd,
    build_sandbox_image,
    podkit_cni_bin_dir,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

PREFIX = "pkcd"
#: Seconds each test of an in-process suite may take (pytest-timeout, its own ``--timeout``).
SUITE_TEST_TIMEOUT = 120


@attrs.frozen
class Layouts:
    """The OCI layouts containerd imports: busybox and the sandbox image."""

    busybox: Path
    sandbox: Path


@pytest.fixture(scope="session")
def pkcd_layouts(tmp_path_factory: pytest.TempPathFactory) -> Layouts:
    """The busybox and sandbox image layouts, built once."""
    require_binary("containerd")
    top = tmp_path_factory.mktemp(f"{PREFIX}-layouts")
    busybox = build_busybox_image(top / "busybox", ref_name=BUSYBOX_IMAGE).path
    return Layouts(busybox=busybox, sandbox=build_sandbox_image(top / "sandbox").path)


def bridge_network(top: Path, plugins: str) -> BridgeNetwork:
    """A bridge + host-local network of podkit's plugins (via podkit-cni) or upstream's."""
    tag = secrets.token_hex(3)
    bin_dir = podkit_cni_bin_dir(top / "cni-bin") if plugins == "podkit" else UPSTREAM_CNI_DIR
    return BridgeNetwork(
        name=f"{PREFIX}-net-{tag}",
        bridge=f"{PREFIX}-{tag}",
        subnet=f"10.77.{secrets.randbelow(256)}.0/24",
        data_dir=top / "ipam",
        bin_dir=bin_dir,
    )


def run_suite(
    pytester: pytest.Pytester, *args: str, timeout: float = SUITE_TEST_TIMEOUT
) -> pytest.RunResult:
    """Run a pytest suite in this process, ``timeout`` seconds per test of it."""
    return pytester.runpytest_inprocess(
        *args, f"--timeout={timeout}", "-p", "no:cacheprovider", "-rfEs"
    )


@contextlib.contextmanager
def running_containerd(layouts: Layouts, plugins: str = "podkit") -> Iterator[Containerd]:
    """A containerd on a ``pkcd-`` temp dir, both images imported; all removed after."""
    top = Path(tempfile.mkdtemp(prefix=f"{PREFIX}-containerd-"))
    try:
        with Containerd(top / "daemon", network=bridge_network(top, plugins)) as daemon:
            daemon.import_image(layouts.sandbox)
            daemon.import_image(layouts.busybox)
            yield daemon
    finally:
        shutil.rmtree(top, ignore_errors=True)

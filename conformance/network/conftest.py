"""Fixtures of the network suite: the target's versions and a per-test harness.

The harness needs root and network namespaces (it attaches real pods);
without them its tests skip, saying so. The generic ``VERSION`` tests use
:func:`supported_versions` only, and run anywhere.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

import pytest

from podkit.conformance.network._harness import Harness
from podkit.conformance.network._host import HostResources
from podkit.testing import require_binary, require_netns

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from podkit.conformance.plugin import Target


@pytest.fixture(scope="session")
def supported_versions(network_target: Target) -> tuple[str, ...]:
    """The SPEC versions the target's ``VERSION`` lists."""
    found = network_target.manager.network.version(network_target.name)
    return found.supported_versions


@pytest.fixture
def harness(
    network_target: Target, supported_versions: tuple[str, ...], tmp_path: Path
) -> Iterator[Harness]:
    """The target seen from one test; what the test made is removed afterwards."""
    require_netns()
    require_binary("ip")
    data_dir = tmp_path / "cni-networks"
    data_dir.mkdir()
    host = HostResources()
    try:
        yield Harness(network_target, supported_versions, host, data_dir)
    finally:
        host.cleanup()
        # What the plugin left unclosed (sockets, event loops) is reported here,
        # at this test's teardown, rather than at a later test's.
        gc.collect()


__all__ = ["harness", "supported_versions"]

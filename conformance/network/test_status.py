"""``STATUS`` (SPEC 1.1.0): whether the plugin can serve ``ADD``.

CNI SPEC 1.1, section 2 "STATUS: Check plugin status": the plugin succeeds
when it is ready to service ADD requests, and returns an error when it
knows it cannot, with code 50 ("The plugin is not available (i.e. cannot
service ADD requests)") or 51 ("The plugin is not available, and existing
containers in the network may have limited connectivity"). STATUS exists
from 1.1.0 on: the tests skip for targets that do not list it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.network import _profiles
from podkit.conformance.network._harness import GC_VERSION

if TYPE_CHECKING:
    from podkit.conformance.network._harness import Harness

NOT_AVAILABLE = frozenset({50, 51})


def test_status_succeeds_for_a_usable_configuration(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "STATUS": a plugin ready to service ADD succeeds."""
    version = harness.need_version(GC_VERSION, "STATUS")
    assert harness.status(harness.config(version)) is True


def test_status_changes_nothing(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "STATUS" is informational: ADD works after it as before."""
    version = harness.need_version(GC_VERSION, "STATUS")
    profile = harness.need_profile()
    harness.status(harness.config(version))
    pod, prev = harness.portmap_pod(version) if profile.chained else (harness.pod(), None)
    harness.add(harness.config(version, prev_result=prev), pod.attachment)


def test_status_reports_an_exhausted_address_range(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "STATUS": an error, code 50 or 51, when ADD cannot succeed.

    An IPAM plugin whose only address is taken cannot service ADD.
    """
    harness.need(what="address management", manages_addresses=True)
    version = harness.need_version(GC_VERSION, "STATUS")
    config = harness.config(version, ranges=[[_profiles.pod_range(60, 60)]])
    assert harness.status(config) is True
    harness.add(config, harness.pod().attachment)
    with pytest.raises(podkit.PodkitError) as caught:
        harness.status(config)
    assert caught.value.cni_code in NOT_AVAILABLE, caught.value

"""``DEL``: idempotent, and successful on whatever is already gone.

CNI SPEC 1.1, section 2 "DEL": "Plugins should generally complete a DEL
action without error even if some resources are missing", and "Plugins
MUST accept multiple DEL calls for the same (CNI_CONTAINERID, CNI_IFNAME)
pair, and return success if the interface in question, or any
modifications added, are missing." ``CNI_NETNS`` is optional for DEL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from podkit.conformance.network import _host

if TYPE_CHECKING:
    from podkit.conformance.network._harness import Harness, Pod
    from podkit.models.network import NetworkConfig


def _added(harness: Harness) -> tuple[Pod, NetworkConfig]:
    profile = harness.need_profile()
    version = harness.version
    pod, prev = harness.portmap_pod(version) if profile.chained else (harness.pod(), None)
    result = harness.add(harness.config(version, prev_result=prev), pod.attachment)
    return pod, harness.config(version, prev_result=result)


def test_del_twice_succeeds(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "DEL": "Plugins MUST accept multiple DEL calls"."""
    pod, config = _added(harness)
    assert harness.del_(config, pod.attachment) is True
    assert harness.del_(config, pod.attachment) is True


def test_del_succeeds_after_the_namespace_is_gone(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "DEL": complete "even if some resources are missing".

    The runtime may delete the pod's namespace before its DEL.
    """
    pod, config = _added(harness)
    _host.delete_netns(pod.name)
    assert harness.del_(config, pod.attachment) is True
    assert harness.del_(config, pod.attachment) is True


def test_del_without_a_namespace_succeeds(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "DEL": ``CNI_NETNS`` is not among DEL's required parameters."""
    pod, config = _added(harness)
    assert harness.del_(config, attrs.evolve(pod.attachment, netns="")) is True


def test_del_of_an_attachment_never_added_succeeds(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "DEL": "return success if the interface in question ... is missing".

    The runtime calls DEL after an ADD that failed, too ("A delete must still
    be executed even if the add fails").
    """
    harness.need_profile()
    pod = harness.pod()
    assert harness.del_(harness.config(), pod.attachment) is True


def test_del_removes_the_container_interface(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "DEL: Remove container from network": the interface goes."""
    harness.need(what="a container interface", creates_interface=True)
    pod, config = _added(harness)
    harness.del_(config, pod.attachment)
    assert not _host.link_exists(pod.attachment.ifname, pod.name)

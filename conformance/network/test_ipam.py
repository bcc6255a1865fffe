"""IP address management: unique, released, garbage-collected, and bounded.

CNI SPEC 1.1, section 3 "Lifecycle & Ordering": "Plugins must handle being
executed concurrently across different containers. If necessary, they must
implement locking on shared resources (e.g. IPAM databases)." Section 2
"DEL" releases what ``ADD`` holds, and "GC" (1.1.0) what attachments no
longer valid hold. These tests run for ``host-local`` and for ``bridge``
(which delegates to it), with small ranges of the documentation subnet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import pytest

import podkit
from podkit.conformance.network import _host, _profiles
from podkit.conformance.network._harness import GC_VERSION
from podkit.models.network import GCAttachment

if TYPE_CHECKING:
    from podkit.conformance.network._harness import Harness, Pod
    from podkit.models.network import Result

CONCURRENT_ADDS: Final = 50


def _pool(first: int, last: int) -> list[list[dict[str, object]]]:
    return [[_profiles.pod_range(first, last)]]


def _address(result: Result) -> str:
    assert len(result.ips) == 1, f"expected one address, got {result.ips}"
    return str(result.ips[0].address.ip)


def test_concurrent_adds_never_hand_out_an_address_twice(harness: Harness) -> None:
    """CNI SPEC 1.1, section 3: plugins "must implement locking on shared resources".

    50 ADDs for 50 containers at once, from a range of exactly 50 addresses:
    each succeeds, with an address of its own.
    """
    harness.need(what="address management", manages_addresses=True)
    config = harness.config(ranges=_pool(10, 10 + CONCURRENT_ADDS - 1))
    pods = [harness.pod() for _ in range(CONCURRENT_ADDS)]
    results = harness.add_concurrently(config, [pod.attachment for pod in pods])
    addresses = [_address(result) for result in results]
    assert len(set(addresses)) == CONCURRENT_ADDS, f"duplicates among {sorted(addresses)}"


def test_a_released_address_is_handed_out_again(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "DEL" releases the attachment's address for reuse.

    From a range of one address: ADD, DEL, and a second container's ADD
    gets that address.
    """
    harness.need(what="address management", manages_addresses=True)
    config = harness.config(ranges=_pool(20, 20))
    first, second = harness.pod(), harness.pod()
    result = harness.add(config, first.attachment)
    harness.del_(harness.config(ranges=_pool(20, 20), prev_result=result), first.attachment)
    assert _address(harness.add(config, second.attachment)) == _address(result)


def test_an_exhausted_range_fails_add(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "ADD": a plugin that cannot attach returns an error.

    The error must not be code 3 ("Container unknown or does not exist"), which
    would tell the runtime that no DEL is needed.
    """
    harness.need(what="address management", manages_addresses=True)
    config = harness.config(ranges=_pool(30, 31))
    for _ in range(2):
        harness.add(config, harness.pod().attachment)
    with pytest.raises(podkit.PodkitError) as caught:
        harness.add(config, harness.pod().attachment)
    assert caught.value.cni_code != 3


def test_a_failed_add_reserves_no_address(harness: Harness) -> None:
    """CNI SPEC 1.1, section 4 "Delegated plugin protocol": a failed ADD holds nothing.

    A plugin whose ADD fails after its delegate's ADD runs the delegate's DEL
    before failing. An ADD into a namespace that does not exist fails; the one address of the
    range is then still free for the next container.
    """
    harness.need(what="a delegated address", creates_interface=True, manages_addresses=True)
    config = harness.config(ranges=_pool(40, 40))
    missing = harness.attachment(_host.netns_path(_host.unique("-gone-")))
    with pytest.raises(podkit.PodkitError):
        harness.add(config, missing)
    harness.add(config, harness.pod().attachment)


def test_gc_releases_the_addresses_of_stale_attachments(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "GC: Clean up any stale resources", and only those.

    What attachments missing from ``cni.dev/valid-attachments`` hold is
    released; valid ones keep theirs. From a range of two addresses, with
    both held: GC keeping only the first frees the second's address for a
    new container.
    """
    harness.need(what="address management", manages_addresses=True)
    version = harness.need_version(GC_VERSION, "GC")
    config = harness.config(version, ranges=_pool(50, 51))
    kept: Pod = harness.pod()
    stale = harness.pod()
    harness.add(config, kept.attachment)
    stale_address = _address(harness.add(config, stale.attachment))
    _host.delete_netns(stale.name)  # GC may assume stale attachments' namespaces are gone
    keep = kept.attachment
    valid = (GCAttachment(container_id=keep.container_id, ifname=keep.ifname),)
    assert harness.gc(config, valid) is True
    assert _address(harness.add(config, harness.pod().attachment)) == stale_address
    with pytest.raises(podkit.PodkitError):  # the kept one still holds the other address
        harness.add(config, harness.pod().attachment)


def test_del_without_the_previous_result_still_releases_the_address(harness: Harness) -> None:
    """CNI SPEC 1.1, section 3 "Deleting an attachment": DEL needs no ``prevResult``.

    The runtime passes it only when it has it, and DEL must release what the
    attachment holds either way.
    """
    harness.need(what="address management", manages_addresses=True)
    config = harness.config(ranges=_pool(70, 70))
    first, second = harness.pod(), harness.pod()
    result = harness.add(config, first.attachment)
    harness.del_(config, first.attachment)  # config has no prevResult
    assert _address(harness.add(config, second.attachment)) == _address(result)

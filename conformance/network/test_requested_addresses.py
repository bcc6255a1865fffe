"""Addresses asked for by the runtime: the ``ips`` capability, ``args.cni.ips``, ``CNI_ARGS``.

CNI CONVENTIONS.md: the ``ips`` capability passes "a list of static IPs
[...] for the container" in ``runtimeConfig.ips``; the ``args.cni.ips``
key of the configuration asks for the same, as does ``IP`` in
``CNI_ARGS`` (host-local's documentation lists all three). The address
asked for is the one handed out, or the ``ADD`` fails and holds nothing.
These tests run for ``host-local`` and for ``bridge`` (which passes its
configuration and arguments to it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import pytest

import podkit
from podkit.conformance.network import _profiles
from podkit.models.network import RuntimeConfig

if TYPE_CHECKING:
    from podkit.conformance.network._harness import Harness
    from podkit.models.network import Attachment, NetworkConfig, Result


def _pool(first: int, last: int) -> list[list[dict[str, object]]]:
    return [[_profiles.pod_range(first, last)]]


def _addresses(result: Result) -> list[str]:
    return [str(ip.address) for ip in result.ips]


def _asking(
    how: str, config: NetworkConfig, attachment: Attachment, number: int
) -> tuple[NetworkConfig, Attachment]:
    """``config`` and ``attachment`` asking for the ``number``-th address of the pod subnet."""
    address = str(_profiles.host_address(number))
    if how == "ips capability":
        prefix = _profiles.POD_SUBNET.prefixlen
        return attrs.evolve(config, runtime_config=RuntimeConfig(ips=(f"{address}/{prefix}",))), (
            attachment
        )
    if how == "args.cni.ips":
        return attrs.evolve(config, args={"cni": {"ips": [address]}}), attachment
    # IgnoreUnknown: as containerd and CRI-O send it, or a Go plugin refuses the other keys.
    return config, attrs.evolve(attachment, args={"IgnoreUnknown": "1", "IP": address})


WAYS = ["ips capability", "args.cni.ips", "CNI_ARGS IP"]


@pytest.mark.parametrize("how", WAYS)
def test_the_address_asked_for_is_the_one_handed_out(harness: Harness, how: str) -> None:
    """CONVENTIONS.md, ``ips``: the plugin assigns the static IP asked for.

    From a range of 30 addresses, the 77th host is asked for, not the first free one.
    """
    harness.need(what="address management", manages_addresses=True)
    config, attachment = _asking(
        how, harness.config(ranges=_pool(60, 90)), harness.pod().attachment, 77
    )
    result = harness.add(config, attachment)
    assert _addresses(result) == [f"{_profiles.host_address(77)}/24"]


@pytest.mark.parametrize("how", WAYS)
def test_an_address_held_by_another_container_fails_add_and_holds_nothing(
    harness: Harness, how: str
) -> None:
    """An address another attachment holds is not handed out twice; the failed ADD holds nothing.

    In a range of two addresses, the first container holds the first; a
    second asking for it fails (with an error other than code 3, which would
    spare it the runtime's DEL); a third gets the second address, so the
    failed ADD held nothing, and a fourth finds the range exhausted.
    """
    harness.need(what="address management", manages_addresses=True)
    config = harness.config(ranges=_pool(100, 101))
    first = harness.add(config, harness.pod().attachment)
    assert _addresses(first) == [f"{_profiles.host_address(100)}/24"]
    asking = _asking(how, config, harness.pod().attachment, 100)
    with pytest.raises(podkit.PodkitError) as caught:
        harness.add(*asking)
    assert caught.value.cni_code != 3
    third = harness.add(config, harness.pod().attachment)
    assert _addresses(third) == [f"{_profiles.host_address(101)}/24"]
    with pytest.raises(podkit.PodkitError):
        harness.add(config, harness.pod().attachment)


@pytest.mark.parametrize("how", WAYS)
def test_an_address_in_no_range_fails_add_and_holds_nothing(harness: Harness, how: str) -> None:
    """An address asked for that no range set holds fails the ADD; nothing is held.

    From a range of one address, asking for one outside it fails; the one
    address is then still free for the next container.
    """
    harness.need(what="address management", manages_addresses=True)
    config = harness.config(ranges=_pool(110, 110))
    asking = _asking(how, config, harness.pod().attachment, 200)
    with pytest.raises(podkit.PodkitError) as caught:
        harness.add(*asking)
    assert caught.value.cni_code != 3
    result = harness.add(config, harness.pod().attachment)
    assert _addresses(result) == [f"{_profiles.host_address(110)}/24"]

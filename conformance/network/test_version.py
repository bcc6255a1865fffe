"""``VERSION`` and version negotiation.

CNI SPEC 1.1, section 2 "VERSION": the plugin reports the versions it
supports; and for every other operation, a configuration whose
``cniVersion`` the plugin does not support is refused with code 1
("Incompatible CNI version"), before anything changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import pytest

import podkit
from podkit.conformance.network import _host
from podkit.models.network import CNI_VERSIONS, Attachment, NetworkConfig

if TYPE_CHECKING:
    from podkit.conformance.network._harness import Harness
    from podkit.conformance.plugin import Target

INCOMPATIBLE_VERSION = 1


def _unsupported(supported: tuple[str, ...]) -> list[str]:
    versions = [v for v in CNI_VERSIONS if v not in supported]
    if not versions:
        pytest.skip(
            "the target supports every SPEC version podkit can send "
            f"({', '.join(CNI_VERSIONS)}): there is no unsupported one to negotiate"
        )
    return versions


def test_supported_versions_are_listed_oldest_first(supported_versions: tuple[str, ...]) -> None:
    """CNI SPEC 1.1, section 5 "VERSION Success": ``supportedVersions`` lists SPEC versions.

    Each is listed once, and (as every released plugin lists them) in order.
    """
    known = [v for v in supported_versions if v in CNI_VERSIONS]
    assert len(set(supported_versions)) == len(supported_versions)
    assert known == sorted(known, key=CNI_VERSIONS.index)


def test_del_of_an_unsupported_version_is_refused_with_code_1(
    network_target: Target,
    supported_versions: tuple[str, ...],
) -> None:
    """CNI SPEC 1.1, section 2 "Errors", code 1: "Incompatible CNI version".

    Sent as a ``DEL`` without a namespace, which changes nothing even when a
    plugin ignored the version, with a minimal configuration (the check comes
    first, so it works for any type).
    """
    for version in _unsupported(supported_versions):
        config = NetworkConfig(cni_version=version, name="pkv-net", type=network_target.name)
        attachment = Attachment(container_id="pkv-version", ifname="eth0")
        with pytest.raises(podkit.PodkitError) as caught:
            network_target.manager.network.del_(network_target.name, config, attachment)
        assert caught.value.cni_code == INCOMPATIBLE_VERSION, f"{version}: {caught.value}"


def test_add_of_an_unsupported_version_is_refused_with_code_1(harness: Harness) -> None:
    """CNI SPEC 1.1, section 2 "Errors", code 1, for ``ADD`` of the type's configuration.

    Nothing is attached: the pod's interface does not appear.
    """
    for version in _unsupported(harness.supported):
        pod = harness.pod()
        config = attrs.evolve(harness.config(), cni_version=version)
        with pytest.raises(podkit.PodkitError) as caught:
            harness.add(config, pod.attachment)
        assert caught.value.cni_code == INCOMPATIBLE_VERSION, f"{version}: {caught.value}"
        if harness.need_profile().creates_interface:
            assert not _host.link_exists(pod.attachment.ifname, pod.name)

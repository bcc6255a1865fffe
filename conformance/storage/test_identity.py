"""CSI Identity service: GetPluginInfo, GetPluginCapabilities, Probe.

Every driver implements it; no test here is skipped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from podkit.models.storage import ControllerServiceCapability, PluginService, VolumeExpansion

if TYPE_CHECKING:
    from podkit.conformance.storage._driver import Driver

# GetPluginInfoResponse.name: "63 characters or less, beginning and ending with
# an alphanumeric character ([a-z0-9A-Z]) with dashes (-), dots (.), and
# alphanumerics between".
_PLUGIN_NAME = re.compile(r"[A-Za-z0-9](?:[-.A-Za-z0-9]{0,61}[A-Za-z0-9])?")


def test_plugin_name_follows_domain_name_notation(driver: Driver) -> None:
    """CSI GetPluginInfo: the name is at most 63 characters of domain name notation.

    "It MUST be 63 characters or less, beginning and ending with an
    alphanumeric character ([a-z0-9A-Z]) with dashes (-), dots (.), and
    alphanumerics between. This field is REQUIRED."
    """
    info = driver.target.manager.storage.get_plugin_info(driver.name)
    assert _PLUGIN_NAME.fullmatch(info.name), info.name


def test_plugin_info_has_a_vendor_version(driver: Driver) -> None:
    """CSI GetPluginInfo: ``vendor_version`` "This field is REQUIRED"."""
    info = driver.target.manager.storage.get_plugin_info(driver.name)
    assert info.vendor_version.strip()


def test_plugin_capabilities_are_the_same_on_every_call(driver: Driver) -> None:
    """CSI GetPluginCapabilities: the same version answers the same capabilities.

    "All instances of the same version (see ``vendor_version`` of
    ``GetPluginInfoResponse``) of the Plugin SHALL return the same set of
    capabilities".
    """
    storage = driver.target.manager.storage
    assert set(storage.get_plugin_capabilities(driver.name)) == driver.plugin_capabilities
    assert set(storage.get_plugin_capabilities(driver.name)) == driver.plugin_capabilities


def test_offline_expansion_comes_with_controller_expansion(driver: Driver) -> None:
    """CSI VolumeExpansion OFFLINE: the controller capability EXPAND_VOLUME goes with it.

    "When a plugin supports OFFLINE volume expansion it MUST implement either
    the EXPAND_VOLUME controller capability or both the EXPAND_VOLUME
    controller capability and the EXPAND_VOLUME node capability."
    """
    if VolumeExpansion.OFFLINE in driver.plugin_capabilities:
        assert driver.has(ControllerServiceCapability.EXPAND_VOLUME)


def test_controller_capabilities_are_the_same_on_every_call(driver: Driver) -> None:
    """CSI ControllerGetCapabilities: asked only with CONTROLLER_SERVICE, answered alike.

    "The presence of this capability determines whether the CO will attempt
    to invoke the REQUIRED ControllerService RPCs, as well as specific RPCs
    as indicated by ControllerGetCapabilities."
    """
    driver.require(PluginService.CONTROLLER_SERVICE)
    again = driver.target.manager.storage.controller_get_capabilities(driver.name)
    assert set(again) == driver.controller_capabilities


def test_probe_answers_ready_or_unset(driver: Driver) -> None:
    """CSI Probe: a healthy, initialised plugin answers ``ready`` true, or leaves it unset.

    "A successful response is returned with a readiness value of ``true``";
    "If not present, the caller SHALL assume that the plugin is in a ready
    state".
    """
    result = driver.target.manager.storage.probe(driver.name)
    assert result.ready in {True, None}

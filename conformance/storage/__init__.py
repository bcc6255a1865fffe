"""The storage conformance suite: the CSI spec v1.12 rules, checked against a storage plugin.

Modelled on csi-sanity: the suite first asks the driver for its capabilities
(``GetPluginCapabilities``, ``ControllerGetCapabilities``,
``NodeGetCapabilities``) and skips, with the reason, every test whose
capability the driver does not advertise. Every volume, snapshot, staging and
publication a test makes is recorded in a cleanup registry
(:class:`~podkit.conformance.storage._resources.Resources`) and undone after
the test, also when it fails. Tests that mount are marked ``root``.

The suite talks to the driver only through the typed facade
(``manager.storage.<rpc>(driver, ...)``), so it checks a plugin in-process
and a CSI driver reached over gRPC alike.
"""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite(
    "podkit.conformance.storage._driver",
    "podkit.conformance.storage._host",
    "podkit.conformance.storage._resources",
)

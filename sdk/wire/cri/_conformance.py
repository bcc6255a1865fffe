"""A :class:`~podkit.wire.cri.CriClientPlugin` the conformance suite can load by name.

``podkit conformance runtime --cri-endpoint unix://PATH`` runs the suite
against a CRI runtime: it sets :data:`ENDPOINT_ENV` (and
:data:`HANDLER_ENV`) and loads ``podkit.wire.cri._conformance:FromEnvironment``
as the plugin under test. The suite instantiates a plugin class with no
arguments, so this class builds the client from the environment instead.
This module loads no gRPC until then: the CLI imports it for the names.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Final, final

from podkit.errors import InvalidArgumentError
from podkit.wire import cri

if TYPE_CHECKING:
    from podkit.wire.cri import CriClientPlugin

#: The CRI endpoint to test, ``unix:///path``.
ENDPOINT_ENV: Final = "PODKIT_CONFORMANCE_CRI_ENDPOINT"
#: The handler the client answers for (default: the client's, ``cri``).
HANDLER_ENV: Final = "PODKIT_CONFORMANCE_CRI_HANDLER"
#: The plugin spec to load, as ``--podkit-plugin`` takes it.
PLUGIN_SPEC: Final = "podkit.wire.cri._conformance:FromEnvironment"


@final
class FromEnvironment:
    """Makes the :class:`CriClientPlugin` of :data:`ENDPOINT_ENV` when "instantiated"."""

    def __new__(cls) -> CriClientPlugin:  # type: ignore[misc]
        """The client of the endpoint the environment names."""
        endpoint = os.environ.get(ENDPOINT_ENV, "")
        if not endpoint:
            msg = f"set {ENDPOINT_ENV} to the CRI endpoint to test, unix:///path"
            raise InvalidArgumentError(msg)
        handler = os.environ.get(HANDLER_ENV)
        if handler:
            return cri.CriClientPlugin(endpoint, handler)
        return cri.CriClientPlugin(endpoint)


__all__ = ["ENDPOINT_ENV", "HANDLER_ENV", "PLUGIN_SPEC", "FromEnvironment"]

"""The CSI client: any CSI driver, reached over its unix socket, as a podkit storage plugin.

:class:`CsiClientPlugin` implements every storage hook by calling the RPC
of the same name on the driver's endpoint, the way a kubelet or the
external-provisioner sidecar would. It answers for the driver name the
endpoint reports in ``GetPluginInfo`` (or the one it is given), and raises
the podkit error class of the gRPC status code the driver answers with, so
a caller cannot tell a driver over CSI from an in-process plugin.
"""

from __future__ import annotations

from typing import final

from podkit.wire.csi._client_controller import ControllerHooks
from podkit.wire.csi._client_node import IdentityHooks, NodeHooks
from podkit.wire.csi._connection import DEFAULT_TIMEOUT, CsiConnection
from podkit.wire.csi._convert_identity import from_csi_plugin_info
from podkit.wire.csi._proto import csi_pb2 as pb


@final
class CsiClientPlugin(IdentityHooks, ControllerHooks, NodeHooks):
    """Forwards the storage hooks to the CSI driver at ``endpoint``.

    Register it as a storage plugin; it answers for one driver name::

        pm = podkit.PluginManager()
        pm.register(podkit.CsiClientPlugin("unix:///run/csi/hostpath.sock"),
                    name="hostpath-over-csi", kind="storage")

    :param endpoint: the driver's unix socket, ``unix:///path/to/csi.sock``.
    :param driver_name: the driver name to answer for; by default the name
        the driver reports in ``GetPluginInfo``, asked once, here.
    :param timeout: seconds one call may take before it fails with
        :class:`~podkit.errors.DeadlineExceededError`.
    :raises podkit.InvalidArgumentError: ``endpoint`` is not a unix socket.
    :raises podkit.UnavailableError: ``driver_name`` was not given and the
        endpoint does not answer.

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        endpoint: str,
        driver_name: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._csi = CsiConnection(endpoint, timeout)
        if driver_name is None:
            try:
                info = self._csi.call(
                    self._csi.identity.GetPluginInfo,
                    pb.GetPluginInfoRequest(),
                    from_csi_plugin_info,
                )
            except BaseException:
                self._csi.close()
                raise
            driver_name = info.name
        #: The one driver name the plugin manager routes here.
        self.podkit_names = (driver_name,)

    @property
    def endpoint(self) -> str:
        """The driver's endpoint, ``unix:///path``."""
        return self._csi.endpoint

    @property
    def driver_name(self) -> str:
        """The driver name this plugin answers for."""
        return self.podkit_names[0]

    def close(self) -> None:
        """Close the connection to the driver; later calls fail."""
        self._csi.close()


__all__ = ["CsiClientPlugin"]

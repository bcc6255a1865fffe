"""The CRI client: any CRI runtime, reached over its unix socket, as a podkit runtime plugin.

:class:`CriClientPlugin` implements every runtime hook by calling the RPC
of the same name on the runtime's endpoint, the way a kubelet would:
containerd, CRI-O, or another podkit behind ``podkit serve cri``. It
answers for one handler name, chosen by configuration, and raises the
podkit error class of the gRPC status code the runtime answers with, so a
caller cannot tell a runtime over CRI from an in-process plugin.

A CRI runtime attaches its pods' networks itself (containerd runs its CNI
plugins in ``RunPodSandbox``): the plugin says so with
``podkit_sets_up_pod_network``, and podkit's runtime layer then attaches
no network for its handler and reports the addresses the runtime gives.
"""

from __future__ import annotations

from typing import Final, final

from podkit.wire.cri._client_image import ImageServiceHooks
from podkit.wire.cri._client_runtime import RuntimeServiceHooks
from podkit.wire.cri._connection import DEFAULT_TIMEOUT, CriConnection

#: The handler name a :class:`CriClientPlugin` answers for by default.
DEFAULT_CLIENT_HANDLER: Final = "cri"


@final
class CriClientPlugin(RuntimeServiceHooks, ImageServiceHooks):
    """Forwards the runtime hooks to the CRI runtime at ``endpoint``.

    Register it as a runtime plugin; it answers for one handler::

        pm = podkit.PluginManager()
        pm.register(podkit.CriClientPlugin("unix:///run/containerd/containerd.sock",
                                           handler="containerd"),
                    name="containerd", kind="runtime")

    No connection is made until the first call.

    :param endpoint: the runtime's unix socket, ``unix:///path/to/socket``.
    :param handler: the runtime handler this plugin answers for (a
        RuntimeClass handler name on the podkit side).
    :param remote_handler: the handler sent to the runtime in
        ``RunPodSandbox``; empty for the runtime's default.
    :param timeout: seconds one call may take before it fails with
        :class:`~podkit.errors.DeadlineExceededError`; ``ExecSync`` and
        ``StopContainer`` get their own timeout on top.
    :raises podkit.InvalidArgumentError: ``endpoint`` is not a unix socket,
        or ``handler`` is empty.

    .. versionadded:: 0.1
    """

    #: The runtime behind this plugin attaches pod networks itself; see
    #: :data:`podkit.runtimelayer.SETS_UP_POD_NETWORK`.
    podkit_sets_up_pod_network: Final = True

    def __init__(
        self,
        endpoint: str,
        handler: str = DEFAULT_CLIENT_HANDLER,
        *,
        remote_handler: str = "",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        if not handler:
            from podkit.errors import InvalidArgumentError  # noqa: PLC0415 - only on misuse

            msg = "CriClientPlugin: handler must not be empty"
            raise InvalidArgumentError(msg)
        self._cri = CriConnection(endpoint, timeout)
        self.remote_handler = remote_handler
        #: The one handler the plugin manager routes here.
        self.podkit_names = (handler,)

    @property
    def endpoint(self) -> str:
        """The runtime's endpoint, ``unix:///path``."""
        return self._cri.endpoint

    @property
    def handler(self) -> str:
        """The handler this plugin answers for."""
        return self.podkit_names[0]

    def close(self) -> None:
        """Close the connection to the runtime; later calls fail."""
        self._cri.close()


__all__ = ["DEFAULT_CLIENT_HANDLER", "CriClientPlugin"]

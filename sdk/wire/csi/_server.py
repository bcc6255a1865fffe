"""The CSI server: a storage plugin behind a real CSI endpoint (a unix socket).

:func:`serve_csi` puts the hooks of one CSI driver, as the plugin manager
routes them, behind the Identity, Controller and Node services, so that a
kubelet, csi-sanity or :class:`~podkit.wire.csi.CsiClientPlugin` can call
them. gRPC removes the socket file when the server stops; a stale one left
by a server that died is replaced at start, but never a socket someone
still serves on, nor a file that is not a socket.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import TYPE_CHECKING, Final

import grpc

from podkit.errors import FailedPreconditionError, UnavailableError
from podkit.wire._sockets import clear_stale_socket
from podkit.wire.csi import _instrumented
from podkit.wire.csi._controller import ControllerServicer
from podkit.wire.csi._identity import IdentityServicer
from podkit.wire.csi._node import NodeServicer
from podkit.wire.csi._proto import csi_pb2_grpc

if TYPE_CHECKING:
    import os

    from podkit.pluginmanager import PluginManager

#: Threads serving calls at once; CSI callers serialise per volume anyway.
DEFAULT_WORKERS: Final = 8


def serve_csi(
    manager: PluginManager,
    driver: str,
    socket_path: str | os.PathLike[str],
    *,
    max_workers: int = DEFAULT_WORKERS,
) -> grpc.Server:
    """Serve the storage plugin answering for ``driver`` over CSI on ``socket_path``.

    The server is started when this returns; stop it with ``server.stop(grace)``,
    which also removes the socket file.

    :param manager: the plugin manager holding the storage plugin.
    :param driver: the CSI driver name calls are addressed to; the plugin
        must report it in ``GetPluginInfo``.
    :param socket_path: the unix socket to listen on; its folder must exist.
    :raises podkit.NoPluginError: no storage plugin answers for ``driver``.
    :raises podkit.FailedPreconditionError: the plugin reports another name
        than ``driver``, or ``socket_path`` is taken by a file that is not a
        socket.
    :raises podkit.AlreadyExistsError: another server listens on ``socket_path``.
    :raises podkit.UnavailableError: the socket cannot be bound.

    .. versionadded:: 0.1
    """
    info = manager.storage.get_plugin_info(driver)  # fails now when nobody answers for it
    if info.name != driver:
        # a CO registers the driver by the name GetPluginInfo reports, then
        # addresses calls to it by that name: they would reach nobody
        msg = f"failed to serve CSI driver {driver!r}: its plugin reports the name {info.name!r}"
        raise FailedPreconditionError(msg)
    path = Path(socket_path).absolute()
    clear_stale_socket(path, "CSI")
    server = grpc.server(
        concurrent.futures.ThreadPoolExecutor(max_workers, thread_name_prefix="podkit-csi"),
        interceptors=[_instrumented.interceptor()],
    )
    services = (
        (csi_pb2_grpc.add_IdentityServicer_to_server, IdentityServicer),
        (csi_pb2_grpc.add_ControllerServicer_to_server, ControllerServicer),
        (csi_pb2_grpc.add_NodeServicer_to_server, NodeServicer),
    )
    for add_to_server, servicer in services:
        add_to_server(servicer(manager.storage, driver), server)  # type: ignore[no-untyped-call]
    try:
        server.add_insecure_port(f"unix://{path}")
    except RuntimeError as exc:
        msg = f"failed to serve CSI on {str(path)!r}: {exc}"
        raise UnavailableError(msg) from exc
    server.start()
    return server


__all__ = ["DEFAULT_WORKERS", "serve_csi"]

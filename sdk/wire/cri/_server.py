"""The CRI server: the runtime layer behind a real CRI endpoint (a unix socket).

:func:`serve_cri` puts a :class:`~podkit.runtimelayer.RuntimeLayer` (the
runtime hooks, with the network hooks configured from a CNI configuration
directory, as containerd runs CNI) behind the RuntimeService and
ImageService of ``runtime.v1``, so that a kubelet, crictl, critest or
:class:`~podkit.wire.cri.CriClientPlugin` can run pods on podkit's plugins.
gRPC removes the socket file when the server stops; a stale one left by a
server that died is replaced at start, but never a socket someone still
serves on, nor a file that is not a socket.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import TYPE_CHECKING, Final

import grpc

from podkit.errors import UnavailableError
from podkit.runtimelayer import DEFAULT_HANDLER, RuntimeLayer
from podkit.wire._sockets import clear_stale_socket
from podkit.wire.cri import _instrumented
from podkit.wire.cri._image_service import ImageServicer
from podkit.wire.cri._proto import api_pb2_grpc
from podkit.wire.cri._runtime_service import RUNTIME_API_VERSION, RuntimeServicer

if TYPE_CHECKING:
    import os

    from podkit.pluginmanager import PluginManager

#: Threads serving calls at once: the kubelet's pod workers call in parallel.
DEFAULT_WORKERS: Final = 16


def serve_cri(  # noqa: PLR0913 - keyword-only settings
    manager: PluginManager,
    socket_path: str | os.PathLike[str],
    *,
    state_dir: str | os.PathLike[str],
    cni_conf_dir: str | os.PathLike[str],
    runtime_handler: str = DEFAULT_HANDLER,
    max_workers: int = DEFAULT_WORKERS,
) -> grpc.Server:
    """Serve the runtime plugins of ``manager`` over CRI on ``socket_path``.

    Sandboxes run by the handler a ``RunPodSandboxRequest`` names (the
    kubelet's RuntimeClass handler), or by ``runtime_handler`` when it names
    none; each gets the networks of ``cni_conf_dir`` through the network
    hooks. The server is started when this returns; stop it with
    ``server.stop(grace)``, which also removes the socket file.

    :param manager: the plugin manager holding the runtime plugin(s) and
        the network plugins of the configured networks.
    :param socket_path: the unix socket to listen on; its folder must exist.
    :param state_dir: where the runtime layer keeps its records and cached
        CNI results (e.g. ``/run/podkit/cri``).
    :param cni_conf_dir: the CNI configuration directory (``.conflist`` files).
    :param runtime_handler: the default handler; it answers ``Status`` and
        ``ImageFsInfo``, and image calls that name no handler.
    :raises podkit.NoPluginError: no runtime plugin answers for ``runtime_handler``.
    :raises podkit.FailedPreconditionError: ``socket_path`` is taken by a
        file that is not a socket.
    :raises podkit.AlreadyExistsError: another server listens on ``socket_path``.
    :raises podkit.UnavailableError: the socket cannot be bound.

    .. versionadded:: 0.1
    """
    manager.runtime.version(runtime_handler, RUNTIME_API_VERSION)  # fails now if nobody answers
    layer = RuntimeLayer(
        manager,
        state_dir=Path(state_dir),
        cni_conf_dir=Path(cni_conf_dir),
        default_handler=runtime_handler,
    )
    path = Path(socket_path).absolute()
    clear_stale_socket(path, "CRI")
    server = grpc.server(
        concurrent.futures.ThreadPoolExecutor(max_workers, thread_name_prefix="podkit-cri"),
        interceptors=[_instrumented.interceptor()],
    )
    api_pb2_grpc.add_RuntimeServiceServicer_to_server(RuntimeServicer(layer), server)  # type: ignore[no-untyped-call]
    api_pb2_grpc.add_ImageServiceServicer_to_server(ImageServicer(layer), server)  # type: ignore[no-untyped-call]
    try:
        server.add_insecure_port(f"unix://{path}")
    except RuntimeError as exc:
        msg = f"failed to serve CRI on {str(path)!r}: {exc}"
        raise UnavailableError(msg) from exc
    server.start()
    return server


__all__ = ["DEFAULT_WORKERS", "serve_cri"]

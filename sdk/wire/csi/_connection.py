"""The client's connection to a CSI driver: one channel, three stubs, errors mapped.

Every call goes through :meth:`CsiConnection.call`, which turns a gRPC
status into the podkit error class of that code (reverse lookup on
``grpc_code``), and a response the models refuse into
:class:`~podkit.errors.InternalError`: a broken answer is the driver's
fault, not the caller's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeVar, final

import grpc

from podkit.errors import InternalError, InvalidArgumentError, PodkitError
from podkit.wire._codes import error_class
from podkit.wire.csi._proto import csi_pb2_grpc

if TYPE_CHECKING:
    from collections.abc import Callable

    from podkit.wire.csi._proto import Message

_T = TypeVar("_T")

#: How long one call may take, in seconds.
DEFAULT_TIMEOUT: Final = 60.0
_UNIX: Final = "unix://"


def normalize_endpoint(endpoint: str) -> str:
    """``unix:///abs/path`` for ``unix:///abs/path``, ``unix:/abs/path`` or ``/abs/path``.

    :raises podkit.InvalidArgumentError: not a unix socket endpoint.
    """
    path = endpoint
    if endpoint.startswith(_UNIX):
        path = endpoint.removeprefix(_UNIX)
    elif endpoint.startswith("unix:"):
        path = endpoint.removeprefix("unix:")
    if not path.startswith("/"):
        msg = f"invalid CSI endpoint {endpoint!r}: use unix:///absolute/path/to/csi.sock"
        raise InvalidArgumentError(msg)
    return f"{_UNIX}{path}"


@final
class CsiConnection:
    """A channel to the CSI endpoint and the stub of each service.

    :param endpoint: ``unix:///path/to/csi.sock``.
    :param timeout: seconds one call may take.
    """

    def __init__(self, endpoint: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.endpoint: Final = normalize_endpoint(endpoint)
        self.timeout: Final = timeout
        self._channel: Final = grpc.insecure_channel(
            self.endpoint, options=[("grpc.enable_http_proxy", 0)]
        )
        self.identity: Final[Any] = csi_pb2_grpc.IdentityStub(self._channel)  # type: ignore[no-untyped-call]
        self.controller: Final[Any] = csi_pb2_grpc.ControllerStub(self._channel)  # type: ignore[no-untyped-call]
        self.node: Final[Any] = csi_pb2_grpc.NodeStub(self._channel)  # type: ignore[no-untyped-call]

    def call(self, method: Callable[..., Any], request: Message, decode: Callable[[Any], _T]) -> _T:
        """Call the stub ``method`` with ``request``; return ``decode(response)``.

        :raises podkit.PodkitError: the class of the status code the driver
            answered with, carrying its message.
        :raises podkit.InternalError: the response is not valid.
        """
        rpc = type(request).__name__.removesuffix("Request")
        try:
            response = method(request, timeout=self.timeout)
        except grpc.RpcError as exc:
            code: grpc.StatusCode = exc.code()
            message = f"{rpc}: {exc.details()}"
            raise error_class(code)(message) from None
        try:
            return decode(response)
        except (PodkitError, TypeError, ValueError) as exc:
            msg = f"{rpc}: the CSI driver at {self.endpoint} answered an invalid response: {exc}"
            raise InternalError(msg) from exc

    def close(self) -> None:
        """Close the channel."""
        self._channel.close()


__all__ = ["DEFAULT_TIMEOUT", "CsiConnection", "normalize_endpoint"]

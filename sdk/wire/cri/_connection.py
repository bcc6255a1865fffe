"""The client's connection to a CRI runtime: one channel, two stubs, errors mapped.

Every call goes through :meth:`CriConnection.call`, which turns a gRPC
status into the podkit error class of that code (reverse lookup on
``grpc_code``) carrying the runtime's message, and a response the models
refuse into :class:`~podkit.errors.InternalError`: a broken answer is the
runtime's fault, not the caller's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeVar, final

import grpc

from podkit.errors import InternalError, InvalidArgumentError, PodkitError
from podkit.models.runtime import EXEC_SYNC_OUTPUT_LIMIT
from podkit.wire._codes import error_class
from podkit.wire.cri._proto import api_pb2_grpc

if TYPE_CHECKING:
    from collections.abc import Callable

    from podkit.wire.cri._proto import Message

_T = TypeVar("_T")

#: How long one call may take, in seconds (the kubelet's default runtime
#: request timeout is 2 minutes).
DEFAULT_TIMEOUT: Final = 120.0
#: The largest response accepted: two full ``ExecSync`` outputs, and room.
MAX_RESPONSE_BYTES: Final = 2 * EXEC_SYNC_OUTPUT_LIMIT + 1024 * 1024
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
        msg = (
            f"invalid CRI endpoint {endpoint!r}: use unix:///absolute/path/to/socket,"
            " e.g. unix:///run/containerd/containerd.sock"
        )
        raise InvalidArgumentError(msg)
    return f"{_UNIX}{path}"


@final
class CriConnection:
    """A channel to the CRI endpoint and the stub of each service.

    :param endpoint: ``unix:///path/to/socket``.
    :param timeout: seconds one call may take.
    """

    def __init__(self, endpoint: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.endpoint: Final = normalize_endpoint(endpoint)
        self.timeout: Final = timeout
        self._channel: Final = grpc.insecure_channel(
            self.endpoint,
            options=[
                ("grpc.enable_http_proxy", 0),
                # ExecSync answers up to 16 MiB of stdout and 16 MiB of stderr
                ("grpc.max_receive_message_length", MAX_RESPONSE_BYTES),
            ],
        )
        self.runtime: Final[Any] = api_pb2_grpc.RuntimeServiceStub(self._channel)  # type: ignore[no-untyped-call]
        self.images: Final[Any] = api_pb2_grpc.ImageServiceStub(self._channel)  # type: ignore[no-untyped-call]

    def call(
        self,
        method: Callable[..., Any],
        request: Message,
        decode: Callable[[Any], _T],
        *,
        timeout: float | None = None,
    ) -> _T:
        """Call the stub ``method`` with ``request``; return ``decode(response)``.

        :param timeout: seconds this call may take, instead of the default;
            ``0`` for no limit.
        :raises podkit.PodkitError: the class of the status code the runtime
            answered with, carrying its message.
        :raises podkit.InternalError: the response is not valid.
        """
        rpc = type(request).__name__.removesuffix("Request")
        deadline = self.timeout if timeout is None else (timeout or None)
        try:
            response = method(request, timeout=deadline)
        except grpc.RpcError as exc:
            code: grpc.StatusCode = exc.code()
            message = f"{rpc}: {exc.details()}"
            raise error_class(code)(message) from None
        try:
            return decode(response)
        except (PodkitError, TypeError, ValueError) as exc:
            msg = f"{rpc}: the CRI runtime at {self.endpoint} answered an invalid response: {exc}"
            raise InternalError(msg) from exc

    def close(self) -> None:
        """Close the channel."""
        self._channel.close()


__all__ = ["DEFAULT_TIMEOUT", "CriConnection", "normalize_endpoint"]

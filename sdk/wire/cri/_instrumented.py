"""The one wrapper around every CRI RPC the server answers: logs and error codes.

As containerd's ``instrumentedService`` wraps its CRI service, this server
interceptor wraps each servicer method, unary or server-streaming: it logs
the call with the ids the request names and its outcome, and turns
exceptions into gRPC status codes by lookup:

- a :class:`~podkit.errors.PodkitError` answers with its class's
  ``grpc_code`` and its message (``NOT_FOUND`` for an unknown id,
  ``INVALID_ARGUMENT`` for a bad request...);
- ``NotImplementedError`` answers ``UNIMPLEMENTED``;
- anything else is a bug: logged with its traceback, answered ``INTERNAL``.

Registry credentials never reach a log: ``AuthConfig`` is logged without
its secret fields.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final, NoReturn, final

import grpc

from podkit import errors
from podkit.wire._codes import status_code
from podkit.wire.cri._proto import text_format

if TYPE_CHECKING:
    from podkit.wire.cri._proto import Message

_log: Final = logging.getLogger("podkit.wire.cri")
#: Request fields that identify what a call is about, logged on every call.
_ID_FIELDS: Final = ("pod_sandbox_id", "container_id", "runtime_handler")
#: ``AuthConfig`` fields the proto marks ``debug_redact``.
_SECRETS: Final = ("password", "auth", "identity_token", "registry_token")

Behavior = Callable[[Any, grpc.ServicerContext], Any]


def sanitized(message: Message) -> Message:
    """A copy of ``message`` whose registry credentials are cleared."""
    copy = type(message)()
    copy.CopyFrom(message)
    if "auth" in copy.DESCRIPTOR.fields_by_name and copy.HasField("auth"):
        for name in _SECRETS:
            copy.auth.ClearField(name)
    return copy


@final
class _Logged:
    """A request as one line of text, credentials cleared; built only if a log shows it."""

    __slots__ = ("_message",)

    def __init__(self, message: Message) -> None:
        self._message = message

    def __str__(self) -> str:
        return str(text_format.MessageToString(sanitized(self._message), as_one_line=True))


def ids(message: Message) -> str:
    """``key=value`` for the identifying fields ``message`` sets."""
    fields = message.DESCRIPTOR.fields_by_name
    named = [(n, getattr(message, n)) for n in _ID_FIELDS if n in fields]
    if "image" in fields and message.HasField("image"):
        named.append(("image", message.image.image))
    if "config" in fields and message.HasField("config") and message.config.HasField("metadata"):
        named.append(("name", message.config.metadata.name))
    return " ".join(f"{n}={v!r}" for n, v in named if v)


def _abort(context: grpc.ServicerContext, code: errors.GrpcCode, message: str) -> NoReturn:
    context.abort(status_code(code), message)
    msg = "grpc's ServicerContext.abort() returned"  # it always raises
    raise AssertionError(msg)


@final
class InstrumentedInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Wraps every CRI method: logging with ids, errors to status codes."""

    def __init__(self) -> None:
        self._calls = itertools.count(1)

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        """Wrap the handler of the called method, when it is one of ours."""
        handler = continuation(handler_call_details)
        if handler is None:
            return handler
        rpc = str(handler_call_details.method).rpartition("/")[2]
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self._unary(rpc, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                self._stream(rpc, handler.unary_stream),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler

    def _start(self, rpc: str, request: Message) -> int:
        call = next(self._calls)
        _log.info("%s [%d] %s", rpc, call, ids(request))
        _log.debug("%s [%d] request: %s", rpc, call, _Logged(request))
        return call

    @staticmethod
    def _fail(rpc: str, call: int, exc: Exception, context: grpc.ServicerContext) -> NoReturn:
        if isinstance(exc, errors.PodkitError):
            _log.info("%s [%d] failed: %s: %s", rpc, call, exc.grpc_code.name, exc)
            _abort(context, exc.grpc_code, str(exc))
        if isinstance(exc, NotImplementedError):
            _log.info("%s [%d] not implemented", rpc, call)
            _abort(context, errors.UnimplementedError.grpc_code, str(exc) or rpc)
        _log.error("%s [%d] failed with a bug", rpc, call, exc_info=exc)
        message = f"{rpc}: internal error: {type(exc).__name__}: {exc}"
        _abort(context, errors.InternalError.grpc_code, message)

    def _unary(self, rpc: str, behavior: Behavior) -> Behavior:
        def instrumented(request: Message, context: grpc.ServicerContext) -> Any:  # noqa: ANN401 - a response message
            call = self._start(rpc, request)
            try:
                response = behavior(request, context)
            except Exception as exc:  # noqa: BLE001 - a bug in a plugin must not kill the server
                self._fail(rpc, call, exc, context)
            _log.info("%s [%d] done", rpc, call)
            return response

        return instrumented

    def _stream(self, rpc: str, behavior: Behavior) -> Behavior:
        def instrumented(request: Message, context: grpc.ServicerContext) -> Iterator[Any]:
            call = self._start(rpc, request)
            try:
                yield from behavior(request, context)
            except Exception as exc:  # noqa: BLE001 - a bug in a plugin must not kill the server
                self._fail(rpc, call, exc, context)
            _log.info("%s [%d] done", rpc, call)

        return instrumented


__all__ = ["InstrumentedInterceptor", "ids", "sanitized"]

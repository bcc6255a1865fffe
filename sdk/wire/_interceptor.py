"""The one wrapper around every RPC a podkit gRPC server answers: logs and error codes.

As containerd's ``instrumentedService`` wraps its CRI service, this server
interceptor wraps each servicer method, unary or server-streaming: it logs
the call with the ids the request names and its outcome, and turns
exceptions into gRPC status codes by lookup:

- a :class:`~podkit.errors.PodkitError` answers with its class's
  ``grpc_code`` and its message (``NOT_FOUND`` for an unknown id,
  ``INVALID_ARGUMENT`` for a bad request...);
- ``NotImplementedError`` (what generated servicers raise for an RPC they
  lack) answers ``UNIMPLEMENTED``;
- anything else is a bug: logged with its traceback, answered ``INTERNAL``.

Each protocol (:mod:`podkit.wire.csi._instrumented`,
:mod:`podkit.wire.cri._instrumented`) says which fields identify a call and
how its secrets are kept out of the log.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn, final

import grpc

from podkit import errors
from podkit.wire._codes import status_code

if TYPE_CHECKING:
    import logging

#: A protobuf message (protobuf ships no type stubs: see the ``_proto`` packages).
Message = Any
Behavior = Callable[[Any, grpc.ServicerContext], Any]


@final
class _Logged:
    """A request as one line of text, secrets left out; built only if a log shows it."""

    __slots__ = ("_describe", "_message")

    def __init__(self, message: Message, describe: Callable[[Message], str]) -> None:
        self._message = message
        self._describe = describe

    def __str__(self) -> str:
        return self._describe(self._message)


def _abort(context: grpc.ServicerContext, code: errors.GrpcCode, message: str) -> NoReturn:
    context.abort(status_code(code), message)
    msg = "grpc's ServicerContext.abort() returned"  # it always raises
    raise AssertionError(msg)


@final
class InstrumentedInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Wraps every method: logging with ids, errors to status codes.

    :param log: the protocol's logger (``podkit.wire.csi``, ``podkit.wire.cri``).
    :param ids: ``key=value`` text of the fields that identify a request.
    :param describe: a request as one line of text without its secrets, for
        debug logs (called only when a debug line is emitted).
    """

    def __init__(
        self,
        log: logging.Logger,
        ids: Callable[[Message], str],
        describe: Callable[[Message], str],
    ) -> None:
        self._log = log
        self._ids = ids
        self._describe = describe
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
        self._log.info("%s [%d] %s", rpc, call, self._ids(request))
        self._log.debug("%s [%d] request: %s", rpc, call, _Logged(request, self._describe))
        return call

    def _fail(self, rpc: str, call: int, exc: Exception, context: grpc.ServicerContext) -> NoReturn:
        if isinstance(exc, errors.PodkitError):
            self._log.info("%s [%d] failed: %s: %s", rpc, call, exc.grpc_code.name, exc)
            _abort(context, exc.grpc_code, str(exc))
        if isinstance(exc, NotImplementedError):
            self._log.info("%s [%d] not implemented", rpc, call)
            _abort(context, errors.UnimplementedError.grpc_code, str(exc) or rpc)
        self._log.error("%s [%d] failed with a bug", rpc, call, exc_info=exc)
        message = f"{rpc}: internal error: {type(exc).__name__}: {exc}"
        _abort(context, errors.InternalError.grpc_code, message)

    def _unary(self, rpc: str, behavior: Behavior) -> Behavior:
        def instrumented(request: Message, context: grpc.ServicerContext) -> Any:  # noqa: ANN401 - a response message
            call = self._start(rpc, request)
            try:
                response = behavior(request, context)
            except Exception as exc:  # noqa: BLE001 - a bug in a plugin must not kill the server
                self._fail(rpc, call, exc, context)
            self._log.info("%s [%d] done", rpc, call)
            return response

        return instrumented

    def _stream(self, rpc: str, behavior: Behavior) -> Behavior:
        def instrumented(request: Message, context: grpc.ServicerContext) -> Iterator[Any]:
            call = self._start(rpc, request)
            try:
                yield from behavior(request, context)
            except Exception as exc:  # noqa: BLE001 - a bug in a plugin must not kill the server
                self._fail(rpc, call, exc, context)
            self._log.info("%s [%d] done", rpc, call)

        return instrumented


__all__ = ["InstrumentedInterceptor"]

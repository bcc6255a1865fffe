"""The one wrapper around every CSI RPC the server answers: logs and error codes.

As containerd's ``instrumentedService`` wraps its CRI service, this server
interceptor wraps each servicer method: it logs the call with the ids the
request names (volume, snapshot, node, paths) and its outcome, and turns
exceptions into gRPC status codes by lookup:

- a :class:`~podkit.errors.PodkitError` answers with its class's
  ``grpc_code`` and its message;
- ``NotImplementedError`` (what generated servicers raise for an RPC they
  lack) answers ``UNIMPLEMENTED``;
- anything else is a bug: logged with its traceback, answered ``INTERNAL``.

Secrets never reach a log: fields the proto marks ``csi_secret`` are logged
as their key names only.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, NoReturn, final

import grpc

from podkit import errors
from podkit.wire._codes import status_code
from podkit.wire.csi._convert_common import STRIPPED
from podkit.wire.csi._proto import csi_pb2, text_format

if TYPE_CHECKING:
    from podkit.wire.csi._proto import Message

_log: Final = logging.getLogger("podkit.wire.csi")
#: Request fields that identify what a call is about, logged on every call.
_ID_FIELDS: Final = (
    "name",
    "volume_id",
    "source_volume_id",
    "snapshot_id",
    "node_id",
    "staging_target_path",
    "target_path",
    "volume_path",
)

Behavior = Callable[[Any, grpc.ServicerContext], Any]


def sanitized(message: Message) -> Message:
    """A copy of ``message`` whose ``csi_secret`` fields show only their keys."""
    copy = type(message)()
    copy.CopyFrom(message)
    for descriptor, value in copy.ListFields():
        if descriptor.GetOptions().Extensions[csi_pb2.csi_secret]:
            for key in list(value):
                value[key] = STRIPPED
    return copy


@final
class _Logged:
    """A request as one line of text, secrets stripped; built only if a log shows it."""

    __slots__ = ("_message",)

    def __init__(self, message: Message) -> None:
        self._message = message

    def __str__(self) -> str:
        return str(text_format.MessageToString(sanitized(self._message), as_one_line=True))


def ids(message: Message) -> str:
    """``key=value`` for the identifying fields ``message`` sets."""
    fields = message.DESCRIPTOR.fields_by_name
    named = ((n, getattr(message, n)) for n in _ID_FIELDS if n in fields)
    return " ".join(f"{n}={v!r}" for n, v in named if v)


def _abort(context: grpc.ServicerContext, code: errors.GrpcCode, message: str) -> NoReturn:
    context.abort(status_code(code), message)
    msg = "grpc's ServicerContext.abort() returned"  # it always raises
    raise AssertionError(msg)


@final
class InstrumentedInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Wraps every unary CSI method: logging with ids, errors to status codes."""

    def __init__(self) -> None:
        self._calls = itertools.count(1)

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        """Wrap the handler of the called method, when it is one of ours."""
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        rpc = str(handler_call_details.method).rpartition("/")[2]
        return grpc.unary_unary_rpc_method_handler(
            self._instrument(rpc, handler.unary_unary),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _instrument(self, rpc: str, behavior: Behavior) -> Behavior:
        def instrumented(request: Message, context: grpc.ServicerContext) -> Any:  # noqa: ANN401 - a response message
            call = next(self._calls)
            _log.info("%s [%d] %s", rpc, call, ids(request))
            _log.debug("%s [%d] request: %s", rpc, call, _Logged(request))
            try:
                response = behavior(request, context)
            except errors.PodkitError as exc:
                _log.info("%s [%d] failed: %s: %s", rpc, call, exc.grpc_code.name, exc)
                _abort(context, exc.grpc_code, str(exc))
            except NotImplementedError as exc:
                _log.info("%s [%d] not implemented", rpc, call)
                _abort(context, errors.UnimplementedError.grpc_code, str(exc) or rpc)
            except Exception as exc:  # noqa: BLE001 - a bug in a plugin must not kill the server
                _log.exception("%s [%d] failed with a bug", rpc, call)
                message = f"{rpc}: internal error: {type(exc).__name__}: {exc}"
                _abort(context, errors.InternalError.grpc_code, message)
            _log.info("%s [%d] done", rpc, call)
            return response

        return instrumented


__all__ = ["InstrumentedInterceptor", "ids", "sanitized"]

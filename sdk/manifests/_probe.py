"""Decoding probes and lifecycle hooks, and the handlers they run."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.manifests._reader import Errors, Obj, as_object
from podkit.models.kube import (
    ExecAction,
    HTTPGetAction,
    HTTPHeader,
    Lifecycle,
    LifecycleHandler,
    Probe,
    SleepAction,
    TCPSocketAction,
    URIScheme,
)
from podkit.models.kube._probe import port_reasons
from podkit.models.kube._rules import at_least, exactly_one_of, http_header_name, invalid

if TYPE_CHECKING:
    from collections.abc import Sequence

_PROBE_HANDLERS: Final = ("exec", "httpGet", "tcpSocket")
_HOOK_HANDLERS: Final = ("exec", "httpGet", "tcpSocket", "sleep")
#: Probe timings a manifest may leave out or set to 0, and their defaults.
_TIMINGS: Final = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1}
_FAILURE_THRESHOLD: Final = 3


@final
@attrs.frozen
class HandlerContext:
    """What a handler is checked against: its container's port names, the Pod's grace period."""

    port_names: frozenset[str]
    grace_period: int


def _port(obj: Obj, context: HandlerContext) -> int | str:
    raw, path = obj.get("port"), obj.at("port")
    if isinstance(raw, bool) or not isinstance(raw, int | str | None):
        obj.errors.expected(path, "integer or string", raw)
        return 0
    if raw is None or raw in {0, ""}:
        obj.errors.add(path, "required value")
        return 0
    known = isinstance(raw, int) or raw in context.port_names
    if obj.errors.check(path, raw, [port_reasons]) and not known:
        obj.errors.add(path, invalid(raw, "must be the name of one of the container's ports"))
    return raw


def _header(errors: Errors, path: str, raw: object) -> HTTPHeader | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    name = obj.string("name", http_header_name, required=True)
    value = obj.string("value")
    return obj.build(lambda: HTTPHeader(name=name, value=value))


def _exec(errors: Errors, path: str, raw: object) -> ExecAction | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    command = obj.strings("command")
    if not command and isinstance(obj.get("command"), list | None):
        errors.add(obj.at("command"), "required value")
    return obj.build(lambda: ExecAction(command=command))


def _http_get(
    errors: Errors, path: str, raw: object, context: HandlerContext
) -> HTTPGetAction | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    path_, port, host = obj.string("path", default="/"), _port(obj, context), obj.string("host")
    scheme = obj.choice("scheme", URIScheme, URIScheme.HTTP)
    headers = obj.children("httpHeaders", _header)
    return obj.build(
        lambda: HTTPGetAction(
            path=path_ or "/", port=port, host=host, scheme=scheme, http_headers=headers
        )
    )


def _tcp_socket(
    errors: Errors, path: str, raw: object, context: HandlerContext
) -> TCPSocketAction | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    port, host = _port(obj, context), obj.string("host")
    return obj.build(lambda: TCPSocketAction(port=port, host=host))


def _sleep(errors: Errors, path: str, raw: object, context: HandlerContext) -> SleepAction | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None

    def within_grace_period(seconds: int) -> list[str]:
        if 0 <= seconds <= context.grace_period:
            return []
        limit = f"terminationGracePeriodSeconds ({context.grace_period})"
        return [f"must be non-negative and less than or equal to {limit}"]

    seconds = obj.optional_integer("seconds", within_grace_period, bits=64)
    if not obj.present("seconds"):
        errors.add(obj.at("seconds"), "required value")
    return obj.build(lambda: SleepAction(seconds=seconds or 0))


def _one_handler(obj: Obj, names: Sequence[str], unsupported: Sequence[str] = ()) -> None:
    # An unsupported handler (a probe's grpc) is reported as such, not as a missing one.
    if sum(obj.present(name) for name in (*names, *unsupported)) != 1:
        obj.errors.add(obj.path, exactly_one_of(names))


def _timing(obj: Obj, key: str, default: int) -> int:
    """Read a probe timing: absent or 0 takes the default, as ``SetDefaults_Probe`` does."""
    return obj.integer(key, at_least(0), default=0) or default


def decode_probe(
    errors: Errors, path: str, raw: object, *, kind: str, context: HandlerContext
) -> Probe | None:
    """Decode a ``livenessProbe``, ``readinessProbe`` or ``startupProbe`` (``kind``)."""
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    obj.unsupported("grpc")
    exec_ = obj.child("exec", _exec)
    http_get = obj.child("httpGet", functools.partial(_http_get, context=context))
    tcp_socket = obj.child("tcpSocket", functools.partial(_tcp_socket, context=context))
    _one_handler(obj, _PROBE_HANDLERS, unsupported=["grpc"])
    delay = obj.integer("initialDelaySeconds", at_least(0))
    timeout, period, success = (_timing(obj, key, value) for key, value in _TIMINGS.items())
    failure = _timing(obj, "failureThreshold", _FAILURE_THRESHOLD)
    if kind != "readiness" and success != 1:
        errors.add(obj.at("successThreshold"), invalid(success, "must be 1"))
    grace = obj.optional_integer("terminationGracePeriodSeconds", at_least(1), bits=64)
    if kind == "readiness" and grace is not None:
        errors.add(obj.at("terminationGracePeriodSeconds"), "must not be set for readinessProbes")
    return obj.build(
        lambda: Probe(
            exec=exec_,
            http_get=http_get,
            tcp_socket=tcp_socket,
            initial_delay_seconds=delay,
            timeout_seconds=timeout,
            period_seconds=period,
            success_threshold=success,
            failure_threshold=failure,
            termination_grace_period_seconds=grace,
        )
    )


def _hook(
    errors: Errors, path: str, raw: object, context: HandlerContext
) -> LifecycleHandler | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    exec_ = obj.child("exec", _exec)
    http_get = obj.child("httpGet", functools.partial(_http_get, context=context))
    tcp_socket = obj.child("tcpSocket", functools.partial(_tcp_socket, context=context))
    sleep = obj.child("sleep", functools.partial(_sleep, context=context))
    _one_handler(obj, _HOOK_HANDLERS)
    return obj.build(
        lambda: LifecycleHandler(exec=exec_, http_get=http_get, tcp_socket=tcp_socket, sleep=sleep)
    )


def decode_lifecycle(
    errors: Errors, path: str, raw: object, *, context: HandlerContext
) -> Lifecycle | None:
    """Decode a container's ``lifecycle``: its ``postStart`` and ``preStop`` hooks."""
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    obj.unsupported("stopSignal")
    post_start = obj.child("postStart", functools.partial(_hook, context=context))
    pre_stop = obj.child("preStop", functools.partial(_hook, context=context))
    return obj.build(lambda: Lifecycle(post_start=post_start, pre_stop=pre_stop))


__all__ = ["HandlerContext", "decode_lifecycle", "decode_probe"]

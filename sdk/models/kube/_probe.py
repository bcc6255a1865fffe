"""Probes and lifecycle hooks: how the kubelet checks and signals a container.

A probe or a hook runs one handler: a command in the container (``exec``), an
HTTP GET (``httpGet``), a TCP connect (``tcpSocket``), or, for hooks only, a
pause (``sleep``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, final

import attrs

from podkit.models.kube._collections import freeze, strings
from podkit.models.kube._enums import URIScheme
from podkit.models.kube._rules import (
    at_least,
    http_header_name,
    invalid,
    port_name,
    port_number,
)
from podkit.models.kube._validators import exactly_one, fail, number, optional_number, text

if TYPE_CHECKING:
    from collections.abc import Iterable


def port_reasons(value: int | str) -> list[str]:
    """Check a probe port: a number 1-65535 or the name of a container port."""
    return port_number(value) if isinstance(value, int) else port_name(value)


def _check_port(_instance: object, attribute: attrs.Attribute[int | str], value: int | str) -> None:
    if value in {0, ""}:
        fail(attribute.name, "required value")
    for reason in port_reasons(value):
        fail(attribute.name, invalid(value, reason))


def _check_command(
    _instance: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    if not value:
        fail(attribute.name, "required value")


def _headers(value: Iterable[HTTPHeader]) -> tuple[HTTPHeader, ...]:
    return freeze(value)


@final
@attrs.frozen(kw_only=True)
class ExecAction:
    """Run a command in the container; exit status 0 is success."""

    #: The command line, not run in a shell.
    command: tuple[str, ...] = attrs.field(converter=strings, validator=_check_command)


@final
@attrs.frozen(kw_only=True)
class HTTPHeader:
    """A header of an ``httpGet`` request."""

    name: str = attrs.field(validator=text(http_header_name, required=True))
    value: str = ""


@final
@attrs.frozen(kw_only=True)
class HTTPGetAction:
    """GET a URL of the Pod; a status from 200 to 399 is success."""

    path: str = "/"
    #: A port number, or the name of one of the container's ports.
    port: int | str = attrs.field(validator=_check_port)
    #: The host to connect to; the Pod IP when empty.
    host: str = ""
    scheme: URIScheme = attrs.field(default=URIScheme.HTTP, converter=URIScheme)
    http_headers: tuple[HTTPHeader, ...] = attrs.field(default=(), converter=_headers)


@final
@attrs.frozen(kw_only=True)
class TCPSocketAction:
    """Open a TCP connection; connecting is success."""

    #: A port number, or the name of one of the container's ports.
    port: int | str = attrs.field(validator=_check_port)
    #: The host to connect to; the Pod IP when empty.
    host: str = ""


@final
@attrs.frozen(kw_only=True)
class SleepAction:
    """Pause for a number of seconds (lifecycle hooks only)."""

    seconds: int = attrs.field(validator=number(at_least(0)))


@final
@attrs.frozen(kw_only=True)
class Probe:
    """A liveness, readiness or startup probe: one handler and its timing.

    .. versionadded:: 0.1
    """

    exec: ExecAction | None = None
    http_get: HTTPGetAction | None = None
    tcp_socket: TCPSocketAction | None = None
    initial_delay_seconds: int = attrs.field(default=0, validator=number(at_least(0)))
    timeout_seconds: int = attrs.field(default=1, validator=number(at_least(1)))
    period_seconds: int = attrs.field(default=10, validator=number(at_least(1)))
    #: Consecutive successes to count as passing; must be 1 for liveness and startup.
    success_threshold: int = attrs.field(default=1, validator=number(at_least(1)))
    #: Consecutive failures to count as failing.
    failure_threshold: int = attrs.field(default=3, validator=number(at_least(1)))
    #: Overrides the Pod's grace period when this probe's failure kills the container.
    termination_grace_period_seconds: int | None = attrs.field(
        default=None, validator=optional_number(at_least(1))
    )

    def __attrs_post_init__(self) -> None:
        handlers = {"exec": self.exec, "httpGet": self.http_get, "tcpSocket": self.tcp_socket}
        exactly_one("probe", handlers)


@final
@attrs.frozen(kw_only=True)
class LifecycleHandler:
    """What a ``postStart`` or ``preStop`` hook runs: exactly one handler.

    .. versionadded:: 0.1
    """

    exec: ExecAction | None = None
    http_get: HTTPGetAction | None = None
    #: Kept for compatibility: Kubernetes accepts it and does not run it.
    tcp_socket: TCPSocketAction | None = None
    sleep: SleepAction | None = None

    def __attrs_post_init__(self) -> None:
        handlers = {
            "exec": self.exec,
            "httpGet": self.http_get,
            "tcpSocket": self.tcp_socket,
            "sleep": self.sleep,
        }
        exactly_one("handler", handlers)


@final
@attrs.frozen(kw_only=True)
class Lifecycle:
    """The hooks run right after a container starts and before it is stopped.

    .. versionadded:: 0.1
    """

    post_start: LifecycleHandler | None = None
    pre_stop: LifecycleHandler | None = None


__all__ = [
    "ExecAction",
    "HTTPGetAction",
    "HTTPHeader",
    "Lifecycle",
    "LifecycleHandler",
    "Probe",
    "SleepAction",
    "TCPSocketAction",
    "port_reasons",
]

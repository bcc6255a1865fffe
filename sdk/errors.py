"""The one exception hierarchy of podkit.

Plugins raise these; the wire adapters turn them into the code each protocol
uses, by looking it up on the class rather than through a table of branches:
:attr:`PodkitError.grpc_code` for CRI and CSI (gRPC status codes), and
:attr:`PodkitError.cni_code` for CNI (the SPEC's error codes, 1-11 and 50+
reserved, 100+ plugin-specific, 999 for "internal" as libcni uses it).

The classes mirror containerd's ``errdefs`` and, where a builtin exception
fits, inherit it too: :class:`NotFoundError` is a :class:`LookupError`, so
``except LookupError`` catches it.

Messages follow containerd's shape, ``failed to <verb> <object> <id!r>:
<cause>``; foreign exceptions are translated at the boundary with
``raise ... from exc``.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, ClassVar, final

import attrs

if TYPE_CHECKING:
    from collections.abc import Iterable


class GrpcCode(enum.IntEnum):
    """The gRPC status codes, by their wire numbers.

    Kept here so that :mod:`podkit.errors` does not import ``grpc``: only the
    wire adapters do. The numbers are fixed by gRPC's ``status.proto``.
    """

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16


class CniCode(enum.IntEnum):
    """The error codes of the CNI SPEC (section "Error"), plus libcni's 999."""

    INCOMPATIBLE_VERSION = 1
    UNSUPPORTED_FIELD = 2
    UNKNOWN_CONTAINER = 3
    INVALID_ENVIRONMENT = 4
    IO_FAILURE = 5
    DECODING_FAILURE = 6
    INVALID_NETWORK_CONFIG = 7
    INVALID_NETNS = 8
    TRY_AGAIN_LATER = 11
    PLUGIN_NOT_AVAILABLE = 50
    LIMITED_CONNECTIVITY = 51
    INTERNAL = 999


class PodkitError(Exception):
    """The root of every error podkit raises on purpose.

    :param message: what failed and why, in containerd's shape
        (``failed to <verb> <object> <id!r>: <cause>``).
    :param details: more text for the protocols that carry it (CNI's
        ``details``; appended to the gRPC status message).

    .. versionadded:: 0.1
    """

    #: The gRPC status code the CRI and CSI adapters answer with.
    grpc_code: ClassVar[GrpcCode] = GrpcCode.UNKNOWN
    #: The error code the CNI adapter answers with.
    cni_code: ClassVar[int] = CniCode.INTERNAL

    def __init__(self, message: str, *, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return f"{self.message} ({self.details})" if self.details else self.message


class InvalidArgumentError(PodkitError, ValueError):
    """A request or a configuration is malformed or names something invalid."""

    grpc_code = GrpcCode.INVALID_ARGUMENT
    cni_code = CniCode.INVALID_NETWORK_CONFIG


class NotFoundError(PodkitError, LookupError):
    """The object a request names does not exist."""

    grpc_code = GrpcCode.NOT_FOUND
    cni_code = CniCode.UNKNOWN_CONTAINER


class AlreadyExistsError(PodkitError):
    """An object of that name exists already, and differs from the request."""

    grpc_code = GrpcCode.ALREADY_EXISTS


class FailedPreconditionError(PodkitError):
    """The system is not in a state the operation needs (e.g. still in use)."""

    grpc_code = GrpcCode.FAILED_PRECONDITION


class PermissionDeniedError(PodkitError, PermissionError):
    """The caller or the process lacks the privilege the operation needs."""

    grpc_code = GrpcCode.PERMISSION_DENIED


class ResourceExhaustedError(PodkitError):
    """A finite resource ran out: addresses in a range, capacity, slots."""

    grpc_code = GrpcCode.RESOURCE_EXHAUSTED


class OutOfRangeError(PodkitError):
    """A value lies outside what is supported (CSI: a capacity too large)."""

    grpc_code = GrpcCode.OUT_OF_RANGE


class AbortedError(PodkitError):
    """Another operation on the same object is in progress (CSI: ABORTED)."""

    grpc_code = GrpcCode.ABORTED
    cni_code = CniCode.TRY_AGAIN_LATER


class DeadlineExceededError(PodkitError, TimeoutError):
    """The operation did not finish in the time it was given."""

    grpc_code = GrpcCode.DEADLINE_EXCEEDED


class UnauthenticatedError(PodkitError):
    """The credentials given (CSI: the secrets) are missing or not accepted."""

    grpc_code = GrpcCode.UNAUTHENTICATED


class UnavailableError(PodkitError):
    """The plugin or a service it needs is not ready; try again later."""

    grpc_code = GrpcCode.UNAVAILABLE
    cni_code = CniCode.TRY_AGAIN_LATER


class UnimplementedError(PodkitError, NotImplementedError):
    """The plugin does not implement this operation or option."""

    grpc_code = GrpcCode.UNIMPLEMENTED
    cni_code = CniCode.UNSUPPORTED_FIELD


class InternalError(PodkitError):
    """Something broke that the caller cannot fix by changing the request."""

    grpc_code = GrpcCode.INTERNAL


@final
class IncompatibleVersionError(InvalidArgumentError):
    """The caller asks for a protocol version the plugin does not support."""

    grpc_code = GrpcCode.FAILED_PRECONDITION
    cni_code = CniCode.INCOMPATIBLE_VERSION


class PluginNotAvailableError(UnavailableError):
    """CNI ``STATUS``: the plugin cannot serve ``ADD`` now (CNI code 50)."""

    cni_code = CniCode.PLUGIN_NOT_AVAILABLE


@final
class LimitedConnectivityError(PluginNotAvailableError):
    """CNI ``STATUS``: not available, and existing attachments may suffer (code 51)."""

    cni_code = CniCode.LIMITED_CONNECTIVITY


@final
class NoPluginError(NotFoundError):
    """No loaded plugin answers for the handler, CNI type or driver named."""

    grpc_code = GrpcCode.NOT_FOUND
    cni_code = CniCode.INVALID_NETWORK_CONFIG


@final
class PluginValidationError(PodkitError):
    """A plugin could not be loaded: a hook or argument does not match a spec."""

    grpc_code = GrpcCode.INTERNAL


@final
@attrs.frozen
class FieldError:
    """One problem found in a manifest, at one field.

    :param path: the field path, e.g. ``spec.containers[1].resources.limits.memory``.
    :param message: what is wrong, e.g. ``invalid quantity "64Q"``.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


@final
class ManifestError(InvalidArgumentError):
    """A manifest is invalid; :attr:`errors` lists every problem found.

    All problems of a document are collected before this is raised, so a user
    fixes a manifest in one round. ``str()`` gives one problem per line, field
    path first.
    """

    def __init__(self, errors: Iterable[FieldError], *, source: str = "") -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__("\n".join(f"{prefix}{error}" for error in self.errors))


_PUBLIC = (
    AbortedError,
    AlreadyExistsError,
    DeadlineExceededError,
    FailedPreconditionError,
    FieldError,
    IncompatibleVersionError,
    InternalError,
    InvalidArgumentError,
    LimitedConnectivityError,
    ManifestError,
    NoPluginError,
    NotFoundError,
    OutOfRangeError,
    PermissionDeniedError,
    PluginNotAvailableError,
    PluginValidationError,
    PodkitError,
    ResourceExhaustedError,
    UnauthenticatedError,
    UnavailableError,
    UnimplementedError,
)
for _cls in _PUBLIC:
    _cls.__module__ = "podkit"

__all__ = [
    "AbortedError",
    "AlreadyExistsError",
    "CniCode",
    "DeadlineExceededError",
    "FailedPreconditionError",
    "FieldError",
    "GrpcCode",
    "IncompatibleVersionError",
    "InternalError",
    "InvalidArgumentError",
    "LimitedConnectivityError",
    "ManifestError",
    "NoPluginError",
    "NotFoundError",
    "OutOfRangeError",
    "PermissionDeniedError",
    "PluginNotAvailableError",
    "PluginValidationError",
    "PodkitError",
    "ResourceExhaustedError",
    "UnauthenticatedError",
    "UnavailableError",
    "UnimplementedError",
]

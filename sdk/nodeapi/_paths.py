"""What client and server of the node API agree on: the socket, the paths, the error codes.

Paths are the Kubernetes API's (``/api/v1/namespaces/{ns}/pods/{name}/log``);
a podkit error crosses as an HTTP status (from its gRPC code, as
grpc-gateway maps them) and a ``Status`` object naming the error class, so
that the client raises the same class with the same message.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from pathlib import Path
from typing import Final

from podkit import errors
from podkit.errors import GrpcCode, PodkitError

#: Where ``podkit node`` listens, and where the commands look for it.
DEFAULT_SOCKET: Final = Path("/run/podkit/node.sock")
#: ``GET`` lists pods (``POST`` applies a manifest); ``namespace`` is None for all of them.
PODS: Final = re.compile(r"/api/v1(?:/namespaces/(?P<namespace>[^/]+))?/pods")
#: One pod; ``sub`` is ``log``, ``exec`` or None.
POD: Final = re.compile(
    r"/api/v1/namespaces/(?P<namespace>[^/]+)/pods/(?P<name>[^/]+)(?:/(?P<sub>log|exec))?"
)
#: A namespace's events (``?fieldSelector=involvedObject.name=NAME``).
EVENTS: Final = re.compile(r"/api/v1/namespaces/(?P<namespace>[^/]+)/events")

_HTTP_STATUS: Final = {
    GrpcCode.INVALID_ARGUMENT: HTTPStatus.BAD_REQUEST,
    GrpcCode.OUT_OF_RANGE: HTTPStatus.BAD_REQUEST,
    GrpcCode.NOT_FOUND: HTTPStatus.NOT_FOUND,
    GrpcCode.ALREADY_EXISTS: HTTPStatus.CONFLICT,
    GrpcCode.ABORTED: HTTPStatus.CONFLICT,
    GrpcCode.FAILED_PRECONDITION: HTTPStatus.PRECONDITION_FAILED,
    GrpcCode.PERMISSION_DENIED: HTTPStatus.FORBIDDEN,
    GrpcCode.UNAUTHENTICATED: HTTPStatus.UNAUTHORIZED,
    GrpcCode.RESOURCE_EXHAUSTED: HTTPStatus.TOO_MANY_REQUESTS,
    GrpcCode.UNIMPLEMENTED: HTTPStatus.NOT_IMPLEMENTED,
    GrpcCode.UNAVAILABLE: HTTPStatus.SERVICE_UNAVAILABLE,
    GrpcCode.DEADLINE_EXCEEDED: HTTPStatus.GATEWAY_TIMEOUT,
}


def http_status(error: PodkitError) -> HTTPStatus:
    """The HTTP status an error crosses with."""
    return _HTTP_STATUS.get(GrpcCode(error.grpc_code), HTTPStatus.INTERNAL_SERVER_ERROR)


def status_object(status: HTTPStatus, message: str, error: str) -> dict[str, object]:
    """A Kubernetes ``Status`` of a failure; ``error`` is the podkit error class's name."""
    return {
        "apiVersion": "v1",
        "kind": "Status",
        "status": "Failure",
        "code": int(status),
        "reason": status.phrase.replace(" ", ""),
        "message": message,
        "error": error,
    }


def error_class(name: str, status: int) -> type[PodkitError]:
    """The podkit error class named ``name``; one from the HTTP status when unknown."""
    found = getattr(errors, name, None)
    if (
        isinstance(found, type)
        and issubclass(found, PodkitError)
        and found is not errors.ManifestError
    ):
        return found
    if name == "ManifestError":
        return errors.InvalidArgumentError
    for code, http in _HTTP_STATUS.items():
        if http == status:
            return next(c for c in _BY_CODE if c.grpc_code == code)
    return errors.InternalError


_BY_CODE: Final = (
    errors.InvalidArgumentError,
    errors.OutOfRangeError,
    errors.NotFoundError,
    errors.AlreadyExistsError,
    errors.AbortedError,
    errors.FailedPreconditionError,
    errors.PermissionDeniedError,
    errors.UnauthenticatedError,
    errors.ResourceExhaustedError,
    errors.UnimplementedError,
    errors.UnavailableError,
    errors.DeadlineExceededError,
)

__all__ = ["DEFAULT_SOCKET", "EVENTS", "POD", "PODS", "error_class", "http_status", "status_object"]

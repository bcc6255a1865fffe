"""gRPC status codes to podkit errors and back (CSI and CRI alike), by lookup on ``grpc_code``.

Both ways go through :attr:`podkit.errors.PodkitError.grpc_code`: the server
answers a podkit error with its class's code, and the client raises the
class that carries the code it received. No branch per code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import grpc

from podkit import errors

if TYPE_CHECKING:
    from collections.abc import Iterable

#: The classes the client raises, one per code: the general class of each
#: code, never a specialised one (NoPluginError, IncompatibleVersionError...).
_CANONICAL: Final[tuple[type[errors.PodkitError], ...]] = (
    errors.InvalidArgumentError,
    errors.NotFoundError,
    errors.AlreadyExistsError,
    errors.FailedPreconditionError,
    errors.PermissionDeniedError,
    errors.ResourceExhaustedError,
    errors.OutOfRangeError,
    errors.AbortedError,
    errors.DeadlineExceededError,
    errors.UnauthenticatedError,
    errors.UnavailableError,
    errors.UnimplementedError,
    errors.InternalError,
)


def _by_code(classes: Iterable[type[errors.PodkitError]]) -> dict[int, type[errors.PodkitError]]:
    return {int(cls.grpc_code): cls for cls in classes}


_ERROR_FOR_CODE: Final = _by_code(_CANONICAL)


def status_code(code: errors.GrpcCode) -> grpc.StatusCode:
    """The :class:`grpc.StatusCode` of a podkit error's ``grpc_code``."""
    return grpc.StatusCode[code.name]


def error_class(code: grpc.StatusCode) -> type[errors.PodkitError]:
    """The podkit error class for a gRPC status code; :class:`PodkitError` if none fits.

    ``UNKNOWN``, ``CANCELLED`` and ``DATA_LOSS`` have no class of their own.
    """
    number: int = code.value[0]
    return _ERROR_FOR_CODE.get(number, errors.PodkitError)


__all__ = ["error_class", "status_code"]

from __future__ import annotations

import pytest

import podkit
from podkit import errors


@pytest.mark.parametrize(
    ("cls", "grpc", "cni", "builtin"),
    [
        (errors.InvalidArgumentError, errors.GrpcCode.INVALID_ARGUMENT, 7, ValueError),
        (errors.NotFoundError, errors.GrpcCode.NOT_FOUND, 3, LookupError),
        (errors.AlreadyExistsError, errors.GrpcCode.ALREADY_EXISTS, 999, Exception),
        (errors.FailedPreconditionError, errors.GrpcCode.FAILED_PRECONDITION, 999, Exception),
        (errors.PermissionDeniedError, errors.GrpcCode.PERMISSION_DENIED, 999, PermissionError),
        (errors.ResourceExhaustedError, errors.GrpcCode.RESOURCE_EXHAUSTED, 999, Exception),
        (errors.OutOfRangeError, errors.GrpcCode.OUT_OF_RANGE, 999, Exception),
        (errors.AbortedError, errors.GrpcCode.ABORTED, 11, Exception),
        (errors.DeadlineExceededError, errors.GrpcCode.DEADLINE_EXCEEDED, 999, TimeoutError),
        (errors.UnavailableError, errors.GrpcCode.UNAVAILABLE, 11, Exception),
        (errors.UnimplementedError, errors.GrpcCode.UNIMPLEMENTED, 2, NotImplementedError),
        (errors.InternalError, errors.GrpcCode.INTERNAL, 999, Exception),
        (errors.IncompatibleVersionError, errors.GrpcCode.FAILED_PRECONDITION, 1, ValueError),
    ],
)
def test_each_error_carries_its_protocol_codes_and_builtin_base(cls, grpc, cni, builtin):
    error = cls("failed to do thing 'x': because")
    assert isinstance(error, podkit.PodkitError)
    assert isinstance(error, builtin)
    assert error.grpc_code is grpc
    assert error.cni_code == cni
    assert str(error) == "failed to do thing 'x': because"


def test_grpc_codes_have_their_wire_numbers():
    assert [c.value for c in errors.GrpcCode] == list(range(17))
    assert errors.GrpcCode.UNAVAILABLE == 14


def test_details_are_kept_apart_and_shown():
    error = errors.InternalError("failed to add network 'n'", details="netlink: EPERM")
    assert error.message == "failed to add network 'n'"
    assert error.details == "netlink: EPERM"
    assert str(error) == "failed to add network 'n' (netlink: EPERM)"


def test_manifest_error_lists_every_field_error_one_per_line():
    error = errors.ManifestError(
        [
            errors.FieldError(
                "spec.containers[1].resources.limits.memory", 'invalid quantity "64Q"'
            ),
            errors.FieldError("metadata.name", 'invalid name "Bad_Name"'),
        ],
        source="pod.yaml",
    )
    assert str(error).splitlines() == [
        'pod.yaml: spec.containers[1].resources.limits.memory: invalid quantity "64Q"',
        'pod.yaml: metadata.name: invalid name "Bad_Name"',
    ]
    assert isinstance(error, errors.InvalidArgumentError)


def test_public_errors_are_shown_as_podkit_names():
    assert podkit.NotFoundError.__module__ == "podkit"
    assert podkit.NotFoundError is errors.NotFoundError

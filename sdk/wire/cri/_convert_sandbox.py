"""RuntimeService, Version to ListPodSandbox: requests and responses, both ways.

``from_cri_*`` read what arrives (a request at the server, a response at
the client) into models; ``to_cri_*`` write models into messages. The
server reads requests and writes responses, the client the other way
round, so each RPC has its four functions here, made of the generic walk
of :mod:`podkit.wire.cri._messages` plus the checks the RPC needs.
"""

from __future__ import annotations

from podkit.models.runtime import (
    PodSandbox,
    PodSandboxConfig,
    PodSandboxFilter,
    PodSandboxStatusResponse,
    StatusResponse,
    VersionResponse,
)
from podkit.wire.cri._checks import require_id, require_name
from podkit.wire.cri._messages import (
    from_cri,
    optional_from_cri,
    required_from_cri,
    to_cri,
    to_cri_as,
)
from podkit.wire.cri._proto import api_pb2 as pb

# -- Version, Status ----------------------------------------------------------------------


def to_cri_version_response(response: VersionResponse) -> pb.VersionResponse:
    """CRI ``VersionResponse``."""
    return to_cri_as(pb.VersionResponse, response)


def from_cri_version_response(response: pb.VersionResponse) -> VersionResponse:
    """The model of a ``VersionResponse``."""
    return from_cri(VersionResponse, response)


def to_cri_status_response(response: StatusResponse) -> pb.StatusResponse:
    """CRI ``StatusResponse``."""
    return to_cri_as(pb.StatusResponse, response)


def from_cri_status_response(response: pb.StatusResponse) -> StatusResponse:
    """The model of a ``StatusResponse``."""
    return from_cri(StatusResponse, response)


# -- RunPodSandbox ------------------------------------------------------------------------


def check_sandbox_config(config: PodSandboxConfig, where: str = "config") -> PodSandboxConfig:
    """``config``, once its metadata names a pod: name, namespace and uid.

    :raises podkit.errors.InvalidArgumentError: one is empty or unusable.
    """
    require_name(config.metadata.name, f"{where}.metadata.name")
    require_name(config.metadata.namespace, f"{where}.metadata.namespace")
    require_name(config.metadata.uid, f"{where}.metadata.uid")
    return config


def from_cri_run_pod_sandbox_request(
    request: pb.RunPodSandboxRequest,
) -> tuple[PodSandboxConfig, str]:
    """The sandbox's config and the runtime handler asked for ("" for the default).

    :raises podkit.errors.InvalidArgumentError: ``config`` or its metadata is
        missing or invalid.
    """
    config = check_sandbox_config(required_from_cri(PodSandboxConfig, request, "config"))
    return config, request.runtime_handler


def to_cri_run_pod_sandbox_request(
    config: PodSandboxConfig, runtime_handler: str
) -> pb.RunPodSandboxRequest:
    """CRI ``RunPodSandboxRequest``."""
    return pb.RunPodSandboxRequest(config=to_cri(config), runtime_handler=runtime_handler)


# -- StopPodSandbox, RemovePodSandbox, PodSandboxStatus -----------------------------------


def from_cri_pod_sandbox_id(
    request: pb.StopPodSandboxRequest | pb.RemovePodSandboxRequest | pb.PodSandboxStatusRequest,
) -> str:
    """The request's ``pod_sandbox_id``, which must be set."""
    return require_id(request.pod_sandbox_id, "pod_sandbox_id")


def to_cri_pod_sandbox_status_response(
    response: PodSandboxStatusResponse,
) -> pb.PodSandboxStatusResponse:
    """CRI ``PodSandboxStatusResponse``."""
    return to_cri_as(pb.PodSandboxStatusResponse, response)


def from_cri_pod_sandbox_status_response(
    response: pb.PodSandboxStatusResponse,
) -> PodSandboxStatusResponse:
    """The model of a ``PodSandboxStatusResponse``; its ``status`` is required."""
    return from_cri(PodSandboxStatusResponse, response)


# -- ListPodSandbox -----------------------------------------------------------------------


def from_cri_pod_sandbox_filter(
    request: pb.ListPodSandboxRequest | pb.StreamPodSandboxesRequest,
) -> PodSandboxFilter:
    """The request's filter; an unset one matches every sandbox."""
    return optional_from_cri(PodSandboxFilter, request, "filter") or PodSandboxFilter()


def to_cri_list_pod_sandbox_request(conditions: PodSandboxFilter) -> pb.ListPodSandboxRequest:
    """CRI ``ListPodSandboxRequest``."""
    return pb.ListPodSandboxRequest(filter=to_cri(conditions))


def to_cri_list_pod_sandbox_response(
    sandboxes: tuple[PodSandbox, ...] | list[PodSandbox],
) -> pb.ListPodSandboxResponse:
    """CRI ``ListPodSandboxResponse``."""
    return pb.ListPodSandboxResponse(items=[to_cri(s) for s in sandboxes])


def from_cri_list_pod_sandbox_response(
    response: pb.ListPodSandboxResponse,
) -> tuple[PodSandbox, ...]:
    """The sandboxes of a ``ListPodSandboxResponse``."""
    return tuple(
        from_cri(PodSandbox, item, f"items[{index}]") for index, item in enumerate(response.items)
    )


__all__ = [
    "check_sandbox_config",
    "from_cri_list_pod_sandbox_response",
    "from_cri_pod_sandbox_filter",
    "from_cri_pod_sandbox_id",
    "from_cri_pod_sandbox_status_response",
    "from_cri_run_pod_sandbox_request",
    "from_cri_status_response",
    "from_cri_version_response",
    "to_cri_list_pod_sandbox_request",
    "to_cri_list_pod_sandbox_response",
    "to_cri_pod_sandbox_status_response",
    "to_cri_run_pod_sandbox_request",
    "to_cri_status_response",
    "to_cri_version_response",
]

"""RuntimeService, CreateContainer to ListContainerStats: requests and responses, both ways.

As in :mod:`podkit.wire.cri._convert_sandbox`: ``from_cri_*`` read what
arrives into models and hook arguments, ``to_cri_*`` write models into
messages, with the checks each RPC needs (a container's metadata and image
are required; ids must be set).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from podkit.errors import InvalidArgumentError
from podkit.models.runtime import (
    Container,
    ContainerConfig,
    ContainerFilter,
    ContainerStats,
    ContainerStatsFilter,
    ContainerStatusResponse,
    ExecSyncResponse,
    LinuxContainerResources,
    PodSandboxConfig,
)
from podkit.wire.cri._checks import require_id, require_name
from podkit.wire.cri._convert_sandbox import check_sandbox_config
from podkit.wire.cri._messages import (
    from_cri,
    optional_from_cri,
    required_from_cri,
    to_cri,
    to_cri_as,
)
from podkit.wire.cri._proto import api_pb2 as pb

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

# -- CreateContainer ----------------------------------------------------------------------


def from_cri_create_container_request(
    request: pb.CreateContainerRequest,
) -> tuple[str, ContainerConfig, PodSandboxConfig]:
    """The sandbox id, the container's config and the sandbox's config.

    :raises podkit.errors.InvalidArgumentError: a field is missing, the
        container has no name or no image, or a value is invalid.
    """
    sandbox_id = require_id(request.pod_sandbox_id, "pod_sandbox_id")
    config = required_from_cri(ContainerConfig, request, "config")
    require_name(config.metadata.name, "config.metadata.name")
    if not config.image.image:
        msg = "invalid config.image.image: must not be empty"
        raise InvalidArgumentError(msg)
    sandbox_config = required_from_cri(PodSandboxConfig, request, "sandbox_config")
    return sandbox_id, config, check_sandbox_config(sandbox_config, "sandbox_config")


def to_cri_create_container_request(
    pod_sandbox_id: str, config: ContainerConfig, sandbox_config: PodSandboxConfig
) -> pb.CreateContainerRequest:
    """CRI ``CreateContainerRequest``."""
    return pb.CreateContainerRequest(
        pod_sandbox_id=pod_sandbox_id, config=to_cri(config), sandbox_config=to_cri(sandbox_config)
    )


# -- StartContainer, StopContainer, RemoveContainer, ReopenContainerLog, ContainerStats ----


def from_cri_container_id(
    request: pb.StartContainerRequest
    | pb.StopContainerRequest
    | pb.RemoveContainerRequest
    | pb.ContainerStatusRequest
    | pb.ReopenContainerLogRequest
    | pb.ContainerStatsRequest,
) -> str:
    """The request's ``container_id``, which must be set."""
    return require_id(request.container_id, "container_id")


# -- ContainerStatus ----------------------------------------------------------------------


def to_cri_container_status_response(
    response: ContainerStatusResponse,
) -> pb.ContainerStatusResponse:
    """CRI ``ContainerStatusResponse``."""
    return to_cri_as(pb.ContainerStatusResponse, response)


def from_cri_container_status_response(
    response: pb.ContainerStatusResponse,
) -> ContainerStatusResponse:
    """The model of a ``ContainerStatusResponse``; its ``status`` is required."""
    return from_cri(ContainerStatusResponse, response)


# -- ListContainers -----------------------------------------------------------------------


def from_cri_container_filter(
    request: pb.ListContainersRequest | pb.StreamContainersRequest,
) -> ContainerFilter:
    """The request's filter; an unset one matches every container."""
    return optional_from_cri(ContainerFilter, request, "filter") or ContainerFilter()


def to_cri_list_containers_request(conditions: ContainerFilter) -> pb.ListContainersRequest:
    """CRI ``ListContainersRequest``."""
    return pb.ListContainersRequest(filter=to_cri(conditions))


def to_cri_containers(containers: Iterable[Container]) -> list[pb.Container]:
    """CRI ``Container`` messages, for ``ListContainersResponse`` and its stream."""
    return [to_cri(c) for c in containers]


def from_cri_list_containers_response(
    response: pb.ListContainersResponse,
) -> tuple[Container, ...]:
    """The containers of a ``ListContainersResponse``."""
    return tuple(
        from_cri(Container, item, f"containers[{index}]")
        for index, item in enumerate(response.containers)
    )


# -- ExecSync -----------------------------------------------------------------------------


def from_cri_exec_sync_request(request: pb.ExecSyncRequest) -> tuple[str, tuple[str, ...], int]:
    """The container id, the command and the timeout in seconds (0: none).

    :raises podkit.errors.InvalidArgumentError: no id, an empty command or
        a negative timeout.
    """
    container_id = require_id(request.container_id, "container_id")
    if not request.cmd:
        msg = "missing required field cmd"
        raise InvalidArgumentError(msg)
    if request.timeout < 0:
        msg = f"invalid timeout {request.timeout}: must not be negative"
        raise InvalidArgumentError(msg)
    return container_id, tuple(request.cmd), request.timeout


def to_cri_exec_sync_request(
    container_id: str, cmd: tuple[str, ...], timeout: int
) -> pb.ExecSyncRequest:
    """CRI ``ExecSyncRequest``."""
    return pb.ExecSyncRequest(container_id=container_id, cmd=cmd, timeout=timeout)


def to_cri_exec_sync_response(response: ExecSyncResponse) -> pb.ExecSyncResponse:
    """CRI ``ExecSyncResponse``."""
    return to_cri_as(pb.ExecSyncResponse, response)


def from_cri_exec_sync_response(response: pb.ExecSyncResponse) -> ExecSyncResponse:
    """The model of an ``ExecSyncResponse``."""
    return from_cri(ExecSyncResponse, response)


# -- UpdateContainerResources -------------------------------------------------------------


def from_cri_update_container_resources_request(
    request: pb.UpdateContainerResourcesRequest,
) -> tuple[str, LinuxContainerResources | None, Mapping[str, str]]:
    """The container id, the new Linux resources (``None``: unset) and the annotations."""
    container_id = require_id(request.container_id, "container_id")
    linux = optional_from_cri(LinuxContainerResources, request, "linux")
    return container_id, linux, dict(request.annotations)


def to_cri_update_container_resources_request(
    container_id: str, linux: LinuxContainerResources | None, annotations: Mapping[str, str]
) -> pb.UpdateContainerResourcesRequest:
    """CRI ``UpdateContainerResourcesRequest``."""
    request = pb.UpdateContainerResourcesRequest(
        container_id=container_id, annotations=dict(annotations)
    )
    if linux is not None:
        to_cri(linux, request.linux)
        request.linux.SetInParent()
    return request


# -- ContainerStats, ListContainerStats ---------------------------------------------------


def to_cri_container_stats_response(stats: ContainerStats) -> pb.ContainerStatsResponse:
    """CRI ``ContainerStatsResponse``."""
    return pb.ContainerStatsResponse(stats=to_cri(stats))


def from_cri_container_stats_response(response: pb.ContainerStatsResponse) -> ContainerStats:
    """The stats of a ``ContainerStatsResponse``, which must be set."""
    return required_from_cri(ContainerStats, response, "stats")


def from_cri_container_stats_filter(
    request: pb.ListContainerStatsRequest | pb.StreamContainerStatsRequest,
) -> ContainerStatsFilter:
    """The request's filter; an unset one matches every container."""
    return optional_from_cri(ContainerStatsFilter, request, "filter") or ContainerStatsFilter()


def to_cri_list_container_stats_request(
    conditions: ContainerStatsFilter,
) -> pb.ListContainerStatsRequest:
    """CRI ``ListContainerStatsRequest``."""
    return pb.ListContainerStatsRequest(filter=to_cri(conditions))


def to_cri_container_stats(stats: Iterable[ContainerStats]) -> list[pb.ContainerStats]:
    """CRI ``ContainerStats`` messages, for ``ListContainerStatsResponse`` and its stream."""
    return [to_cri(s) for s in stats]


def from_cri_list_container_stats_response(
    response: pb.ListContainerStatsResponse,
) -> tuple[ContainerStats, ...]:
    """The stats of a ``ListContainerStatsResponse``."""
    return tuple(
        from_cri(ContainerStats, item, f"stats[{index}]")
        for index, item in enumerate(response.stats)
    )


__all__ = [
    "from_cri_container_filter",
    "from_cri_container_id",
    "from_cri_container_stats_filter",
    "from_cri_container_stats_response",
    "from_cri_container_status_response",
    "from_cri_create_container_request",
    "from_cri_exec_sync_request",
    "from_cri_exec_sync_response",
    "from_cri_list_container_stats_response",
    "from_cri_list_containers_response",
    "from_cri_update_container_resources_request",
    "to_cri_container_stats",
    "to_cri_container_stats_response",
    "to_cri_container_status_response",
    "to_cri_containers",
    "to_cri_create_container_request",
    "to_cri_exec_sync_request",
    "to_cri_exec_sync_response",
    "to_cri_list_container_stats_request",
    "to_cri_list_containers_request",
    "to_cri_update_container_resources_request",
]

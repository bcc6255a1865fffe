"""The CRI RuntimeService, served from the runtime layer.

Each method: ``from_cri_*`` request -> the runtime layer (sandboxes and
containers, so that ``RunPodSandbox`` attaches the CNI networks as
containerd's does) or the runtime hook of the handler that owns the
container -> ``to_cri_*`` response. The RPCs no hook covers are in
:class:`~podkit.wire.cri._unimplemented.UnimplementedRuntimeRPCs`. Errors
are the instrumented wrapper's job (:mod:`podkit.wire.cri._instrumented`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, final

from podkit import __version__
from podkit.models.runtime import VersionResponse
from podkit.wire.cri import _convert_container as c
from podkit.wire.cri import _convert_sandbox as s
from podkit.wire.cri._proto import api_pb2 as pb
from podkit.wire.cri._unimplemented import UnimplementedRuntimeRPCs

if TYPE_CHECKING:
    from collections.abc import Iterator

    import grpc

    from podkit.models import runtime as models
    from podkit.runtimelayer import RuntimeLayer

# The methods are the RPCs, named as upstream names them, with grpc's servicer
# signature, whose request and context not every RPC needs.
# ruff: noqa: N802, ARG002

#: What ``Version`` answers as ``runtime_name``.
RUNTIME_NAME: Final = "podkit"
#: The CRI API version podkit speaks.
RUNTIME_API_VERSION: Final = "v1"
#: The kubelet API version ``Version`` reports (what containerd reports too).
KUBELET_API_VERSION: Final = "0.1.0"


@final
class RuntimeServicer(UnimplementedRuntimeRPCs):
    """``runtime.v1.RuntimeService`` over ``layer``."""

    def __init__(self, layer: RuntimeLayer) -> None:
        self._layer = layer
        self._runtime = layer.runtime

    # -- Version, Status ------------------------------------------------------------------

    def Version(
        self, request: pb.VersionRequest, context: grpc.ServicerContext
    ) -> pb.VersionResponse:
        """CRI ``Version``: podkit, whatever plugin runs the pods."""
        return s.to_cri_version_response(
            VersionResponse(
                version=KUBELET_API_VERSION,
                runtime_name=RUNTIME_NAME,
                runtime_version=__version__,
                runtime_api_version=RUNTIME_API_VERSION,
            )
        )

    def Status(self, request: pb.StatusRequest, context: grpc.ServicerContext) -> pb.StatusResponse:
        """CRI ``Status``: the default handler's conditions, and ``NetworkReady``."""
        return s.to_cri_status_response(self._layer.status(verbose=request.verbose))

    # -- sandboxes ------------------------------------------------------------------------

    def RunPodSandbox(
        self, request: pb.RunPodSandboxRequest, context: grpc.ServicerContext
    ) -> pb.RunPodSandboxResponse:
        """CRI ``RunPodSandbox``: the sandbox, then its networks."""
        config, handler = s.from_cri_run_pod_sandbox_request(request)
        sandbox_id = self._layer.run_pod_sandbox(config, handler)
        return pb.RunPodSandboxResponse(pod_sandbox_id=sandbox_id)

    def StopPodSandbox(
        self, request: pb.StopPodSandboxRequest, context: grpc.ServicerContext
    ) -> pb.StopPodSandboxResponse:
        """CRI ``StopPodSandbox`` (idempotent)."""
        self._layer.stop_pod_sandbox(s.from_cri_pod_sandbox_id(request))
        return pb.StopPodSandboxResponse()

    def RemovePodSandbox(
        self, request: pb.RemovePodSandboxRequest, context: grpc.ServicerContext
    ) -> pb.RemovePodSandboxResponse:
        """CRI ``RemovePodSandbox`` (idempotent)."""
        self._layer.remove_pod_sandbox(s.from_cri_pod_sandbox_id(request))
        return pb.RemovePodSandboxResponse()

    def PodSandboxStatus(
        self, request: pb.PodSandboxStatusRequest, context: grpc.ServicerContext
    ) -> pb.PodSandboxStatusResponse:
        """CRI ``PodSandboxStatus``, with the addresses the networks gave."""
        response = self._layer.pod_sandbox_status(
            s.from_cri_pod_sandbox_id(request), verbose=request.verbose
        )
        return s.to_cri_pod_sandbox_status_response(response)

    def ListPodSandbox(
        self, request: pb.ListPodSandboxRequest, context: grpc.ServicerContext
    ) -> pb.ListPodSandboxResponse:
        """CRI ``ListPodSandbox``, over every handler."""
        found = self._layer.list_pod_sandbox(s.from_cri_pod_sandbox_filter(request))
        return s.to_cri_list_pod_sandbox_response(found)

    def StreamPodSandboxes(
        self, request: pb.StreamPodSandboxesRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.StreamPodSandboxesResponse]:
        """CRI ``StreamPodSandboxes``: the list, in one response (none when empty)."""
        found = self._layer.list_pod_sandbox(s.from_cri_pod_sandbox_filter(request))
        if found:
            yield pb.StreamPodSandboxesResponse(
                pod_sandboxes=s.to_cri_list_pod_sandbox_response(found).items
            )

    # -- containers -----------------------------------------------------------------------

    def CreateContainer(
        self, request: pb.CreateContainerRequest, context: grpc.ServicerContext
    ) -> pb.CreateContainerResponse:
        """CRI ``CreateContainer``, through the sandbox's handler."""
        sandbox_id, config, sandbox_config = c.from_cri_create_container_request(request)
        container_id = self._layer.create_container(sandbox_id, config, sandbox_config)
        return pb.CreateContainerResponse(container_id=container_id)

    def StartContainer(
        self, request: pb.StartContainerRequest, context: grpc.ServicerContext
    ) -> pb.StartContainerResponse:
        """CRI ``StartContainer``."""
        self._layer.start_container(c.from_cri_container_id(request))
        return pb.StartContainerResponse()

    def StopContainer(
        self, request: pb.StopContainerRequest, context: grpc.ServicerContext
    ) -> pb.StopContainerResponse:
        """CRI ``StopContainer``: SIGTERM, SIGKILL after ``timeout`` seconds."""
        self._layer.stop_container(c.from_cri_container_id(request), max(0, request.timeout))
        return pb.StopContainerResponse()

    def RemoveContainer(
        self, request: pb.RemoveContainerRequest, context: grpc.ServicerContext
    ) -> pb.RemoveContainerResponse:
        """CRI ``RemoveContainer`` (idempotent)."""
        self._layer.remove_container(c.from_cri_container_id(request))
        return pb.RemoveContainerResponse()

    def ContainerStatus(
        self, request: pb.ContainerStatusRequest, context: grpc.ServicerContext
    ) -> pb.ContainerStatusResponse:
        """CRI ``ContainerStatus``."""
        response = self._layer.container_status(
            c.from_cri_container_id(request), verbose=request.verbose
        )
        return c.to_cri_container_status_response(response)

    def ListContainers(
        self, request: pb.ListContainersRequest, context: grpc.ServicerContext
    ) -> pb.ListContainersResponse:
        """CRI ``ListContainers``, over every handler."""
        found = self._layer.list_containers(c.from_cri_container_filter(request))
        return pb.ListContainersResponse(containers=c.to_cri_containers(found))

    def StreamContainers(
        self, request: pb.StreamContainersRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.StreamContainersResponse]:
        """CRI ``StreamContainers``: the list, in one response (none when empty)."""
        found = self._layer.list_containers(c.from_cri_container_filter(request))
        if found:
            yield pb.StreamContainersResponse(containers=c.to_cri_containers(found))

    def ExecSync(
        self, request: pb.ExecSyncRequest, context: grpc.ServicerContext
    ) -> pb.ExecSyncResponse:
        """CRI ``ExecSync``."""
        container_id, cmd, timeout = c.from_cri_exec_sync_request(request)
        handler = self._layer.handler_of_container(container_id)
        response = self._runtime.exec_sync(handler, container_id, cmd, timeout)
        return c.to_cri_exec_sync_response(response)

    def UpdateContainerResources(
        self, request: pb.UpdateContainerResourcesRequest, context: grpc.ServicerContext
    ) -> pb.UpdateContainerResourcesResponse:
        """CRI ``UpdateContainerResources``."""
        container_id, linux, annotations = c.from_cri_update_container_resources_request(request)
        handler = self._layer.handler_of_container(container_id)
        self._runtime.update_container_resources(handler, container_id, linux, annotations)
        return pb.UpdateContainerResourcesResponse()

    def ReopenContainerLog(
        self, request: pb.ReopenContainerLogRequest, context: grpc.ServicerContext
    ) -> pb.ReopenContainerLogResponse:
        """CRI ``ReopenContainerLog``."""
        container_id = c.from_cri_container_id(request)
        self._runtime.reopen_container_log(
            self._layer.handler_of_container(container_id), container_id
        )
        return pb.ReopenContainerLogResponse()

    # -- stats ----------------------------------------------------------------------------

    def ContainerStats(
        self, request: pb.ContainerStatsRequest, context: grpc.ServicerContext
    ) -> pb.ContainerStatsResponse:
        """CRI ``ContainerStats``."""
        container_id = c.from_cri_container_id(request)
        stats = self._runtime.container_stats(
            self._layer.handler_of_container(container_id), container_id
        )
        return c.to_cri_container_stats_response(stats)

    def _list_stats(self, conditions: models.ContainerStatsFilter) -> list[models.ContainerStats]:
        found: list[models.ContainerStats] = []
        for handler in self._layer.handlers():
            found.extend(self._runtime.list_container_stats(handler, conditions))
        return found

    def ListContainerStats(
        self, request: pb.ListContainerStatsRequest, context: grpc.ServicerContext
    ) -> pb.ListContainerStatsResponse:
        """CRI ``ListContainerStats``, over every handler."""
        found = self._list_stats(c.from_cri_container_stats_filter(request))
        return pb.ListContainerStatsResponse(stats=c.to_cri_container_stats(found))

    def StreamContainerStats(
        self, request: pb.StreamContainerStatsRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.StreamContainerStatsResponse]:
        """CRI ``StreamContainerStats``: the list, in one response (none when empty)."""
        found = self._list_stats(c.from_cri_container_stats_filter(request))
        if found:
            yield pb.StreamContainerStatsResponse(container_stats=c.to_cri_container_stats(found))


__all__ = ["KUBELET_API_VERSION", "RUNTIME_API_VERSION", "RUNTIME_NAME", "RuntimeServicer"]

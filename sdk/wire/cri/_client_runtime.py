"""The RuntimeService hooks of :class:`~podkit.wire.cri.CriClientPlugin`, over CRI.

Each hook builds the request from its arguments with a ``to_cri_*``
function and reads the response back with a ``from_cri_*`` one. Stopping
or removing what the runtime does not know succeeds, as the hooks promise
("This call is idempotent"), also from runtimes that answer ``NOT_FOUND``
there (containerd 1.6 does for StopPodSandbox and StopContainer), as the
kubelet treats ``NOT_FOUND`` on those calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

from podkit._markers import hookimpl
from podkit.errors import NotFoundError
from podkit.wire.cri import _convert_container as c
from podkit.wire.cri import _convert_sandbox as s
from podkit.wire.cri._proto import api_pb2 as pb

if TYPE_CHECKING:
    from collections.abc import Mapping

    from podkit.models.runtime import (
        Container,
        ContainerConfig,
        ContainerFilter,
        ContainerStats,
        ContainerStatsFilter,
        ContainerStatusResponse,
        ExecSyncResponse,
        LinuxContainerResources,
        PodSandbox,
        PodSandboxConfig,
        PodSandboxFilter,
        PodSandboxStatusResponse,
        StatusResponse,
        VersionResponse,
    )
    from podkit.wire.cri._connection import CriConnection
    from podkit.wire.cri._proto import Message

# Hooks take the request's fields, as the spec's hooks do; ``filter`` and
# ``verbose`` are the upstream names.
# ruff: noqa: FBT001, A002

#: Seconds added to an ``ExecSync`` timeout for the call's own deadline.
_EXEC_MARGIN: Final = 30.0


def _done(_response: object) -> Literal[True]:
    return True


class RuntimeServiceHooks:
    """The RuntimeService's hooks, calling ``self._cri``."""

    _cri: CriConnection
    #: The handler sent to the runtime in ``RunPodSandbox`` ("" for its default).
    remote_handler: str

    def _idempotent(self, method: str, request: Message) -> Literal[True]:
        try:
            return self._cri.call(getattr(self._cri.runtime, method), request, _done)
        except NotFoundError:
            return True

    # -- Version, Status ------------------------------------------------------------------

    @hookimpl
    def runtime_version(self, version: str) -> VersionResponse:
        """CRI ``Version``."""
        request = pb.VersionRequest(version=version)
        return self._cri.call(self._cri.runtime.Version, request, s.from_cri_version_response)

    @hookimpl
    def runtime_status(self, verbose: bool) -> StatusResponse:
        """CRI ``Status``."""
        request = pb.StatusRequest(verbose=verbose)
        return self._cri.call(self._cri.runtime.Status, request, s.from_cri_status_response)

    # -- sandboxes ------------------------------------------------------------------------

    @hookimpl
    def runtime_run_pod_sandbox(self, config: PodSandboxConfig) -> str:
        """CRI ``RunPodSandbox``, for the remote handler."""
        request = s.to_cri_run_pod_sandbox_request(config, self.remote_handler)
        return self._cri.call(
            self._cri.runtime.RunPodSandbox, request, lambda r: str(r.pod_sandbox_id)
        )

    @hookimpl
    def runtime_stop_pod_sandbox(self, pod_sandbox_id: str) -> Literal[True]:
        """CRI ``StopPodSandbox``; an unknown sandbox is stopped already."""
        request = pb.StopPodSandboxRequest(pod_sandbox_id=pod_sandbox_id)
        return self._idempotent("StopPodSandbox", request)

    @hookimpl
    def runtime_remove_pod_sandbox(self, pod_sandbox_id: str) -> Literal[True]:
        """CRI ``RemovePodSandbox``; an unknown sandbox is removed already."""
        request = pb.RemovePodSandboxRequest(pod_sandbox_id=pod_sandbox_id)
        return self._idempotent("RemovePodSandbox", request)

    @hookimpl
    def runtime_pod_sandbox_status(
        self, pod_sandbox_id: str, verbose: bool
    ) -> PodSandboxStatusResponse:
        """CRI ``PodSandboxStatus``."""
        request = pb.PodSandboxStatusRequest(pod_sandbox_id=pod_sandbox_id, verbose=verbose)
        return self._cri.call(
            self._cri.runtime.PodSandboxStatus, request, s.from_cri_pod_sandbox_status_response
        )

    @hookimpl
    def runtime_list_pod_sandbox(self, filter: PodSandboxFilter) -> tuple[PodSandbox, ...]:
        """CRI ``ListPodSandbox``."""
        request = s.to_cri_list_pod_sandbox_request(filter)
        return self._cri.call(
            self._cri.runtime.ListPodSandbox, request, s.from_cri_list_pod_sandbox_response
        )

    # -- containers -----------------------------------------------------------------------

    @hookimpl
    def runtime_create_container(
        self, pod_sandbox_id: str, config: ContainerConfig, sandbox_config: PodSandboxConfig
    ) -> str:
        """CRI ``CreateContainer``."""
        request = c.to_cri_create_container_request(pod_sandbox_id, config, sandbox_config)
        return self._cri.call(
            self._cri.runtime.CreateContainer, request, lambda r: str(r.container_id)
        )

    @hookimpl
    def runtime_start_container(self, container_id: str) -> Literal[True]:
        """CRI ``StartContainer``."""
        request = pb.StartContainerRequest(container_id=container_id)
        return self._cri.call(self._cri.runtime.StartContainer, request, _done)

    @hookimpl
    def runtime_stop_container(self, container_id: str, timeout: int) -> Literal[True]:
        """CRI ``StopContainer``; an unknown container is stopped already."""
        request = pb.StopContainerRequest(container_id=container_id, timeout=timeout)
        try:
            return self._cri.call(
                self._cri.runtime.StopContainer,
                request,
                _done,
                timeout=self._cri.timeout + max(0, timeout),
            )
        except NotFoundError:
            return True

    @hookimpl
    def runtime_remove_container(self, container_id: str) -> Literal[True]:
        """CRI ``RemoveContainer``; an unknown container is removed already."""
        request = pb.RemoveContainerRequest(container_id=container_id)
        return self._idempotent("RemoveContainer", request)

    @hookimpl
    def runtime_container_status(self, container_id: str, verbose: bool) -> ContainerStatusResponse:
        """CRI ``ContainerStatus``."""
        request = pb.ContainerStatusRequest(container_id=container_id, verbose=verbose)
        return self._cri.call(
            self._cri.runtime.ContainerStatus, request, c.from_cri_container_status_response
        )

    @hookimpl
    def runtime_list_containers(self, filter: ContainerFilter) -> tuple[Container, ...]:
        """CRI ``ListContainers``."""
        request = c.to_cri_list_containers_request(filter)
        return self._cri.call(
            self._cri.runtime.ListContainers, request, c.from_cri_list_containers_response
        )

    @hookimpl
    def runtime_exec_sync(
        self, container_id: str, cmd: tuple[str, ...], timeout: int
    ) -> ExecSyncResponse:
        """CRI ``ExecSync``; the call may take the command's timeout and a margin."""
        request = c.to_cri_exec_sync_request(container_id, cmd, timeout)
        return self._cri.call(
            self._cri.runtime.ExecSync,
            request,
            c.from_cri_exec_sync_response,
            timeout=timeout + _EXEC_MARGIN if timeout > 0 else 0,
        )

    @hookimpl
    def runtime_update_container_resources(
        self,
        container_id: str,
        linux: LinuxContainerResources | None,
        annotations: Mapping[str, str],
    ) -> Literal[True]:
        """CRI ``UpdateContainerResources``."""
        request = c.to_cri_update_container_resources_request(container_id, linux, annotations)
        return self._cri.call(self._cri.runtime.UpdateContainerResources, request, _done)

    @hookimpl
    def runtime_reopen_container_log(self, container_id: str) -> Literal[True]:
        """CRI ``ReopenContainerLog``."""
        request = pb.ReopenContainerLogRequest(container_id=container_id)
        return self._cri.call(self._cri.runtime.ReopenContainerLog, request, _done)

    @hookimpl
    def runtime_container_stats(self, container_id: str) -> ContainerStats:
        """CRI ``ContainerStats``."""
        request = pb.ContainerStatsRequest(container_id=container_id)
        return self._cri.call(
            self._cri.runtime.ContainerStats, request, c.from_cri_container_stats_response
        )

    @hookimpl
    def runtime_list_container_stats(
        self, filter: ContainerStatsFilter
    ) -> tuple[ContainerStats, ...]:
        """CRI ``ListContainerStats``."""
        request = c.to_cri_list_container_stats_request(filter)
        return self._cri.call(
            self._cri.runtime.ListContainerStats,
            request,
            c.from_cri_list_container_stats_response,
        )


__all__ = ["RuntimeServiceHooks"]

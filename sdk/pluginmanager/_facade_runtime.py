"""The typed runtime hooks: ``pm.runtime.run_pod_sandbox(handler, config)``.

One method per hook of :mod:`podkit.hookspecs.runtime`; see
:mod:`podkit.pluginmanager._facades` for what they share.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any, Final, Literal, cast, final

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from podkit.models.runtime import (
        AuthConfig,
        Container,
        ContainerConfig,
        ContainerFilter,
        ContainerStats,
        ContainerStatsFilter,
        ContainerStatusResponse,
        ExecSyncResponse,
        Image,
        ImageFilter,
        ImageFsInfoResponse,
        ImageSpec,
        ImageStatusResponse,
        LinuxContainerResources,
        PodSandbox,
        PodSandboxConfig,
        PodSandboxFilter,
        PodSandboxStatusResponse,
        StatusResponse,
        VersionResponse,
    )

# As in the spec, ``verbose`` is a positional boolean (FBT001, FBT002) and
# ``filter`` the upstream field name (A001, A002).
# ruff: noqa: FBT001, FBT002, A001, A002

_NO_ENTRIES: Final[Mapping[str, str]] = types.MappingProxyType({})


@final
class RuntimeHooks:
    """The runtime hooks, one typed method each, called on the plugin for ``handler``.

    Reached as :attr:`PluginManager.runtime <podkit.PluginManager.runtime>`.
    ``pm.runtime.run_pod_sandbox("runc", config)`` calls
    :func:`~podkit.hookspecs.runtime.runtime_run_pod_sandbox` on the plugin
    that answers for the ``runc`` handler and returns the sandbox id. Every
    method raises :class:`podkit.NoPluginError` when no runtime plugin answers
    for ``handler`` and :class:`podkit.UnimplementedError` when the one that
    does lacks the hook.

    :param call: the manager's :meth:`~podkit.PluginManager.call`.

    .. versionadded:: 0.1
    """

    __slots__ = ("_call",)

    def __init__(self, call: Callable[..., Any]) -> None:
        self._call: Final = call

    # -- RuntimeService: runtime, Version and Status --------------------------------

    def version(self, handler: str, version: str) -> VersionResponse:
        """CRI ``Version``.

        See :func:`podkit.hookspecs.runtime.runtime_version`.
        """
        return cast(
            "VersionResponse", self._call("runtime_version", handler=handler, version=version)
        )

    def status(self, handler: str, verbose: bool = False) -> StatusResponse:
        """CRI ``Status``.

        See :func:`podkit.hookspecs.runtime.runtime_status`.
        """
        return cast(
            "StatusResponse", self._call("runtime_status", handler=handler, verbose=verbose)
        )

    # -- RuntimeService: sandboxes, RunPodSandbox to ListPodSandbox -----------------

    def run_pod_sandbox(self, handler: str, config: PodSandboxConfig) -> str:
        """CRI ``RunPodSandbox``.

        See :func:`podkit.hookspecs.runtime.runtime_run_pod_sandbox`.
        """
        return cast("str", self._call("runtime_run_pod_sandbox", handler=handler, config=config))

    def stop_pod_sandbox(self, handler: str, pod_sandbox_id: str) -> Literal[True]:
        """CRI ``StopPodSandbox``.

        See :func:`podkit.hookspecs.runtime.runtime_stop_pod_sandbox`.
        """
        return cast(
            "Literal[True]",
            self._call("runtime_stop_pod_sandbox", handler=handler, pod_sandbox_id=pod_sandbox_id),
        )

    def remove_pod_sandbox(self, handler: str, pod_sandbox_id: str) -> Literal[True]:
        """CRI ``RemovePodSandbox``.

        See :func:`podkit.hookspecs.runtime.runtime_remove_pod_sandbox`.
        """
        return cast(
            "Literal[True]",
            self._call(
                "runtime_remove_pod_sandbox", handler=handler, pod_sandbox_id=pod_sandbox_id
            ),
        )

    def pod_sandbox_status(
        self, handler: str, pod_sandbox_id: str, verbose: bool = False
    ) -> PodSandboxStatusResponse:
        """CRI ``PodSandboxStatus``.

        See :func:`podkit.hookspecs.runtime.runtime_pod_sandbox_status`.
        """
        return cast(
            "PodSandboxStatusResponse",
            self._call(
                "runtime_pod_sandbox_status",
                handler=handler,
                pod_sandbox_id=pod_sandbox_id,
                verbose=verbose,
            ),
        )

    def list_pod_sandbox(
        self, handler: str, filter: PodSandboxFilter | None = None
    ) -> tuple[PodSandbox, ...]:
        """CRI ``ListPodSandbox``; the default filter matches every sandbox.

        See :func:`podkit.hookspecs.runtime.runtime_list_pod_sandbox`.
        """
        if filter is None:
            from podkit.models.runtime import PodSandboxFilter  # noqa: PLC0415 - see _facades

            filter = PodSandboxFilter()
        return cast(
            "tuple[PodSandbox, ...]",
            self._call("runtime_list_pod_sandbox", handler=handler, filter=filter),
        )

    # -- RuntimeService: containers, CreateContainer to ListContainerStats ----------

    def create_container(
        self,
        handler: str,
        pod_sandbox_id: str,
        config: ContainerConfig,
        sandbox_config: PodSandboxConfig,
    ) -> str:
        """CRI ``CreateContainer``.

        See :func:`podkit.hookspecs.runtime.runtime_create_container`.
        """
        return cast(
            "str",
            self._call(
                "runtime_create_container",
                handler=handler,
                pod_sandbox_id=pod_sandbox_id,
                config=config,
                sandbox_config=sandbox_config,
            ),
        )

    def start_container(self, handler: str, container_id: str) -> Literal[True]:
        """CRI ``StartContainer``.

        See :func:`podkit.hookspecs.runtime.runtime_start_container`.
        """
        return cast(
            "Literal[True]",
            self._call("runtime_start_container", handler=handler, container_id=container_id),
        )

    def stop_container(self, handler: str, container_id: str, timeout: int) -> Literal[True]:
        """CRI ``StopContainer``.

        See :func:`podkit.hookspecs.runtime.runtime_stop_container`.
        """
        return cast(
            "Literal[True]",
            self._call(
                "runtime_stop_container",
                handler=handler,
                container_id=container_id,
                timeout=timeout,
            ),
        )

    def remove_container(self, handler: str, container_id: str) -> Literal[True]:
        """CRI ``RemoveContainer``.

        See :func:`podkit.hookspecs.runtime.runtime_remove_container`.
        """
        return cast(
            "Literal[True]",
            self._call("runtime_remove_container", handler=handler, container_id=container_id),
        )

    def container_status(
        self, handler: str, container_id: str, verbose: bool = False
    ) -> ContainerStatusResponse:
        """CRI ``ContainerStatus``.

        See :func:`podkit.hookspecs.runtime.runtime_container_status`.
        """
        return cast(
            "ContainerStatusResponse",
            self._call(
                "runtime_container_status",
                handler=handler,
                container_id=container_id,
                verbose=verbose,
            ),
        )

    def list_containers(
        self, handler: str, filter: ContainerFilter | None = None
    ) -> tuple[Container, ...]:
        """CRI ``ListContainers``; the default filter matches every container.

        See :func:`podkit.hookspecs.runtime.runtime_list_containers`.
        """
        if filter is None:
            from podkit.models.runtime import ContainerFilter  # noqa: PLC0415 - see _facades

            filter = ContainerFilter()
        return cast(
            "tuple[Container, ...]",
            self._call("runtime_list_containers", handler=handler, filter=filter),
        )

    def exec_sync(
        self, handler: str, container_id: str, cmd: tuple[str, ...], timeout: int = 0
    ) -> ExecSyncResponse:
        """CRI ``ExecSync``.

        See :func:`podkit.hookspecs.runtime.runtime_exec_sync`.
        """
        return cast(
            "ExecSyncResponse",
            self._call(
                "runtime_exec_sync",
                handler=handler,
                container_id=container_id,
                cmd=cmd,
                timeout=timeout,
            ),
        )

    def update_container_resources(
        self,
        handler: str,
        container_id: str,
        linux: LinuxContainerResources | None = None,
        annotations: Mapping[str, str] = _NO_ENTRIES,
    ) -> Literal[True]:
        """CRI ``UpdateContainerResources``.

        See :func:`podkit.hookspecs.runtime.runtime_update_container_resources`.
        """
        return cast(
            "Literal[True]",
            self._call(
                "runtime_update_container_resources",
                handler=handler,
                container_id=container_id,
                linux=linux,
                annotations=annotations,
            ),
        )

    def reopen_container_log(self, handler: str, container_id: str) -> Literal[True]:
        """CRI ``ReopenContainerLog``.

        See :func:`podkit.hookspecs.runtime.runtime_reopen_container_log`.
        """
        return cast(
            "Literal[True]",
            self._call("runtime_reopen_container_log", handler=handler, container_id=container_id),
        )

    def container_stats(self, handler: str, container_id: str) -> ContainerStats:
        """CRI ``ContainerStats``.

        See :func:`podkit.hookspecs.runtime.runtime_container_stats`.
        """
        return cast(
            "ContainerStats",
            self._call("runtime_container_stats", handler=handler, container_id=container_id),
        )

    def list_container_stats(
        self, handler: str, filter: ContainerStatsFilter | None = None
    ) -> tuple[ContainerStats, ...]:
        """CRI ``ListContainerStats``; the default filter matches every running container.

        See :func:`podkit.hookspecs.runtime.runtime_list_container_stats`.
        """
        if filter is None:
            from podkit.models.runtime import ContainerStatsFilter  # noqa: PLC0415 - see _facades

            filter = ContainerStatsFilter()
        return cast(
            "tuple[ContainerStats, ...]",
            self._call("runtime_list_container_stats", handler=handler, filter=filter),
        )

    # -- ImageService: PullImage to ImageFsInfo -------------------------------------

    def pull_image(
        self,
        handler: str,
        image: ImageSpec,
        auth: AuthConfig | None = None,
        sandbox_config: PodSandboxConfig | None = None,
    ) -> str:
        """CRI ``PullImage``.

        See :func:`podkit.hookspecs.runtime.runtime_pull_image`.
        """
        return cast(
            "str",
            self._call(
                "runtime_pull_image",
                handler=handler,
                image=image,
                auth=auth,
                sandbox_config=sandbox_config,
            ),
        )

    def list_images(self, handler: str, filter: ImageFilter | None = None) -> tuple[Image, ...]:
        """CRI ``ListImages``; the default filter matches every image.

        See :func:`podkit.hookspecs.runtime.runtime_list_images`.
        """
        if filter is None:
            from podkit.models.runtime import ImageFilter  # noqa: PLC0415 - see _facades

            filter = ImageFilter()
        return cast(
            "tuple[Image, ...]", self._call("runtime_list_images", handler=handler, filter=filter)
        )

    def image_status(
        self, handler: str, image: ImageSpec, verbose: bool = False
    ) -> ImageStatusResponse:
        """CRI ``ImageStatus``.

        See :func:`podkit.hookspecs.runtime.runtime_image_status`.
        """
        return cast(
            "ImageStatusResponse",
            self._call("runtime_image_status", handler=handler, image=image, verbose=verbose),
        )

    def remove_image(self, handler: str, image: ImageSpec) -> Literal[True]:
        """CRI ``RemoveImage``.

        See :func:`podkit.hookspecs.runtime.runtime_remove_image`.
        """
        return cast(
            "Literal[True]", self._call("runtime_remove_image", handler=handler, image=image)
        )

    def image_fs_info(self, handler: str) -> ImageFsInfoResponse:
        """CRI ``ImageFsInfo``.

        See :func:`podkit.hookspecs.runtime.runtime_image_fs_info`.
        """
        return cast("ImageFsInfoResponse", self._call("runtime_image_fs_info", handler=handler))


__all__ = ["RuntimeHooks"]

"""The RuntimeService RPCs podkit has no hook for: each answers UNIMPLEMENTED, saying why.

The generated servicer would answer them too, with "Method not
implemented!"; a kubelet's log deserves the reason and what to use instead.
Every one of them is optional for a kubelet: it falls back (stats from
``ListContainerStats``, the generic PLEG instead of container events, its
own cgroup driver setting) or reports the feature as unavailable (``kubectl
exec``/``attach``/``port-forward`` need the streaming server podkit does
not serve; ``ExecSync`` runs probes and hooks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, NoReturn

from podkit.errors import UnimplementedError
from podkit.wire.cri._proto import api_pb2_grpc

if TYPE_CHECKING:
    import grpc

# The methods are the RPCs, named as upstream names them, with grpc's servicer signature.
# ruff: noqa: N802, ARG002

_STREAMING: Final = (
    "podkit serves no CRI streaming server (Exec, Attach, PortForward); use ExecSync,"
    " or `podkit exec` on the node"
)
_SANDBOX_STATS: Final = (
    "podkit has no pod sandbox stats hook; use ListContainerStats (the kubelet falls"
    " back to cAdvisor-style stats)"
)
_CHECKPOINT: Final = "podkit does not checkpoint or restore containers or pods"
_METRICS: Final = "podkit exposes no CRI pod sandbox metrics"
#: Why each RPC answers UNIMPLEMENTED.
REASONS: Final = {
    "Exec": _STREAMING,
    "Attach": _STREAMING,
    "PortForward": _STREAMING,
    "PodSandboxStats": _SANDBOX_STATS,
    "ListPodSandboxStats": _SANDBOX_STATS,
    "StreamPodSandboxStats": _SANDBOX_STATS,
    "UpdateRuntimeConfig": (
        "podkit takes pod addresses from the CNI configuration directory (host-local"
        " ranges), not from the node's pod CIDR"
    ),
    "CheckpointContainer": _CHECKPOINT,
    "CheckpointPod": _CHECKPOINT,
    "RestorePod": _CHECKPOINT,
    "GetContainerEvents": (
        "podkit sends no container events; the kubelet's generic PLEG polls"
        " ListContainers and ListPodSandbox instead"
    ),
    "ListMetricDescriptors": _METRICS,
    "ListPodSandboxMetrics": _METRICS,
    "StreamPodSandboxMetrics": _METRICS,
    "RuntimeConfig": "podkit does not report a cgroup driver; configure the kubelet's own",
    "UpdatePodSandboxResources": (
        "podkit has no hook to resize a pod sandbox; UpdateContainerResources resizes"
        " its containers"
    ),
}


def _refuse(rpc: str) -> NoReturn:
    msg = f"{rpc} is not implemented: {REASONS[rpc]}"
    raise UnimplementedError(msg)


class UnimplementedRuntimeRPCs(api_pb2_grpc.RuntimeServiceServicer):
    """The RuntimeService RPCs of :data:`REASONS`, each raising :class:`UnimplementedError`."""

    def Exec(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``Exec``: UNIMPLEMENTED."""
        _refuse("Exec")

    def Attach(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``Attach``: UNIMPLEMENTED."""
        _refuse("Attach")

    def PortForward(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``PortForward``: UNIMPLEMENTED."""
        _refuse("PortForward")

    def PodSandboxStats(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``PodSandboxStats``: UNIMPLEMENTED."""
        _refuse("PodSandboxStats")

    def ListPodSandboxStats(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``ListPodSandboxStats``: UNIMPLEMENTED."""
        _refuse("ListPodSandboxStats")

    def StreamPodSandboxStats(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``StreamPodSandboxStats``: UNIMPLEMENTED."""
        _refuse("StreamPodSandboxStats")

    def UpdateRuntimeConfig(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``UpdateRuntimeConfig``: UNIMPLEMENTED."""
        _refuse("UpdateRuntimeConfig")

    def CheckpointContainer(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``CheckpointContainer``: UNIMPLEMENTED."""
        _refuse("CheckpointContainer")

    def CheckpointPod(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``CheckpointPod``: UNIMPLEMENTED."""
        _refuse("CheckpointPod")

    def RestorePod(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``RestorePod``: UNIMPLEMENTED."""
        _refuse("RestorePod")

    def GetContainerEvents(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``GetContainerEvents``: UNIMPLEMENTED."""
        _refuse("GetContainerEvents")

    def ListMetricDescriptors(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``ListMetricDescriptors``: UNIMPLEMENTED."""
        _refuse("ListMetricDescriptors")

    def ListPodSandboxMetrics(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``ListPodSandboxMetrics``: UNIMPLEMENTED."""
        _refuse("ListPodSandboxMetrics")

    def StreamPodSandboxMetrics(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``StreamPodSandboxMetrics``: UNIMPLEMENTED."""
        _refuse("StreamPodSandboxMetrics")

    def RuntimeConfig(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``RuntimeConfig``: UNIMPLEMENTED."""
        _refuse("RuntimeConfig")

    def UpdatePodSandboxResources(self, request: Any, context: grpc.ServicerContext) -> NoReturn:  # noqa: ANN401 - any request
        """CRI ``UpdatePodSandboxResources``: UNIMPLEMENTED."""
        _refuse("UpdatePodSandboxResources")


__all__ = ["REASONS", "UnimplementedRuntimeRPCs"]

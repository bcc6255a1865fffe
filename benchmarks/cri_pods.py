"""The one CRI client of the CRI benchmark: the raw generated stubs, over a unix socket.

Both peers -- ``podkit serve cri`` and containerd -- are driven by this same
client, the way a kubelet drives a runtime: a pod is RunPodSandbox,
CreateContainer, StartContainer and ContainerStatus until running; its
teardown is StopContainer, RemoveContainer, StopPodSandbox and
RemovePodSandbox. Every pod it starts is remembered until torn down, so that
:meth:`CriPods.remove_all` can take away what an interrupted run left.
"""

from __future__ import annotations

import threading
import time
from typing import Final

import grpc

from benchmarks._common import PREFIX, token
from podkit.wire.cri._proto import api_pb2, api_pb2_grpc

_RUNNING: Final = api_pb2.CONTAINER_RUNNING
_POLL: Final = 0.001
_TIMEOUT: Final = 60.0


class CriPods:
    """Pods of ``sleep 3600`` on ``image`` through the CRI endpoint ``endpoint``."""

    def __init__(self, endpoint: str, image: str, log_dir: str) -> None:
        self.channel = grpc.insecure_channel(endpoint)
        self.runtime = api_pb2_grpc.RuntimeServiceStub(self.channel)
        self.image = image
        self.log_dir = log_dir
        self.live: dict[str, str] = {}  # sandbox id -> container id
        self._lock = threading.Lock()

    def start(self, name: str) -> tuple[str, str]:
        """Start a pod of one container; return once the container is running."""
        uid = token()
        config = api_pb2.PodSandboxConfig(
            metadata=api_pb2.PodSandboxMetadata(name=name, uid=uid, namespace=PREFIX),
            hostname=name,
            log_directory=f"{self.log_dir}/{name}-{uid}",
            linux=api_pb2.LinuxPodSandboxConfig(
                security_context=api_pb2.LinuxSandboxSecurityContext(
                    namespace_options=api_pb2.NamespaceOption(pid=api_pb2.CONTAINER)
                )
            ),
        )
        sandbox_id = self.runtime.RunPodSandbox(
            api_pb2.RunPodSandboxRequest(config=config), timeout=_TIMEOUT
        ).pod_sandbox_id
        with self._lock:
            self.live[sandbox_id] = ""
        container = api_pb2.ContainerConfig(
            metadata=api_pb2.ContainerMetadata(name="c"),
            image=api_pb2.ImageSpec(image=self.image),
            command=["sleep", "3600"],
            log_path="c.log",
        )
        container_id = self.runtime.CreateContainer(
            api_pb2.CreateContainerRequest(
                pod_sandbox_id=sandbox_id, config=container, sandbox_config=config
            ),
            timeout=_TIMEOUT,
        ).container_id
        with self._lock:
            self.live[sandbox_id] = container_id
        self.runtime.StartContainer(
            api_pb2.StartContainerRequest(container_id=container_id), timeout=_TIMEOUT
        )
        self._wait_running(container_id)
        return sandbox_id, container_id

    def _wait_running(self, container_id: str) -> None:
        deadline = time.monotonic() + _TIMEOUT
        request = api_pb2.ContainerStatusRequest(container_id=container_id)
        while self.runtime.ContainerStatus(request, timeout=_TIMEOUT).status.state != _RUNNING:
            if time.monotonic() > deadline:
                msg = f"container {container_id} not running after {_TIMEOUT} s"
                raise TimeoutError(msg)
            time.sleep(_POLL)

    def teardown(self, sandbox_id: str) -> None:
        """Stop and remove the pod's container, then its sandbox, as the kubelet does."""
        with self._lock:
            container_id = self.live.get(sandbox_id, "")
        if container_id:
            self.runtime.StopContainer(
                api_pb2.StopContainerRequest(container_id=container_id, timeout=0),
                timeout=_TIMEOUT,
            )
            self.runtime.RemoveContainer(
                api_pb2.RemoveContainerRequest(container_id=container_id), timeout=_TIMEOUT
            )
        self.runtime.StopPodSandbox(
            api_pb2.StopPodSandboxRequest(pod_sandbox_id=sandbox_id), timeout=_TIMEOUT
        )
        self.runtime.RemovePodSandbox(
            api_pb2.RemovePodSandboxRequest(pod_sandbox_id=sandbox_id), timeout=_TIMEOUT
        )
        with self._lock:
            self.live.pop(sandbox_id, None)

    def remove_all(self) -> None:
        """Tear down every pod still live (after an interruption), then close the channel."""
        try:
            for sandbox_id in list(self.live):
                try:
                    self.teardown(sandbox_id)
                except grpc.RpcError:
                    continue  # the daemon's own stop sweeps what is left
        finally:
            self.channel.close()


__all__ = ["CriPods"]

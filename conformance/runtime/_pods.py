"""What the runtime suite's tests share: configs, waits, CRI logs and a cleanup registry.

Every sandbox and container a test makes goes through :class:`Pods`, which
remembers it and, at the end of the test (also when it failed half-way),
stops and removes it through the CRI, so the suite leaves nothing on the
node. Everything it names starts with ``pku``. Only the typed runtime facade
(``manager.runtime.<op>(handler, ...)``) is called, so the suite can test any
runtime reachable through CRI.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final, final

import attrs

import podkit
from podkit.models.runtime import (
    ContainerConfig,
    ContainerMetadata,
    ContainerState,
    ImageSpec,
    LinuxContainerConfig,
    LinuxContainerResources,
    LinuxContainerSecurityContext,
    LinuxPodSandboxConfig,
    LinuxSandboxSecurityContext,
    NamespaceMode,
    NamespaceOption,
    PodSandboxConfig,
    PodSandboxMetadata,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from podkit.conformance.plugin import Target
    from podkit.models.runtime import ContainerStatus, KeyValue

#: The Kubernetes namespace of every sandbox the suite makes.
NAMESPACE: Final = "pku-conformance"
#: How long to wait for a container to reach a state (seconds); only a bound.
WAIT: Final = 60.0
# kubelet pkg/kubelet/kuberuntime/logs: "<RFC3339Nano> <stream> <tag> <content>".
_LOG_LINE: Final = re.compile(
    r"(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) "
    r"(?P<stream>stdout|stderr) (?P<tag>[PF]) (?P<content>.*)"
)
# The kubelet's choice for ordinary pods: a PID namespace per container.
OWN_PID: Final = NamespaceMode.CONTAINER


@final
@attrs.frozen
class Sandbox:
    """A sandbox the test made: its id and the config it was run with."""

    id: str
    config: PodSandboxConfig


@final
@attrs.frozen
class LogRecord:
    """One line of a CRI container log."""

    time: str
    stream: str
    tag: str
    content: str


def parse_log(text: str) -> list[LogRecord]:
    """The records of a CRI log; a line that is not in the format fails the test."""
    records = []
    for line in text.splitlines():
        match = _LOG_LINE.fullmatch(line)
        assert match is not None, f"not a CRI log line: {line!r}"  # noqa: S101 - pytest
        records.append(LogRecord(**match.groupdict()))
    return records


def joined_lines(records: list[LogRecord], stream: str, *, tail: bool = False) -> list[str]:
    """The lines of ``stream``: ``P`` records joined with the ``F`` record that ends them.

    With ``tail``, ``P`` records that no ``F`` record ends (what a stream ended with
    without a newline, as containerd logs it) make a last line too, as the kubelet's
    log reader prints them.
    """
    lines, pending = [], ""
    for record in records:
        if record.stream != stream:
            continue
        pending += record.content
        if record.tag == "F":
            lines.append(pending)
            pending = ""
    if tail and pending:
        lines.append(pending)
    return lines


@final
class Pods:
    """Makes sandboxes and containers for one test, and removes them all afterwards.

    :param target: the runtime under test.
    :param image: the image reference containers run (a busybox).
    :param log_dir: where sandboxes' log directories go.
    """

    def __init__(self, target: Target, image: str, log_dir: Path) -> None:
        self.runtime = target.manager.runtime
        self.handler = target.name
        self.image = image
        self.log_dir = log_dir
        self.sandboxes: list[str] = []
        self.containers: list[str] = []

    def sandbox_config(
        self,
        name: str = "pod",
        *,
        labels: Mapping[str, str] | None = None,
        pid: NamespaceMode = OWN_PID,
    ) -> PodSandboxConfig:
        """A config as the kubelet sends it for a pod on its own network, PID per container."""
        uid = secrets.token_hex(8)
        return PodSandboxConfig(
            metadata=PodSandboxMetadata(name=f"pku-{name}", uid=uid, namespace=NAMESPACE),
            hostname=f"pku-{name}-{uid[:6]}",
            log_directory=str(self.log_dir / f"{NAMESPACE}_pku-{name}_{uid}"),
            labels=labels or {},
            annotations={"pku.podkit.dev/annotation": f"value-{uid}"},
            linux=LinuxPodSandboxConfig(
                security_context=LinuxSandboxSecurityContext(
                    namespace_options=NamespaceOption(pid=pid)
                )
            ),
        )

    def sandbox(
        self,
        name: str = "pod",
        *,
        labels: Mapping[str, str] | None = None,
        pid: NamespaceMode = OWN_PID,
    ) -> Sandbox:
        """Run a sandbox (RunPodSandbox), removed at the end of the test."""
        return self.run_sandbox(self.sandbox_config(name, labels=labels, pid=pid))

    def run_sandbox(self, config: PodSandboxConfig) -> Sandbox:
        """Run a sandbox of ``config``, removed at the end of the test."""
        sandbox_id = self.runtime.run_pod_sandbox(self.handler, config)
        self.sandboxes.append(sandbox_id)
        return Sandbox(sandbox_id, config)

    def container_config(
        self,
        *command: str,
        name: str = "c",
        labels: Mapping[str, str] | None = None,
        resources: LinuxContainerResources | None = None,
        envs: Sequence[KeyValue] = (),
        pid: NamespaceMode = OWN_PID,
    ) -> ContainerConfig:
        """A busybox container running ``command``, logging to ``<name>/0.log``."""
        return ContainerConfig(
            metadata=ContainerMetadata(name=f"pku-{name}"),
            image=ImageSpec(image=self.image),
            command=command,
            envs=envs,
            labels=labels or {},
            annotations={"pku.podkit.dev/annotation": name},
            log_path=f"{name}/0.log",
            linux=LinuxContainerConfig(
                resources=resources or LinuxContainerResources(),
                security_context=LinuxContainerSecurityContext(
                    namespace_options=NamespaceOption(pid=pid)
                ),
            ),
        )

    def create(self, sandbox: Sandbox, config: ContainerConfig) -> str:
        """Create a container (CreateContainer), removed at the end of the test."""
        container_id = self.runtime.create_container(
            self.handler, sandbox.id, config, sandbox.config
        )
        self.containers.append(container_id)
        return container_id

    def run(  # noqa: PLR0913 - the knobs of container_config, all optional
        self,
        sandbox: Sandbox,
        *command: str,
        name: str = "c",
        labels: Mapping[str, str] | None = None,
        resources: LinuxContainerResources | None = None,
        envs: Sequence[KeyValue] = (),
        pid: NamespaceMode = OWN_PID,
    ) -> str:
        """Create and start a container running ``command``."""
        config = self.container_config(
            *command, name=name, labels=labels, resources=resources, envs=envs, pid=pid
        )
        return self.start(self.create(sandbox, config))

    def start(self, container_id: str) -> str:
        """Start a created container (StartContainer); return its id."""
        self.runtime.start_container(self.handler, container_id)
        return container_id

    def status(self, container_id: str) -> ContainerStatus:
        """ContainerStatus."""
        return self.runtime.container_status(self.handler, container_id).status

    def wait_for(
        self, container_id: str, state: ContainerState, timeout: float = WAIT
    ) -> ContainerStatus:
        """Poll ContainerStatus until the container is in ``state``; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.status(container_id)
            if status.state is state or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert status.state is state, f"{container_id} still {status.state.value}"  # noqa: S101
        return status

    def log(self, container_id: str) -> list[LogRecord]:
        """The container's CRI log, read from ContainerStatus ``log_path``."""
        path = Path(self.status(container_id).log_path)
        return parse_log(path.read_text()) if path.exists() else []

    def wait_for_output(self, container_id: str, text: str, timeout: float = WAIT) -> None:
        """Poll the container's log until a stdout line holds ``text``."""
        deadline = time.monotonic() + timeout
        while not any(text in line for line in joined_lines(self.log(container_id), "stdout")):
            assert time.monotonic() < deadline, f"{container_id} never printed {text!r}"  # noqa: S101
            time.sleep(0.05)

    def stdout(self, container_id: str) -> list[str]:
        """The container's stdout lines, from its log."""
        return joined_lines(self.log(container_id), "stdout")

    def cleanup(self) -> list[str]:
        """Stop and remove every container and sandbox made; return what failed."""
        failures = []
        for container_id in reversed(self.containers):
            try:
                # containerd answers NotFound for a stop of what a test removed already
                # (see _peers); the kubelet ignores it too.
                with contextlib.suppress(podkit.NotFoundError):
                    self.runtime.stop_container(self.handler, container_id, 0)
                self.runtime.remove_container(self.handler, container_id)
            except podkit.PodkitError as exc:
                failures.append(f"container {container_id}: {type(exc).__name__}: {exc}")
        for sandbox_id in reversed(self.sandboxes):
            try:
                with contextlib.suppress(podkit.NotFoundError):
                    self.runtime.stop_pod_sandbox(self.handler, sandbox_id)
                self.runtime.remove_pod_sandbox(self.handler, sandbox_id)
            except podkit.PodkitError as exc:
                failures.append(f"sandbox {sandbox_id}: {type(exc).__name__}: {exc}")
        return failures


__all__ = [
    "NAMESPACE",
    "OWN_PID",
    "WAIT",
    "LogRecord",
    "Pods",
    "Sandbox",
    "joined_lines",
    "parse_log",
]

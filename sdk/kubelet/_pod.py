"""One container of a pod as the pod worker tracks it, and what the runtime says of it.

A :class:`ContainerSlot` holds what the kubelet keeps per container: the
current CRI container, the restart count, the previous run's end, the state
the runtime reported at the last poll, a waiting reason that overrides it
(``ErrImagePull``, ``CreateContainerConfigError``, ``CrashLoopBackOff``...)
and the container's back-off. :func:`observed_state` turns a CRI
``ContainerStatus`` into a Kubernetes container state.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.kubelet._backoff import BackOff, BackOffPolicy
from podkit.kubelet._logs import read_log
from podkit.kubelet._status import (
    ContainerState,
    ContainerStateRunning,
    ContainerStateTerminated,
    ContainerStateWaiting,
    ContainerStatus,
)
from podkit.models.kube import RestartPolicy, TerminationMessagePolicy
from podkit.models.runtime import ContainerState as CriState

if TYPE_CHECKING:
    import asyncio
    from pathlib import Path

    from podkit.models.kube import Container
    from podkit.models.runtime import ContainerStatus as CriContainerStatus

_NANOS: Final = 1_000_000_000
#: The exit code reported for a container whose process the runtime lost.
UNKNOWN_EXIT_CODE: Final = 255
FALLBACK_TO_LOGS: Final = TerminationMessagePolicy.FALLBACK_TO_LOGS_ON_ERROR
#: How much of the log a termination message takes (the kubelet's limits).
MESSAGE_LINES: Final = 80
MESSAGE_BYTES: Final = 2048
#: The most of a termination message file the kubelet reads.
TERMINATION_MESSAGE_BYTES: Final = 4096
#: The exit code the kubelet reports for a container that is gone (``137``, killed).
LOST_EXIT_CODE: Final = 137


def from_nanos(nanos: int) -> dt.datetime | None:
    """A CRI timestamp (nanoseconds since the epoch) as an aware datetime; 0 as ``None``."""
    if not nanos:
        return None
    return dt.datetime.fromtimestamp(nanos / _NANOS, tz=dt.UTC)


def now() -> dt.datetime:
    """The current time, in UTC."""
    return dt.datetime.now(tz=dt.UTC)


def observed_state(status: CriContainerStatus) -> ContainerState:
    """The Kubernetes state of a CRI container status (``toKubeContainerStatus``)."""
    if status.state is CriState.CONTAINER_CREATED:
        return ContainerStateWaiting(reason="ContainerCreating")
    if status.state is CriState.CONTAINER_RUNNING:
        return ContainerStateRunning(started_at=from_nanos(status.started_at) or now())
    code = status.exit_code
    reason = status.reason
    if status.state is CriState.CONTAINER_UNKNOWN:
        code, reason = code or UNKNOWN_EXIT_CODE, reason or "Unknown"
    return ContainerStateTerminated(
        exit_code=code,
        reason=reason or ("Completed" if code == 0 else "Error"),
        message=status.message,
        started_at=from_nanos(status.started_at),
        finished_at=from_nanos(status.finished_at),
        container_id=status.id,
    )


def lost(container_id: str) -> ContainerStateTerminated:
    """The end of a container the runtime no longer knows (the kubelet's words and code)."""
    return ContainerStateTerminated(
        exit_code=LOST_EXIT_CODE,
        reason="ContainerStatusUnknown",
        message="The container could not be located when the pod was terminated",
        finished_at=now(),
        container_id=container_id,
    )


def termination_file(pods_dir: Path, uid: str, slot: ContainerSlot) -> Path:
    """The host file mounted at the run's ``terminationMessagePath``."""
    return pods_dir / uid / "containers" / slot.name / f"{slot.restart_count}.termination"


def with_message(
    slot: ContainerSlot, ended: ContainerStateTerminated, log: Path, termination: Path
) -> ContainerStateTerminated:
    """The run's end with its message, as the kubelet reads it.

    What the container wrote to its ``terminationMessagePath`` (4 KiB at
    most); with ``FallbackToLogsOnError`` and nothing written, the end of
    the ``log`` of a failed run.
    """
    if ended.message:
        return ended
    try:
        with termination.open("rb") as file:
            written = file.read(TERMINATION_MESSAGE_BYTES).decode(errors="replace")
    except OSError:
        written = ""
    if written:
        return attrs.evolve(ended, message=written)
    policy = slot.spec.termination_message_policy
    if not ended.exit_code or policy is not FALLBACK_TO_LOGS:
        return ended
    tail = "\n".join(read_log(log).splitlines()[-MESSAGE_LINES:])[-MESSAGE_BYTES:]
    return attrs.evolve(ended, message=tail)


def restarts(policy: RestartPolicy, slot: ContainerSlot) -> bool:
    """Whether the exited ``slot`` runs again (init containers never restart under Never)."""
    if policy is RestartPolicy.NEVER:
        return False
    if policy is RestartPolicy.ON_FAILURE or slot.init:
        return not slot.succeeded
    return True


def runs_again(policy: RestartPolicy, slot: ContainerSlot) -> bool:
    """Whether a container of a sandbox that died runs again in the next one."""
    if policy is RestartPolicy.NEVER:
        return False
    return slot.init or slot.terminated is None or restarts(policy, slot)


def run_seconds(state: ContainerStateTerminated) -> float:
    """How long a terminated run lasted, in seconds (0 when unknown)."""
    if state.started_at is None or state.finished_at is None:
        return 0.0
    return max(0.0, (state.finished_at - state.started_at).total_seconds())


@final
@attrs.define(kw_only=True)
class ContainerSlot:
    """One (init) container of a pod, across its restarts."""

    spec: Container
    init: bool
    policy: BackOffPolicy
    #: The current run's CRI container id; empty before the first create.
    container_id: str = ""
    #: The container of the run before, kept for its log until the next restart.
    previous_id: str = ""
    restart_count: int = 0
    #: What the runtime said at the last poll; ``None`` before the first create.
    current: ContainerState | None = None
    #: Shown instead of :attr:`current` while set.
    waiting: ContainerStateWaiting | None = None
    last_state: ContainerStateTerminated | None = None
    image_id: str = ""
    #: Monotonic time before which the container is not (re)started.
    not_before: float = 0.0
    #: Whether the current run's exit was seen (and its back-off counted).
    exit_seen: bool = False
    #: Whether the startup probe passed (or there is none) in the current run.
    probe_started: bool = True
    #: Whether the readiness probe passes (or there is none) in the current run.
    probe_ready: bool = True
    #: The task that runs the current run's probes.
    prober: asyncio.Task[None] | None = None
    backoff: BackOff = attrs.field()

    @backoff.default
    def _backoff(self) -> BackOff:
        return BackOff(self.policy)

    @property
    def name(self) -> str:
        """The container's name."""
        return self.spec.name

    @property
    def running(self) -> bool:
        """Whether the runtime reported it running at the last poll."""
        return isinstance(self.current, ContainerStateRunning)

    @property
    def terminated(self) -> ContainerStateTerminated | None:
        """The current run's end, once it exited."""
        return self.current if isinstance(self.current, ContainerStateTerminated) else None

    @property
    def succeeded(self) -> bool:
        """Whether the current run exited 0."""
        return self.terminated is not None and self.terminated.exit_code == 0

    def status(self, *, initializing: bool = False) -> ContainerStatus:
        """The container's ``v1.ContainerStatus``."""
        last = self.last_state
        state: ContainerState
        if self.waiting is not None:
            state = self.waiting
            last = self.terminated or last
        elif self.current is None:
            state = ContainerStateWaiting(
                reason="PodInitializing" if initializing else "ContainerCreating"
            )
        else:
            state = self.current
        running = isinstance(state, ContainerStateRunning)
        return ContainerStatus(
            name=self.name,
            state=state,
            last_state=last,
            ready=running and self.probe_started and self.probe_ready,
            restart_count=self.restart_count,
            image=self.spec.image,
            image_id=self.image_id,
            container_id=self.container_id,
            started=running and self.probe_started,
        )


__all__ = [
    "LOST_EXIT_CODE",
    "UNKNOWN_EXIT_CODE",
    "ContainerSlot",
    "from_nanos",
    "lost",
    "now",
    "observed_state",
    "restarts",
    "run_seconds",
    "runs_again",
    "termination_file",
    "with_message",
]

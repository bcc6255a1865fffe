"""A pod's status as Kubernetes reports it: phase, conditions, container states, events.

These are the ``v1.PodStatus`` pieces a node computes (the kubelet's
``generateAPIPodStatus``), as frozen models, so that an embedding program
reads what ``kubectl get pod -o yaml`` would show. :func:`pod_phase` is the
kubelet's ``getPhase``.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, final

import attrs

from podkit.models.kube import RestartPolicy

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable


# The life of a pod (``v1.PodPhase``):
#
#   Pending --(init containers done, a container started)--> Running
#      |                                                       |
#      |                      every container terminated and not restarted
#      |                                                       |
#      +------------------------------------------------> Succeeded (all exit 0)
#                                                      or Failed (one did not)
#
# A pod with restartPolicy Always never leaves Running on its own.
@final
class PodPhase(enum.StrEnum):
    """Where a pod is in its life (``status.phase``).

    .. versionadded:: 0.1
    """

    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    UNKNOWN = "Unknown"


@final
@attrs.frozen(kw_only=True)
class ContainerStateWaiting:
    """Not running yet: ``ContainerCreating``, ``CrashLoopBackOff``, ``ErrImagePull``...

    .. versionadded:: 0.1
    """

    reason: str
    message: str = ""


@final
@attrs.frozen(kw_only=True)
class ContainerStateRunning:
    """Running since :attr:`started_at`.

    .. versionadded:: 0.1
    """

    started_at: dt.datetime


@final
@attrs.frozen(kw_only=True)
class ContainerStateTerminated:
    """Exited: with its code and ``Completed``, ``Error`` or the runtime's reason.

    .. versionadded:: 0.1
    """

    exit_code: int
    reason: str = ""
    message: str = ""
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    #: The CRI container id.
    container_id: str = ""


#: One of the three container states.
ContainerState = ContainerStateWaiting | ContainerStateRunning | ContainerStateTerminated


@final
@attrs.frozen(kw_only=True)
class ContainerStatus:
    """One container of a pod (``v1.ContainerStatus``).

    .. versionadded:: 0.1
    """

    name: str
    state: ContainerState
    #: The previous run's end, once the container was restarted.
    last_state: ContainerStateTerminated | None = None
    #: Running (probes are not run yet: readiness is running).
    ready: bool = False
    restart_count: int = 0
    image: str = ""
    #: The runtime's id of the image in use.
    image_id: str = ""
    #: The CRI container id of the current run; empty before it is created.
    container_id: str = ""
    started: bool = False


@final
@attrs.frozen(kw_only=True)
class PodCondition:
    """``PodScheduled``, ``Initialized``, ``ContainersReady`` or ``Ready``.

    .. versionadded:: 0.1
    """

    type: str
    status: bool
    reason: str = ""
    message: str = ""


@final
@attrs.frozen(kw_only=True)
class PodEvent:
    """Something that happened to a pod, as ``kubectl describe`` lists it.

    .. versionadded:: 0.1
    """

    time: dt.datetime
    #: ``Normal`` or ``Warning``.
    type: str
    #: CamelCase: ``Pulled``, ``Created``, ``Started``, ``BackOff``, ``Killing``...
    reason: str
    message: str


@final
@attrs.frozen(kw_only=True)
class PodStatus:
    """A pod's status (``v1.PodStatus``), with its recent events.

    .. versionadded:: 0.1
    """

    phase: PodPhase
    conditions: tuple[PodCondition, ...] = ()
    #: IPv4 first, as the kubelet orders them.
    pod_ips: tuple[str, ...] = ()
    host_ip: str = ""
    init_container_statuses: tuple[ContainerStatus, ...] = ()
    container_statuses: tuple[ContainerStatus, ...] = ()
    #: Why the pod is where it is (``PodCompleted``...); may be empty.
    reason: str = ""
    message: str = ""
    start_time: dt.datetime | None = None
    #: ``Guaranteed``, ``Burstable`` or ``BestEffort``.
    qos_class: str = ""
    #: The latest events, oldest first (a bounded log).
    events: tuple[PodEvent, ...] = ()

    @property
    def pod_ip(self) -> str:
        """The primary address; empty before the sandbox has one."""
        return self.pod_ips[0] if self.pod_ips else ""

    def condition(self, type_: str) -> bool:
        """Whether the condition ``type_`` is true."""
        return any(c.type == type_ and c.status for c in self.conditions)

    def container(self, name: str) -> ContainerStatus:
        """The status of the (init) container ``name``.

        :raises KeyError: the pod has no such container.
        """
        for status in (*self.init_container_statuses, *self.container_statuses):
            if status.name == name:
                return status
        raise KeyError(name)


def _counts(statuses: Iterable[ContainerStatus]) -> tuple[int, int, int, int]:
    running = waiting = stopped = succeeded = 0
    for status in statuses:
        state = status.state
        if isinstance(state, ContainerStateRunning):
            running += 1
        elif isinstance(state, ContainerStateTerminated):
            stopped += 1
            succeeded += state.exit_code == 0
        elif status.last_state is not None:
            stopped += 1  # waiting to restart: it ran already
        else:
            waiting += 1
    return running, waiting, stopped, succeeded


def _initialization(statuses: Iterable[ContainerStatus], policy: RestartPolicy) -> PodPhase | None:
    """Pending or Failed while init containers are not all done, else ``None``."""
    for status in statuses:
        state = status.state
        if isinstance(state, ContainerStateTerminated) and state.exit_code == 0:
            continue
        failed = isinstance(state, ContainerStateTerminated) or status.last_state is not None
        if failed and policy is RestartPolicy.NEVER:
            return PodPhase.FAILED
        return PodPhase.PENDING
    return None


def pod_phase(  # noqa: PLR0911 - the kubelet's getPhase, case by case
    init: Iterable[ContainerStatus], app: Iterable[ContainerStatus], policy: RestartPolicy
) -> PodPhase:
    """The kubelet's ``getPhase``: the phase from the container statuses."""
    pending = _initialization(init, policy)
    if pending is not None:
        return pending
    running, waiting, stopped, succeeded = _counts(app)
    if waiting:
        return PodPhase.PENDING
    if running:
        return PodPhase.RUNNING
    if not stopped:
        return PodPhase.PENDING
    if policy is RestartPolicy.ALWAYS:
        return PodPhase.RUNNING
    if stopped == succeeded:
        return PodPhase.SUCCEEDED
    if policy is RestartPolicy.NEVER:
        return PodPhase.FAILED
    return PodPhase.RUNNING  # OnFailure: the failed ones restart


def pod_conditions(
    phase: PodPhase, init: Iterable[ContainerStatus], app: Iterable[ContainerStatus]
) -> tuple[PodCondition, ...]:
    """``PodScheduled``, ``Initialized``, ``ContainersReady`` and ``Ready``."""
    done = all(
        isinstance(s.state, ContainerStateTerminated) and s.state.exit_code == 0 for s in init
    )
    app = list(app)
    ready = bool(app) and all(s.ready for s in app)
    reason = "PodCompleted" if phase in {PodPhase.SUCCEEDED, PodPhase.FAILED} else ""
    if not ready and not reason:
        reason = "ContainersNotReady" if done else "ContainersNotInitialized"
    return (
        PodCondition(type="PodScheduled", status=True),
        PodCondition(
            type="Initialized",
            status=done or phase is not PodPhase.PENDING,
            reason="" if done else "ContainersNotInitialized",
        ),
        PodCondition(type="ContainersReady", status=ready, reason="" if ready else reason),
        PodCondition(type="Ready", status=ready, reason="" if ready else reason),
    )


TERMINAL_PHASES = frozenset({PodPhase.SUCCEEDED, PodPhase.FAILED})

__all__ = [
    "TERMINAL_PHASES",
    "ContainerState",
    "ContainerStateRunning",
    "ContainerStateTerminated",
    "ContainerStateWaiting",
    "ContainerStatus",
    "PodCondition",
    "PodEvent",
    "PodPhase",
    "PodStatus",
    "pod_conditions",
    "pod_phase",
]

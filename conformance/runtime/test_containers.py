"""CRI containers: the lifecycle, its state machine, StopContainer and ListContainers."""

from __future__ import annotations

import concurrent.futures
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest

import podkit
from podkit.conformance.runtime._peers import refused, stop_of_gone
from podkit.models.runtime import (
    ContainerFilter,
    ContainerState,
    ContainerStatsFilter,
    ImageSpec,
    KeyValue,
)

if TYPE_CHECKING:
    from podkit.conformance.runtime._pods import Pods
    from podkit.models.runtime import Container, ContainerStatus, Image

CREATED = ContainerState.CONTAINER_CREATED
RUNNING = ContainerState.CONTAINER_RUNNING
EXITED = ContainerState.CONTAINER_EXITED
# 2001-09-09 in nanoseconds since the epoch.
NANOSECONDS_2001 = 10**18


def _names_image(container: ContainerStatus | Container, image: Image) -> bool:
    """Whether the container names ``image``: by ``image_id``, or else by ``image_ref``.

    ``image_id`` came with cri-api 1.30; containerd 1.6 (as the kubelet before
    1.30 read it) names the image in ``image_ref``: its id, or a repo digest of it.
    """
    if container.image_id:
        return container.image_id == image.id
    return container.image_ref in {image.id, *image.repo_digests}


def test_a_created_container_is_created_and_not_started(pods: Pods) -> None:
    """CRI CreateContainer: the new container is CONTAINER_CREATED; it does not run yet.

    ContainerStatus: ``created_at`` is set, ``started_at`` is 0 ("not yet");
    labels and annotations come back exactly as configured.
    """
    sandbox = pods.sandbox("create")
    config = pods.container_config("sleep", "3600", labels={"pku.podkit.dev/test": "create"})
    container_id = pods.create(sandbox, config)
    status = pods.status(container_id)
    assert status.id == container_id
    assert status.state is CREATED
    assert status.metadata == config.metadata
    assert status.created_at > 0
    assert status.started_at == 0
    assert dict(status.labels) == dict(config.labels)
    assert dict(status.annotations) == dict(config.annotations)


def test_a_started_container_is_running(pods: Pods) -> None:
    """CRI StartContainer: the container becomes CONTAINER_RUNNING with ``started_at`` set."""
    sandbox = pods.sandbox("start")
    container_id = pods.run(sandbox, "sleep", "3600")
    status = pods.status(container_id)
    assert status.state is RUNNING
    assert status.started_at >= status.created_at > 0
    assert status.finished_at == 0


def test_a_container_whose_process_exits_is_exited_with_its_exit_code(pods: Pods) -> None:
    """CRI ContainerStatus: once the process ends, CONTAINER_EXITED, ``exit_code``, ``finished_at``.

    api.proto: "exit_code: Exit code of the container. Only required when
    finished_at != 0"; ``finished_at`` is after ``created_at``.
    """
    sandbox = pods.sandbox("exit")
    container_id = pods.run(sandbox, "sh", "-c", "exit 3")
    status = pods.wait_for(container_id, EXITED)
    assert status.exit_code == 3
    assert status.started_at > 0
    # containerd 1.6 stamps started_at once the task's start has returned, and
    # finished_at from the shim's exit event: a process that exits at once can
    # end a little "before" it started. Both follow the creation.
    assert status.finished_at > status.created_at


def test_a_clean_exit_has_exit_code_zero(pods: Pods) -> None:
    """CRI ContainerStatus: a process that exits 0 leaves ``exit_code`` 0."""
    sandbox = pods.sandbox("clean")
    container_id = pods.run(sandbox, "true")
    assert pods.wait_for(container_id, EXITED).exit_code == 0


def test_a_stopped_container_is_exited(pods: Pods) -> None:
    """CRI StopContainer: "stops a running container"; it becomes CONTAINER_EXITED."""
    sandbox = pods.sandbox("stopped")
    container_id = pods.run(sandbox, "sleep", "3600")
    assert pods.runtime.stop_container(pods.handler, container_id, 1) is True
    status = pods.status(container_id)
    assert status.state is EXITED
    assert status.finished_at >= status.started_at > 0


def test_a_removed_container_is_gone(pods: Pods) -> None:
    """CRI ContainerStatus: "If the container is not present, returns an error" (NotFound).

    After RemoveContainer the container is not listed either.
    """
    sandbox = pods.sandbox("removed")
    container_id = pods.run(sandbox, "true")
    pods.wait_for(container_id, EXITED)
    assert pods.runtime.remove_container(pods.handler, container_id) is True
    with pytest.raises(podkit.NotFoundError):
        pods.status(container_id)
    found = pods.runtime.list_containers(pods.handler, ContainerFilter(id=container_id))
    assert found == ()


def test_a_running_container_can_be_removed(pods: Pods) -> None:
    """CRI RemoveContainer of a running container removes it.

    api.proto: "If the container is running, the container must be forcibly removed."
    """
    sandbox = pods.sandbox("force")
    container_id = pods.run(sandbox, "sleep", "3600")
    assert pods.runtime.remove_container(pods.handler, container_id) is True
    with pytest.raises(podkit.NotFoundError):
        pods.status(container_id)


def test_starting_a_running_container_fails_its_precondition(pods: Pods) -> None:
    """CRI StartContainer: only a CONTAINER_CREATED container starts (FailedPrecondition).

    The container state machine has no edge from RUNNING back to RUNNING.
    """
    sandbox = pods.sandbox("twice")
    container_id = pods.run(sandbox, "sleep", "3600")
    with refused(podkit.FailedPreconditionError, "container is in CONTAINER_RUNNING state"):
        pods.runtime.start_container(pods.handler, container_id)
    assert pods.status(container_id).state is RUNNING


def test_an_exited_container_cannot_be_started_again(pods: Pods) -> None:
    """CRI StartContainer of a CONTAINER_EXITED container fails (FailedPrecondition).

    "Not idempotent: a container starts once": the kubelet makes a new
    container (a new ``attempt``) to restart one.
    """
    sandbox = pods.sandbox("restart")
    container_id = pods.run(sandbox, "true")
    pods.wait_for(container_id, EXITED)
    with refused(podkit.FailedPreconditionError, "container is in CONTAINER_EXITED state"):
        pods.start(container_id)
    assert pods.status(container_id).state is EXITED


def test_a_container_runs_from_an_image_named_by_its_id(pods: Pods) -> None:
    """CRI CreateContainer with ``image`` set to the image id, as the kubelet sends it.

    The kubelet creates containers from the ``image_ref`` that PullImage (or
    ImageStatus) gave, not from the tag in the pod spec.

    ContainerStatus names the image in ``image_id``, or, from runtimes older
    than that field (cri-api 1.30; containerd 1.6), in ``image_ref``.
    """
    image = pods.runtime.image_status(pods.handler, ImageSpec(image=pods.image)).image
    assert image is not None
    sandbox = pods.sandbox("by-id")
    config = attrs.evolve(pods.container_config("echo", "by-id"), image=ImageSpec(image=image.id))
    container_id = pods.start(pods.create(sandbox, config))
    pods.wait_for(container_id, EXITED)
    assert pods.stdout(container_id) == ["by-id"]
    assert _names_image(pods.status(container_id), image)


def test_a_container_of_an_absent_image_is_not_created(pods: Pods) -> None:
    """CRI CreateContainer: "the image has been pulled already"; an absent one is NotFound."""
    sandbox = pods.sandbox("no-image")
    config = pods.container_config("true")
    absent = ImageSpec(image=f"127.0.0.1:1/pku/absent-{secrets.token_hex(4)}:latest")
    with pytest.raises(podkit.NotFoundError):
        pods.create(sandbox, attrs.evolve(config, image=absent))


def test_a_container_cannot_be_created_in_a_stopped_sandbox(pods: Pods) -> None:
    """CRI CreateContainer needs a ready sandbox: in a SANDBOX_NOTREADY one it fails.

    The hookspec's error for it is FailedPrecondition.
    """
    sandbox = pods.sandbox("notready")
    pods.runtime.stop_pod_sandbox(pods.handler, sandbox.id)
    config = pods.container_config("true")
    # containerd 1.6: NotFound, "failed to get sandbox container task: no running task
    # found" (the sandbox's task is gone); still a refusal, and the one the kubelet handles.
    with refused(podkit.FailedPreconditionError, "no running task found"):
        pods.create(sandbox, config)


def test_a_container_cannot_be_created_in_an_unknown_sandbox(pods: Pods) -> None:
    """CRI CreateContainer "creates a new container in specified PodSandbox": unknown, NotFound."""
    sandbox = pods.sandbox("unknown")
    pods.runtime.stop_pod_sandbox(pods.handler, sandbox.id)
    pods.runtime.remove_pod_sandbox(pods.handler, sandbox.id)
    with pytest.raises(podkit.NotFoundError):
        pods.create(sandbox, pods.container_config("true"))


def test_stop_and_remove_of_a_container_are_idempotent(pods: Pods) -> None:
    """CRI StopContainer and RemoveContainer: "This call is idempotent".

    Stop "must not return an error if the container has already been
    stopped"; remove "must not return an error if the container has already
    been removed". A stop after the removal may be NotFound (containerd 1.6; see
    ``_peers``).
    """
    sandbox = pods.sandbox("idempotent")
    container_id = pods.run(sandbox, "sleep", "3600")
    for _ in range(2):
        assert pods.runtime.stop_container(pods.handler, container_id, 0) is True
    for _ in range(2):
        assert pods.runtime.remove_container(pods.handler, container_id) is True
    stop_of_gone(lambda: pods.runtime.stop_container(pods.handler, container_id, 0))


def test_stop_and_remove_of_an_unknown_container_succeed(pods: Pods) -> None:
    """CRI RemoveContainer of an id never seen succeeds; StopContainer too, or is NotFound.

    containerd 1.6 answers a stop of an unknown id NotFound (see ``_peers``).
    """
    unknown = secrets.token_hex(32)
    stop_of_gone(lambda: pods.runtime.stop_container(pods.handler, unknown, 0))
    assert pods.runtime.remove_container(pods.handler, unknown) is True


def test_stopping_a_created_container_leaves_it_removable(pods: Pods) -> None:
    """CRI StopContainer of a container that never ran is no error; RemoveContainer removes it."""
    sandbox = pods.sandbox("created-stop")
    container_id = pods.create(sandbox, pods.container_config("true"))
    assert pods.runtime.stop_container(pods.handler, container_id, 0) is True
    assert pods.runtime.remove_container(pods.handler, container_id) is True
    with pytest.raises(podkit.NotFoundError):
        pods.status(container_id)


def test_list_containers_filters_by_id_state_sandbox_and_labels(pods: Pods) -> None:
    """CRI ListContainers: ``id``, ``state``, ``pod_sandbox_id``, ``label_selector``, ANDed.

    api.proto ContainerFilter: "All those fields are combined with 'AND'". An
    unknown id lists nothing.
    """
    run = secrets.token_hex(4)
    first, second = pods.sandbox("list-a"), pods.sandbox("list-b")
    labels = {"pku.podkit.dev/run": run}
    running = pods.run(first, "sleep", "3600", name="run", labels={**labels, "role": "run"})
    created = pods.create(first, pods.container_config("true", name="new", labels=labels))
    other = pods.run(second, "sleep", "3600", name="other", labels=labels)

    def ids(conditions: ContainerFilter) -> set[str]:
        return {c.id for c in pods.runtime.list_containers(pods.handler, conditions)}

    mine = {running, created, other}
    assert ids(ContainerFilter()) >= mine
    assert ids(ContainerFilter(id=created)) == {created}
    assert ids(ContainerFilter(pod_sandbox_id=first.id)) == {running, created}
    assert ids(ContainerFilter(label_selector=labels)) == mine
    assert ids(ContainerFilter(label_selector={**labels, "role": "run"})) == {running}
    assert ids(ContainerFilter(state=RUNNING)) & mine == {running, other}
    assert ids(ContainerFilter(state=CREATED)) & mine == {created}
    both = ContainerFilter(pod_sandbox_id=second.id, state=RUNNING)
    assert ids(both) == {other}
    assert ids(ContainerFilter(id=created, state=RUNNING)) == set()
    assert ids(ContainerFilter(id=secrets.token_hex(32))) == set()
    listed = pods.runtime.list_containers(pods.handler, ContainerFilter(id=running))[0]
    assert listed.pod_sandbox_id == first.id
    assert listed.state is RUNNING
    assert dict(listed.labels) == {**labels, "role": "run"}


def test_a_second_container_of_the_same_name_and_attempt_is_refused(pods: Pods) -> None:
    """CRI ContainerMetadata: "(name, attempt) is unique within a sandbox" (AlreadyExists).

    api.proto: the pair is unique "for the entire lifetime of the sandbox".
    """
    sandbox = pods.sandbox("same-name")
    config = pods.container_config("true", name="same")
    pods.create(sandbox, config)
    with refused(podkit.AlreadyExistsError, r"failed to reserve container name .* is reserved"):
        pods.create(sandbox, config)


def test_timestamps_are_nanoseconds_since_the_epoch(pods: Pods) -> None:
    """CRI ``created_at``/``started_at``/``finished_at``: "Unix nanoseconds" timestamps.

    A time in seconds or milliseconds would be far below 10^18 (2001 in ns).
    """
    sandbox = pods.sandbox("times")
    container_id = pods.run(sandbox, "true")
    status = pods.wait_for(container_id, EXITED)
    sandbox_status = pods.runtime.pod_sandbox_status(pods.handler, sandbox.id).status
    for value in (
        status.created_at,
        status.started_at,
        status.finished_at,
        sandbox_status.created_at,
    ):
        assert value > NANOSECONDS_2001, value


def test_the_container_environment_has_the_configured_and_the_image_variables(
    pods: Pods,
) -> None:
    """CRI ContainerConfig ``envs``: "List of environment variable to set in the container".

    The image's environment (its ``PATH``) is there too, unless overridden.
    """
    sandbox = pods.sandbox("env")
    envs = (KeyValue("PKU_GREETING", "hello world"),)
    container_id = pods.run(sandbox, "env", envs=envs)
    pods.wait_for(container_id, EXITED)
    lines = pods.stdout(container_id)
    assert "PKU_GREETING=hello world" in lines
    assert any(line.startswith("PATH=") and "/bin" in line for line in lines), lines


def test_stats_of_a_running_container_name_it(pods: Pods) -> None:
    """CRI ContainerStats and ListContainerStats: the stats carry the container's attributes."""
    sandbox = pods.sandbox("stats")
    container_id = pods.run(sandbox, "sleep", "3600", labels={"pku.podkit.dev/test": "stats"})
    stats = pods.runtime.container_stats(pods.handler, container_id)
    assert stats.attributes.id == container_id
    assert stats.attributes.metadata.name == "pku-c"
    listed = pods.runtime.list_container_stats(pods.handler, ContainerStatsFilter(id=container_id))
    assert [s.attributes.id for s in listed] == [container_id]


def test_a_container_whose_process_cannot_start_is_exited(pods: Pods) -> None:
    """CRI StartContainer of a command the image lacks fails; the container is then exited.

    It does not stay CONTAINER_CREATED nor become RUNNING: containerd marks it
    exited (reason ``StartError``), and so does the hookspec.
    """
    sandbox = pods.sandbox("noexec")
    container_id = pods.create(sandbox, pods.container_config("/pku/no-such-command"))
    with pytest.raises(podkit.PodkitError):
        pods.start(container_id)
    assert pods.status(container_id).state is EXITED


def test_a_container_cannot_start_in_a_stopped_sandbox(pods: Pods) -> None:
    """CRI StartContainer needs the sandbox ready; after StopPodSandbox it fails.

    The hookspec's error for it is FailedPrecondition.
    """
    sandbox = pods.sandbox("start-stopped")
    container_id = pods.create(sandbox, pods.container_config("sleep", "3600"))
    pods.runtime.stop_pod_sandbox(pods.handler, sandbox.id)
    with refused(podkit.FailedPreconditionError, r"sandbox container .* is not running"):
        pods.start(container_id)
    assert pods.status(container_id).state is not RUNNING


def test_the_status_names_the_image_and_the_log_outlives_the_container(pods: Pods) -> None:
    """CRI ContainerStatus ``image_id`` is the image's id; RemoveContainer leaves the log.

    api.proto: image_id is the "Image ID of the image used by the container"
    (as ImageStatus gives it); the kubelet removes logs itself, so the log
    file at ``log_path`` is still there after RemoveContainer. Runtimes older
    than ``image_id`` (cri-api 1.30; containerd 1.6) give the id in ``image_ref``.
    """
    image = pods.runtime.image_status(pods.handler, ImageSpec(image=pods.image)).image
    assert image is not None
    sandbox = pods.sandbox("image-id")
    container_id = pods.run(sandbox, "echo", "logged")
    status = pods.wait_for(container_id, EXITED)
    assert _names_image(status, image)
    assert status.image_ref
    listed = pods.runtime.list_containers(pods.handler, ContainerFilter(id=container_id))
    assert len(listed) == 1
    assert _names_image(listed[0], image)
    pods.runtime.remove_container(pods.handler, container_id)
    assert Path(status.log_path).exists()


def test_sandboxes_and_containers_can_be_made_at_once_from_many_threads(pods: Pods) -> None:
    """Hookspec "State and concurrency": hooks are called from worker threads, possibly at once.

    Four pods made, run, exec'd and removed concurrently all work and get
    ids of their own.
    """

    def one_pod(index: int) -> tuple[str, str]:
        sandbox = pods.sandbox(f"thread-{index}")
        container_id = pods.run(sandbox, "sleep", "3600", name=f"t{index}")
        result = pods.runtime.exec_sync(pods.handler, container_id, ("echo", str(index)), 30)
        assert result.stdout == f"{index}\n".encode()
        pods.runtime.remove_pod_sandbox(pods.handler, sandbox.id)
        return sandbox.id, container_id

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        made = list(pool.map(one_pod, range(4)))
    assert len({ids for pair in made for ids in pair}) == 8

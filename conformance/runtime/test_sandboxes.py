"""CRI pod sandboxes: the lifecycle, its state machine, and ListPodSandbox's filters."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import pytest

import podkit
from podkit.conformance.runtime._peers import refused, stop_of_gone
from podkit.models.runtime import (
    ContainerFilter,
    ContainerState,
    PodSandboxFilter,
    PodSandboxState,
)

if TYPE_CHECKING:
    from podkit.conformance.runtime._pods import Pods

READY = PodSandboxState.SANDBOX_READY
NOTREADY = PodSandboxState.SANDBOX_NOTREADY


def test_a_run_sandbox_is_ready_and_reports_its_configuration(pods: Pods) -> None:
    """CRI RunPodSandbox: the new sandbox is SANDBOX_READY, with its configuration.

    api.proto: "Runtimes must ensure the sandbox is in the ready state on success."

    PodSandboxStatus carries the metadata, ``created_at`` (> 0) and the labels
    and annotations exactly as configured (api.proto: annotations "MUST be
    returned" unchanged).
    """
    sandbox = pods.sandbox("ready", labels={"pku.podkit.dev/test": "ready"})
    status = pods.runtime.pod_sandbox_status(pods.handler, sandbox.id).status
    assert status.id == sandbox.id
    assert status.state is READY
    assert status.metadata == sandbox.config.metadata
    assert status.created_at > 0
    assert dict(status.labels) == dict(sandbox.config.labels)
    assert dict(status.annotations) == dict(sandbox.config.annotations)
    asked = sandbox.config.linux.security_context.namespace_options
    assert status.linux.namespaces.options == asked


def test_a_stopped_sandbox_is_not_ready(pods: Pods) -> None:
    """CRI StopPodSandbox: the sandbox's processes stop; its state becomes SANDBOX_NOTREADY."""
    sandbox = pods.sandbox("stop")
    assert pods.runtime.stop_pod_sandbox(pods.handler, sandbox.id) is True
    status = pods.runtime.pod_sandbox_status(pods.handler, sandbox.id).status
    assert status.state is NOTREADY


def test_a_removed_sandbox_is_gone(pods: Pods) -> None:
    """CRI PodSandboxStatus: "If the PodSandbox is not present, returns an error" (NotFound).

    After RemovePodSandbox the sandbox is not listed either.
    """
    sandbox = pods.sandbox("remove")
    pods.runtime.stop_pod_sandbox(pods.handler, sandbox.id)
    assert pods.runtime.remove_pod_sandbox(pods.handler, sandbox.id) is True
    with pytest.raises(podkit.NotFoundError):
        pods.runtime.pod_sandbox_status(pods.handler, sandbox.id)
    assert pods.runtime.list_pod_sandbox(pods.handler, PodSandboxFilter(id=sandbox.id)) == ()


def test_stop_and_remove_of_a_sandbox_are_idempotent(pods: Pods) -> None:
    """CRI StopPodSandbox and RemovePodSandbox: "This call is idempotent".

    Stop "must not return an error if all relevant resources have already
    been reclaimed"; remove "must not return an error if the sandbox has
    already been removed". A stop after the removal may be NotFound
    (containerd 1.6; see ``_peers``).
    """
    sandbox = pods.sandbox("idempotent")
    for _ in range(2):
        assert pods.runtime.stop_pod_sandbox(pods.handler, sandbox.id) is True
    for _ in range(2):
        assert pods.runtime.remove_pod_sandbox(pods.handler, sandbox.id) is True
    stop_of_gone(lambda: pods.runtime.stop_pod_sandbox(pods.handler, sandbox.id))


def test_a_ready_sandbox_can_be_removed_without_a_stop(pods: Pods) -> None:
    """CRI RemovePodSandbox: running containers "must be forcibly terminated and removed"."""
    sandbox = pods.sandbox("force")
    pods.run(sandbox, "sleep", "3600")
    assert pods.runtime.remove_pod_sandbox(pods.handler, sandbox.id) is True
    with pytest.raises(podkit.NotFoundError):
        pods.runtime.pod_sandbox_status(pods.handler, sandbox.id)


def test_stop_and_remove_of_an_unknown_sandbox_succeed(pods: Pods) -> None:
    """CRI RemovePodSandbox of an id never seen succeeds; StopPodSandbox too, or is NotFound.

    Both are idempotent: an unknown id is "already removed". containerd 1.6
    answers a stop of an unknown id NotFound (see ``_peers``).
    """
    unknown = secrets.token_hex(32)
    stop_of_gone(lambda: pods.runtime.stop_pod_sandbox(pods.handler, unknown))
    assert pods.runtime.remove_pod_sandbox(pods.handler, unknown) is True


def test_status_of_an_unknown_sandbox_is_not_found(pods: Pods) -> None:
    """CRI PodSandboxStatus: "If the PodSandbox is not present, returns an error"."""
    with pytest.raises(podkit.NotFoundError):
        pods.runtime.pod_sandbox_status(pods.handler, secrets.token_hex(32))


def test_list_pod_sandbox_filters_by_id_state_and_labels(pods: Pods) -> None:
    """CRI ListPodSandbox: the filter's ``id``, ``state`` and ``label_selector`` are ANDed.

    api.proto PodSandboxFilter: "All those fields are combined with 'AND'";
    the label selector's pairs must all match. An unknown id lists nothing.
    """
    run = secrets.token_hex(4)
    first = pods.sandbox("list-a", labels={"pku.podkit.dev/run": run, "tier": "a"})
    second = pods.sandbox("list-b", labels={"pku.podkit.dev/run": run, "tier": "b"})
    pods.runtime.stop_pod_sandbox(pods.handler, second.id)

    def ids(conditions: PodSandboxFilter) -> set[str]:
        return {s.id for s in pods.runtime.list_pod_sandbox(pods.handler, conditions)}

    mine = {first.id, second.id}
    assert ids(PodSandboxFilter()) >= mine
    assert ids(PodSandboxFilter(id=first.id)) == {first.id}
    assert ids(PodSandboxFilter(label_selector={"pku.podkit.dev/run": run})) == mine
    both = {"pku.podkit.dev/run": run, "tier": "b"}
    assert ids(PodSandboxFilter(label_selector=both)) == {second.id}
    assert ids(PodSandboxFilter(state=READY)) & mine == {first.id}
    assert ids(PodSandboxFilter(state=NOTREADY)) & mine == {second.id}
    assert ids(PodSandboxFilter(id=first.id, state=NOTREADY)) == set()
    assert ids(PodSandboxFilter(id=secrets.token_hex(32))) == set()
    listed = pods.runtime.list_pod_sandbox(pods.handler, PodSandboxFilter(id=first.id))[0]
    assert listed.metadata == first.config.metadata
    assert listed.state is READY
    assert dict(listed.labels) == dict(first.config.labels)
    assert dict(listed.annotations) == dict(first.config.annotations)


def test_stopping_a_sandbox_stops_its_containers(pods: Pods) -> None:
    """CRI StopPodSandbox: running containers "must be forcibly terminated".

    api.proto: "If there are any running containers in the sandbox, they
    must be forcibly terminated." They become CONTAINER_EXITED.
    """
    sandbox = pods.sandbox("stop-all")
    first = pods.run(sandbox, "sleep", "3600", name="first")
    second = pods.run(sandbox, "sleep", "3600", name="second")
    pods.runtime.stop_pod_sandbox(pods.handler, sandbox.id)
    for container_id in (first, second):
        assert pods.status(container_id).state is ContainerState.CONTAINER_EXITED


def test_removing_a_sandbox_removes_its_containers(pods: Pods) -> None:
    """CRI RemovePodSandbox: running containers "must be forcibly terminated and removed"."""
    sandbox = pods.sandbox("remove-all")
    running = pods.run(sandbox, "sleep", "3600", name="running")
    created = pods.create(sandbox, pods.container_config("true", name="created"))
    pods.runtime.remove_pod_sandbox(pods.handler, sandbox.id)
    for container_id in (running, created):
        with pytest.raises(podkit.NotFoundError):
            pods.status(container_id)
    listed = pods.runtime.list_containers(pods.handler, ContainerFilter(pod_sandbox_id=sandbox.id))
    assert listed == ()


def test_a_second_sandbox_of_the_same_metadata_is_refused(pods: Pods) -> None:
    """CRI RunPodSandbox: a sandbox of the same name, namespace, uid and attempt exists already.

    The kubelet makes a new sandbox with a new ``attempt``; the same metadata
    twice is refused (AlreadyExists), as containerd reserves the name.
    """
    sandbox = pods.sandbox("twice")
    with refused(podkit.AlreadyExistsError, r"failed to reserve sandbox name .* is reserved"):
        pods.run_sandbox(sandbox.config)

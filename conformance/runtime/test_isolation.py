"""CRI isolation: a container sees its sandbox's hostname, its own PIDs and its own root.

The kubelet runs an ordinary pod with ``pid: CONTAINER`` (a PID namespace per
container), in the pod's UTS namespace, on a root filesystem made from the
image (CreateContainer: "make the root filesystem from ``config.image``").
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from podkit.models.runtime import NamespaceMode

if TYPE_CHECKING:
    from podkit.conformance.runtime._pods import Pods

HOST_OS_RELEASE = Path("/etc/os-release")


def test_a_container_sees_its_sandbox_hostname(pods: Pods) -> None:
    """CRI PodSandboxConfig ``hostname``: the containers of the pod share it (UTS namespace)."""
    sandbox = pods.sandbox("hostname")
    container_id = pods.run(sandbox, "sleep", "3600")
    result = pods.runtime.exec_sync(pods.handler, container_id, ("hostname",), 30)
    assert result.exit_code == 0, result
    assert result.stdout.decode().strip() == sandbox.config.hostname


def test_a_container_process_is_pid_1_of_its_own_pid_namespace(pods: Pods) -> None:
    """CRI NamespaceOption ``pid: CONTAINER``: the container has its own PID namespace.

    api.proto: "CONTAINER: A namespace for a single container"; its first
    process is PID 1 there.
    """
    sandbox = pods.sandbox("pid1")
    container_id = pods.run(sandbox, "sh", "-c", 'echo "pid=$$"; sleep 3600')
    pods.wait_for_output(container_id, "pid=")
    assert "pid=1" in pods.stdout(container_id)


def test_ps_in_a_container_shows_only_its_processes(pods: Pods) -> None:
    """CRI NamespaceOption ``pid: CONTAINER``: no host process is visible in the container.

    ``ps`` run by ExecSync sees the container's process (PID 1) and itself.
    """
    sandbox = pods.sandbox("ps")
    container_id = pods.run(sandbox, "sleep", "3600")
    result = pods.runtime.exec_sync(pods.handler, container_id, ("ps", "-o", "pid,comm"), 30)
    assert result.exit_code == 0, result
    rows = [line.split() for line in result.stdout.decode().splitlines()[1:] if line.strip()]
    commands = {comm for _, comm in rows}
    assert ["1", "sleep"] in rows, rows
    assert commands <= {"sleep", "ps"}, rows


def test_a_container_has_its_own_root_filesystem(pods: Pods) -> None:
    """CRI CreateContainer: the root filesystem is the image's, not the node's.

    The node's ``/etc/os-release`` is not what the container reads at that
    path (the busybox image has none), and the image's files are there.
    """
    sandbox = pods.sandbox("rootfs")
    container_id = pods.run(sandbox, "sleep", "3600")
    seen = pods.runtime.exec_sync(pods.handler, container_id, ("cat", "/etc/os-release"), 30)
    if HOST_OS_RELEASE.exists():
        assert seen.exit_code != 0 or seen.stdout != HOST_OS_RELEASE.read_bytes()
    image_file = pods.runtime.exec_sync(pods.handler, container_id, ("cat", "/etc/passwd"), 30)
    assert image_file.exit_code == 0
    assert image_file.stdout.startswith(b"root:x:0:0:")


def test_containers_of_a_pod_sharing_its_pid_namespace_see_each_other(pods: Pods) -> None:
    """CRI NamespaceOption ``pid: POD``: one PID namespace for all containers of the pod.

    api.proto: "POD: A namespace is shared by all containers of the pod". A
    container's ``ps`` then shows the other container's process.
    """
    sandbox = pods.sandbox("shared-pid", pid=NamespaceMode.POD)
    pods.run(sandbox, "sleep", "3600", name="first", pid=NamespaceMode.POD)
    second = pods.run(sandbox, "sleep", "3601", name="second", pid=NamespaceMode.POD)
    result = pods.runtime.exec_sync(pods.handler, second, ("ps", "-o", "pid,args"), 30)
    assert result.exit_code == 0, result
    assert b"sleep 3600" in result.stdout, result.stdout
    assert b"sleep 3601" in result.stdout, result.stdout

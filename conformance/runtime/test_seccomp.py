"""seccomp: the runtime's default profile, a profile on the node, and none.

The kubelet sends ``RuntimeDefault`` for pods that ask for it (the "restricted"
Pod Security Standard requires it, or a ``Localhost`` profile), ``Unconfined``
otherwise. A runtime must not run such a container without its filter: the
tests tell them apart by what the container can do. Making a user namespace
needs no capability (``unshare -U``), and the runtime default refuses it as
Docker's and containerd's do; a ``Localhost`` profile here refuses ``mkdir``
with ``EACCES``; ExecSync runs under the container's filter too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pytest

import podkit
from podkit.models.runtime import ContainerFilter, ContainerState, ProfileType, SecurityProfile

if TYPE_CHECKING:
    from podkit.conformance.runtime._pods import Pods, Sandbox
    from podkit.models.runtime import ContainerConfig

pytestmark = [pytest.mark.root, pytest.mark.netns]

EXITED = ContainerState.CONTAINER_EXITED
USERNS = "unshare -U true && echo userns-made || echo userns-refused"
MKDIR = "mkdir /tmp/pku-dir 2>&1; echo mkdir-code=$?"
_DENY_MKDIR = {
    "defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}],
}


def _user_namespaces_allowed() -> bool:
    """Whether a process without capabilities may make a user namespace on this node."""
    debian_switch = Path("/proc/sys/kernel/unprivileged_userns_clone")
    if debian_switch.exists() and debian_switch.read_text().strip() == "0":
        return False
    limit = Path("/proc/sys/user/max_user_namespaces")
    return not limit.exists() or int(limit.read_text()) > 0


def _with_seccomp(config: ContainerConfig, profile: SecurityProfile | None) -> ContainerConfig:
    context = attrs.evolve(config.linux.security_context, seccomp=profile)
    return attrs.evolve(config, linux=attrs.evolve(config.linux, security_context=context))


def _run(
    pods: Pods, sandbox: Sandbox, name: str, script: str, profile: SecurityProfile | None
) -> list[str]:
    config = _with_seccomp(pods.container_config("sh", "-c", script, name=name), profile)
    container_id = pods.start(pods.create(sandbox, config))
    pods.wait_for(container_id, EXITED)
    return pods.stdout(container_id)


def test_the_runtime_default_refuses_a_user_namespace_unconfined_does_not(pods: Pods) -> None:
    if not _user_namespaces_allowed():
        pytest.skip("this node allows no user namespace without a capability")
    sandbox = pods.sandbox("seccomp-default")
    default = SecurityProfile(profile_type=ProfileType.RUNTIME_DEFAULT)
    unconfined = SecurityProfile(profile_type=ProfileType.UNCONFINED)
    assert _run(pods, sandbox, "default", USERNS, default) == ["userns-refused"]
    assert _run(pods, sandbox, "unconfined", USERNS, unconfined) == ["userns-made"]


def test_exec_runs_under_the_containers_filter(pods: Pods) -> None:
    if not _user_namespaces_allowed():
        pytest.skip("this node allows no user namespace without a capability")
    sandbox = pods.sandbox("seccomp-exec")
    default = SecurityProfile(profile_type=ProfileType.RUNTIME_DEFAULT)
    config = _with_seccomp(pods.container_config("sleep", "3600", name="exec"), default)
    container_id = pods.start(pods.create(sandbox, config))
    result = pods.runtime.exec_sync(pods.handler, container_id, ("sh", "-c", USERNS), 30)
    assert result.stdout.decode().split() == ["userns-refused"], result


def test_a_localhost_profile_is_applied(pods: Pods, tmp_path: Path) -> None:
    profile_path = tmp_path / "deny-mkdir.json"
    profile_path.write_text(json.dumps(_DENY_MKDIR))
    sandbox = pods.sandbox("seccomp-localhost")
    localhost = SecurityProfile(profile_type=ProfileType.LOCALHOST, localhost_ref=str(profile_path))
    lines = _run(pods, sandbox, "localhost", MKDIR, localhost)
    assert lines[-1] == "mkdir-code=1", lines
    assert "Permission denied" in lines[0], lines
    assert _run(pods, sandbox, "none", MKDIR, None) == ["mkdir-code=0"]


def test_a_missing_localhost_profile_is_refused_at_create(pods: Pods, tmp_path: Path) -> None:
    sandbox = pods.sandbox("seccomp-missing")
    missing = SecurityProfile(
        profile_type=ProfileType.LOCALHOST, localhost_ref=str(tmp_path / "no-such.json")
    )
    config = _with_seccomp(pods.container_config("true", name="missing"), missing)
    with pytest.raises(podkit.PodkitError):
        pods.create(sandbox, config)
    assert (
        pods.runtime.list_containers(pods.handler, ContainerFilter(pod_sandbox_id=sandbox.id)) == ()
    )

"""AppArmor: a named profile that cannot be applied must not leave a running container.

A runtime on a node with AppArmor applies the profile; one on a node without
it, or one that applies no AppArmor profile at all, must refuse the
container (at CreateContainer or at StartContainer) rather than run it
unconfined. A profile that no node has is refused either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import pytest

import podkit
from podkit.models.runtime import ContainerFilter, ContainerState, ProfileType, SecurityProfile

if TYPE_CHECKING:
    from podkit.conformance.runtime._pods import Pods

pytestmark = [pytest.mark.root, pytest.mark.netns]


def test_a_named_apparmor_profile_that_no_node_has_runs_nothing(pods: Pods) -> None:
    sandbox = pods.sandbox("apparmor")
    profile = SecurityProfile(
        profile_type=ProfileType.LOCALHOST, localhost_ref="pku-no-such-apparmor-profile"
    )
    config = pods.container_config("sleep", "3600", name="apparmor")
    context = attrs.evolve(config.linux.security_context, apparmor=profile)
    config = attrs.evolve(config, linux=attrs.evolve(config.linux, security_context=context))
    try:
        container_id = pods.create(sandbox, config)
    except podkit.PodkitError:
        container_id = ""
    if container_id:
        with pytest.raises(podkit.PodkitError):
            pods.start(container_id)
    running = pods.runtime.list_containers(
        pods.handler,
        ContainerFilter(pod_sandbox_id=sandbox.id, state=ContainerState.CONTAINER_RUNNING),
    )
    assert running == ()

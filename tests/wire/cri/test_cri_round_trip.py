"""Every runtime hook, through CriClientPlugin -> CRI -> serve_cri -> a recording plugin.

The plugin records the arguments it receives and returns models with every
field set: each hook must arrive with the arguments the caller gave, and
its result must come back equal. The converters alone are checked too,
model -> message -> model, for every model with every field set.
"""

from __future__ import annotations

import attrs
import pkcw_cri_samples as sample
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pkcw_server import CLIENT_HANDLER

from podkit.models.runtime import (
    ContainerFilter,
    ContainerState,
    ContainerStatsFilter,
    ContainerStatus,
    HugepageLimit,
    ImageFilter,
    ImageSpec,
    LinuxContainerResources,
    MemoryUsage,
    PodSandbox,
    PodSandboxFilter,
    PodSandboxState,
    PsiData,
    PsiStats,
)
from podkit.wire.cri._messages import from_cri, to_cri
from podkit.wire.cri._proto import api_pb2 as pb

H = CLIENT_HANDLER

MODELS = [
    sample.SANDBOX_CONFIG,
    sample.CONTAINER_CONFIG,
    sample.VERSION,
    sample.STATUS,
    sample.SANDBOX_STATUS,
    sample.SANDBOX,
    sample.CONTAINER,
    sample.STATS,
    sample.EXEC,
    sample.IMAGE_RECORD,
    sample.IMAGE_BY_NAME,
    sample.IMAGE_STATUS,
    sample.FS_INFO,
    sample.AUTH,
    sample.RESOURCES,
    PodSandboxFilter(id="x", state=PodSandboxState.SANDBOX_READY, label_selector={"a": "b"}),
    ContainerFilter(
        id="x",
        state=ContainerState.CONTAINER_CREATED,
        pod_sandbox_id="y",
        label_selector={"a": "b"},
    ),
    ContainerStatsFilter(id="x", pod_sandbox_id="y", label_selector={"a": "b"}),
    ImageFilter(image=sample.IMAGE),
    ImageFilter(),
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_every_model_survives_a_round_trip_through_its_message(model):
    message = to_cri(model)
    assert type(message).__name__ == type(model).__name__
    assert from_cri(type(model), type(message).FromString(message.SerializeToString())) == model


def test_unset_optional_fields_stay_unset_and_defaults_stay_default():
    bare = attrs.evolve(sample.CONTAINER_STATUS, resources=None, user=None)
    message = to_cri(bare)
    assert not message.HasField("resources")
    assert not message.HasField("user")
    assert from_cri(type(bare), message) == bare
    empty = to_cri(PodSandboxFilter())
    assert not empty.HasField("state")


def test_sandbox_hooks_arrive_and_answer_unchanged(through_cri, recorder):
    runtime = through_cri.runtime
    assert runtime.version(H, "0.1.0").runtime_name == "podkit"
    assert runtime.status(H, verbose=True) == sample.STATUS
    assert recorder.calls["status"] == {"verbose": True}
    assert runtime.run_pod_sandbox(H, sample.SANDBOX_CONFIG) == sample.SANDBOX_ID
    assert recorder.calls["run_pod_sandbox"] == {
        "handler": sample.HANDLER,
        "config": sample.SANDBOX_CONFIG,
    }
    assert runtime.pod_sandbox_status(H, sample.SANDBOX_ID, verbose=True) == sample.SANDBOX_STATUS
    assert recorder.calls["pod_sandbox_status"] == {
        "pod_sandbox_id": sample.SANDBOX_ID,
        "verbose": True,
    }
    conditions = PodSandboxFilter(state=PodSandboxState.SANDBOX_READY, label_selector={"a": "b"})
    assert runtime.list_pod_sandbox(H, conditions) == (sample.SANDBOX,)
    assert recorder.calls["list_pod_sandbox"] == {"filter": conditions}
    assert runtime.stop_pod_sandbox(H, sample.SANDBOX_ID) is True
    assert recorder.calls["stop_pod_sandbox"] == {"pod_sandbox_id": sample.SANDBOX_ID}
    assert runtime.remove_pod_sandbox(H, sample.SANDBOX_ID) is True
    assert recorder.calls["remove_pod_sandbox"] == {"pod_sandbox_id": sample.SANDBOX_ID}


def test_container_hooks_arrive_and_answer_unchanged(through_cri, recorder):
    runtime = through_cri.runtime
    runtime.run_pod_sandbox(H, sample.SANDBOX_CONFIG)
    created = runtime.create_container(
        H, sample.SANDBOX_ID, sample.CONTAINER_CONFIG, sample.SANDBOX_CONFIG
    )
    assert created == sample.CONTAINER_ID
    assert recorder.calls["create_container"] == {
        "pod_sandbox_id": sample.SANDBOX_ID,
        "config": sample.CONTAINER_CONFIG,
        "sandbox_config": sample.SANDBOX_CONFIG,
    }
    cid = sample.CONTAINER_ID
    assert runtime.start_container(H, cid) is True
    assert recorder.calls["start_container"] == {"container_id": cid}
    response = runtime.container_status(H, cid, verbose=True)
    assert response.status == sample.CONTAINER_STATUS
    assert dict(response.info) == {"pid": "42"}
    conditions = ContainerFilter(state=ContainerState.CONTAINER_RUNNING, pod_sandbox_id="p")
    assert runtime.list_containers(H, conditions) == (sample.CONTAINER,)
    assert recorder.calls["list_containers"] == {"filter": conditions}
    assert runtime.exec_sync(H, cid, ("ls", "-l"), 5) == sample.EXEC
    assert recorder.calls["exec_sync"] == {"container_id": cid, "cmd": ("ls", "-l"), "timeout": 5}
    assert runtime.update_container_resources(H, cid, sample.RESOURCES, {"k": "v"}) is True
    assert recorder.calls["update_container_resources"] == {
        "container_id": cid,
        "linux": sample.RESOURCES,
        "annotations": {"k": "v"},
    }
    runtime.update_container_resources(H, cid, None, {})
    assert recorder.calls["update_container_resources"]["linux"] is None
    assert runtime.reopen_container_log(H, cid) is True
    assert runtime.container_stats(H, cid) == sample.STATS
    stats_filter = ContainerStatsFilter(pod_sandbox_id=sample.SANDBOX_ID)
    assert runtime.list_container_stats(H, stats_filter) == (sample.STATS,)
    assert recorder.calls["list_container_stats"] == {"filter": stats_filter}
    assert runtime.stop_container(H, cid, 7) is True
    assert recorder.calls["stop_container"] == {"container_id": cid, "timeout": 7}
    assert runtime.remove_container(H, cid) is True
    assert recorder.calls["remove_container"] == {"container_id": cid}
    runtime.remove_pod_sandbox(H, sample.SANDBOX_ID)


def test_image_hooks_arrive_and_answer_unchanged(through_cri, recorder):
    runtime = through_cri.runtime
    assert runtime.pull_image(H, sample.IMAGE, sample.AUTH, sample.SANDBOX_CONFIG) == (
        sample.IMAGE_ID
    )
    assert recorder.calls["pull_image"] == {
        "image": sample.IMAGE,
        "auth": sample.AUTH,
        "sandbox_config": sample.SANDBOX_CONFIG,
    }
    plain = ImageSpec(image="pkcw/busybox")
    runtime.pull_image(H, plain, None, None)
    assert recorder.calls["pull_image"] == {"image": plain, "auth": None, "sandbox_config": None}
    assert runtime.list_images(H, ImageFilter(image=sample.IMAGE)) == (
        sample.IMAGE_RECORD,
        sample.IMAGE_BY_NAME,
    )
    assert recorder.calls["list_images"] == {"filter": ImageFilter(image=sample.IMAGE)}
    assert runtime.image_status(H, sample.IMAGE, verbose=True) == sample.IMAGE_STATUS
    assert recorder.calls["image_status"] == {"image": sample.IMAGE, "verbose": True}
    assert runtime.remove_image(H, sample.IMAGE) is True
    assert recorder.calls["remove_image"] == {"image": sample.IMAGE}
    assert runtime.image_fs_info(H) == sample.FS_INFO


INT64 = st.integers(-(2**63), 2**63 - 1)
UINT64 = st.integers(0, 2**64 - 1)
TEXT = st.text(max_size=8)


@given(
    st.builds(
        LinuxContainerResources,
        cpu_period=INT64,
        cpu_quota=INT64,
        cpu_shares=INT64,
        memory_limit_in_bytes=INT64,
        oom_score_adj=st.integers(-1000, 1000),
        cpuset_cpus=TEXT,
        hugepage_limits=st.lists(st.builds(HugepageLimit, page_size=TEXT, limit=UINT64)),
        unified=st.dictionaries(TEXT, TEXT, max_size=3),
        memory_swap_limit_in_bytes=INT64,
    )
)
def test_resources_survive_a_round_trip_at_the_ends_of_their_ranges(resources):
    message = to_cri(resources)
    back = from_cri(LinuxContainerResources, type(message).FromString(message.SerializeToString()))
    assert back == resources


@given(
    st.builds(
        MemoryUsage,
        timestamp=st.integers(0, 2**63 - 1),
        working_set_bytes=st.none() | UINT64,
        available_bytes=st.none() | UINT64,
        usage_bytes=st.none() | UINT64,
        psi=st.none() | st.builds(PsiStats, full=st.none() | st.builds(PsiData, total=UINT64)),
    )
)
def test_unset_wrappers_and_zero_values_stay_apart(usage):
    message = to_cri(usage)
    back = from_cri(MemoryUsage, type(message).FromString(message.SerializeToString()))
    assert back == usage


GO_ZERO_TIME_NS = -6795364578871345152  # time.Time{}.UnixNano(), as containerd sends it


def test_go_s_zero_time_reads_as_unset_and_not_as_an_invalid_answer():
    sandbox = pb.PodSandbox(id="a" * 64, created_at=GO_ZERO_TIME_NS)
    sandbox.metadata.name = "never-created"
    assert from_cri(PodSandbox, sandbox).created_at == 0
    status = pb.ContainerStatus(id="b" * 64, created_at=5, finished_at=GO_ZERO_TIME_NS)
    status.metadata.name = "c"
    status.image.image = "busybox"
    decoded = from_cri(ContainerStatus, status)
    assert (decoded.created_at, decoded.finished_at) == (5, 0)

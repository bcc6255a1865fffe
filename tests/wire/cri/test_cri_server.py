"""serve_cri on the raw stubs: bad requests get the codes a kubelet expects, and say why.

The server runs in-process over a recording runtime plugin (nothing runs on
the host); the requests are made with the generated stubs, as a kubelet or
crictl would send them, so that nothing of podkit's client helps.
"""

from __future__ import annotations

import logging

import grpc
import pkcw_cri_samples as sample
import pytest

import podkit
from podkit.wire.cri._messages import to_cri
from podkit.wire.cri._proto import api_pb2 as pb
from podkit.wire.cri._unimplemented import REASONS

UNKNOWN = "pkcw-" + "f" * 59


def _fails(call, request, code):
    with pytest.raises(grpc.RpcError) as caught:
        call(request)
    assert caught.value.code() == code, caught.value.details()
    return caught.value.details()


def _sandbox_config(**metadata):
    config = to_cri(sample.SANDBOX_CONFIG)
    for key, value in metadata.items():
        setattr(config.metadata, key, value)
    return config


def test_version_names_podkit_and_cri_v1(stubs):
    response = stubs.runtime.Version(pb.VersionRequest(version="0.1.0"))
    assert response.runtime_name == "podkit"
    assert response.runtime_api_version == "v1"
    assert response.runtime_version == podkit.__version__


def test_status_adds_network_ready_from_the_cni_configuration(stubs):
    conditions = stubs.runtime.Status(pb.StatusRequest()).status.conditions
    network = [c for c in conditions if c.type == "NetworkReady"]
    # the recording runtime reports NetworkReady itself: its own condition is kept
    assert len(network) == 1
    assert (network[0].status, network[0].reason) == (False, "R")


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (pb.RunPodSandboxRequest(), "missing required field config"),
        (
            pb.RunPodSandboxRequest(config=pb.PodSandboxConfig(hostname="x")),
            "missing required field config.metadata",
        ),
        (
            pb.RunPodSandboxRequest(config=_sandbox_config(name="")),
            "invalid config.metadata.name: must not be empty",
        ),
        (
            pb.RunPodSandboxRequest(config=_sandbox_config(namespace="a/b")),
            "invalid config.metadata.namespace 'a/b': must not contain '/'",
        ),
        (
            pb.RunPodSandboxRequest(config=_sandbox_config(uid="")),
            "invalid config.metadata.uid: must not be empty",
        ),
        (
            pb.RunPodSandboxRequest(
                config=pb.PodSandboxConfig(
                    metadata=pb.PodSandboxMetadata(name="a", uid="b", namespace="c"),
                    port_mappings=[pb.PortMapping(container_port=80, host_port=70000)],
                )
            ),
            "invalid config.port_mappings[0]: invalid PortMapping.host_port 70000",
        ),
    ],
    ids=["no-config", "no-metadata", "empty-name", "slash", "no-uid", "bad-port"],
)
def test_a_bad_run_pod_sandbox_is_an_invalid_argument_naming_the_field(
    stubs, recorder, request_, message
):
    details = _fails(stubs.runtime.RunPodSandbox, request_, grpc.StatusCode.INVALID_ARGUMENT)
    assert message in details
    assert "run_pod_sandbox" not in recorder.calls  # refused before any hook


def test_an_unknown_runtime_handler_is_not_found(stubs):
    request = pb.RunPodSandboxRequest(config=_sandbox_config(), runtime_handler="pkcw-nobody")
    details = _fails(stubs.runtime.RunPodSandbox, request, grpc.StatusCode.NOT_FOUND)
    assert "pkcw-nobody" in details


@pytest.mark.parametrize(
    ("rpc", "request_"),
    [
        ("PodSandboxStatus", pb.PodSandboxStatusRequest(pod_sandbox_id=UNKNOWN)),
        ("ContainerStatus", pb.ContainerStatusRequest(container_id=UNKNOWN)),
        ("StartContainer", pb.StartContainerRequest(container_id=UNKNOWN)),
        ("ExecSync", pb.ExecSyncRequest(container_id=UNKNOWN, cmd=["true"])),
        ("ContainerStats", pb.ContainerStatsRequest(container_id=UNKNOWN)),
        ("ReopenContainerLog", pb.ReopenContainerLogRequest(container_id=UNKNOWN)),
        (
            "UpdateContainerResources",
            pb.UpdateContainerResourcesRequest(container_id=UNKNOWN),
        ),
        (
            "CreateContainer",
            pb.CreateContainerRequest(
                pod_sandbox_id=UNKNOWN,
                config=to_cri(sample.CONTAINER_CONFIG),
                sandbox_config=to_cri(sample.SANDBOX_CONFIG),
            ),
        ),
    ],
)
def test_an_unknown_id_is_not_found_and_named(stubs, rpc, request_):
    details = _fails(getattr(stubs.runtime, rpc), request_, grpc.StatusCode.NOT_FOUND)
    assert UNKNOWN in details


@pytest.mark.parametrize(
    ("rpc", "request_", "message"),
    [
        ("PodSandboxStatus", pb.PodSandboxStatusRequest(), "missing required field pod_sandbox_id"),
        ("StopPodSandbox", pb.StopPodSandboxRequest(), "missing required field pod_sandbox_id"),
        ("ContainerStatus", pb.ContainerStatusRequest(), "missing required field container_id"),
        ("ExecSync", pb.ExecSyncRequest(container_id=UNKNOWN), "missing required field cmd"),
        (
            "CreateContainer",
            pb.CreateContainerRequest(pod_sandbox_id=UNKNOWN),
            "missing required field config",
        ),
        (
            "CreateContainer",
            pb.CreateContainerRequest(
                pod_sandbox_id=UNKNOWN,
                config=pb.ContainerConfig(metadata=pb.ContainerMetadata(name="c")),
            ),
            "missing required field config.image",
        ),
        (
            "CreateContainer",
            pb.CreateContainerRequest(
                pod_sandbox_id=UNKNOWN,
                config=pb.ContainerConfig(
                    metadata=pb.ContainerMetadata(name="c"), image=pb.ImageSpec()
                ),
                sandbox_config=to_cri(sample.SANDBOX_CONFIG),
            ),
            "invalid config.image.image: must not be empty",
        ),
        (
            "CreateContainer",
            pb.CreateContainerRequest(
                pod_sandbox_id=UNKNOWN,
                config=pb.ContainerConfig(
                    metadata=pb.ContainerMetadata(name="c"),
                    image=pb.ImageSpec(image="busybox"),
                    envs=[pb.KeyValue(key="A=B", value=b"x")],
                ),
            ),
            "invalid config.envs[0]",
        ),
    ],
    ids=["status", "stop", "container-status", "exec-cmd", "config", "image", "image-ref", "env"],
)
def test_a_missing_or_invalid_field_is_an_invalid_argument(stubs, rpc, request_, message):
    details = _fails(getattr(stubs.runtime, rpc), request_, grpc.StatusCode.INVALID_ARGUMENT)
    assert message in details


@pytest.mark.parametrize(
    ("rpc", "request_"),
    [
        ("PullImage", pb.PullImageRequest()),
        ("ImageStatus", pb.ImageStatusRequest(image=pb.ImageSpec())),
        ("RemoveImage", pb.RemoveImageRequest()),
    ],
)
def test_an_image_call_naming_no_image_is_an_invalid_argument(stubs, rpc, request_):
    details = _fails(getattr(stubs.images, rpc), request_, grpc.StatusCode.INVALID_ARGUMENT)
    assert "image" in details


def test_stop_and_remove_of_unknown_ids_succeed(stubs):
    stubs.runtime.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=UNKNOWN))
    stubs.runtime.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=UNKNOWN))
    stubs.runtime.RemoveContainer(pb.RemoveContainerRequest(container_id=UNKNOWN))


_STREAMS = {"StreamPodSandboxStats", "GetContainerEvents", "StreamPodSandboxMetrics"}


@pytest.mark.parametrize("rpc", sorted(REASONS))
def test_rpcs_without_a_hook_are_unimplemented_and_say_why(stubs, rpc):
    method = pb.DESCRIPTOR.services_by_name["RuntimeService"].methods_by_name[rpc]
    request = getattr(pb, method.input_type.name)()
    call = getattr(stubs.runtime, rpc)
    if rpc in _STREAMS:
        call = lambda request: list(getattr(stubs.runtime, rpc)(request))  # noqa: E731
    with pytest.raises(grpc.RpcError) as caught:
        call(request)
    assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert caught.value.details() == f"{rpc} is not implemented: {REASONS[rpc]}"


def test_every_rpc_of_both_services_is_answered_by_podkit(stubs):
    """No RPC falls through to grpc's "Method not implemented!"."""
    from podkit.wire.cri._image_service import ImageServicer
    from podkit.wire.cri._runtime_service import RuntimeServicer

    for service, servicer in (("RuntimeService", RuntimeServicer), ("ImageService", ImageServicer)):
        for method in pb.DESCRIPTOR.services_by_name[service].methods:
            owner = next(c for c in servicer.__mro__ if method.name in vars(c))
            assert "_pb2_grpc" not in owner.__module__, f"{service}.{method.name}"


def test_list_streams_answer_what_the_lists_answer(through_cri, stubs):
    through_cri.runtime.run_pod_sandbox("pkcw-client", sample.SANDBOX_CONFIG)
    sandboxes = list(stubs.runtime.StreamPodSandboxes(pb.StreamPodSandboxesRequest()))
    listed = stubs.runtime.ListPodSandbox(pb.ListPodSandboxRequest()).items
    assert [list(r.pod_sandboxes) for r in sandboxes] == [list(listed)]
    containers = list(stubs.runtime.StreamContainers(pb.StreamContainersRequest()))
    assert [len(r.containers) for r in containers] == [1]
    stats = list(stubs.runtime.StreamContainerStats(pb.StreamContainerStatsRequest()))
    assert [len(r.container_stats) for r in stats] == [1]
    images = list(stubs.images.StreamImages(pb.StreamImagesRequest()))
    assert [len(r.images) for r in images] == [2]
    through_cri.runtime.remove_pod_sandbox("pkcw-client", sample.SANDBOX_ID)


def test_a_plugin_bug_is_an_internal_error_and_the_server_goes_on(stubs, recorder):
    recorder.broken = True
    details = _fails(stubs.runtime.Status, pb.StatusRequest(), grpc.StatusCode.INTERNAL)
    assert "ZeroDivisionError: pkcw" in details
    assert stubs.runtime.Version(pb.VersionRequest()).runtime_name == "podkit"


def test_the_client_raises_the_class_of_the_code_with_the_runtime_message(through_cri):
    with pytest.raises(podkit.NotFoundError, match=f"PodSandboxStatus: .*{UNKNOWN}"):
        through_cri.runtime.pod_sandbox_status("pkcw-client", UNKNOWN)
    with pytest.raises(podkit.InvalidArgumentError, match="ExecSync: missing required field cmd"):
        through_cri.runtime.exec_sync("pkcw-client", UNKNOWN, ())


def test_calls_are_logged_with_their_ids_and_without_credentials(stubs, caplog):
    caplog.set_level(logging.DEBUG, logger="podkit.wire.cri")
    request = pb.PullImageRequest(image=to_cri(sample.IMAGE), auth=to_cri(sample.AUTH))
    assert stubs.images.PullImage(request).image_ref == sample.IMAGE_ID
    text = caplog.text
    assert f"PullImage [1] image={sample.IMAGE.image!r}" in text
    assert 'username: "pkcw"' in text
    for secret in (sample.AUTH.password, sample.AUTH.auth, "identity_token", "registry_token"):
        assert secret not in text

"""Helpers of the CSI wire tests, in a module whose name no other test folder uses."""

from __future__ import annotations

import grpc
import pytest

from podkit.models.storage import AccessMode, MountVolume, VolumeCapability
from podkit.wire.csi._proto import csi_pb2, csi_pb2_grpc

MIB = 1 << 20


class Stubs:
    """The raw generated stubs, over one channel."""

    def __init__(self, channel):
        self.identity = csi_pb2_grpc.IdentityStub(channel)
        self.controller = csi_pb2_grpc.ControllerStub(channel)
        self.node = csi_pb2_grpc.NodeStub(channel)


def mount_capability(mode=AccessMode.SINGLE_NODE_WRITER):
    return VolumeCapability(access_type=MountVolume(), access_mode=mode)


def pb_mount_capability(mode=csi_pb2.VolumeCapability.AccessMode.SINGLE_NODE_WRITER):
    return csi_pb2.VolumeCapability(
        mount=csi_pb2.VolumeCapability.MountVolume(),
        access_mode=csi_pb2.VolumeCapability.AccessMode(mode=mode),
    )


def status_of(call, request):
    """The status code and details a call fails with."""
    with pytest.raises(grpc.RpcError) as caught:
        call(request)
    return caught.value.code(), caught.value.details()

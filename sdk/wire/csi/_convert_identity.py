"""The Identity service's responses, both ways (its requests are empty).

``to_csi_*`` builds the response the server sends from a hook's result;
``from_csi_*`` reads the response the client received back into the model.
"""

from __future__ import annotations

from podkit.models.storage import PluginCapability, PluginInfo, PluginService, ProbeResult
from podkit.models.storage import VolumeExpansion as Expansion
from podkit.wire.csi._convert_common import known
from podkit.wire.csi._proto import csi_pb2 as pb


def to_csi_plugin_info(info: PluginInfo) -> pb.GetPluginInfoResponse:
    """``GetPluginInfo``'s response for ``info``."""
    return pb.GetPluginInfoResponse(
        name=info.name, vendor_version=info.vendor_version, manifest=dict(info.manifest)
    )


def from_csi_plugin_info(response: pb.GetPluginInfoResponse) -> PluginInfo:
    """The :class:`PluginInfo` in ``GetPluginInfo``'s response."""
    return PluginInfo(
        name=response.name, vendor_version=response.vendor_version, manifest=response.manifest
    )


def _to_csi_plugin_capability(capability: PluginCapability) -> pb.PluginCapability:
    if isinstance(capability, PluginService):
        return pb.PluginCapability(service=pb.PluginCapability.Service(type=capability.name))
    expansion = pb.PluginCapability.VolumeExpansion(type=capability.name)
    return pb.PluginCapability(volume_expansion=expansion)


def to_csi_plugin_capabilities(
    capabilities: tuple[PluginCapability, ...],
) -> pb.GetPluginCapabilitiesResponse:
    """``GetPluginCapabilities``'s response for ``capabilities``."""
    return pb.GetPluginCapabilitiesResponse(
        capabilities=[_to_csi_plugin_capability(c) for c in capabilities]
    )


def from_csi_plugin_capabilities(
    response: pb.GetPluginCapabilitiesResponse,
) -> tuple[PluginCapability, ...]:
    """The capabilities in ``GetPluginCapabilities``'s response; unknown ones dropped."""
    services = [c.service.type for c in response.capabilities if c.HasField("service")]
    expansions = [
        c.volume_expansion.type for c in response.capabilities if c.HasField("volume_expansion")
    ]
    return (*known(services, PluginService), *known(expansions, Expansion))


def to_csi_probe(result: ProbeResult) -> pb.ProbeResponse:
    """``Probe``'s response; ``ready`` stays unset when the result leaves it unset."""
    response = pb.ProbeResponse()
    if result.ready is not None:
        response.ready.value = result.ready
    return response


def from_csi_probe(response: pb.ProbeResponse) -> ProbeResult:
    """The :class:`ProbeResult` in ``Probe``'s response."""
    return ProbeResult(response.ready.value if response.HasField("ready") else None)


__all__ = [
    "from_csi_plugin_capabilities",
    "from_csi_plugin_info",
    "from_csi_probe",
    "to_csi_plugin_capabilities",
    "to_csi_plugin_info",
    "to_csi_probe",
]

"""The Identity service: what a plugin is, what it offers, whether it is ready.

Every CSI plugin serves it: :class:`PluginInfo` (``GetPluginInfo``), the
:data:`PluginCapability` members (``GetPluginCapabilities``) and
:class:`ProbeResult` (``Probe``).
"""

from __future__ import annotations

import enum
import re

# typing.get_type_hints() resolves the field annotations in this module's
# namespace, ``Mapping`` included.
from collections.abc import Mapping  # noqa: TC003
from typing import Final, TypeAlias, final

import attrs
from attrs import validators as v

from podkit.errors import InvalidArgumentError
from podkit.models.storage._fields import BOOL, MAP, REQUIRED_STR, STR, to_frozen_map

# csi.proto, GetPluginInfoResponse.name: "63 characters or less, beginning and
# ending with an alphanumeric character ([a-z0-9A-Z]) with dashes (-), dots (.),
# and alphanumerics between".
_PLUGIN_NAME: Final = re.compile(r"[A-Za-z0-9](?:[-.A-Za-z0-9]{0,61}[A-Za-z0-9])?")


def _check_plugin_name(_instance: object, _attribute: object, value: str) -> None:
    if not _PLUGIN_NAME.fullmatch(value):
        msg = (
            f"invalid CSI plugin name {value!r}: use at most 63 alphanumerics, "
            "'-' and '.', beginning and ending with an alphanumeric"
        )
        raise InvalidArgumentError(msg)


@final
@attrs.frozen(kw_only=True)
class PluginInfo:
    """A plugin's name and version (the ``GetPluginInfo`` response).

    .. versionadded:: 0.1
    """

    #: The driver name in domain name notation, e.g. ``hostpath.csi.k8s.io``;
    #: at most 63 characters.
    name: str = attrs.field(validator=[STR, _check_plugin_name])
    #: The plugin's version, opaque to the caller.
    vendor_version: str = attrs.field(validator=REQUIRED_STR)
    #: Anything else worth reporting, opaque to the caller.
    manifest: Mapping[str, str] = attrs.field(factory=dict, converter=to_frozen_map, validator=MAP)


@final
class PluginService(enum.Enum):
    """A service a plugin provides (CSI ``PluginCapability.Service.Type``).

    .. versionadded:: 0.1
    """

    #: The plugin serves the Controller RPCs; callers call none without it.
    CONTROLLER_SERVICE = 1
    #: Volumes are not equally accessible from every node: callers match
    #: :attr:`Volume.accessible_topology` against
    #: :attr:`NodeGetInfoResult.accessible_topology`.
    VOLUME_ACCESSIBILITY_CONSTRAINTS = 2
    #: The plugin serves the GroupController RPCs (not mirrored by podkit yet).
    GROUP_CONTROLLER_SERVICE = 3


@final
class VolumeExpansion(enum.Enum):
    """When a plugin can expand volumes (CSI ``PluginCapability.VolumeExpansion.Type``).

    Either kind also needs :attr:`ControllerServiceCapability.EXPAND_VOLUME`,
    :attr:`NodeServiceCapability.EXPAND_VOLUME`, or both.

    .. versionadded:: 0.1
    """

    #: Volumes may be expanded while published on a node.
    ONLINE = 1
    #: Volumes published on a node SHALL NOT be expanded by the controller.
    OFFLINE = 2


#: One capability of a plugin as a whole (the upstream ``PluginCapability``,
#: whose ``oneof type`` holds a service or a volume expansion kind).
PluginCapability: TypeAlias = PluginService | VolumeExpansion


@final
@attrs.frozen
class ProbeResult:
    """Whether a healthy plugin has finished initialising (the ``Probe`` response).

    .. versionadded:: 0.1
    """

    #: ``False`` while still initialising; ``None`` (unset) means ready.
    ready: bool | None = attrs.field(default=None, validator=v.optional(BOOL))


__all__ = [
    "PluginCapability",
    "PluginInfo",
    "PluginService",
    "ProbeResult",
    "VolumeExpansion",
]

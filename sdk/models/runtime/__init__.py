"""The CRI ``runtime.v1`` messages, as frozen attrs models.

These are what the runtime hooks (:mod:`podkit.hookspecs.runtime`) take and
return: the RuntimeService and ImageService requests and responses of
``k8s.io/cri-api/pkg/apis/runtime/v1/api.proto``, with the same names, in
Python. The CRI wire adapter translates protobuf to and from them; nothing
else in podkit sees protobuf.

How the translation goes:

* messages are ``@attrs.frozen`` classes, fields in snake_case
  (``uidMappings`` is :attr:`Mount.uid_mappings`, ``CDI_devices`` is
  :attr:`ContainerConfig.cdi_devices`); change them with :func:`attrs.evolve`;
* ``repeated`` fields are tuples, ``map<string, string>`` fields read-only
  mappings;
* enums are :class:`enum.Enum` classes whose values are the upstream names
  (``PodSandboxState.SANDBOX_READY.value == "SANDBOX_READY"``);
* the ``Int64Value``/``UInt64Value`` wrappers are ``int | None``, and the
  ``PodSandboxStateValue``/``ContainerStateValue`` wrappers an enum ``| None``;
* optional messages whose absence means something (``dns_config``,
  ``seccomp``, ``resources`` in a status...) are ``| None``; those whose
  absence means "all defaults" (``linux``, ``security_context``,
  ``namespace_options``...) default to an empty instance instead;
* timestamps are ``int`` nanoseconds since the epoch, as in CRI;
* the Windows messages and the deprecated string profile fields are left out.

Invalid models cannot be made: a type mistake raises :class:`TypeError`, a
value the spec forbids raises :class:`podkit.errors.InvalidArgumentError`.

.. versionadded:: 0.1
"""

from __future__ import annotations

from podkit.models.runtime._container import (
    EXEC_SYNC_OUTPUT_LIMIT,
    CDIDevice,
    Container,
    ContainerConfig,
    ContainerFilter,
    ContainerMetadata,
    ContainerResources,
    ContainerState,
    ContainerStatus,
    ContainerStatusResponse,
    ContainerUser,
    Device,
    ExecSyncResponse,
    KeyValue,
    LinuxContainerConfig,
    LinuxContainerSecurityContext,
    LinuxContainerUser,
    Mount,
    MountPropagation,
)
from podkit.models.runtime._image import (
    AuthConfig,
    FilesystemIdentifier,
    FilesystemUsage,
    Image,
    ImageFilter,
    ImageFsInfoResponse,
    ImageSpec,
    ImageStatusResponse,
)
from podkit.models.runtime._linux import (
    Capability,
    HugepageLimit,
    IDMapping,
    LinuxContainerResources,
    NamespaceMode,
    NamespaceOption,
    ProfileType,
    SecurityProfile,
    SELinuxOption,
    SupplementalGroupsPolicy,
    UserNamespace,
)
from podkit.models.runtime._sandbox import (
    DNSConfig,
    LinuxPodSandboxConfig,
    LinuxPodSandboxStatus,
    LinuxSandboxSecurityContext,
    Namespace,
    PodIP,
    PodSandbox,
    PodSandboxConfig,
    PodSandboxFilter,
    PodSandboxMetadata,
    PodSandboxNetworkStatus,
    PodSandboxState,
    PodSandboxStatus,
    PodSandboxStatusResponse,
    PortMapping,
    Protocol,
)
from podkit.models.runtime._signal import (
    Signal,
)
from podkit.models.runtime._stats import (
    ContainerAttributes,
    ContainerStats,
    ContainerStatsFilter,
    CpuUsage,
    IoUsage,
    MemoryUsage,
    PsiData,
    PsiStats,
    SwapUsage,
)
from podkit.models.runtime._status import (
    NETWORK_READY,
    RUNTIME_READY,
    RuntimeCondition,
    RuntimeFeatures,
    RuntimeHandler,
    RuntimeHandlerFeatures,
    RuntimeStatus,
    StatusResponse,
    VersionResponse,
)

__all__ = [
    "EXEC_SYNC_OUTPUT_LIMIT",
    "NETWORK_READY",
    "RUNTIME_READY",
    "AuthConfig",
    "CDIDevice",
    "Capability",
    "Container",
    "ContainerAttributes",
    "ContainerConfig",
    "ContainerFilter",
    "ContainerMetadata",
    "ContainerResources",
    "ContainerState",
    "ContainerStats",
    "ContainerStatsFilter",
    "ContainerStatus",
    "ContainerStatusResponse",
    "ContainerUser",
    "CpuUsage",
    "DNSConfig",
    "Device",
    "ExecSyncResponse",
    "FilesystemIdentifier",
    "FilesystemUsage",
    "HugepageLimit",
    "IDMapping",
    "Image",
    "ImageFilter",
    "ImageFsInfoResponse",
    "ImageSpec",
    "ImageStatusResponse",
    "IoUsage",
    "KeyValue",
    "LinuxContainerConfig",
    "LinuxContainerResources",
    "LinuxContainerSecurityContext",
    "LinuxContainerUser",
    "LinuxPodSandboxConfig",
    "LinuxPodSandboxStatus",
    "LinuxSandboxSecurityContext",
    "MemoryUsage",
    "Mount",
    "MountPropagation",
    "Namespace",
    "NamespaceMode",
    "NamespaceOption",
    "PodIP",
    "PodSandbox",
    "PodSandboxConfig",
    "PodSandboxFilter",
    "PodSandboxMetadata",
    "PodSandboxNetworkStatus",
    "PodSandboxState",
    "PodSandboxStatus",
    "PodSandboxStatusResponse",
    "PortMapping",
    "ProfileType",
    "Protocol",
    "PsiData",
    "PsiStats",
    "RuntimeCondition",
    "RuntimeFeatures",
    "RuntimeHandler",
    "RuntimeHandlerFeatures",
    "RuntimeStatus",
    "SELinuxOption",
    "SecurityProfile",
    "Signal",
    "StatusResponse",
    "SupplementalGroupsPolicy",
    "SwapUsage",
    "UserNamespace",
    "VersionResponse",
]

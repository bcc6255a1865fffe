"""Kubernetes objects a node runs: Pods, Secrets and ConfigMaps, as frozen models.

The models follow ``k8s.io/api/core/v1`` field for field (in snake_case) for
what a node needs, with Kubernetes' defaults, and validate their fields as the
API server does, so an invalid object cannot be built. Read them from YAML or
JSON with :mod:`podkit.manifests`, which reports every problem of a manifest
with its field path.

Maps are read-only (:class:`types.MappingProxyType`), lists are tuples, the
closed string sets are :class:`enum.StrEnum` members that compare equal to
their upstream strings, and amounts are exact :class:`Quantity` values.

.. versionadded:: 0.1
"""

from __future__ import annotations

from podkit.models.kube._config import ConfigMap, Secret
from podkit.models.kube._container import Container, ContainerPort, VolumeMount
from podkit.models.kube._enums import (
    DNSPolicy,
    HostPathType,
    Protocol,
    PullPolicy,
    RestartPolicy,
    SeccompProfileType,
    StorageMedium,
    TerminationMessagePolicy,
    URIScheme,
)
from podkit.models.kube._env import (
    ConfigMapEnvSource,
    ConfigMapKeySelector,
    EnvFromSource,
    EnvVar,
    EnvVarSource,
    ObjectFieldSelector,
    SecretEnvSource,
    SecretKeySelector,
)
from podkit.models.kube._meta import ObjectMeta
from podkit.models.kube._pod import HostAlias, Pod, PodDNSConfig, PodDNSConfigOption, PodSpec
from podkit.models.kube._probe import (
    ExecAction,
    HTTPGetAction,
    HTTPHeader,
    Lifecycle,
    LifecycleHandler,
    Probe,
    SleepAction,
    TCPSocketAction,
)
from podkit.models.kube._quantity import Quantity, QuantityFormat, parse_quantity
from podkit.models.kube._resources import ResourceRequirements
from podkit.models.kube._security import (
    Capabilities,
    PodSecurityContext,
    SeccompProfile,
    SecurityContext,
    Sysctl,
)
from podkit.models.kube._volume import (
    ConfigMapVolumeSource,
    CSIVolumeSource,
    EmptyDirVolumeSource,
    HostPathVolumeSource,
    KeyToPath,
    LocalObjectReference,
    SecretVolumeSource,
    Volume,
)

#: An object a manifest may hold.
KubeObject = Pod | Secret | ConfigMap

__all__ = [
    "CSIVolumeSource",
    "Capabilities",
    "ConfigMap",
    "ConfigMapEnvSource",
    "ConfigMapKeySelector",
    "ConfigMapVolumeSource",
    "Container",
    "ContainerPort",
    "DNSPolicy",
    "EmptyDirVolumeSource",
    "EnvFromSource",
    "EnvVar",
    "EnvVarSource",
    "ExecAction",
    "HTTPGetAction",
    "HTTPHeader",
    "HostAlias",
    "HostPathType",
    "HostPathVolumeSource",
    "KeyToPath",
    "KubeObject",
    "Lifecycle",
    "LifecycleHandler",
    "LocalObjectReference",
    "ObjectFieldSelector",
    "ObjectMeta",
    "Pod",
    "PodDNSConfig",
    "PodDNSConfigOption",
    "PodSecurityContext",
    "PodSpec",
    "Probe",
    "Protocol",
    "PullPolicy",
    "Quantity",
    "QuantityFormat",
    "ResourceRequirements",
    "RestartPolicy",
    "SeccompProfile",
    "SeccompProfileType",
    "Secret",
    "SecretEnvSource",
    "SecretKeySelector",
    "SecretVolumeSource",
    "SecurityContext",
    "SleepAction",
    "StorageMedium",
    "Sysctl",
    "TCPSocketAction",
    "TerminationMessagePolicy",
    "URIScheme",
    "Volume",
    "VolumeMount",
    "parse_quantity",
]

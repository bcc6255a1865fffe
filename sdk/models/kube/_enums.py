"""The closed string sets of the Pod API, as string enums.

Each member's value is the upstream string, so a member compares equal to the
string a manifest holds (``RestartPolicy.ALWAYS == "Always"``) and a model field
converts a string to its member (``Container(..., image_pull_policy="Never")``).
These are choices, not states: none of them has a state machine.
"""

from __future__ import annotations

import enum
from typing import final


@final
class RestartPolicy(enum.StrEnum):
    """When the kubelet restarts the containers of a Pod (``spec.restartPolicy``)."""

    ALWAYS = "Always"
    ON_FAILURE = "OnFailure"
    NEVER = "Never"


@final
class PullPolicy(enum.StrEnum):
    """When the kubelet pulls a container's image (``imagePullPolicy``)."""

    ALWAYS = "Always"
    IF_NOT_PRESENT = "IfNotPresent"
    NEVER = "Never"


@final
class Protocol(enum.StrEnum):
    """The protocol of a container port."""

    TCP = "TCP"
    UDP = "UDP"
    SCTP = "SCTP"


@final
class HostPathType(enum.StrEnum):
    """What a ``hostPath`` volume's path must be, checked before it is mounted."""

    #: No check (the default).
    UNSET = ""
    DIRECTORY_OR_CREATE = "DirectoryOrCreate"
    DIRECTORY = "Directory"
    FILE_OR_CREATE = "FileOrCreate"
    FILE = "File"
    SOCKET = "Socket"
    CHAR_DEVICE = "CharDevice"
    BLOCK_DEVICE = "BlockDevice"


@final
class StorageMedium(enum.StrEnum):
    """What backs an ``emptyDir`` volume."""

    #: The node's default storage (the kubelet's root directory's filesystem).
    DEFAULT = ""
    #: A tmpfs.
    MEMORY = "Memory"


@final
class URIScheme(enum.StrEnum):
    """The scheme of an ``httpGet`` probe or hook."""

    HTTP = "HTTP"
    HTTPS = "HTTPS"


@final
class DNSPolicy(enum.StrEnum):
    """How a Pod's ``/etc/resolv.conf`` is made (``spec.dnsPolicy``)."""

    CLUSTER_FIRST_WITH_HOST_NET = "ClusterFirstWithHostNet"
    CLUSTER_FIRST = "ClusterFirst"
    #: The node's own resolver configuration.
    DEFAULT = "Default"
    #: Only what ``spec.dnsConfig`` says.
    NONE = "None"


@final
class TerminationMessagePolicy(enum.StrEnum):
    """Where a container's termination message comes from."""

    FILE = "File"
    FALLBACK_TO_LOGS_ON_ERROR = "FallbackToLogsOnError"


@final
class SeccompProfileType(enum.StrEnum):
    """Which seccomp filter a container's processes run under (``seccompProfile.type``)."""

    #: The container runtime's default profile.
    RUNTIME_DEFAULT = "RuntimeDefault"
    #: No filter.
    UNCONFINED = "Unconfined"
    #: A profile file of the node's, named by ``localhostProfile``.
    LOCALHOST = "Localhost"


__all__ = [
    "DNSPolicy",
    "HostPathType",
    "Protocol",
    "PullPolicy",
    "RestartPolicy",
    "SeccompProfileType",
    "StorageMedium",
    "TerminationMessagePolicy",
    "URIScheme",
]

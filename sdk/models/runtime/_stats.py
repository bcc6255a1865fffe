"""What the CRI RuntimeService reports about a container's resource usage.

Every usage carries the time it was taken, in nanoseconds since the epoch;
counters the runtime cannot read are ``None`` (the upstream ``UInt64Value``
wrapper unset), which differs from a reading of 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, final

import attrs

from podkit.models.runtime import _fields
from podkit.models.runtime._container import ContainerMetadata
from podkit.models.runtime._image import FilesystemUsage

if TYPE_CHECKING:
    from collections.abc import Mapping


@final
@attrs.frozen(kw_only=True)
class PsiData:
    """Pressure stall information for some or all tasks (CRI ``PsiData``)."""

    #: Total stall time, nanoseconds (upstream ``Total``).
    total: int = attrs.field(default=0, validator=_fields.uint64)
    #: Percent of time stalled over 10 s (upstream ``Avg10``).
    avg10: float = attrs.field(default=0.0, validator=_fields.floating)
    #: Percent of time stalled over 60 s (upstream ``Avg60``).
    avg60: float = attrs.field(default=0.0, validator=_fields.floating)
    #: Percent of time stalled over 300 s (upstream ``Avg300``).
    avg300: float = attrs.field(default=0.0, validator=_fields.floating)


@final
@attrs.frozen(kw_only=True)
class PsiStats:
    """Pressure stall information of one resource (CRI ``PsiStats``)."""

    #: All tasks stalled (upstream ``Full``).
    full: PsiData | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(PsiData)
    )
    #: Some tasks stalled (upstream ``Some``).
    some: PsiData | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(PsiData)
    )


@final
@attrs.frozen(kw_only=True)
class CpuUsage:
    """CPU time used (CRI ``CpuUsage``)."""

    timestamp: int = attrs.field(default=0, validator=_fields.non_negative)
    #: Cumulative CPU time since the container started, summed over cores.
    usage_core_nano_seconds: int | None = attrs.field(
        default=None, validator=_fields.optional_uint64
    )
    #: CPU nanoseconds per second averaged over the sample window.
    usage_nano_cores: int | None = attrs.field(default=None, validator=_fields.optional_uint64)
    psi: PsiStats | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(PsiStats)
    )


@final
@attrs.frozen(kw_only=True)
class MemoryUsage:
    """Memory used (CRI ``MemoryUsage``)."""

    timestamp: int = attrs.field(default=0, validator=_fields.non_negative)
    #: What the kubelet evicts on: usage minus inactive file pages.
    working_set_bytes: int | None = attrs.field(default=None, validator=_fields.optional_uint64)
    #: The limit minus :attr:`working_set_bytes`.
    available_bytes: int | None = attrs.field(default=None, validator=_fields.optional_uint64)
    #: All memory in use.
    usage_bytes: int | None = attrs.field(default=None, validator=_fields.optional_uint64)
    #: Anonymous and swap cache memory, transparent huge pages included.
    rss_bytes: int | None = attrs.field(default=None, validator=_fields.optional_uint64)
    page_faults: int | None = attrs.field(default=None, validator=_fields.optional_uint64)
    major_page_faults: int | None = attrs.field(default=None, validator=_fields.optional_uint64)
    psi: PsiStats | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(PsiStats)
    )


@final
@attrs.frozen(kw_only=True)
class SwapUsage:
    """Swap used (CRI ``SwapUsage``)."""

    timestamp: int = attrs.field(default=0, validator=_fields.non_negative)
    #: The swap limit minus :attr:`swap_usage_bytes`.
    swap_available_bytes: int | None = attrs.field(default=None, validator=_fields.optional_uint64)
    swap_usage_bytes: int | None = attrs.field(default=None, validator=_fields.optional_uint64)


@final
@attrs.frozen(kw_only=True)
class IoUsage:
    """Block I/O pressure (CRI ``IoUsage``)."""

    timestamp: int = attrs.field(default=0, validator=_fields.non_negative)
    psi: PsiStats | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(PsiStats)
    )


@final
@attrs.frozen(kw_only=True)
class ContainerAttributes:
    """Which container a usage is about (CRI ``ContainerAttributes``)."""

    id: str = attrs.field(validator=[_fields.string, _fields.non_empty])
    metadata: ContainerMetadata = attrs.field(validator=_fields.instance_of(ContainerMetadata))
    labels: Mapping[str, str] = _fields.string_map_field()
    #: Exactly those of the :class:`ContainerConfig`.
    annotations: Mapping[str, str] = _fields.string_map_field()


@final
@attrs.frozen(kw_only=True)
class ContainerStats:
    """A container's resource usage (CRI ``ContainerStats``).

    A usage the runtime cannot measure is ``None``.
    """

    attributes: ContainerAttributes = attrs.field(
        validator=_fields.instance_of(ContainerAttributes)
    )
    cpu: CpuUsage | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(CpuUsage)
    )
    memory: MemoryUsage | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(MemoryUsage)
    )
    #: The container's writable layer (its upper directory).
    writable_layer: FilesystemUsage | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(FilesystemUsage)
    )
    swap: SwapUsage | None = attrs.field(
        default=None, validator=_fields.optional_instance_of(SwapUsage)
    )
    io: IoUsage | None = attrs.field(default=None, validator=_fields.optional_instance_of(IoUsage))


@final
@attrs.frozen(kw_only=True)
class ContainerStatsFilter:
    """Which containers ``ListContainerStats`` reports (CRI ``ContainerStatsFilter``).

    Set fields are ANDed; the default instance matches every container.
    """

    id: str = attrs.field(default="", validator=_fields.string)
    pod_sandbox_id: str = attrs.field(default="", validator=_fields.string)
    #: Labels that must all match exactly.
    label_selector: Mapping[str, str] = _fields.string_map_field()


__all__ = [
    "ContainerAttributes",
    "ContainerStats",
    "ContainerStatsFilter",
    "CpuUsage",
    "IoUsage",
    "MemoryUsage",
    "PsiData",
    "PsiStats",
    "SwapUsage",
]

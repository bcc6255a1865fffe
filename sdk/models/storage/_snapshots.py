"""Snapshots: what ``CreateSnapshot`` and ``ListSnapshots`` return.

A Controller service RPC family of its own, advertised with
``CREATE_DELETE_SNAPSHOT`` and ``LIST_SNAPSHOTS``; a snapshot becomes a volume's
content through :class:`~podkit.models.storage.SnapshotSource`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, final

import attrs
from attrs import validators as v

from podkit.models.storage._fields import BOOL, NON_NEGATIVE, REQUIRED_STR, STR, to_tuple

if TYPE_CHECKING:
    from collections.abc import Iterable


def _snapshot_entries(value: Iterable[ListSnapshotsEntry]) -> tuple[ListSnapshotsEntry, ...]:
    return to_tuple(value)


@final
@attrs.frozen(kw_only=True)
class Snapshot:
    """A point-in-time snapshot of a volume.

    .. versionadded:: 0.1
    """

    #: The full size in bytes, the least a volume created from it needs;
    #: 0 means unknown.
    size_bytes: int = attrs.field(default=0, validator=NON_NEGATIVE)
    #: The plugin's identifier for the snapshot.
    snapshot_id: str = attrs.field(validator=REQUIRED_STR)
    #: The volume the snapshot was cut from.
    source_volume_id: str = attrs.field(validator=REQUIRED_STR)
    #: When the snapshot was cut, in nanoseconds since the Unix epoch.
    creation_time: int = attrs.field(validator=NON_NEGATIVE)
    #: Whether it may be used as a :class:`SnapshotSource` yet; ``False``
    #: while the plugin still processes (e.g. uploads) a cut snapshot.
    ready_to_use: bool = attrs.field(validator=BOOL)
    #: The group snapshot it belongs to; such a snapshot is deleted with its
    #: group, never alone.
    group_snapshot_id: str = attrs.field(default="", validator=STR)


@final
@attrs.frozen
class ListSnapshotsEntry:
    """One snapshot in a ``ListSnapshots`` page.

    .. versionadded:: 0.1
    """

    snapshot: Snapshot = attrs.field(validator=v.instance_of(Snapshot))


@final
@attrs.frozen(kw_only=True)
class ListSnapshotsResult:
    """One page of ``ListSnapshots``.

    .. versionadded:: 0.1
    """

    entries: tuple[ListSnapshotsEntry, ...] = attrs.field(
        default=(),
        converter=_snapshot_entries,
        validator=v.deep_iterable(v.instance_of(ListSnapshotsEntry)),
    )
    #: Pass as ``starting_token`` to get the next page; empty on the last page.
    next_token: str = attrs.field(default="", validator=STR)


__all__ = ["ListSnapshotsEntry", "ListSnapshotsResult", "Snapshot"]

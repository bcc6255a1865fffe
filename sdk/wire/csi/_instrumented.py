"""What the CSI server logs of each call: the ids it names, and no secrets.

Every RPC goes through :class:`podkit.wire._interceptor.InstrumentedInterceptor`
(logs, exceptions to status codes); this module gives it CSI's identifying
fields (volume, snapshot, node, paths) and keeps secrets out of the log:
fields the proto marks ``csi_secret`` are logged as their key names only.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from podkit.wire._interceptor import InstrumentedInterceptor
from podkit.wire.csi._convert_common import STRIPPED
from podkit.wire.csi._proto import csi_pb2, text_format

if TYPE_CHECKING:
    from podkit.wire.csi._proto import Message

_log: Final = logging.getLogger("podkit.wire.csi")
#: Request fields that identify what a call is about, logged on every call.
_ID_FIELDS: Final = (
    "name",
    "volume_id",
    "source_volume_id",
    "snapshot_id",
    "node_id",
    "staging_target_path",
    "target_path",
    "volume_path",
)


def sanitized(message: Message) -> Message:
    """A copy of ``message`` whose ``csi_secret`` fields show only their keys."""
    copy = type(message)()
    copy.CopyFrom(message)
    for descriptor, value in copy.ListFields():
        if descriptor.GetOptions().Extensions[csi_pb2.csi_secret]:
            for key in list(value):
                value[key] = STRIPPED
    return copy


def ids(message: Message) -> str:
    """``key=value`` for the identifying fields ``message`` sets."""
    fields = message.DESCRIPTOR.fields_by_name
    named = ((n, getattr(message, n)) for n in _ID_FIELDS if n in fields)
    return " ".join(f"{n}={v!r}" for n, v in named if v)


def describe(message: Message) -> str:
    """``message`` as one line of text, sanitized."""
    return str(text_format.MessageToString(sanitized(message), as_one_line=True))


def interceptor() -> InstrumentedInterceptor:
    """The interceptor for a CSI server."""
    return InstrumentedInterceptor(_log, ids, describe)


__all__ = ["describe", "ids", "interceptor", "sanitized"]

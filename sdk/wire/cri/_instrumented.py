"""What the CRI server logs of each call: the ids it names, and no credentials.

Every RPC goes through :class:`podkit.wire._interceptor.InstrumentedInterceptor`
(logs, exceptions to status codes); this module gives it CRI's identifying
fields and keeps registry credentials out of the log: ``AuthConfig`` is
logged without its secret fields.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from podkit.wire._interceptor import InstrumentedInterceptor
from podkit.wire.cri._proto import text_format

if TYPE_CHECKING:
    from podkit.wire.cri._proto import Message

_log: Final = logging.getLogger("podkit.wire.cri")
#: Request fields that identify what a call is about, logged on every call.
_ID_FIELDS: Final = ("pod_sandbox_id", "container_id", "runtime_handler")
#: ``AuthConfig`` fields the proto marks ``debug_redact``.
_SECRETS: Final = ("password", "auth", "identity_token", "registry_token")


def sanitized(message: Message) -> Message:
    """A copy of ``message`` whose registry credentials are cleared."""
    copy = type(message)()
    copy.CopyFrom(message)
    if "auth" in copy.DESCRIPTOR.fields_by_name and copy.HasField("auth"):
        for name in _SECRETS:
            copy.auth.ClearField(name)
    return copy


def ids(message: Message) -> str:
    """``key=value`` for the identifying fields ``message`` sets."""
    fields = message.DESCRIPTOR.fields_by_name
    named = [(n, getattr(message, n)) for n in _ID_FIELDS if n in fields]
    if "image" in fields and message.HasField("image"):
        named.append(("image", message.image.image))
    if "config" in fields and message.HasField("config") and message.config.HasField("metadata"):
        named.append(("name", message.config.metadata.name))
    return " ".join(f"{n}={v!r}" for n, v in named if v)


def describe(message: Message) -> str:
    """``message`` as one line of text, sanitized."""
    return str(text_format.MessageToString(sanitized(message), as_one_line=True))


def interceptor() -> InstrumentedInterceptor:
    """The interceptor for a CRI server."""
    return InstrumentedInterceptor(_log, ids, describe)


__all__ = ["describe", "ids", "interceptor", "sanitized"]

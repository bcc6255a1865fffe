"""The checks a CRI request gets before it reaches a hook: ids and names present and sane.

proto3 lets every field be unset, so a request can lack what the RPC cannot
do without. The kubelet expects ``INVALID_ARGUMENT`` for such a request,
naming the field, and ``NOT_FOUND`` only for ids that are well formed but
unknown.
"""

from __future__ import annotations

from typing import Final

from podkit.errors import InvalidArgumentError

#: Characters no pod, namespace or container name may hold: runtimes build
#: paths and sandbox names from them (containerd joins them with ``_``).
_FORBIDDEN: Final = frozenset("/\0\n")


def require_id(value: str, name: str) -> str:
    """``value``, the id field ``name``; an error when it is empty.

    :raises podkit.errors.InvalidArgumentError: the id is empty.
    """
    if not value:
        msg = f"missing required field {name}"
        raise InvalidArgumentError(msg)
    return value


def require_name(value: str, name: str) -> str:
    """``value``, the name field ``name``; an error when empty or unusable in a path.

    :raises podkit.errors.InvalidArgumentError: the name is empty or holds
        ``/``, a NUL or a newline.
    """
    if not value:
        msg = f"invalid {name}: must not be empty"
        raise InvalidArgumentError(msg)
    bad = sorted(_FORBIDDEN.intersection(value))
    if bad:
        msg = f"invalid {name} {value!r}: must not contain {', '.join(map(repr, bad))}"
        raise InvalidArgumentError(msg)
    return value


__all__ = ["require_id", "require_name"]

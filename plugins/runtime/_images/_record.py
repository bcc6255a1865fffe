"""What the runtime knows of a stored image: :class:`ImageRecord`.

The record is what the CRI image service reports (``Image``) and what the container
side needs to build a rootfs and a process (the config's ``Env``, ``Entrypoint``,
``Cmd``...). It is a value: tags move between images, so the store builds a fresh
record from its state on every lookup.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final, final

import attrs

if TYPE_CHECKING:
    from collections.abc import Iterable

_ID: Final = re.compile(r"sha256:[a-f0-9]{64}")


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        msg = f"expected a sequence of strings, got the string {value!r}"
        raise TypeError(msg)
    return tuple(value)


def _check_digests(_: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    for digest in value:
        if not _ID.fullmatch(digest):
            msg = f"ImageRecord.{attribute.name} holds {digest!r}, not a sha256 digest"
            raise ValueError(msg)


def _check_id(_: object, attribute: attrs.Attribute[Any], value: str) -> None:
    _check_digests(None, attribute, (value,))


@final
@attrs.frozen(kw_only=True)
class ImageRecord:
    """An image in the store.

    .. versionadded:: 0.1
    """

    #: The config digest ``sha256:...``: the image ID, as Docker and containerd use it.
    id: str = attrs.field(validator=_check_id)
    #: Normalized ``name:tag`` refs, e.g. ``docker.io/library/busybox:latest``.
    repo_tags: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    #: ``name@sha256:<manifest digest>`` refs.
    repo_digests: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    #: Bytes of the unpacked layers (file contents).
    size: int = attrs.field(default=0, validator=attrs.validators.ge(0))
    #: The config's ``rootfs.diff_ids``: digests of the uncompressed layers, bottom first.
    diff_ids: tuple[str, ...] = attrs.field(
        default=(), converter=_strings, validator=_check_digests
    )
    env: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    entrypoint: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    cmd: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    working_dir: str = ""
    user: str = ""
    #: The config's ``StopSignal`` (e.g. ``SIGQUIT``), or ``""`` for the default.
    stop_signal: str = ""


__all__ = ["ImageRecord"]

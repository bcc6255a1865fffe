"""The secrets of a request, as a mapping that never shows its values.

CSI marks every ``secrets`` field ``csi_secret``: they "MUST be treated as such
(not logged, etc.)". :class:`Secrets` is the one type that carries them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Final, final

from podkit.errors import InvalidArgumentError

# "Secrets Requirements": "Each key MUST consist of alphanumeric characters,
# '-', '_' or '.'".
_SECRET_KEY: Final = re.compile(r"[-_.A-Za-z0-9]+")


def _check_secret(key: object, value: object) -> None:
    if not isinstance(key, str) or not _SECRET_KEY.fullmatch(key):
        msg = f"invalid secret key {key!r}: use alphanumerics, '-', '_' or '.'"
        raise InvalidArgumentError(msg)
    if not isinstance(value, str):
        msg = f"secret {key!r} must be a string, got {type(value).__name__}"
        raise TypeError(msg)


@final
class Secrets(Mapping[str, str]):
    """The secrets of a request: a read-only mapping whose values never print.

    CSI marks every ``secrets`` field ``csi_secret`` and says they "MUST be
    treated as such (not logged, etc.)". Storage hooks receive their
    ``secrets`` argument as a :class:`Secrets`, so that pluggy tracing, logs and
    tracebacks show only the key names; compare and read it like a ``dict``.

    :param data: secret names to secret data. Keys consist of alphanumerics,
        ``-``, ``_`` and ``.`` (the spec's rule); values are strings (binary
        data is base64-encoded by convention of the plugin).
    :raises podkit.errors.InvalidArgumentError: a key breaks the rule.

    .. versionadded:: 0.1
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, str] | Iterable[tuple[str, str]] = (), /) -> None:
        """Copy ``data`` after checking its keys and values."""
        items = dict(data)
        for key, value in items.items():
            _check_secret(key, value)
        self._data: Final = items

    def __getitem__(self, key: str) -> str:
        """Return the secret named ``key``."""
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the secret names."""
        return iter(self._data)

    def __len__(self) -> int:
        """Return how many secrets there are."""
        return len(self._data)

    def __repr__(self) -> str:
        """Show the secret names, never their values."""
        return f"Secrets(<values hidden>, keys={sorted(self._data)!r})"


__all__ = ["Secrets"]

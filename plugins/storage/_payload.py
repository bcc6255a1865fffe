"""What a Secret or ConfigMap volume holds: keys to files, by ``items``, modes and ``optional``.

The kubelet's ``MakePayload`` (pkg/volume/secret and configmap) in Python. The
volume source's fields arrive in ``volume_context`` under ``podkit.dev/`` keys
(JSON where a field is structured)::

    podkit.dev/items        [{"key": "tls.crt", "path": "certs/tls.crt", "mode": 256}]
    podkit.dev/defaultMode  "420"      (decimal, as the API stores 0644)
    podkit.dev/optional     "true"     (a missing key is skipped, not an error)

Without ``items`` every key becomes a file of its own name.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Final

from podkit.errors import InvalidArgumentError, NotFoundError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from podkit.plugins.storage._atomic_writer import Payload

PREFIX: Final = "podkit.dev/"
ITEMS: Final = f"{PREFIX}items"
DEFAULT_MODE: Final = f"{PREFIX}defaultMode"
OPTIONAL: Final = f"{PREFIX}optional"
#: The mode of a file when neither its item nor the volume sets one (0644).
FALLBACK_MODE: Final = 0o644
_KEY: Final = re.compile(r"[-._a-zA-Z0-9]+")


def _fail(action: str, message: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"failed to {action}: {message}")


def _mode(value: Any, field: str, action: str) -> int:  # noqa: ANN401 -- parsed JSON
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0o777:  # noqa: PLR2004
        msg = f"{field} must be an integer between 0 and 0777 (511), got {value!r}"
        raise _fail(action, msg)
    return value


def _item_path(path: Any, action: str) -> str:  # noqa: ANN401 -- parsed JSON
    parts = path.split("/") if isinstance(path, str) else []
    if not parts or ".." in parts or path.startswith(("/", "..")):
        msg = f"item path {path!r} must be relative, without '..', not starting with '..'"
        raise _fail(action, msg)
    return str(path)


def _check_key(key: object, action: str) -> None:
    # IsConfigMapKey (k8s.io/apimachinery validation): alphanumerics, '-', '_', '.';
    # not "." and not starting with "..", which the atomic writer keeps for itself.
    if not isinstance(key, str) or not _KEY.fullmatch(key) or key == "." or key.startswith(".."):
        msg = f"key {key!r} is invalid: use alphanumerics, '-', '_', '.'; not '.' or '..*'"
        raise _fail(action, msg)


def _json(context: Mapping[str, str], key: str, action: str) -> Any:  # noqa: ANN401
    try:
        return json.loads(context[key])
    except ValueError as exc:
        raise _fail(action, f"{key} is not JSON: {exc}") from None


def parse_options(
    context: Mapping[str, str], action: str, *, known: frozenset[str] = frozenset()
) -> tuple[list[tuple[str, str, int | None]], int, bool]:
    """``items`` (key, path, mode), ``defaultMode`` and ``optional`` from ``volume_context``."""
    allowed = {ITEMS, DEFAULT_MODE, OPTIONAL, *known}
    if stray := sorted(k for k in context if k.startswith(PREFIX) and k not in allowed):
        raise _fail(action, f"unknown volume_context keys {stray!r}")
    default_mode = FALLBACK_MODE
    if DEFAULT_MODE in context:
        text = context[DEFAULT_MODE]
        if not text.isdecimal():
            raise _fail(action, f"{DEFAULT_MODE} must be a decimal integer, got {text!r}")
        default_mode = _mode(int(text), DEFAULT_MODE, action)
    optional = context.get(OPTIONAL, "false")
    if optional not in {"true", "false"}:
        raise _fail(action, f"{OPTIONAL} must be 'true' or 'false', got {optional!r}")
    raw = _json(context, ITEMS, action) if ITEMS in context else []
    if not isinstance(raw, list) or not all(isinstance(i, dict) for i in raw):
        raise _fail(action, f"{ITEMS} must be a JSON list of objects")
    items = []
    for item in raw:
        _check_key(item.get("key"), action)
        mode = item.get("mode")
        mode = None if mode is None else _mode(mode, f"mode of item {item['key']!r}", action)
        items.append((item["key"], _item_path(item.get("path"), action), mode))
    return items, default_mode, optional == "true"


def make_payload(
    data: Mapping[str, bytes], context: Mapping[str, str], action: str, *, known: frozenset[str]
) -> Payload:
    """The files of the volume: ``data`` projected by the options in ``context``."""
    items, default_mode, optional = parse_options(context, action, known=known)
    for key in data:
        _check_key(key, action)
    if not items:
        return {key: (value, default_mode) for key, value in data.items()}
    payload: Payload = {}
    for key, path, mode in items:
        if key not in data:
            if optional:
                continue
            msg = f"failed to {action}: items reference the missing key {key!r}"
            raise NotFoundError(msg)
        if path in payload or any(
            p.startswith(f"{path}/") or path.startswith(f"{p}/") for p in payload
        ):
            raise _fail(action, f"item path {path!r} collides with another item's")
        payload[path] = (data[key], default_mode if mode is None else mode)
    return payload


__all__ = [
    "DEFAULT_MODE",
    "FALLBACK_MODE",
    "ITEMS",
    "OPTIONAL",
    "PREFIX",
    "make_payload",
    "parse_options",
]

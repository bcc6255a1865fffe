"""Reading a container's log file, written in the CRI log format.

Each line is ``<RFC 3339 time> <stdout|stderr> <F|P> <content>``; ``P``
(partial) pieces join the next piece of the same stream into one line, as
``kubectl logs`` shows them (``pkg/kubelet/kuberuntime/logs``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pathlib import Path

_FIELDS: Final = 4


def parse_cri_log(data: bytes, streams: frozenset[str] = frozenset({"stdout", "stderr"})) -> str:
    """The text of a CRI log: the contents of the lines of ``streams``."""
    out: list[str] = []
    pending: dict[str, str] = {}
    for raw in data.decode(errors="replace").splitlines():
        parts = raw.split(" ", _FIELDS - 1)
        if len(parts) < _FIELDS - 1:
            continue  # a torn last line
        stream, tag = parts[1], parts[2]
        content = parts[3] if len(parts) == _FIELDS else ""
        if stream not in streams:
            continue
        if tag == "P":
            pending[stream] = pending.get(stream, "") + content
            continue
        out.append(pending.pop(stream, "") + content + "\n")
    out.extend(f"{rest}\n" for rest in pending.values())
    return "".join(out)


def read_log(path: Path) -> str:
    """The text of the log file at ``path``; empty when it does not exist (yet)."""
    try:
        return parse_cri_log(path.read_bytes())
    except FileNotFoundError:
        return ""


__all__ = ["parse_cri_log", "read_log"]

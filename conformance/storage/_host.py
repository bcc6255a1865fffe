"""What the suite reads of the host: which paths are mounts, and with which filesystem.

``os.path.ismount`` misses bind mounts of a directory of the same filesystem
(it compares devices), and bind mounts are how most node plugins publish;
so the suite reads the kernel's table, ``/proc/self/mountinfo`` (proc(5)).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

_MOUNTINFO: Final = Path("/proc/self/mountinfo")
_OCTAL_ESCAPE: Final = re.compile(r"\\([0-7]{3})")


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as \ooo (proc(5)).
    return _OCTAL_ESCAPE.sub(lambda match: chr(int(match.group(1), 8)), field)


def mounts() -> dict[str, str]:
    """Mount points to the filesystem type of the topmost mount there."""
    table: dict[str, str] = {}
    for line in _MOUNTINFO.read_text().splitlines():
        fields = line.split(" ")
        # 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
        separator = fields.index("-")
        table[_unescape(fields[4])] = fields[separator + 1]
    return table


def is_mount_point(path: str | os.PathLike[str]) -> bool:
    """Whether something is mounted at ``path``."""
    return os.path.realpath(path) in mounts()


def filesystem_type(path: str | os.PathLike[str]) -> str:
    """The filesystem type mounted at ``path``, or ``""`` when nothing is."""
    return mounts().get(os.path.realpath(path), "")


__all__ = ["filesystem_type", "is_mount_point", "mounts"]

"""The kubelet's atomic writer: files of a Secret or ConfigMap volume, swapped all at once.

Port of kubelet ``pkg/volume/util/atomic_writer.go``. The volume directory holds::

    ..2026_11_26_17_00_00.123456789/   the current payload (files, sub-directories)
    ..data -> ..2026_11_26_17_00_00.123456789
    key -> ..data/key                  one symlink per top-level name of the payload

An update writes the new payload to a new timestamped directory, points a
temporary symlink ``..data_tmp`` at it and renames that over ``..data``
(rename(2) is atomic), then fixes the top-level symlinks and removes the old
directory. A reader that resolves ``..data`` once (opens it, then reads
relative to it) sees the whole old payload or the whole new one, never a mix.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

DATA_DIR: Final = "..data"
_DATA_TMP: Final = "..data_tmp"
_DIR_MODE: Final = 0o755
_TS_DIR: Final = re.compile(r"\.\.\d{4}(?:_\d\d){5}\.\d{9}")

#: A payload: relative path to (content, mode).
Payload = dict[str, tuple[bytes, int]]


def _timestamped_name(now_ns: int) -> str:
    seconds, nanos = divmod(now_ns, 1_000_000_000)
    return time.strftime("..%Y_%m_%d_%H_%M_%S", time.gmtime(seconds)) + f".{nanos:09d}"


def _new_ts_dir(volume_dir: Path) -> Path:
    now = time.time_ns()
    while True:
        path = volume_dir / _timestamped_name(now)
        try:
            path.mkdir(_DIR_MODE)
        except FileExistsError:
            now += 1
            continue
        return path


def _write_payload(ts_dir: Path, payload: Mapping[str, tuple[bytes, int]]) -> None:
    for relative, (content, mode) in sorted(payload.items()):
        path = ts_dir / relative
        path.parent.mkdir(_DIR_MODE, parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
        try:
            os.write(fd, content)
            os.fchmod(fd, mode)  # exactly ``mode``, whatever the umask
        finally:
            os.close(fd)


def read_payload(ts_dir: Path) -> Payload:
    """The files below ``ts_dir``, as a payload."""
    payload: Payload = {}
    for root, _dirs, files in os.walk(ts_dir):
        for name in files:
            path = Path(root) / name
            payload[str(path.relative_to(ts_dir))] = (
                path.read_bytes(),
                path.stat().st_mode & 0o7777,
            )
    return payload


def current_dir(volume_dir: Path) -> Path | None:
    """The timestamped directory ``..data`` points at, if any."""
    try:
        return volume_dir / (volume_dir / DATA_DIR).readlink()
    except FileNotFoundError:
        return None


def _top_level(paths: Iterable[str]) -> set[str]:
    return {p.split("/", 1)[0] for p in paths}


def write(volume_dir: Path, payload: Mapping[str, tuple[bytes, int]]) -> bool:
    """Make ``volume_dir`` hold ``payload``, atomically; return whether anything changed."""
    old_dir = current_dir(volume_dir)
    old = read_payload(old_dir) if old_dir is not None and old_dir.is_dir() else None
    if old == dict(payload):
        _link_user_visible(volume_dir, _top_level(payload))
        return False
    new_dir = _new_ts_dir(volume_dir)
    try:
        _write_payload(new_dir, payload)
        tmp = volume_dir / _DATA_TMP
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(new_dir.name)
        tmp.rename(volume_dir / DATA_DIR)  # the switch: atomic
    except BaseException:
        shutil.rmtree(new_dir, ignore_errors=True)
        raise
    _link_user_visible(volume_dir, _top_level(payload))
    _remove_stale(volume_dir, _top_level(payload), new_dir.name)
    return True


def _remove_stale(volume_dir: Path, names: set[str], current: str) -> None:
    # The links of names the payload no longer has, then every timestamped
    # directory but the current one: the one this update replaced, and any that
    # a writer killed half-way left behind.
    for entry in sorted(volume_dir.iterdir(), key=lambda e: _TS_DIR.fullmatch(e.name) is not None):
        if _TS_DIR.fullmatch(entry.name) and entry.name != current:
            shutil.rmtree(entry, ignore_errors=True)
        elif not entry.name.startswith("..") and entry.is_symlink() and entry.name not in names:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()


def _link_user_visible(volume_dir: Path, names: set[str]) -> None:
    for name in sorted(names):
        link = volume_dir / name
        if not link.is_symlink():
            link.symlink_to(f"{DATA_DIR}/{name}")


__all__ = ["DATA_DIR", "Payload", "current_dir", "read_payload", "write"]

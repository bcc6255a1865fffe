"""A shared layer holding the mount points of every container: ``/etc/{hostname,hosts,...}``.

Every container gets the sandbox's hostname, hosts and resolv.conf files bind-mounted
over ``/etc``, and a bind mount needs a target. Most images have none of the three,
so each container made them in its writable layer: an overlayfs copy-up of ``/etc``
and three file creations on the node's disk, about a millisecond per container and
work again when the layer is removed. Instead one more lower layer, made once per
plugin and shared read-only by all containers, holds the three empty files above
the image's layers. The mounts cover them, so the container never sees them.

An image whose ``/etc`` is not a directory (a symlink, say) does not get the layer:
the layer's directory would hide it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from typing import TYPE_CHECKING, Final

from podkit.plugins.runtime import _dnsfiles

if TYPE_CHECKING:
    from pathlib import Path

_FILE_MODE: Final = 0o644


def _etc_is_a_directory(layers: list[Path]) -> bool:
    """Whether the image's ``/etc`` (topmost layer first) is a directory or absent."""
    for layer in layers:
        if (layer / ".wh.etc").exists():
            return True
        with contextlib.suppress(FileNotFoundError):
            return stat.S_ISDIR((layer / "etc").lstat().st_mode)
    return True


def _make(root: Path) -> None:
    etc = root / "etc"
    etc.mkdir(mode=0o755, parents=True, exist_ok=True)
    for name in _dnsfiles.FILES:
        path = etc / name
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, _FILE_MODE)
            os.close(fd)


def layers_for(root: Path, image_layers: list[Path]) -> list[Path]:
    """``[root]`` (made on first use) to put above ``image_layers``, or ``[]`` when unfit."""
    if not _etc_is_a_directory(image_layers):
        return []
    if not all((root / "etc" / name).is_file() for name in _dnsfiles.FILES):
        _make(root)
    return [root]


__all__ = ["layers_for"]

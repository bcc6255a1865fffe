"""Atomic replacement of the runtime's run-time files, without ``fsync``.

The runtime's records (sandbox and container records, launch specs, the
monitor's ``started.json`` and ``exit.json``, the sandbox's DNS files) must
survive a kill -9 of the agent or of a monitor at any moment, and readers
must never see a torn file: a temporary file renamed over the target gives
both, because a killed process leaves the page cache as it was. What
``fsync`` adds (:mod:`podkit.statefiles` does it twice per write, about 75 us
of a CreateContainer's few milliseconds) is durability across a power loss,
which these files do not need: they live in the state directory, a tmpfs
(``/run``) on a node that a reboot empties anyway, and they describe
processes and namespaces that a power loss ends. So durability is dropped
here on purpose; the image store, which must survive a reboot, keeps
:mod:`podkit.statefiles`. Standard library only: the monitor uses it.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC


def replace(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` atomically (its folder must exist).

    The temporary file is ``.<name>.<pid>.<thread>.tmp`` beside it: no two
    writers share one, and one a kill left behind goes with its folder.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, _FLAGS, mode)
    try:
        try:
            os.fchmod(fd, mode)  # whatever the umask
            os.write(fd, data)  # a regular file takes it whole
        finally:
            os.close(fd)
        os.replace(tmp, path)  # noqa: PTH105
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


__all__ = ["replace"]

"""The memory peer of the runtime benchmark: a containerd of our own, and its shims.

A thin layer over :class:`podkit.testing.containerd.Containerd` (which starts
Debian's containerd on a temp dir and removes all it made when stopped), with
the CRI plugin off: ``ctr`` imports an OCI image archive and runs containers
with ``ctr run -d``, each with its ``containerd-shim-runc-v2``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmarks._common import PREFIX, shielded, token
from podkit.testing.containerd import Containerd as _Daemon

if TYPE_CHECKING:
    from pathlib import Path


class Containerd:
    """A containerd daemon on the directory ``tmp``; :meth:`close` stops and removes all."""

    def __init__(self, tmp: Path) -> None:
        self.namespace = f"{PREFIX}-{token()}"
        self.daemon = _Daemon(tmp, cri=False)
        self.daemon.start()

    def import_image(self, archive: Path) -> None:
        """``ctr images import`` an OCI image archive (a tar of an image layout)."""
        self.daemon.import_image(archive, namespace=self.namespace)

    def run_detached(self, image: str, name: str, *command: str) -> None:
        """``ctr run -d``: a container and its task (one shim) running ``command``."""
        container_id = f"{self.namespace}-{name}"
        self.daemon.ctr("run", "-d", image, container_id, *command, namespace=self.namespace)

    def shim_pids(self) -> list[int]:
        """The PIDs of this daemon's shims."""
        return self.daemon.shim_pids()

    def close(self) -> None:
        """Kill and delete the containers, stop containerd, remove everything it made."""
        with shielded():
            self.daemon.stop()


__all__ = ["Containerd"]

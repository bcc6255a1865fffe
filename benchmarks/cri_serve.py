"""``podkit serve cri`` for the CRI benchmark: a subprocess on temp dirs, stopped by its PID.

The server runs the reference runtime (:mod:`benchmarks.cri_runtime`) and
podkit's bridge, host-local and loopback plugins in-process, with the
benchmark's bridge network in its CNI configuration directory. :meth:`stop`
sends SIGTERM; the client has removed its pods by then, and what an
interrupted run left (sandboxes, mounts, cgroups, the bridge) is swept by a
fresh runtime on the same directories, by path and by name.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final

from benchmarks._common import token
from podkit.testing import build_busybox_image
from podkit.testing.containerd import BUSYBOX_IMAGE

if TYPE_CHECKING:
    from podkit.testing.containerd import BridgeNetwork

REPO: Final = Path(__file__).resolve().parent.parent
PODKIT: Final = Path(sys.executable).parent / "podkit"
#: The environment of the server subprocess, read by :mod:`benchmarks.cri_runtime`.
DIR_ENV: Final = "PKCD_RUNTIME_DIR"
CGROUP_ENV: Final = "PKCD_CGROUP_PARENT"
LAYOUT_ENV: Final = "PKCD_BUSYBOX_LAYOUT"
IMAGE_ENV: Final = "PKCD_IMAGE"
_START_TIMEOUT: Final = 60.0
_STOP_TIMEOUT: Final = 30.0


def serve_cri_available() -> bool:
    """Whether this podkit has ``podkit serve cri``."""
    if not PODKIT.exists():
        return False
    done = subprocess.run(
        [PODKIT, "serve", "cri", "--help"], capture_output=True, check=False, timeout=60
    )
    return done.returncode == 0


class PodkitCriServer:
    """``podkit serve cri`` on ``tmp``, with ``network`` as its CNI configuration."""

    def __init__(self, tmp: Path, network: BridgeNetwork) -> None:
        self.tmp = tmp
        self.network = network
        self.socket = tmp / "cri.sock"
        self.cgroup_parent = f"podkit/pkcd-{token()}"
        self.image = BUSYBOX_IMAGE
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The server's PID."""
        assert self.process is not None
        return self.process.pid

    @property
    def endpoint(self) -> str:
        """``unix://`` and the socket."""
        return f"unix://{self.socket}"

    def start(self) -> None:
        """Write the CNI configuration, start the server, wait for its socket."""
        conf_dir = self.tmp / "net.d"
        conf_dir.mkdir(parents=True)
        conflist = conf_dir / f"10-{self.network.name}.conflist"
        conflist.write_text(json.dumps(self.network.conflist()))
        layout = build_busybox_image(self.tmp / "busybox", ref_name=self.image).path
        env = {
            **os.environ,
            DIR_ENV: str(self.tmp / "runtime"),
            CGROUP_ENV: self.cgroup_parent,
            LAYOUT_ENV: str(layout),
            IMAGE_ENV: self.image,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        command = [
            str(PODKIT), "serve", "cri",
            f"--socket={self.socket}",
            f"--state-dir={self.tmp / 'state'}",
            f"--cni-conf-dir={conf_dir}",
            "--runtime-handler=namespace",
            "--plugin=benchmarks.cri_runtime:runtime",
            "--plugin=bridge", "--plugin=host-local", "--plugin=loopback",
        ]  # fmt: skip
        with (self.tmp / "server.log").open("wb") as log:
            self.process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO
            )
        deadline = time.monotonic() + _START_TIMEOUT
        while not self.socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log_text = (self.tmp / "server.log").read_text(errors="replace")[-2000:]
                msg = f"podkit serve cri did not start: {log_text}"
                raise RuntimeError(msg)
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM by PID, then sweep what an interrupted run left."""
        process, self.process = self.process, None
        if process is not None:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._sweep()

    def _sweep(self) -> None:
        from podkit.plugins.runtime import NamespaceRuntime  # noqa: PLC0415 - only here

        runtime_dir = self.tmp / "runtime"
        if runtime_dir.exists():
            fresh = NamespaceRuntime(
                "namespace",
                state_dir=runtime_dir / "state",
                root_dir=runtime_dir / "root",
                cgroup_parent=self.cgroup_parent,
            )
            for sandbox_id in list(fresh.sandboxes.records):
                with contextlib.suppress(Exception):
                    fresh.runtime_remove_pod_sandbox(sandbox_id)
        for line in reversed(Path("/proc/self/mountinfo").read_text().splitlines()):
            point = line.split()[4]
            if point.startswith(f"{self.tmp}/"):
                subprocess.run(["/usr/bin/umount", "-l", point], capture_output=True, check=False)
        for top in Path("/sys/fs/cgroup").glob(f"*/{self.cgroup_parent}"):
            for directory, _, _ in sorted(os.walk(top), key=lambda e: -len(e[0])):
                with contextlib.suppress(OSError):
                    Path(directory).rmdir()
        subprocess.run(
            ["/usr/sbin/ip", "link", "del", self.network.bridge], capture_output=True, check=False
        )
        shutil.rmtree(self.tmp, ignore_errors=True)


__all__ = [
    "CGROUP_ENV",
    "DIR_ENV",
    "IMAGE_ENV",
    "LAYOUT_ENV",
    "PodkitCriServer",
    "serve_cri_available",
]

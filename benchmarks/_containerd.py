"""The memory peer of the runtime benchmark: a containerd of our own, and its shims.

:class:`Containerd` starts Debian's ``containerd`` with its config, root,
state and socket in a temporary directory (the CRI plugin off: ``ctr`` drives
it), imports an OCI image archive, runs containers with ``ctr run -d`` and
finds their ``containerd-shim-runc-v2`` processes by the socket address on
their command line. :meth:`Containerd.close` kills and deletes every
container, stops containerd by its PID, kills any shim left, and removes its
directories, its namespace's cgroups and, when this run created it, what
containerd 1.6 leaves under ``/run/containerd`` whatever its config says
(FIFOs, shim sockets, runc state).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Final

from benchmarks._common import PREFIX, run, shielded, token

CONTAINERD: Final = "/usr/bin/containerd"
CTR: Final = "/usr/bin/ctr"
SHIM: Final = "containerd-shim-runc-v2"
#: Where containerd 1.6 puts FIFOs, shim sockets and runc state, whatever its config says.
FIXED_STATE: Final = Path("/run/containerd")
_START_TIMEOUT: Final = 20.0
_CONFIG: Final = """version = 2
root = "{root}"
state = "{state}"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "{socket}"
[plugins."io.containerd.internal.v1.opt"]
  path = "{opt}"
"""


class Containerd:
    """A containerd daemon on the directory ``tmp``; :meth:`close` stops and removes all."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.socket = tmp / "c.sock"
        self.namespace = f"{PREFIX}-{token()}"
        self.containers: list[str] = []
        self._created_fixed_state = not FIXED_STATE.exists()
        tmp.mkdir(parents=True, exist_ok=True)
        config = tmp / "config.toml"
        config.write_text(
            _CONFIG.format(
                root=tmp / "root", state=tmp / "state", socket=self.socket, opt=tmp / "opt"
            )
        )
        with (tmp / "containerd.log").open("wb") as log:
            self.process = subprocess.Popen(
                [CONTAINERD, "--config", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.close()
            raise

    def ctr(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``ctr`` against this daemon, in this run's namespace."""
        return run(CTR, "-a", str(self.socket), "-n", self.namespace, *args, check=check)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.tmp / "containerd.log").read_text(errors="replace")
                msg = f"containerd exited with {self.process.returncode}: {log[-2000:]}"
                raise RuntimeError(msg)
            if self.socket.exists() and self.ctr("version", check=False).returncode == 0:
                return
            time.sleep(0.05)
        msg = f"containerd did not answer on {self.socket} in {_START_TIMEOUT} s"
        raise TimeoutError(msg)

    def import_image(self, archive: Path) -> None:
        """``ctr images import`` an OCI image archive (a tar of an image layout)."""
        self.ctr("images", "import", str(archive))

    def run_detached(self, image: str, name: str, *command: str) -> None:
        """``ctr run -d``: a container and its task (one shim) running ``command``."""
        container_id = f"{self.namespace}-{name}"
        self.containers.append(container_id)
        self.ctr("run", "-d", image, container_id, *command)

    def shim_pids(self) -> list[int]:
        """The PIDs of this daemon's shims (their ``-address`` is our socket)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            except OSError:
                continue
            if argv[0].endswith(SHIM) and str(self.socket) in argv:
                found.append(int(entry.name))
        return found

    def close(self) -> None:
        """Kill and delete the containers, stop containerd, remove everything it made."""
        with shielded():
            self._close()

    def _close(self) -> None:
        if self.process.poll() is None:
            for container_id in self.containers:
                self.ctr("tasks", "kill", "-s", "SIGKILL", container_id, check=False)
            for container_id in self.containers:
                self.ctr("tasks", "delete", "--force", container_id, check=False)
                self.ctr("containers", "delete", container_id, check=False)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait()
        for pid in self.shim_pids():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        self._sweep()

    def _sweep(self) -> None:
        for line in reversed(Path("/proc/self/mountinfo").read_text().splitlines()):
            point = line.split()[4]
            if point.startswith(str(self.tmp)):
                subprocess.run(["/usr/bin/umount", "-l", point], capture_output=True, check=False)
        for hierarchy in Path("/sys/fs/cgroup").iterdir():
            namespace_dir = hierarchy / self.namespace
            if namespace_dir.is_dir():
                for child in namespace_dir.iterdir():
                    if child.is_dir():
                        with contextlib.suppress(OSError):
                            child.rmdir()
                with contextlib.suppress(OSError):
                    namespace_dir.rmdir()
        if self._created_fixed_state and FIXED_STATE.exists():
            for directory, _, _ in sorted(os.walk(FIXED_STATE), key=lambda e: -len(e[0])):
                with contextlib.suppress(OSError):
                    Path(directory).rmdir()  # empty dirs only: anything else is not ours
        shutil.rmtree(self.tmp, ignore_errors=True)


__all__ = ["Containerd"]

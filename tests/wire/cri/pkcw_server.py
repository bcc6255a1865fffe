"""The CRI tests' server helpers: a `podkit serve cri` subprocess, and what it leaves.

Kept out of conftest.py so that test modules import them by a name of their
own (``from conftest import`` picks whichever conftest comes first on the path).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

#: The handler the client plugin answers for, on the podkit side.
CLIENT_HANDLER = "pkcw-client"

HERE = Path(__file__).parent
PODKIT = str(Path(sys.executable).parent / "podkit")
#: The handler of the reference runtime the server subprocess loads.
SERVED_HANDLER = "pkcw"


def remove_parent_cgroups():
    """The runtime's parent cgroups ``pkcw``, made by its first sandbox (empty by now)."""
    for parent in Path("/sys/fs/cgroup").glob("*/pkcw"):
        with contextlib.suppress(OSError):
            parent.rmdir()
    with contextlib.suppress(OSError):
        Path("/sys/fs/cgroup/pkcw").rmdir()


class ServerProcess:
    """``podkit serve cri`` in a subprocess on ``folder``, stopped by its PID."""

    def __init__(self, folder, *plugins):
        self.folder = folder
        self.socket = folder / "cri.sock"
        self.cni_conf_dir = folder / "net.d"
        self.cni_conf_dir.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "PKCW_RUNTIME_DIR": str(folder / "runtime"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
        }
        command = [
            PODKIT, "serve", "cri",
            f"--socket={self.socket}",
            f"--state-dir={folder / 'state'}",
            f"--cni-conf-dir={self.cni_conf_dir}",
            f"--runtime-handler={SERVED_HANDLER}",
            "--grace=5",
        ]  # fmt: skip
        command += [f"--plugin={plugin}" for plugin in ("pkcw_runtime:runtime", *plugins)]
        self.log = (folder / "server.log").open("w")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_for_socket()

    def _wait_for_socket(self):
        deadline = time.monotonic() + 60
        while not self.socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"podkit serve cri did not start:\n{self.output()}")
            time.sleep(0.05)

    def output(self):
        return (self.folder / "server.log").read_text()

    def stop(self):
        """SIGTERM, by PID; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.log.close()
        return code

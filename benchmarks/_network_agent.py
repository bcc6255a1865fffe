"""The CNI agent for the network benchmark: started, found by ``podkit-cni``, stopped by PID.

:func:`start_agent` runs ``podkit serve cni`` on a socket in the benchmark's
temporary folder and waits until it serves; the caller stops it with
:func:`stop_agent`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

#: Where podkit's executables are (the benchmark runs in podkit's venv).
BIN = Path(sys.executable).parent


def start_agent(socket_path: Path, log: Path) -> subprocess.Popen[str]:
    """Start ``podkit serve cni`` on ``socket_path``; return once it serves."""
    argv = [str(BIN / "podkit"), "serve", "cni", "--socket", str(socket_path), "--plugin", "bridge"]
    with log.open("w") as err:
        agent = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, text=True)
    assert agent.stdout is not None
    line = agent.stdout.readline()
    if "agent on" not in line:
        stop_agent(agent)
        msg = f"podkit serve cni did not start: {line}{log.read_text()}"
        raise RuntimeError(msg)
    return agent


def stop_agent(agent: subprocess.Popen[str]) -> None:
    """Stop the agent by its PID (SIGTERM, then SIGKILL after 30 s)."""
    if agent.poll() is None:
        os.kill(agent.pid, signal.SIGTERM)
        try:
            agent.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(agent.pid, signal.SIGKILL)
            agent.wait()
    if agent.stdout is not None:
        agent.stdout.close()


__all__ = ["BIN", "start_agent", "stop_agent"]

"""``podkit serve cni`` started by systemd socket activation (``sd_listen_fds(3)``).

systemd is played by a shell: the test binds and listens on the socket, the
shell puts it on descriptor 3 and sets ``LISTEN_PID`` to its own PID (which
``exec`` hands to the agent) and ``LISTEN_FDS``, as systemd does. The agent
must serve on that socket, never bind ``--socket``, and leave the socket
file to its owner when it stops.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from podkit.wire.cni._thin import call_agent, decode_reply, encode_request

pytestmark = pytest.mark.root

BIN = Path(sys.executable).parent
# fd 0 (the listening socket) becomes fd 3, stdin /dev/null; then the agent in the shell's PID.
SYSTEMD = 'exec 3<&0 0</dev/null; LISTEN_PID=${PID:-$$} LISTEN_FDS=${FDS:-1} exec "$@"'


def serve_cni(tmp_path: Path, stdin: int, **env: str) -> subprocess.Popen[str]:
    argv = ["sh", "-c", SYSTEMD, "sh", str(BIN / "podkit"), "serve", "cni", "--plugin", "loopback"]
    argv += ["--socket", str(tmp_path / "flag.sock")]
    return subprocess.Popen(
        argv,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | env,
    )


def stop(agent: subprocess.Popen[str]) -> tuple[str, str]:
    if agent.poll() is None:
        os.kill(agent.pid, signal.SIGTERM)
    return agent.communicate(timeout=60)


def version_call(path: Path) -> dict:
    request = encode_request("loopback", {"CNI_COMMAND": "VERSION"}, b'{"cniVersion": "1.0.0"}')
    reply = decode_reply(call_agent(str(path), request, 30))
    assert reply is not None
    assert reply[0] == 0
    return json.loads(reply[1])


def test_the_agent_serves_on_the_socket_systemd_passed_and_leaves_its_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "activated.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(path))
        listener.listen()
        agent = serve_cni(tmp_path, listener.fileno())
        try:
            assert agent.stdout is not None
            line = agent.stdout.readline()
            assert line == f"podkit serve cni: agent on unix://{path} (socket from systemd)\n"
            assert "1.1.0" in version_call(path)["supportedVersions"]
            assert not (tmp_path / "flag.sock").exists()  # --socket was not bound
        finally:
            out, err = stop(agent)
        assert agent.returncode == 0, err
        assert "stopped" in out
        # The file is systemd's (here: the test's), and the socket still listens for
        # the next start: a connection waits in the backlog instead of being refused.
        assert path.exists()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.connect(str(path))


def test_variables_meant_for_another_process_are_ignored(tmp_path: Path) -> None:
    agent = serve_cni(tmp_path, subprocess.DEVNULL, PID="1")
    try:
        assert agent.stdout is not None
        flag = tmp_path / "flag.sock"
        assert agent.stdout.readline() == f"podkit serve cni: agent on unix://{flag}\n"
        assert "1.0.0" in version_call(flag)["supportedVersions"]
    finally:
        stop(agent)
    assert agent.returncode == 0
    assert not (tmp_path / "flag.sock").exists()  # the socket it made, it removed


@pytest.mark.parametrize(
    ("fds", "passed", "message"),
    [
        ("2", "listener", "systemd passed 2 sockets; the socket unit must have exactly one"),
        ("1", "file", "descriptor 3, which systemd passed, is not a listening unix stream"),
        ("1", "unlistened", "descriptor 3, which systemd passed, is not a listening unix stream"),
    ],
)
def test_a_unit_files_mistake_is_said_plainly(
    tmp_path: Path, fds: str, passed: str, message: str
) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        if passed != "unlistened":
            sock.bind(str(tmp_path / "activated.sock"))
            sock.listen()
        with (tmp_path / "some-file").open("w") as file:
            stdin = file.fileno() if passed == "file" else sock.fileno()
            agent = serve_cni(tmp_path, stdin, FDS=fds)
            _out, err = agent.communicate(timeout=60)
    assert agent.returncode == 1
    assert message in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "flag.sock").exists()

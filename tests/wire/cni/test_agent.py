"""The CNI agent (``podkit serve cni``) and the thin ``podkit-cni`` in front of it.

Real processes and sockets: the agent runs as a subprocess on a socket in a
temporary folder and is stopped by its PID; ``podkit-cni`` is exec'd under
a plugin's type name, as a CNI runtime runs it. The test plugin keeps its
leases in memory, so a second ``ADD`` shows whether the calls reached one
long-lived agent (``.11``) or ran in fresh processes (``.10`` each time).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from podkit.wire.cni import run
from podkit.wire.cni._thin import (
    call_agent,
    decode_reply,
    decode_request,
    encode_reply,
    encode_request,
)

pytestmark = pytest.mark.root

BIN = Path(sys.executable).parent
PLUGIN = """
    import os
    import time

    import podkit
    from podkit.models.network import IPConfig, Result, VersionResult

    @podkit.answers_for("pknp-ipam")
    class Plugin:
        def __init__(self):
            self.leases = {}

        def network_add(self, config, attachment):
            if attachment.container_id == "slow":
                open(os.environ["PKNP_SLOW_MARKER"], "w").close()
                time.sleep(60)
            address = f"192.0.2.{len(self.leases) + 10}/24"
            self.leases[attachment.container_id] = address
            return Result(cni_version=config.cni_version, ips=(IPConfig(address=address),))

        def network_del(self, attachment):
            self.leases.pop(attachment.container_id, None)
            return True

        def network_check(self, attachment):
            if attachment.container_id not in self.leases:
                raise podkit.FailedPreconditionError(f"{attachment.container_id!r} holds nothing")
            return True

        def network_version(self):
            return VersionResult(supported_versions=("0.4.0", "1.0.0", "1.1.0"))
"""
CONFIG = {"cniVersion": "1.0.0", "name": "pknp-net", "type": "pknp-ipam"}
ENV = {"CNI_CONTAINERID": "pknp-c1", "CNI_NETNS": "/run/netns/pknp-none", "CNI_IFNAME": "eth0"}


class Agent:
    """A ``podkit serve cni`` subprocess; stopped by PID."""

    def __init__(self, socket_path: Path, plugin_dir: Path, log: Path, *extra: str) -> None:
        self.socket_path = socket_path
        self.log = log
        env = {**os.environ, "PYTHONPATH": str(plugin_dir)}
        env["PKNP_SLOW_MARKER"] = str(plugin_dir / "slow-call-started")
        argv = [str(BIN / "podkit"), "serve", "cni", "--socket", str(socket_path), *extra]
        with log.open("w") as err:
            self.process = subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=err, text=True, env=env
            )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert "podkit serve cni: agent on" in line, line + log.read_text()

    def stop(self) -> int:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        finally:
            assert self.process.stdout is not None
            self.process.stdout.close()


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "plugin"
    folder.mkdir()
    (folder / "pknp_agent_plugin.py").write_text(textwrap.dedent(PLUGIN))
    # Installed, as far as importlib.metadata can tell: the in-process fallback finds it.
    dist = folder / "pknp_agent-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pknp-agent\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[podkit.network]\npknp-ipam = pknp_agent_plugin:Plugin\n"
    )
    return folder


@pytest.fixture
def agent(tmp_path: Path, plugin_dir: Path):
    running = Agent(
        tmp_path / "run" / "cni.sock",
        plugin_dir,
        tmp_path / "agent.log",
        "--plugin",
        "pknp_agent_plugin:Plugin",
        "--grace",
        "2",
    )
    yield running
    running.stop()
    assert not running.socket_path.exists()


@pytest.fixture(params=["console-script", "install-cni"])
def cni_bin(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A CNI folder with ``pknp-ipam`` running ``podkit-cni``: pip's console script, or
    the ``python -S`` launcher ``podkit install-cni`` writes."""
    folder = tmp_path / "bin"
    if request.param == "install-cni":
        done = subprocess.run(
            [BIN / "podkit", "install-cni", "--bin-dir", folder, "--type", "pknp-ipam"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert (folder / "pknp-ipam").readlink() == Path("podkit-cni")
    else:
        folder.mkdir()
        (folder / "pknp-ipam").symlink_to(BIN / "podkit-cni")
    return folder


def exec_cni(
    cni_bin: Path,
    socket_path: Path,
    command: str,
    config: dict | str = CONFIG,
    env: dict[str, str] = ENV,
    plugin_dir: Path | None = None,
    **popen: object,
) -> subprocess.CompletedProcess[str]:
    environ = {
        "PATH": os.environ["PATH"],
        "PODKIT_CNI_AGENT": str(socket_path),
        "CNI_COMMAND": command,
        "CNI_PATH": str(cni_bin),
        **env,
    }
    if plugin_dir is not None:  # the fallback loads the plugin in-process
        environ["PYTHONPATH"] = str(plugin_dir)
    stdin = config if isinstance(config, str) else json.dumps(config)
    return subprocess.run(
        [str(cni_bin / "pknp-ipam")],
        input=stdin,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        **popen,  # type: ignore[arg-type]
    )


def test_the_wire_round_trips() -> None:
    request = encode_request("bridge", {"CNI_COMMAND": "ADD", "HOME": "/root"}, b'{"a": 1}')
    assert decode_request(request) == ("bridge", {"CNI_COMMAND": "ADD"}, b'{"a": 1}')
    assert decode_reply(encode_reply(7, b"out")) == (7, b"out")
    assert decode_reply(encode_reply(0, b"out")[:-1]) is None  # cut short: the agent died
    with pytest.raises(ValueError, match="not a podkit-cni/1 request"):
        decode_request(b"GET / HTTP/1.0\r\n\r\n")


def test_calls_reach_one_long_lived_agent(agent: Agent, cni_bin: Path) -> None:
    first = exec_cni(cni_bin, agent.socket_path, "ADD")
    second = exec_cni(cni_bin, agent.socket_path, "ADD", env=ENV | {"CNI_CONTAINERID": "c2"})
    assert first.returncode == 0, first.stdout + first.stderr
    assert json.loads(first.stdout)["ips"] == [{"address": "192.0.2.10/24"}]
    # The agent remembers the first lease: the second call went to the same process.
    assert json.loads(second.stdout)["ips"] == [{"address": "192.0.2.11/24"}]
    assert exec_cni(cni_bin, agent.socket_path, "CHECK").returncode == 0
    assert exec_cni(cni_bin, agent.socket_path, "DEL").returncode == 0
    checked = exec_cni(cni_bin, agent.socket_path, "CHECK")
    assert checked.returncode == 1
    assert json.loads(checked.stdout)["msg"] == "'pknp-c1' holds nothing"


def test_the_socket_is_root_only(agent: Agent) -> None:
    assert stat.S_IMODE(agent.socket_path.stat().st_mode) == 0o600
    assert agent.socket_path.stat().st_uid == 0


@pytest.mark.parametrize("left", ["no-socket", "stale-socket"])
def test_without_an_agent_podkit_cni_does_the_call_itself(
    tmp_path: Path, cni_bin: Path, plugin_dir: Path, left: str
) -> None:
    socket_path = tmp_path / "gone.sock"
    if left == "stale-socket":  # a socket file nobody listens on, as a killed agent leaves it
        import socket

        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as orphan:
            orphan.bind(str(socket_path))
    for _ in range(2):
        done = exec_cni(cni_bin, socket_path, "ADD", plugin_dir=plugin_dir)
        assert done.returncode == 0, done.stdout + done.stderr
        # A fresh process each time: no memory of the previous lease.
        assert json.loads(done.stdout)["ips"] == [{"address": "192.0.2.10/24"}]


BAD = [
    ("BOGUS", CONFIG, ENV),
    ("ADD", CONFIG, {"CNI_IFNAME": "eth0"}),
    ("ADD", "{not json", ENV),
    ("ADD", CONFIG | {"cniVersion": "0.2.0"}, ENV),
    ("ADD", CONFIG | {"cniVersion": "7.0.0"}, ENV),
    ("ADD", CONFIG | {"ipam": {"type": 3}}, ENV),
    ("ADD", CONFIG | {"type": "pknp-missing"}, ENV),
    ("CHECK", CONFIG, ENV | {"CNI_CONTAINERID": "never-added"}),
]


@pytest.mark.parametrize(("command", "config", "env"), BAD)
def test_bad_calls_get_the_same_error_json_as_in_process(
    agent: Agent,
    cni_bin: Path,
    plugin_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    config: dict | str,
    env: dict[str, str],
) -> None:
    through_agent = exec_cni(cni_bin, agent.socket_path, command, config, env)
    monkeypatch.syspath_prepend(str(plugin_dir))
    from pknp_agent_plugin import Plugin

    import podkit

    manager = podkit.PluginManager.load(entry_points=False)
    manager.register(Plugin(), name="Plugin", kind="network")
    out = io.StringIO()
    stdin = io.StringIO(config if isinstance(config, str) else json.dumps(config))
    environ = {"CNI_COMMAND": command, "CNI_PATH": str(cni_bin), **env}
    code = run(
        ["pknp-ipam"], getenv=environ.get, stdin=stdin, stdout=out, manager=lambda _t: manager
    )
    assert through_agent.returncode == code == 1
    assert json.loads(through_agent.stdout) == json.loads(out.getvalue())


def _call_as(uid: int, socket_path: Path, request: bytes) -> bytes:
    """Connect as ``uid`` (a forked child that drops root) and return the agent's reply."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: only system calls, then _exit
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.write(write_end, call_agent(str(socket_path), request, 30))
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        reply = reader.read()
    os.waitpid(pid, 0)
    return reply


def test_another_user_is_refused_by_peer_credentials(plugin_dir: Path, tmp_path: Path) -> None:
    # A socket reachable by everyone, as a mistake might make it: the credential check
    # still refuses. (pytest's tmp_path is root-only, so the socket lives elsewhere.)
    public = Path(tempfile.mkdtemp(prefix="pknp-agent-"))
    try:
        public.chmod(0o755)
        agent = Agent(public / "cni.sock", plugin_dir, tmp_path / "agent.log")
        try:
            agent.socket_path.chmod(0o666)
            body = json.dumps(CONFIG).encode()
            request = encode_request("pknp-ipam", {"CNI_COMMAND": "VERSION"}, body)
            reply = decode_reply(_call_as(65534, agent.socket_path, request))
            assert reply is not None
            assert reply[0] == 1
            assert "serves root only, not uid 65534" in json.loads(reply[1])["msg"]
            assert "refused a call from uid 65534" in agent.log.read_text()
            # Root is still served.
            reply = decode_reply(call_agent(str(agent.socket_path), request, 30))
            assert reply is not None
            assert reply[0] == 0
        finally:
            agent.stop()
    finally:
        shutil.rmtree(public)


def test_an_agent_killed_mid_call_gives_try_again_later(
    agent: Agent, cni_bin: Path, plugin_dir: Path
) -> None:
    marker = plugin_dir / "slow-call-started"
    environ = {
        "PATH": os.environ["PATH"],
        "PODKIT_CNI_AGENT": str(agent.socket_path),
        "CNI_COMMAND": "ADD",
        **ENV,
        "CNI_CONTAINERID": "slow",
    }
    config = plugin_dir / "config.json"
    config.write_text(json.dumps(CONFIG))
    with (
        config.open() as stdin,
        subprocess.Popen(
            [str(cni_bin / "pknp-ipam")],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environ,
            text=True,
        ) as client,
    ):
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), "the slow call never reached the plugin"
        os.kill(agent.process.pid, signal.SIGKILL)
        out, err = client.communicate(timeout=30)  # no hang: EOF ends the call
    assert client.returncode == 1, err
    body = json.loads(out)
    assert body["code"] == 11
    assert body["cniVersion"] == "1.0.0"
    assert "closed the connection without an answer" in body["msg"]
    agent.process.wait(timeout=30)
    agent.socket_path.unlink()  # a killed agent leaves its socket: the fixture checks it is gone


def test_a_second_agent_on_the_same_socket_is_refused(agent: Agent, cni_bin: Path) -> None:
    done = subprocess.run(
        [str(BIN / "podkit"), "serve", "cni", "--socket", str(agent.socket_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 1
    assert "another server listens on it" in done.stderr
    still = exec_cni(cni_bin, agent.socket_path, "ADD")  # the first agent still serves
    assert json.loads(still.stdout)["ips"] == [{"address": "192.0.2.10/24"}]

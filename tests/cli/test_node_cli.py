"""``podkit node`` as a user runs it, and the commands that talk to it: real pods, a real socket.

The agent is the installed ``podkit`` script, a subprocess in a private mount
namespace with a tmpfs on /run/podkit and /var/lib/podkit (where the
installed plugins keep their state), its socket, state and manifests in the
test's temporary directory, its network a bridge ``pknc...`` of its own. It
is started with ``--delete-pods-on-exit`` so that stopping it tears every pod
down, which the leak checker then verifies. The client commands run
in-process (``podkit.cli.main``) against its socket.
"""

from __future__ import annotations

import json
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from podkit.cli import main
from podkit.nodeapi import NodeApiClient
from podkit.testing import require_binary
from podkit.testing.registry import LocalRegistry, push_oci_layout

sys.path.insert(0, str(Path(__file__).parents[1] / "kubelet"))

pytestmark = [pytest.mark.root, pytest.mark.netns, pytest.mark.integration]

PODKIT = Path(sys.executable).parent / "podkit"


@pytest.fixture(scope="session")
def pknc_image(busybox_image, tmp_path_factory):
    """``127.0.0.1:PORT/pknc/busybox:latest``, from a registry for the whole session."""
    require_binary("skopeo")
    workdir = tmp_path_factory.mktemp("pknc-registry")
    registry = LocalRegistry(workdir)
    try:
        image = f"{registry.host}/pknc/busybox:latest"
        push_oci_layout(busybox_image.path, image, workdir=workdir)
        yield image
    finally:
        registry.stop()


class Agent:
    """A ``podkit node`` subprocess on the test's directories."""

    def __init__(self, tmp: Path, image: str):
        require_binary("unshare")
        self.tmp = tmp
        self.image = image
        self.manifests = tmp / "pknc-manifests"
        self.manifests.mkdir()
        self.socket = tmp / "pknc-api" / "node.sock"
        self.bridge = f"pknc{secrets.token_hex(4)}"
        self.conf_dir = tmp / "net.d"
        self.conf_dir.mkdir()
        octet = random.randint(10, 250)  # noqa: S311 - keeps parallel runs apart
        conflist = {
            "cniVersion": "1.0.0",
            "name": self.bridge,
            "plugins": [
                {
                    "type": "bridge",
                    "bridge": self.bridge,
                    "isGateway": True,
                    "ipam": {
                        "type": "host-local",
                        "ranges": [[{"subnet": f"10.252.{octet}.0/24"}]],
                        "dataDir": str(tmp / "pknc-ipam"),  # not the node's /var/lib/cni
                    },
                }
            ],
        }
        (self.conf_dir / "10-pknc.conflist").write_text(json.dumps(conflist))
        self.log = tmp / "agent.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self):
        script = (
            "mkdir -p /run/podkit /var/lib/podkit"
            " && mount -t tmpfs pknc-run /run/podkit && mount -t tmpfs pknc-lib /var/lib/podkit"
            ' && exec "$@"'
        )
        argv = [
            "unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
            str(PODKIT), "node", "--manifests", str(self.manifests),
            "--socket", str(self.socket), "--file-check-frequency", "0.2", "--delete-pods-on-exit",
            "--state-dir", str(self.tmp / "kubelet"), "--run-dir", str(self.tmp / "run"),
            "--cni-conf-dir", str(self.conf_dir),
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not self.socket.exists():
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "the agent did not listen"
            time.sleep(0.05)

    def stop(self):
        """SIGTERM; the agent's exit code."""
        if self.process is None:
            return 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        finally:
            subprocess.run(["ip", "link", "del", self.bridge], check=False, capture_output=True)

    def pod_file(self, name, script, *, file=None, containers=("main",), restart="Always"):
        """Write a static pod into the watched directory; its YAML."""
        text = self.pod_text(name, script, containers=containers, restart=restart)
        (self.manifests / (file or f"{name}.yaml")).write_text(text)
        return text

    def pod_text(self, name, script, *, containers=("main",), restart="Always"):
        """A pod's YAML, to apply through the API (never in the watched directory, where
        the node could take it for a static pod before it is gone)."""
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "labels": {"app": name}},
            "spec": {
                "restartPolicy": restart,
                "terminationGracePeriodSeconds": 1,
                "containers": [
                    {
                        "name": container,
                        "image": self.image,
                        "imagePullPolicy": "IfNotPresent",
                        "command": ["sh", "-c", script],
                    }
                    for container in containers
                ],
            },
        }
        return yaml.safe_dump(pod)

    def client(self):
        return NodeApiClient(self.socket, timeout=60)

    def wait(self, name, test, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            pods = {p["metadata"]["name"]: p for p in self.client().pods()}
            if test(pods.get(name)):
                return pods.get(name)
            assert time.monotonic() < deadline, f"{name}: {pods.get(name)}\n{self.log.read_text()}"
            time.sleep(0.1)


def running(pod):
    return pod is not None and pod["status"]["phase"] == "Running"


@pytest.fixture
def agent(tmp_path, pknc_image):
    node = Agent(tmp_path, pknc_image)
    try:
        yield node
    finally:
        code = node.stop()
        log = node.log.read_text()
        assert code == 0, log
        assert not node.socket.exists(), "the socket was left"
        assert "Traceback" not in log, log
        state = [*node.tmp.glob("kubelet/pods/*"), *node.tmp.glob("kubelet/logs/*")]
        assert not [*state, *node.tmp.glob("run/sandboxes/*")], "the agent left pods behind"


def podkit(capsys, *argv):
    code = main([*argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_get_describe_logs_exec_of_a_static_pod(agent, capsys):
    agent.pod_file(
        "pknc-web", "echo hello from $HOSTNAME; exec sleep 3600", containers=("main", "side")
    )
    agent.start()
    pod = agent.wait("pknc-web", lambda p: running(p) and p["status"]["podIP"])
    annotations = pod["metadata"]["annotations"]
    assert annotations["kubernetes.io/config.source"] == "file"
    assert annotations["kubernetes.io/config.hash"]
    sock = ("--socket", str(agent.socket))

    code, out, _ = podkit(capsys, "get", "pods", *sock)
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert row.split()[:4] == ["pknc-web", "2/2", "Running", "0"]

    code, out, _ = podkit(capsys, "get", "pods", "-o", "wide", "-A", *sock)
    header, row = out.splitlines()
    assert header.split() == [
        "NAMESPACE",
        "NAME",
        "READY",
        "STATUS",
        "RESTARTS",
        "AGE",
        "IP",
        "NODE",
    ]
    assert row.split()[6] == pod["status"]["podIP"]

    code, out, _ = podkit(capsys, "get", "pod", "pknc-web", "-o", "json", *sock)
    assert json.loads(out)["metadata"]["name"] == "pknc-web"
    code, out, _ = podkit(capsys, "get", "pods", "-o", "yaml", *sock)
    assert yaml.safe_load(out)["items"][0]["status"]["phase"] == "Running"

    code, out, _ = podkit(capsys, "describe", "pod", "pknc-web", *sock)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Name:", "pknc-web"]
    assert "Status:           Running" in lines
    assert "Containers:" in lines
    assert "  side:" in lines
    assert "    State:          Running" in lines
    assert any(line.split()[:2] == ["Normal", "Started"] for line in lines), out

    code, out, _ = podkit(capsys, "logs", "pknc-web", "-c", "main", *sock)
    assert code == 0
    assert "hello from pknc-web" in out.splitlines()
    code, out, err = podkit(capsys, "logs", "pknc-web", *sock)
    assert code == 1
    assert err == (
        "podkit logs: a container name must be specified for pod pknc-web,"
        " choose one of: [main side]\n"
    )

    code, out, err = podkit(
        capsys,
        "exec",
        "pknc-web",
        "-c",
        "side",
        *sock,
        "--",
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    )
    assert (code, out, err) == (3, "out\n", "err\n")

    code, _, err = podkit(capsys, "describe", "pod", "pknc-nothing", *sock)
    assert code == 1
    assert err.count("\n") == 1
    assert "not found" in err


def test_static_files_added_changed_removed_and_invalid(agent, capsys):
    agent.start()
    agent.pod_file("pknc-a", "echo one; exec sleep 3600")
    first = agent.wait("pknc-a", running)
    (agent.manifests / "broken.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {}\n"
    )

    agent.pod_file("pknc-a", "echo two; exec sleep 3600")  # another spec: a new pod
    second = agent.wait(
        "pknc-a", lambda p: running(p) and p["metadata"]["uid"] != first["metadata"]["uid"]
    )
    code, out, _ = podkit(capsys, "logs", "pknc-a", "--socket", str(agent.socket))
    assert "two" in out.splitlines()

    # deleted by hand, a static pod comes back (its file says it should run)
    code, out, _ = podkit(capsys, "delete", "pod", "pknc-a", "--socket", str(agent.socket))
    assert (code, out) == (0, 'pod "pknc-a" deleted\n')
    agent.wait("pknc-a", lambda p: running(p) and p["metadata"]["uid"] != second["metadata"]["uid"])

    (agent.manifests / "pknc-a.yaml").unlink()
    agent.wait("pknc-a", lambda p: p is None)
    code, out, err = podkit(capsys, "get", "pods", "--socket", str(agent.socket))
    assert (code, out, err) == (0, "", "No resources found in default namespace.\n")

    log = agent.log.read_text()
    assert f"static pod file {agent.manifests / 'broken.yaml'} is invalid" in log
    assert "spec.containers: Required value" in log or "spec.containers" in log


def test_logs_follow_survives_a_restart_and_ends_with_the_pod(agent):
    agent.start()
    manifest = agent.pod_text("pknc-crash", "echo run $(cat /proc/uptime); sleep 0.5; exit 1")
    agent.client().apply("default", manifest.encode())
    seen: list[str] = []
    ended = threading.Event()

    def follow():
        client = NodeApiClient(agent.socket, timeout=None)
        for line in client.logs("default", "pknc-crash", follow=True):
            seen.append(line)  # noqa: PERF402 - one by one, as they come
        ended.set()

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    runs = []
    while len(runs) < 2:  # the first run, and the one after the (immediate) first restart
        assert time.monotonic() < deadline, (seen, agent.log.read_text())
        time.sleep(0.1)
        runs = [line for line in seen if line.startswith("run ")]
    assert len(set(runs)) == len(runs)  # each run's output once
    assert not ended.is_set()
    agent.client().delete("default", "pknc-crash", grace_period=0)
    assert ended.wait(30), "the follow did not end with the pod"
    thread.join(5)


def test_a_pod_being_deleted_shows_terminating(agent, capsys):
    agent.start()
    manifest = agent.pod_text("pknc-slow", "trap '' TERM; sleep 3600")
    stubborn = yaml.safe_load(manifest)
    stubborn["spec"]["terminationGracePeriodSeconds"] = 3
    agent.client().apply("default", yaml.safe_dump(stubborn).encode())
    agent.wait("pknc-slow", running)
    deleting = threading.Thread(target=agent.client().delete, args=("default", "pknc-slow"))
    deleting.start()
    try:
        pod = agent.wait("pknc-slow", lambda p: p is None or "deletionTimestamp" in p["metadata"])
        assert pod is not None, "deleted before it was seen terminating"
        _, out, _ = podkit(capsys, "get", "pods", "--socket", str(agent.socket))
        assert out.splitlines()[1].split()[2] == "Terminating"
    finally:
        deleting.join(30)
    agent.wait("pknc-slow", lambda p: p is None)


def test_no_agent_is_one_clear_line(tmp_path, capsys):
    socket = tmp_path / "pknc-none.sock"
    code, out, err = podkit(capsys, "get", "pods", "--socket", str(socket))
    assert code == 1
    assert out == ""
    assert err == (
        f"podkit get: no podkit node listening on {socket}: start one with"
        " `podkit node --manifests DIR`\n"
    )


def test_apply_runs_pods_through_the_api_and_refuses_invalid_files_first(agent, capsys, tmp_path):
    agent.start()
    manifest = agent.pod_text("pknc-applied", "exec sleep 3600")  # applied through the API
    path = tmp_path / "pknc-applied.yaml"
    path.write_text(manifest)
    sock = ("--socket", str(agent.socket))

    assert podkit(capsys, "apply", "-f", str(path), *sock) == (0, "pod/pknc-applied applied\n", "")
    first = agent.wait("pknc-applied", running)
    assert "kubernetes.io/config.source" not in first["metadata"].get("annotations", {})
    assert podkit(capsys, "apply", "-f", str(path), *sock)[0] == 0  # same spec: nothing changes
    again = agent.client().pod("default", "pknc-applied")
    assert again["metadata"]["uid"] == first["metadata"]["uid"]

    changed = yaml.safe_load(manifest)
    changed["spec"]["containers"][0]["command"] = ["sleep", "7"]
    path.write_text(yaml.safe_dump(changed))
    code, out, err = podkit(capsys, "apply", "-f", str(path), *sock)
    assert (code, out) == (1, "")
    assert "another spec" in err

    broken = tmp_path / "pknc-broken.yaml"
    broken.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name}\nspec: {}\n")
    code, out, err = podkit(capsys, "apply", "-f", str(broken), "--socket", "/nonexistent.sock")
    assert (code, out) == (1, "")
    assert "metadata.name" in err  # refused here, before any agent is asked
    assert "Traceback" not in err

    assert podkit(capsys, "delete", "pod", "pknc-applied", *sock)[0] == 0
    agent.wait("pknc-applied", lambda p: p is None)

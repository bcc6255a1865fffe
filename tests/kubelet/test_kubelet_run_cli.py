"""``podkit run -f`` as a user runs it: a subprocess, the installed plugins, a real pod.

The plugins loaded from entry points keep their state in /run/podkit and
/var/lib/podkit; the command runs in a private mount namespace with a tmpfs
on each, so that whatever it writes there is the test's alone and vanishes
with it. The network is the test's own (bridge ``pkk...``, addresses under
the test's temp dir), given with ``--cni-conf-dir``.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from podkit.testing import require_binary

if TYPE_CHECKING:
    from pkk_helpers import NodeEnv

pytestmark = [pytest.mark.root, pytest.mark.netns, pytest.mark.integration, pytest.mark.slow]

EXAMPLES = Path(__file__).parents[2] / "examples"
EXAMPLE = EXAMPLES / "manifests" / "hello-run.yaml"
PODKIT = Path(sys.executable).parent / "podkit"


def in_private_mounts(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` with a tmpfs on /run/podkit and /var/lib/podkit that only it sees."""
    require_binary("unshare")
    script = (
        "mkdir -p /run/podkit /var/lib/podkit"
        " && mount -t tmpfs pkk-run /run/podkit && mount -t tmpfs pkk-lib /var/lib/podkit"
        ' && exec "$@"'
    )
    command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh"]
    return subprocess.run(
        [*command, *argv], capture_output=True, text=True, timeout=110, check=False
    )


def podkit_run(env: NodeEnv, manifest: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return in_private_mounts(
        str(PODKIT), "run", "-f", str(manifest),
        "--state-dir", str(env.tmp / "kubelet"),
        "--run-dir", str(env.tmp / "run"),
        "--cni-conf-dir", str(env.conf_dir),
        *args,
    )  # fmt: skip


def test_podkit_run_of_the_example_prints_the_logs_and_exits_0(env, tmp_path):
    manifest = tmp_path / "hello.yaml"
    manifest.write_text(EXAMPLE.read_text().replace("busybox:latest", env.image))
    result = podkit_run(env, manifest)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "[hello/prepare] init done" in lines
    assert lines[-3:] == [
        "[hello/main] Hello, world from hello",
        "[hello/main] prepared by the init container",
        "[hello/main] podkit runs pods through plugins.",
    ]


def test_podkit_run_exits_1_with_the_reason_of_a_failed_container(env, tmp_path):
    manifest = tmp_path / "fail.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: broken}\nspec:\n"
        "  restartPolicy: Never\n  containers:\n"
        f"  - {{name: main, image: '{env.image}', imagePullPolicy: IfNotPresent,"
        " command: [sh, -c, 'echo about to fail; exit 3']}\n"
    )
    result = podkit_run(env, manifest)
    assert result.returncode == 1
    assert "[broken/main] about to fail" in result.stdout.splitlines()
    assert 'pod broken: container "main" exited with code 3 (Error)' in result.stderr


def test_the_embedding_example_runs_its_pod(env):
    result = in_private_mounts(
        sys.executable,
        str(EXAMPLES / "embedding.py"),
        "--image",
        env.image,
        "--cni-conf-dir",
        str(env.conf_dir),
    )
    assert result.returncode == 0, result.stderr
    first, *rest = result.stdout.splitlines()
    assert first.startswith(f"phase Succeeded, address 10.253.{env.octet}.")
    assert rest == ["Hello from an embedded node", f"my address is {first.split()[-1]}"]


def test_ctrl_c_tears_the_pods_down_and_exits_130(env, tmp_path):
    manifest = tmp_path / "sleeper.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: sleeper}\nspec:\n"
        "  restartPolicy: Never\n  terminationGracePeriodSeconds: 1\n  containers:\n"
        f"  - {{name: main, image: '{env.image}', imagePullPolicy: IfNotPresent,"
        " command: [sh, -c, 'echo started; exec sleep 3600']}\n"
    )
    script = (
        "mkdir -p /run/podkit /var/lib/podkit"
        " && mount -t tmpfs pkk-run /run/podkit && mount -t tmpfs pkk-lib /var/lib/podkit"
        ' && exec "$@"'
    )
    argv = [
        "unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
        str(PODKIT), "run", "-f", str(manifest),
        "--state-dir", str(env.tmp / "kubelet"),
        "--run-dir", str(env.tmp / "run"),
        "--cni-conf-dir", str(env.conf_dir),
    ]  # fmt: skip
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        logs = env.tmp / "kubelet" / "logs"
        deadline = time.monotonic() + 60
        while not list(logs.glob("default_sleeper_*/main/0.log")):
            assert time.monotonic() < deadline, "the pod did not start"
            assert process.poll() is None, process.communicate()
            time.sleep(0.1)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    assert "interrupted" in err
    assert not list((env.tmp / "kubelet").glob("pods/*"))
    assert not list((env.tmp / "kubelet").glob("logs/*"))
    assert not list((env.tmp / "run").glob("sandboxes/*"))
    ports = subprocess.run(
        ["ip", "-o", "link", "show", "master", env.bridge],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ports.stdout == ""

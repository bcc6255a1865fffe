"""A registry for the kubelet tests: Debian's docker-registry on 127.0.0.1, fed by skopeo.

Copied from the image store tests (tests/plugins/runtime/images/pki_registry.py),
keeping only what the kubelet tests need.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Registry:
    """docker-registry serving from ``workdir`` on 127.0.0.1 and a free port."""

    def __init__(self, binary, workdir):
        self.workdir = workdir
        self.storage = workdir / "pkk-registry-data"
        self.host = f"127.0.0.1:{free_port()}"
        config = {
            "version": 0.1,
            "log": {"level": "error"},
            "storage": {"filesystem": {"rootdirectory": str(self.storage)}},
            "http": {"addr": self.host},
        }
        self.config = workdir / "pkk-registry.yml"
        self.config.write_text(json.dumps(config))  # JSON is YAML
        self.log = (workdir / "pkk-registry.log").open("wb")
        self.process = subprocess.Popen(
            [binary, "serve", str(self.config)], stdout=self.log, stderr=subprocess.STDOUT
        )
        self._wait()

    def _wait(self):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                msg = "docker-registry exited"
                raise RuntimeError(msg)
            try:
                _NO_PROXY.open(f"http://{self.host}/v2/", timeout=1).close()
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.05)
            else:
                return
        self.stop()
        msg = "docker-registry did not start"
        raise RuntimeError(msg)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.storage, ignore_errors=True)


def push(layout, dest, *, workdir, tag="latest"):
    """Copy the OCI layout ``layout:tag`` to ``docker://dest`` with skopeo."""
    policy = workdir / "pkk-policy.json"
    policy.write_text('{"default": [{"type": "insecureAcceptAnything"}]}')
    argv = ["skopeo", "--policy", str(policy), "copy", "--dest-tls-verify=false"]
    argv += [f"oci:{layout}:{tag}", f"docker://{dest}"]
    subprocess.run(argv, check=True, capture_output=True, timeout=120)

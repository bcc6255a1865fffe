"""A real registry (Debian's docker-registry) on 127.0.0.1, and a token server before it."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

#: The test credentials of the registries.
USER = "pki"
PASSWORD = "secret"  # noqa: S105 - a test registry's
WRONG_PASSWORD = "wrong"  # noqa: S105 - a test registry's

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Registry:
    """docker-registry serving from ``storage`` on 127.0.0.1."""

    def __init__(self, binary, workdir, *, htpasswd=None):
        self.workdir = workdir
        self.storage = workdir / "pki-registry-data"
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        config = {
            "version": 0.1,
            "log": {"level": "error"},
            "storage": {"filesystem": {"rootdirectory": str(self.storage)}},
            "http": {"addr": self.host},
        }
        if htpasswd is not None:
            config["auth"] = {"htpasswd": {"realm": "pki", "path": str(htpasswd)}}
        self.config = workdir / "pki-registry.yml"
        self.config.write_text(json.dumps(config))  # JSON is YAML
        self.log = (workdir / "pki-registry.log").open("wb")
        self.process = subprocess.Popen(
            [binary, "serve", str(self.config)], stdout=self.log, stderr=subprocess.STDOUT
        )
        self._wait()

    def _wait(self):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                msg = f"docker-registry exited: {self.log_text()}"
                raise RuntimeError(msg)
            try:
                _NO_PROXY.open(f"http://{self.host}/v2/", timeout=1).close()
            except urllib.error.HTTPError:
                return  # 401 with auth: up
            except OSError:
                time.sleep(0.05)
            else:
                return
        self.stop()
        msg = "docker-registry did not start"
        raise RuntimeError(msg)

    def log_text(self):
        return (self.workdir / "pki-registry.log").read_text(errors="replace")

    def blob_file(self, digest):
        hex_digest = digest.removeprefix("sha256:")
        return (
            self.storage / "docker/registry/v2/blobs/sha256" / hex_digest[:2] / hex_digest / "data"
        )

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


def push(layout, dest, *, tmp_path, tag="latest", all_images=False, extra=()):
    """Copy the layout ``layout:tag`` to ``docker://dest`` with skopeo."""
    policy = tmp_path / "pki-policy.json"
    policy.write_text('{"default": [{"type": "insecureAcceptAnything"}]}')
    argv = ["skopeo", "--policy", str(policy), "copy", "--dest-tls-verify=false", *extra]
    if all_images:
        argv.append("--all")
    argv += [f"oci:{layout}:{tag}", f"docker://{dest}"]
    subprocess.run(argv, check=True, capture_output=True, timeout=120)


class TokenProxy:
    """A token server and a registry front end asking for its bearer tokens (token.md).

    ``/token`` hands out ``TOKEN`` to basic auth ``pki:secret``; ``/v2/...`` answers 401
    with a Bearer challenge unless it gets the token, then forwards to ``upstream``.
    """

    TOKEN = "pki-token-123"  # noqa: S105 - the test token server's

    def __init__(self, upstream):
        self.upstream = upstream
        self.token_requests = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path.startswith("/token"):
                    proxy._token(self)
                else:
                    proxy._forward(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _token(self, handler):
        query = parse_qs(urlsplit(handler.path).query)
        self.token_requests.append(query)
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if handler.headers.get("Authorization") != expected:
            self._reply(handler, 401, b'{"errors": []}')
            return
        self._reply(handler, 200, json.dumps({"token": self.TOKEN}).encode())

    def _forward(self, handler):
        if handler.headers.get("Authorization") != f"Bearer {self.TOKEN}":
            challenge = (
                f'Bearer realm="http://{self.host}/token",service="pki-registry",'
                f'scope="repository:pki/busybox:pull"'
            )
            self._reply(handler, 401, b"{}", {"WWW-Authenticate": challenge})
            return
        request = urllib.request.Request(
            f"http://{self.upstream}{handler.path}",
            headers={"Accept": handler.headers.get("Accept", "*/*")},
        )
        try:
            with _NO_PROXY.open(request, timeout=30) as response:
                body = response.read()
                headers = {
                    k: v
                    for k, v in response.headers.items()
                    if k in {"Content-Type", "Docker-Content-Digest"}
                }
                self._reply(handler, response.status, body, headers)
        except urllib.error.HTTPError as exc:
            self._reply(handler, exc.code, exc.read())

    @staticmethod
    def _reply(handler, status, body, headers=None):
        handler.send_response(status)
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def bcrypt_htpasswd(path, user, password):
    """Write an htpasswd file with a bcrypt hash (the one scheme docker-registry accepts)."""
    script = (
        "import crypt, sys; "
        "print(sys.argv[1] + ':' + crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH)))"
    )
    result = subprocess.run(
        ["python3", "-W", "ignore", "-c", script, user, password],
        capture_output=True,
        text=True,
        check=True,
    )
    path.write_text(result.stdout)
    return path

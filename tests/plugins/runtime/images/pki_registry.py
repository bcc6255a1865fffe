"""A token server before the real registry (podkit.testing.registry), and the test credentials."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

#: The test credentials of the registries.
USER = "pki"
PASSWORD = "secret"  # noqa: S105 - a test registry's
WRONG_PASSWORD = "wrong"  # noqa: S105 - a test registry's

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


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

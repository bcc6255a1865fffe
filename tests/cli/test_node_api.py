"""The node API's socket on its own: root-only permissions, peer credentials, errors, stale sockets.

A stand-in node (no pods) is enough here; the pods are in test_node_cli.py.
Clients that are not root are forked children that drop to ``nobody``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import socket
import stat
import threading
from pathlib import Path

import pytest

from podkit.errors import AlreadyExistsError, NotFoundError, PodkitError
from podkit.nodeapi import NodeApiClient, NodeApiServer

pytestmark = [pytest.mark.root]

NOBODY = 65534


class NoPods:
    """What the server asks of a node, for a node without pods."""

    def pods(self):
        return []

    def pod(self, namespace, name):
        msg = f'pods "{name}" not found in namespace {namespace!r}'
        raise NotFoundError(msg)


class Served:
    """A NodeApiServer in an event loop of its own thread."""

    def __init__(self, path):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = NodeApiServer(NoPods(), path)

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def close(self):
        with contextlib.suppress(Exception):
            self.run(self.server.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def served():
    # outside root's 0700 pytest directory, so that nobody can reach the socket's
    top = Path(f"/tmp/pknc-{secrets.token_hex(4)}")  # noqa: S108
    top.mkdir(mode=0o755)
    top.chmod(0o755)
    served = Served(top / "api" / "node.sock")
    try:
        served.run(served.server.start())
        yield served
    finally:
        served.close()
        shutil.rmtree(top, ignore_errors=True)


def as_nobody(path):
    """What a client that is ``nobody`` gets: the error's class and message."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop to nobody, ask, report, exit without cleanup
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                NodeApiClient(path, timeout=10).pods()
                answer = "served"
            except PodkitError as exc:
                answer = f"{type(exc).__name__}: {exc}"
            os.write(write, answer.encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        answer = pipe.read().decode()
    os.waitpid(pid, 0)
    return answer


def test_the_socket_is_root_only(served):
    path = served.server.path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert NodeApiClient(path).pods() == []
    assert as_nobody(path) == (
        f"PermissionDeniedError: permission denied on {path}: the podkit node API is root-only"
    )


def test_a_peer_that_is_not_root_is_refused_even_through_open_permissions(served):
    path = served.server.path
    path.parent.chmod(0o755)
    path.chmod(0o666)
    assert as_nobody(path) == (
        f"PermissionDeniedError: uid {NOBODY} may not use the podkit node API on {path}: root only"
    )


def test_errors_come_back_as_their_podkit_class(served):
    client = NodeApiClient(served.server.path)
    with pytest.raises(NotFoundError, match='pods "pknc-missing" not found'):
        client.pod("default", "pknc-missing")
    with pytest.raises(NotFoundError, match="no such resource"):
        client._json("GET", "/api/v1/nodes")


def test_a_second_server_on_a_live_socket_is_refused_and_a_stale_one_replaced(served, tmp_path):
    path = served.server.path
    other = NodeApiServer(NoPods(), path)
    with pytest.raises(AlreadyExistsError, match="listens on"):
        served.run(other.start())
    served.run(other.close())
    assert NodeApiClient(path).pods() == []  # the live agent's socket is left alone
    stale = tmp_path / "pknc-stale.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(stale))  # bound, never listening, closed: a dead agent's socket
    replacing = Served(stale)
    try:
        replacing.run(replacing.server.start())
        assert NodeApiClient(stale).pods() == []
    finally:
        replacing.close()
    assert not stale.exists()

r"""The thin ``podkit-cni``: hand the CNI call to a running agent, or do it here.

A CNI runtime execs a plugin binary per call, and a Python process that
imports pyroute2 and the plugins spends ~160 ms before it does anything
(the Go plugins start in ~2 ms). So ``podkit-cni`` first offers the call to
the agent, ``podkit serve cni``, a long-lived process with the plugins
loaded once, over a unix socket (``PODKIT_CNI_AGENT``, default
:data:`DEFAULT_SOCKET`): it forwards the ``CNI_*`` environment, the name it
was invoked as (the type dispatch) and stdin, prints the reply and exits
with the agent's exit code. Only when no agent answers (no socket, or
nobody listening on it) does it run the plugin itself
(:func:`podkit.wire.cni._exec.run`, the imports deferred until then).

Start-up is this module's whole point: it imports ``_socket``, ``os`` and
``sys`` and nothing else on the agent path (not ``socket`` or ``json``,
which pull in ``enum`` and ``re``). It also runs as a plain script, e.g.
``python -I -S .../_thin.py`` linked as ``/opt/cni/bin/bridge``: without
``site`` the interpreter starts in ~8 ms, and ``site`` is loaded only for
the in-process fallback.

When the agent accepted the call and then went away (it was killed, or
stopped answering for :data:`DEFAULT_TIMEOUT` seconds), the call's outcome
is unknown: the answer is the SPEC's error 11, "try again later", never
a hang, and never a second attempt in-process.

The wire, both ways one message per connection (the sender shuts its side
down after it): request ``podkit-cni/1 <n>\n``, then ``n`` bytes of
NUL-separated ``NAME=value`` fields (``ARGV0`` and the ``CNI_*``
variables), then stdin's bytes; reply ``<exit code> <n>\n`` and ``n``
bytes of stdout.
"""

from __future__ import annotations

import _socket
import os
import sys

#: Where the agent listens unless ``PODKIT_CNI_AGENT`` says otherwise.
DEFAULT_SOCKET = "/run/podkit/cni.sock"
SOCKET_ENV = "PODKIT_CNI_AGENT"
#: Seconds a call through the agent may take (``PODKIT_CNI_TIMEOUT`` overrides).
DEFAULT_TIMEOUT = 120.0
TIMEOUT_ENV = "PODKIT_CNI_TIMEOUT"
#: The environment a CNI runtime gives a plugin (SPEC: "Parameters"), forwarded as is.
FORWARDED = ("CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH")
ARGV0 = "ARGV0"
MAGIC = b"podkit-cni/1"
#: CNI error code 11 (SPEC: "Try again later").
TRY_AGAIN_LATER = 11
_CHUNK = 65536
#: Errors of ``connect`` meaning no agent serves us: do the call in-process (a caller
#: that is not root cannot reach the root-only socket, and gets the in-process errors).
_NO_AGENT = (FileNotFoundError, ConnectionRefusedError, NotADirectoryError, PermissionError)


def encode_request(argv0: str, environ: dict[str, str], stdin: bytes) -> bytes:
    """Return the request for one call: the invoked name, the ``CNI_*`` variables, stdin."""
    fields = [f"{ARGV0}={argv0}"]
    fields += [f"{name}={environ[name]}" for name in FORWARDED if name in environ]
    head = "\0".join(fields).encode("utf-8", "surrogateescape")
    return b"%s %d\n%s%s" % (MAGIC, len(head), head, stdin)


def decode_request(data: bytes) -> tuple[str, dict[str, str], bytes]:
    """Return ``(argv0, environment, stdin)`` of a request.

    :raises ValueError: ``data`` is not a complete request.
    """
    line, newline, rest = data.partition(b"\n")
    magic, _, size = line.partition(b" ")
    if not newline or magic != MAGIC or not size.isdigit() or int(size) > len(rest):
        msg = "not a podkit-cni/1 request"
        raise ValueError(msg)
    head, stdin = rest[: int(size)], rest[int(size) :]
    environ: dict[str, str] = {}
    for field in head.decode("utf-8", "surrogateescape").split("\0"):
        name, equals, value = field.partition("=")
        if equals and (name == ARGV0 or name in FORWARDED):
            environ[name] = value
    return environ.pop(ARGV0, "podkit-cni"), environ, stdin


def encode_reply(code: int, stdout: bytes) -> bytes:
    """Return the reply: the exit code and what the plugin printed."""
    return b"%d %d\n%s" % (code, len(stdout), stdout)


def decode_reply(data: bytes) -> tuple[int, bytes] | None:
    """Return ``(exit code, stdout)`` of a reply; ``None`` when it is incomplete."""
    line, newline, rest = data.partition(b"\n")
    code, _, size = line.partition(b" ")
    if not newline or not code.isdigit() or not size.isdigit() or int(size) != len(rest):
        return None
    return int(code), rest


def _try_again(stdin: bytes, msg: str, details: str) -> bytes:
    """The SPEC's error JSON, code 11; ``json`` is imported only on this path."""
    import json  # noqa: PLC0415 - kept off the fast path

    try:
        version = str(json.loads(stdin).get("cniVersion") or "1.1.0")
    except (ValueError, AttributeError):
        version = "1.1.0"
    body = {"cniVersion": version, "code": TRY_AGAIN_LATER, "msg": msg, "details": details}
    return json.dumps(body).encode() + b"\n"


def _timeout() -> float:
    try:
        return float(os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT


def call_agent(path: str, request: bytes, timeout: float) -> bytes:
    """Send ``request`` to the agent at ``path``; return its raw reply (possibly incomplete).

    :raises FileNotFoundError, ConnectionRefusedError, NotADirectoryError, PermissionError:
        no agent listens at ``path`` for us (nothing was sent).
    :raises OSError: the connection failed after the request went out (``TimeoutError``
        when the agent did not answer in ``timeout`` seconds).
    """
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(path)
        sock.sendall(request)
        sock.shutdown(_socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(_CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        sock.close()


def _in_process(argv: list[str]) -> int:
    """Do the call here, as ``podkit-cni`` did before the agent."""
    try:
        from podkit.wire.cni._exec import run  # noqa: PLC0415 - only without an agent
    except ImportError:  # started with ``python -S``: site-packages are not on the path yet
        import site  # noqa: PLC0415

        site.main()
        from podkit.wire.cni._exec import run  # noqa: PLC0415

    return run(argv)


def main() -> int:
    """Console-script entry point of ``podkit-cni``."""
    argv = sys.argv
    path = os.environ.get(SOCKET_ENV) or DEFAULT_SOCKET
    if "--version" in argv[1:] or not os.path.exists(path):  # noqa: PTH110 - no pathlib here
        return _in_process(argv)
    stdin = sys.stdin.buffer.read()
    name = argv[0].rpartition("/")[2] if argv else "podkit-cni"
    request = encode_request(name, dict(os.environ), stdin)
    try:
        data = call_agent(path, request, _timeout())
    except _NO_AGENT:
        return _fallback(argv, stdin)
    except TimeoutError:
        out = _try_again(stdin, "the podkit agent did not answer in time", f"agent {path}")
        return _write(out, 1)
    except OSError as exc:
        msg = "the connection to the podkit agent broke during the call"
        return _write(_try_again(stdin, msg, f"agent {path}: {exc}"), 1)
    reply = decode_reply(data)
    if reply is None:
        msg = "the podkit agent closed the connection without an answer (did it stop?)"
        return _write(_try_again(stdin, msg, f"agent {path}"), 1)
    return _write(reply[1], reply[0])


def _fallback(argv: list[str], stdin: bytes) -> int:
    """In-process, with stdin as read already."""
    import io  # noqa: PLC0415 - only without an agent

    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    return _in_process(argv)


def _write(out: bytes, code: int) -> int:
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    return code


__all__ = [
    "DEFAULT_SOCKET",
    "DEFAULT_TIMEOUT",
    "SOCKET_ENV",
    "call_agent",
    "decode_reply",
    "decode_request",
    "encode_reply",
    "encode_request",
    "main",
]

if __name__ == "__main__":
    sys.exit(main())

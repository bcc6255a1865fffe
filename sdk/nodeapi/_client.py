"""The commands' side of the node API: plain synchronous HTTP over the agent's unix socket.

``podkit get/describe/logs/exec/delete`` are short-lived processes, so the
client is synchronous (``http.client`` on an ``AF_UNIX`` socket, one
connection per request). A failure comes back as the podkit error the agent
raised, with its message; no agent listening is an
:class:`~podkit.errors.UnavailableError` that says how to start one.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Final, final
from urllib.parse import quote, urlencode

from podkit.errors import (
    InternalError,
    PermissionDeniedError,
    PodkitError,
    UnavailableError,
)
from podkit.nodeapi._paths import DEFAULT_SOCKET, error_class

if TYPE_CHECKING:
    from collections.abc import Iterator

Json = dict[str, object]
#: Seconds a request may take (deleting a pod waits for its grace period).
DEFAULT_TIMEOUT: Final = 600.0


@final
class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path, timeout: float | None) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(str(self._path))
        except BaseException:
            sock.close()
            raise
        self.sock = sock


@final
class ExecResult:
    """What ``exec`` gave: the command's output and exit code."""

    def __init__(self, stdout: bytes, stderr: bytes, exit_code: int) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.exit_code = exit_code


def _pod_path(namespace: str, name: str, sub: str = "") -> str:
    path = f"/api/v1/namespaces/{quote(namespace, safe='')}/pods/{quote(name, safe='')}"
    return f"{path}/{sub}" if sub else path


@final
class NodeApiClient:
    """Talks to a ``podkit node`` over its socket.

    :param path: the agent's socket.
    :param timeout: seconds a request may take; ``None`` for no limit.
    """

    def __init__(
        self, path: Path = DEFAULT_SOCKET, *, timeout: float | None = DEFAULT_TIMEOUT
    ) -> None:
        self.path: Final = Path(path)
        self.timeout: Final = timeout

    # -- requests ----------------------------------------------------------------------

    def _open(
        self, method: str, target: str, body: bytes | None = None, *, timeout: float | None = None
    ) -> tuple[_UnixConnection, http.client.HTTPResponse]:
        connection = _UnixConnection(self.path, timeout)
        try:
            connection.request(method, target, body=body)
            response = connection.getresponse()
        except (FileNotFoundError, ConnectionRefusedError):
            connection.close()
            msg = (
                f"no podkit node listening on {self.path}: start one with"
                " `podkit node --manifests DIR`"
            )
            raise UnavailableError(msg) from None
        except PermissionError:
            connection.close()
            msg = f"permission denied on {self.path}: the podkit node API is root-only"
            raise PermissionDeniedError(msg) from None
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            msg = f"the podkit node on {self.path} did not answer: {exc}"
            raise UnavailableError(msg) from None
        if response.status >= http.client.BAD_REQUEST:
            try:
                raise _error(response)
            finally:
                connection.close()
        return connection, response

    def _json(self, method: str, target: str, body: bytes | None = None) -> Json:
        connection, response = self._open(method, target, body, timeout=self.timeout)
        try:
            data = response.read()
        finally:
            connection.close()
        obj = json.loads(data)
        if not isinstance(obj, dict):
            msg = f"the podkit node answered {target} with no object"
            raise InternalError(msg)
        return obj

    # -- the API -----------------------------------------------------------------------

    def pods(self, namespace: str | None = None) -> list[Json]:
        """The pods (``v1.Pod`` objects) of a namespace, or of all with ``None``."""
        path = (
            "/api/v1/pods" if namespace is None else f"/api/v1/namespaces/{quote(namespace)}/pods"
        )
        items = self._json("GET", path).get("items", [])
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    def pod(self, namespace: str, name: str) -> Json:
        """One pod (``v1.Pod``).

        :raises podkit.errors.NotFoundError: no such pod.
        """
        return self._json("GET", _pod_path(namespace, name))

    def events(self, namespace: str, name: str) -> list[Json]:
        """The pod's events (``v1.Event`` objects), oldest first."""
        query = urlencode({"fieldSelector": f"involvedObject.name={name}"})
        items = self._json("GET", f"/api/v1/namespaces/{quote(namespace)}/events?{query}")
        found = items.get("items", [])
        return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []

    def apply(self, namespace: str, manifest: bytes) -> list[Json]:
        """Apply a manifest's objects (of ``namespace``); the Pods as they run."""
        items = self._json("POST", f"/api/v1/namespaces/{quote(namespace)}/pods", manifest)
        found = items.get("items", [])
        return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []

    def delete(self, namespace: str, name: str, *, grace_period: float | None = None) -> None:
        """Delete a pod; return when it is gone."""
        query = "" if grace_period is None else f"?gracePeriodSeconds={grace_period:g}"
        self._json("DELETE", _pod_path(namespace, name) + query)

    def exec(
        self,
        namespace: str,
        name: str,
        command: list[str],
        *,
        container: str = "",
        timeout: int = 0,
    ) -> ExecResult:
        """Run ``command`` in a container of the pod and wait for it."""
        query = f"?{urlencode({'container': container})}" if container else ""
        body = json.dumps({"command": command, "timeout": timeout}).encode()
        result = self._json("POST", _pod_path(namespace, name, "exec") + query, body)
        return ExecResult(
            base64.b64decode(str(result.get("stdout", ""))),
            base64.b64decode(str(result.get("stderr", ""))),
            int(str(result.get("exitCode", 1))),
        )

    def logs(
        self,
        namespace: str,
        name: str,
        *,
        container: str = "",
        follow: bool = False,
        previous: bool = False,
    ) -> Iterator[str]:
        """The container's output, line by line (each with its newline), as it comes."""
        query = {"container": container, "follow": follow, "previous": previous}
        args = urlencode({k: str(v).lower() for k, v in query.items() if v})
        target = _pod_path(namespace, name, "log") + (f"?{args}" if args else "")
        connection, response = self._open("GET", target, timeout=None if follow else self.timeout)
        try:
            while line := response.readline():
                yield line.decode(errors="replace")
        finally:
            connection.close()


def _error(response: http.client.HTTPResponse) -> PodkitError:
    data = response.read()
    try:
        status = json.loads(data)
        message, name = str(status["message"]), str(status.get("error", ""))
    except (ValueError, KeyError, TypeError):
        message, name = data.decode(errors="replace").strip() or response.reason, ""
    return error_class(name, response.status)(message)


__all__ = ["DEFAULT_TIMEOUT", "ExecResult", "NodeApiClient"]

"""The node agent's side of the local API: an HTTP/1.1 server on a unix socket, in the node's loop.

It runs on the :class:`~podkit.kubelet.Node`'s own asyncio loop (asyncio
streams: no thread, no dependency) and answers one request per connection.
The socket is created mode 0600 (in a 0700 directory when it creates the
directory), and every connection's peer is checked (``SO_PEERCRED``): only
root and the agent's own user are served; others get a 403 and a reason.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import json
import logging
import os
import socket
from collections.abc import AsyncGenerator
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Final, final

from podkit import manifests
from podkit.errors import (
    AlreadyExistsError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    PodkitError,
)
from podkit.nodeapi import _encode
from podkit.nodeapi._http import (
    CHUNKED_HEAD,
    LAST_CHUNK,
    Request,
    chunk,
    peer_uid,
    read_request,
    respond,
    status_success,
    stream_lines,
)
from podkit.nodeapi._paths import EVENTS, POD, PODS, http_status, status_object

if TYPE_CHECKING:
    import re

    from podkit.kubelet import Node
    from podkit.models.kube import Pod

LOGGER: Final = logging.getLogger("podkit.nodeapi")
#: Seconds a refused client gets to send its request before it is answered.
_REFUSAL_READ: Final = 5.0

Json = dict[str, object]


@final
class NodeApiServer:
    """Serves a :class:`~podkit.kubelet.Node` on a unix socket.

    ::

        async with NodeApiServer(node, Path("/run/podkit/node.sock")):
            ...  # the API is up

    :param node: the node whose pods are served.
    :param path: the socket; a stale one (nothing listening) is replaced.
    """

    def __init__(self, node: Node, path: Path) -> None:
        self.node: Final = node
        self.path: Final = Path(path)
        #: When each pod being deleted was asked to go (``metadata.deletionTimestamp``).
        self.terminating: dict[tuple[str, str], dt.datetime] = {}
        self._server: asyncio.Server | None = None
        self._allowed = {0, os.geteuid()}
        self._handlers: set[asyncio.Task[None]] = set()
        self._bound = False

    # -- life ------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on the socket.

        :raises podkit.errors.AlreadyExistsError: another agent listens there.
        """
        sock = await asyncio.to_thread(self._bind)
        self._bound = True
        self._server = await asyncio.start_unix_server(self._serve, sock=sock)

    def _bind(self) -> socket.socket:
        parent = self.path.parent
        if not parent.exists():
            parent.mkdir(parents=True, mode=0o700)
            parent.chmod(0o700)
        if self.path.exists() or self.path.is_symlink():
            with socket.socket(socket.AF_UNIX) as probe, contextlib.suppress(OSError):
                probe.connect(str(self.path))
                msg = f"a podkit node listens on {self.path} already"
                raise AlreadyExistsError(msg)
            if not self.path.is_socket():
                msg = f"{self.path} exists and is no socket"
                raise AlreadyExistsError(msg)
            self.path.unlink()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            umask = os.umask(0o177)  # born 0600: no moment when others could connect
            try:
                sock.bind(str(self.path))
            finally:
                os.umask(umask)
            self.path.chmod(0o600)
            sock.listen(64)
            sock.setblocking(False)  # noqa: FBT003 - the socket API
        except BaseException:
            sock.close()
            raise
        return sock

    async def close(self) -> None:
        """Stop listening, end the requests in progress, remove the socket."""
        if self._server is not None:
            self._server.close()
            for task in list(self._handlers):
                task.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)
            await self._server.wait_closed()
            self._server = None
        if self._bound:  # not another agent's socket, that start() found live
            self._bound = False
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    async def __aenter__(self) -> NodeApiServer:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def delete(self, namespace: str, name: str, grace_period: float | None = None) -> None:
        """Delete a pod, showing it ``Terminating`` meanwhile."""
        key = (namespace, name)
        self.terminating.setdefault(key, dt.datetime.now(dt.UTC))
        try:
            await self.node.delete(namespace, name, grace_period=grace_period)
        finally:
            self.terminating.pop(key, None)

    # -- one connection --------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None  # noqa: S101 - a handler runs in a task
        self._handlers.add(task)
        try:
            await self._answer(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client went away
        finally:
            self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        uid = peer_uid(writer.get_extra_info("socket"))
        if uid not in self._allowed:
            LOGGER.warning("refused a connection from uid %d: the node API is root-only", uid)
            with contextlib.suppress(PodkitError, TimeoutError):  # read: the answer then arrives
                await asyncio.wait_for(read_request(reader), _REFUSAL_READ)
            msg = f"uid {uid} may not use the podkit node API on {self.path}: root only"
            await self._error(writer, PermissionDeniedError(msg))
            return
        try:
            request = await read_request(reader)
            await self._route(request, reader, writer)
        except PodkitError as exc:
            await self._error(writer, exc)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            raise
        except Exception as exc:  # a bug: the client gets a 500, the log the traceback
            LOGGER.exception("the node API failed")
            await self._error(writer, InternalError(f"the node API failed: {exc!r}"))

    async def _error(self, writer: asyncio.StreamWriter, exc: PodkitError) -> None:
        status = http_status(exc)
        await respond(writer, status, status_object(status, str(exc), type(exc).__name__))

    # -- routes ----------------------------------------------------------------------

    async def _route(
        self, request: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        method, path = request.method, request.path
        done = False
        if match := PODS.fullmatch(path):
            done = await self._route_pods(request, match["namespace"], writer)
        elif match := POD.fullmatch(path):
            done = await self._route_pod(request, match, reader, writer)
        elif (match := EVENTS.fullmatch(path)) and method == "GET":
            await respond(writer, HTTPStatus.OK, await self._events(request, match["namespace"]))
            done = True
        if not done:
            msg = f"no such resource: {method} {path}"
            raise NotFoundError(msg)

    async def _route_pods(
        self, request: Request, namespace: str | None, writer: asyncio.StreamWriter
    ) -> bool:
        if request.method == "GET":
            await respond(writer, HTTPStatus.OK, await self._pod_list(namespace))
        elif request.method == "POST" and namespace:
            await respond(writer, HTTPStatus.CREATED, await self._apply(request, namespace))
        else:
            return False
        return True

    async def _route_pod(
        self,
        request: Request,
        match: re.Match[str],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        namespace, name = match["namespace"], match["name"]
        route = (request.method, match["sub"])
        if route == ("GET", None):
            pod = await self._pod_json(self.node.pod(namespace, name))
            await respond(writer, HTTPStatus.OK, pod)
        elif route == ("DELETE", None):
            await self._delete_pod(request, namespace, name)
            await respond(writer, HTTPStatus.OK, status_success(namespace, name))
        elif route == ("GET", "log"):
            await self._log(request, namespace, name, reader, writer)
        elif route == ("POST", "exec"):
            await respond(writer, HTTPStatus.OK, await self._exec(request, namespace, name))
        else:
            return False
        return True

    async def _pod_json(self, pod: Pod) -> Json:
        meta = pod.metadata
        status = await self.node.status(meta.namespace, meta.name)
        deleting = self.terminating.get((meta.namespace, meta.name))
        return _encode.pod(pod, status, deleting=deleting)

    async def _pod_list(self, namespace: str | None) -> Json:
        pods = [p for p in self.node.pods() if namespace in {None, p.metadata.namespace}]
        items = []
        for pod in sorted(pods, key=lambda p: (p.metadata.namespace, p.metadata.name)):
            with contextlib.suppress(NotFoundError):  # deleted meanwhile
                items.append(await self._pod_json(pod))
        return {"apiVersion": "v1", "kind": "PodList", "items": items}

    async def _apply(self, request: Request, namespace: str) -> Json:
        objects = manifests.load(request.body, source="request")
        for obj in objects:
            if obj.metadata.namespace != namespace:
                msg = (
                    f"{type(obj).__name__} {obj.metadata.name!r} is in namespace"
                    f" {obj.metadata.namespace!r}, not {namespace!r}"
                )
                raise InvalidArgumentError(msg)
        pods = await self.node.apply(objects)
        items = [await self._pod_json(pod) for pod in pods]
        return {"apiVersion": "v1", "kind": "PodList", "items": items}

    async def _events(self, request: Request, namespace: str) -> Json:
        field, _, name = request.query.get("fieldSelector", "").partition("=")
        if field != "involvedObject.name" or not name:
            msg = "events are listed per pod: fieldSelector=involvedObject.name=NAME"
            raise InvalidArgumentError(msg)
        pod = self.node.pod(namespace, name)
        status = await self.node.status(namespace, name)
        return _encode.event_list(pod, status.events)

    async def _delete_pod(self, request: Request, namespace: str, name: str) -> None:
        grace = request.query.get("gracePeriodSeconds")
        try:
            grace_period = None if grace is None else float(grace)
        except ValueError:
            msg = f"gracePeriodSeconds: not a number: {grace!r}"
            raise InvalidArgumentError(msg) from None
        self.node.pod(namespace, name)  # NotFoundError first
        LOGGER.info("deleting pod %s/%s (asked through the API)", namespace, name)
        await self.delete(namespace, name, grace_period)

    def _container(self, request: Request, namespace: str, name: str) -> str:
        """The container a request names, or the pod's only one (kubectl's rule)."""
        pod = self.node.pod(namespace, name)
        container = request.query.get("container", "")
        every = [c.name for c in (*pod.spec.init_containers, *pod.spec.containers)]
        if container in every:
            return container
        if container:
            msg = f"container {container} is not valid for pod {name}"
            raise NotFoundError(msg)
        names = [c.name for c in pod.spec.containers]
        if len(names) == 1:
            return names[0]
        msg = (
            f"a container name must be specified for pod {name}, choose one of: [{' '.join(every)}]"
        )
        raise InvalidArgumentError(msg)

    async def _log(
        self,
        request: Request,
        namespace: str,
        name: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        container = self._container(request, namespace, name)
        follow = request.flag("follow") and not request.flag("previous")
        lines = self.node.stream_logs(
            namespace, name, container, follow=follow, previous=request.flag("previous")
        )
        try:
            # the whole log first, so that an error (no previous run...) comes before the head
            done = [] if follow else [line async for line in lines]
            writer.write(CHUNKED_HEAD)
            for line in done:
                await chunk(writer, line)
            if follow:
                gone = asyncio.ensure_future(reader.read(1))  # EOF: the client left
                try:
                    await stream_lines(lines, writer, gone)
                finally:
                    gone.cancel()
            writer.write(LAST_CHUNK)
            await writer.drain()
        finally:
            if isinstance(lines, AsyncGenerator):
                await lines.aclose()

    async def _exec(self, request: Request, namespace: str, name: str) -> Json:
        try:
            body = json.loads(request.body or b"{}")
            command = [str(word) for word in body["command"]]
            timeout = int(body.get("timeout", 0))
        except (ValueError, KeyError, TypeError) as exc:
            msg = f'exec wants {{"command": [...], "timeout": N}}: {exc}'
            raise InvalidArgumentError(msg) from None
        if not command:
            msg = "exec: the command is empty"
            raise InvalidArgumentError(msg)
        container = self._container(request, namespace, name)
        result = await self.node.exec(namespace, name, container, command, timeout=timeout)
        return {
            "stdout": base64.b64encode(result.stdout).decode(),
            "stderr": base64.b64encode(result.stderr).decode(),
            "exitCode": result.exit_code,
        }


__all__ = ["NodeApiServer"]

"""``SyncNode``: a :class:`~podkit.kubelet.Node` for plain synchronous code.

The node lives in an event loop of its own, run by a thread; each method
submits the node's coroutine to it and waits for the result.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any, Self, TypeVar, final

from podkit.errors import FailedPreconditionError
from podkit.kubelet._node import Node

if TYPE_CHECKING:
    from collections.abc import Coroutine, Iterable, Iterator, Sequence
    from types import TracebackType

    from podkit.kubelet._node import Condition
    from podkit.kubelet._status import PodStatus
    from podkit.models.kube import KubeObject, Pod
    from podkit.models.runtime import ExecSyncResponse

_T = TypeVar("_T")


@final
class SyncNode:
    """The :class:`Node` API with plain methods, for code without an event loop.

    ::

        with podkit.SyncNode() as node:
            node.apply(podkit.manifests.load_file("pod.yaml"))
            node.wait_for("default", "hello", "Succeeded", timeout=60)

    Takes the arguments of :class:`Node`, and starts it (:meth:`Node.start`:
    the pods of an earlier run on the same ``state_dir`` are taken over).
    :meth:`close` (or leaving the ``with`` block) deletes every pod and
    stops the thread.

    .. versionadded:: 0.1
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - Node's arguments
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="podkit-node", daemon=True
        )
        self._thread.start()
        try:
            self.node = self._run(self._make(args, kwargs))
            self._run(self.node.start())
        except BaseException:
            self._stop_loop()
            raise

    @staticmethod
    async def _make(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Node:
        return Node(*args, **kwargs)

    def _run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        if threading.current_thread() is self._thread:
            coroutine.close()
            # e.g. a wait_for condition (it runs on the node's loop) calling node.logs():
            # waiting here for the loop would wait forever.
            msg = "a SyncNode method was called from the node's own loop (a wait_for condition?)"
            raise FailedPreconditionError(msg)
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def apply(self, objects: Iterable[KubeObject]) -> list[Pod]:
        """See :meth:`Node.apply`."""
        return self._run(self.node.apply(list(objects)))

    def delete(self, namespace: str, name: str, *, grace_period: float | None = None) -> None:
        """See :meth:`Node.delete`."""
        self._run(self.node.delete(namespace, name, grace_period=grace_period))

    def status(self, namespace: str, name: str) -> PodStatus:
        """See :meth:`Node.status`."""
        return self._run(self.node.status(namespace, name))

    def wait_for(
        self, namespace: str, name: str, condition: Condition, *, timeout: float = 60.0
    ) -> PodStatus:
        """See :meth:`Node.wait_for`."""
        return self._run(self.node.wait_for(namespace, name, condition, timeout=timeout))

    def logs(self, namespace: str, name: str, container: str, *, previous: bool = False) -> str:
        """See :meth:`Node.logs`."""
        return self._run(self.node.logs(namespace, name, container, previous=previous))

    def stream_logs(
        self,
        namespace: str,
        name: str,
        container: str,
        *,
        follow: bool = False,
        previous: bool = False,
    ) -> Iterator[str]:
        """See :meth:`Node.stream_logs`; a plain iterator, closed with the loop's help."""
        lines = self.node.stream_logs(namespace, name, container, follow=follow, previous=previous)

        async def step() -> str | None:
            return await anext(lines, None)

        try:
            while (line := self._run(step())) is not None:
                yield line
        finally:
            self._run(lines.aclose())

    def exec(
        self, namespace: str, name: str, container: str, cmd: Sequence[str], *, timeout: int = 0
    ) -> ExecSyncResponse:
        """See :meth:`Node.exec`."""
        return self._run(self.node.exec(namespace, name, container, cmd, timeout=timeout))

    def collect_orphans(self) -> list[str]:
        """See :meth:`Node.collect_orphans`."""
        return self._run(self.node.collect_orphans())

    def pods(self) -> list[Pod]:
        """See :meth:`Node.pods`."""
        return self.node.pods()

    def close(self, *, keep_pods: bool = False) -> None:
        """Delete every pod (see :meth:`Node.close`) and stop the node's thread."""
        if not self._thread.is_alive():
            return
        try:
            self._run(self.node.close(keep_pods=keep_pods))
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


__all__ = ["SyncNode"]

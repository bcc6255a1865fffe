"""Static pods: a directory of manifests that a node keeps running (the kubelet's file source).

The kubelet's file source (``pkg/kubelet/config/file.go``) watches a
directory; every Pod in its files runs on the node, marked with the
annotations ``kubernetes.io/config.source: file`` and
``kubernetes.io/config.hash``. :class:`StaticPodSource` does the same by
polling: each look reads the files whose content hash changed, then makes the
node's static pods what the files say — a new file's pods are applied, a
pod whose spec changed is deleted and applied again (pod specs are
immutable), the pods of a removed file are deleted. The node's pods are the
state, not this object's memory: after the agent restarts, its first look
deletes the static pods whose file is gone and keeps those whose file is
unchanged. A file that does not validate is logged once (file, field path)
and its last valid version stays in force; it is read again when it changes.
A static pod deleted by hand comes back at the next look, as in Kubernetes.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import TYPE_CHECKING, Final, final

import attrs

from podkit import manifests
from podkit.errors import PodkitError
from podkit.models.kube import ConfigMap, Pod, Secret

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable
    from pathlib import Path

    from podkit.kubelet._node import Node
    from podkit.models.kube import KubeObject

#: The annotations of a static pod (``kubetypes.ConfigSourceAnnotationKey``...).
SOURCE_ANNOTATION: Final = "kubernetes.io/config.source"
HASH_ANNOTATION: Final = "kubernetes.io/config.hash"
#: The file a static pod comes from (podkit's own).
FILE_ANNOTATION: Final = "podkit.dev/config.file"
FILE_SOURCE: Final = "file"
#: What the directory's manifests are named; hidden files (editors' swap files) are skipped.
SUFFIXES: Final = (".yaml", ".yml", ".json")
DEFAULT_PERIOD: Final = 1.0
LOGGER: Final = logging.getLogger("podkit.kubelet.static")

_Key = tuple[str, str]


def is_static(pod: Pod) -> bool:
    """Whether ``pod`` came from a static-pod directory."""
    return pod.metadata.annotations.get(SOURCE_ANNOTATION) == FILE_SOURCE


def pod_hash(pod: Pod) -> str:
    """The hash of what a static pod's file says of it (``kubernetes.io/config.hash``)."""
    return hashlib.sha256(repr(pod).encode()).hexdigest()[:16]


def _marked(pod: Pod, path: Path) -> Pod:
    namespace = pod.metadata.namespace or "default"
    annotations = {
        **pod.metadata.annotations,
        SOURCE_ANNOTATION: FILE_SOURCE,
        HASH_ANNOTATION: pod_hash(pod),
        FILE_ANNOTATION: path.name,
    }
    meta = attrs.evolve(pod.metadata, namespace=namespace, annotations=annotations)
    return attrs.evolve(pod, metadata=meta)


@final
@attrs.frozen(kw_only=True)
class _FileVersion:
    """One version of a manifest file: its content hash and its objects (the last valid ones)."""

    digest: str
    objects: tuple[KubeObject, ...] = ()
    #: The content did not validate; :attr:`objects` are an earlier version's.
    invalid: bool = False


def _key(pod: Pod) -> _Key:
    return (pod.metadata.namespace or "default", pod.metadata.name)


@final
class StaticPodSource:
    """Keeps a node's static pods in line with the manifests of a directory.

    ::

        source = StaticPodSource(node, Path("/etc/podkit/manifests"))
        task = asyncio.create_task(source.run())

    :param node: the node that runs the pods.
    :param directory: the manifests (YAML or JSON, several documents each);
        created when missing.
    :param period: seconds between two looks at the directory.
    :param delete: how a pod is deleted (``node.delete`` by default), for an
        agent that tracks deletions.
    """

    def __init__(
        self,
        node: Node,
        directory: Path,
        *,
        period: float = DEFAULT_PERIOD,
        delete: Callable[[str, str], Awaitable[None]] | None = None,
    ) -> None:
        self.node: Final = node
        self.directory: Final = directory
        self.period: Final = period
        self._delete = delete or node.delete
        self._files: dict[Path, _FileVersion] = {}
        #: Pods that could not be applied, by the hash they had: logged once.
        self._failed: dict[_Key, str] = {}

    async def run(self) -> None:
        """Look at the directory every :attr:`period` seconds, until cancelled."""
        while True:
            try:
                await self.sync()
            except PodkitError as exc:  # a pod's teardown failed: tried again next look
                LOGGER.warning("static pods: %s", exc)
            await asyncio.sleep(self.period)

    async def sync(self) -> None:
        """Read what changed in the directory, and make the node's static pods match it."""
        await self.node.start()  # the pods of an earlier run first: they may be static ones
        changed = await asyncio.to_thread(self._read)
        await self._apply_configs(changed)
        wanted = self._wanted()
        running = {_key(pod): pod for pod in self.node.pods() if is_static(pod)}
        for key, pod in running.items():
            new = wanted.get(key)
            if new is None or new.metadata.annotations[HASH_ANNOTATION] != _hash_of(pod):
                why = "its file is gone" if new is None else "its file changed"
                LOGGER.info("static pod %s/%s: %s; deleting it", *key, why)
                await self._delete(*key)
        running = {_key(pod): pod for pod in self.node.pods()}
        for key, pod in wanted.items():
            current = running.get(key)
            if current is None:
                await self._apply(key, pod)
            elif not is_static(current):
                self._log_once(key, pod, "a pod of that name, not from a file, runs already")

    # -- the files ----------------------------------------------------------------------

    def _paths(self) -> list[Path]:
        self.directory.mkdir(parents=True, exist_ok=True)
        return sorted(
            path
            for path in self.directory.iterdir()
            if path.suffix in SUFFIXES and not path.name.startswith(".") and path.is_file()
        )

    def _read(self) -> list[Path]:
        """Read the files that changed; the ones that changed and are valid."""
        changed = []
        paths = self._paths()
        for gone in set(self._files) - set(paths):
            LOGGER.info("static pod file %s removed", gone)
            del self._files[gone]
        for path in paths:
            try:
                data = path.read_bytes()
            except OSError as exc:  # removed meanwhile, or unreadable: next look
                LOGGER.warning("static pod file %s: %s", path, exc.strerror)
                continue
            digest = hashlib.sha256(data).hexdigest()
            known = self._files.get(path)
            if known is not None and known.digest == digest:
                continue
            self._files[path] = self._load(path, data, digest, known)
            if not self._files[path].invalid:
                changed.append(path)
        return changed

    def _load(
        self, path: Path, data: bytes, digest: str, known: _FileVersion | None
    ) -> _FileVersion:
        try:
            objects = manifests.load(data, source=str(path))
        except PodkitError as exc:
            LOGGER.error(  # noqa: TRY400 - the manifest's errors, not a traceback, help the user
                "static pod file %s is invalid%s:\n%s",
                path,
                "; its previous version stays in force" if known and known.objects else "",
                exc,
            )
            previous = known.objects if known else ()
            return _FileVersion(digest=digest, objects=previous, invalid=True)
        LOGGER.info("static pod file %s: %s", path, "changed" if known else "added")
        marked = tuple(_marked(o, path) if isinstance(o, Pod) else o for o in objects)
        return _FileVersion(digest=digest, objects=marked)

    def _wanted(self) -> dict[_Key, Pod]:
        wanted: dict[_Key, Pod] = {}
        for path, version in self._files.items():
            for pod in (o for o in version.objects if isinstance(o, Pod)):
                key = _key(pod)
                if key in wanted:
                    other = wanted[key].metadata.annotations[FILE_ANNOTATION]
                    self._log_once(key, pod, f"also in {other}; {path.name} is ignored for it")
                    continue
                wanted[key] = pod
        return wanted

    # -- the node ---------------------------------------------------------------------

    async def _apply_configs(self, paths: Iterable[Path]) -> None:
        """Hand the node the Secrets and ConfigMaps of files that changed (before the pods)."""
        for path in paths:
            configs = [o for o in self._files[path].objects if isinstance(o, Secret | ConfigMap)]
            if not configs:
                continue
            try:
                await self.node.apply(configs)
            except PodkitError as exc:
                LOGGER.error("static pod file %s: %s", path, exc)  # noqa: TRY400 - no traceback

    async def _apply(self, key: _Key, pod: Pod) -> None:
        try:
            await self.node.apply([pod])
        except PodkitError as exc:
            self._log_once(key, pod, str(exc))
            return
        self._failed.pop(key, None)
        LOGGER.info("static pod %s/%s applied", *key)

    def _log_once(self, key: _Key, pod: Pod, message: str) -> None:
        digest = pod.metadata.annotations[HASH_ANNOTATION]
        if self._failed.get(key) != digest:
            self._failed[key] = digest
            LOGGER.error("static pod %s/%s: %s", *key, message)


def _hash_of(pod: Pod) -> str:
    return pod.metadata.annotations.get(HASH_ANNOTATION, "")


__all__ = [
    "DEFAULT_PERIOD",
    "FILE_ANNOTATION",
    "HASH_ANNOTATION",
    "SOURCE_ANNOTATION",
    "StaticPodSource",
    "is_static",
    "pod_hash",
]

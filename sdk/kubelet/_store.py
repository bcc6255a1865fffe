"""What a node was given, on disk, so that a node restarted after kill -9 knows it again.

A lone node has no API server to list its pods from after a restart: it
keeps them itself, under ``<state_dir>/desired``, one small JSON file per
object, each written atomically (:mod:`podkit.statefiles`)::

    desired/pods/<uid>.json                 {"version": 1, "deleting": false, "object": {...}}
    desired/objects/<Kind>_<ns>_<name>.json {"version": 1, "object": {...}}
    desired/events/<uid>.jsonl              the pod's recent events (:mod:`._events`)

A Pod is written, with its admitted uid, before its worker starts, and
marked ``deleting`` before its teardown begins; its file goes when the
teardown is complete. Objects are encoded by :mod:`._codec`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final, final

import attrs

from podkit import statefiles
from podkit.errors import IncompatibleVersionError, InternalError
from podkit.kubelet._codec import decode, encode
from podkit.kubelet._context import DEFAULT_MAX_EVENTS
from podkit.kubelet._events import EventLog
from podkit.models.kube import ConfigMap, Pod, Secret

if TYPE_CHECKING:
    from pathlib import Path

#: The format of the files; a newer one is refused, not overwritten.
VERSION: Final = 1
#: Leftovers of a write cut by kill -9 (see :func:`podkit.statefiles.write_bytes`).
TEMPORARY_GLOB: Final = ".*.tmp"


@final
@attrs.frozen(kw_only=True)
class StoredPod:
    """A Pod the node was given, and whether its deletion has begun."""

    pod: Pod
    deleting: bool = False


def _read(path: Path) -> dict[str, object]:
    try:
        body = json.loads(path.read_text())
    except ValueError as exc:
        msg = f"failed to read the node's state {path}: {exc}"
        raise InternalError(msg) from exc
    if not isinstance(body, dict) or body.get("version") != VERSION:
        version = body.get("version") if isinstance(body, dict) else None
        msg = f"the node's state {path} has version {version!r}; this podkit reads {VERSION}"
        raise IncompatibleVersionError(msg)
    return body


@final
class NodeStore:
    """The Pods, Secrets and ConfigMaps of a node, and its pods' events, under ``root``.

    :param max_events: how many events each pod keeps.
    """

    def __init__(self, root: Path, *, max_events: int = DEFAULT_MAX_EVENTS) -> None:
        self.root = root
        self._pods = root / "pods"
        self._objects = root / "objects"
        #: The pods' events.
        self.events: Final = EventLog(root / "events", max_events)

    # -- pods ------------------------------------------------------------------

    def save_pod(self, pod: Pod, *, deleting: bool = False) -> None:
        """Keep ``pod`` (by uid), or mark it as being deleted."""
        body = {"version": VERSION, "deleting": deleting, "object": encode(pod)}
        statefiles.write_json(self._pods / f"{pod.metadata.uid}.json", body)

    def forget_pod(self, uid: str) -> None:
        """Drop a pod whose teardown is complete, and its events (a missing one is fine)."""
        self.events.forget(uid)
        (self._pods / f"{uid}.json").unlink(missing_ok=True)
        if self._pods.is_dir():
            statefiles.fsync_dir(self._pods)

    def pods(self) -> list[StoredPod]:
        """Every pod kept.

        :raises podkit.errors.IncompatibleVersionError: a file of another format.
        :raises podkit.errors.InternalError: a file that cannot be read.
        """
        found = []
        for path in sorted(self._pods.glob("*.json")) if self._pods.is_dir() else []:
            body = _read(path)
            pod = decode(body["object"])
            if not isinstance(pod, Pod):
                msg = f"the node's state {path} holds no Pod"
                raise InternalError(msg)
            found.append(StoredPod(pod=pod, deleting=bool(body.get("deleting"))))
        return found

    # -- secrets and config maps -------------------------------------------------

    def _object_path(self, obj: Secret | ConfigMap) -> Path:
        meta = obj.metadata
        namespace = meta.namespace or "default"
        return self._objects / f"{type(obj).__name__}_{namespace}_{meta.name}.json"

    def save_object(self, obj: Secret | ConfigMap) -> None:
        """Keep a Secret or ConfigMap, replacing the one of the same name."""
        statefiles.write_json(self._object_path(obj), {"version": VERSION, "object": encode(obj)})

    def objects(self) -> list[Secret | ConfigMap]:
        """Every Secret and ConfigMap kept."""
        found: list[Secret | ConfigMap] = []
        for path in sorted(self._objects.glob("*.json")) if self._objects.is_dir() else []:
            obj = decode(_read(path)["object"])
            if not isinstance(obj, Secret | ConfigMap):
                msg = f"the node's state {path} holds no Secret or ConfigMap"
                raise InternalError(msg)
            found.append(obj)
        return found

    # -- housekeeping ----------------------------------------------------------------

    def clear_objects(self) -> None:
        """Forget every Secret and ConfigMap (the node is closed for good)."""
        for path in self._objects.glob("*") if self._objects.is_dir() else []:
            path.unlink(missing_ok=True)

    def remove_temporaries(self) -> int:
        """Remove what writes cut by kill -9 left; how many files."""
        folders = [d for d in (self._pods, self._objects, self.events.directory) if d.is_dir()]
        found = [path for folder in folders for path in folder.glob(TEMPORARY_GLOB)]
        for path in found:
            path.unlink(missing_ok=True)
        return len(found)

    def remove_empty(self) -> None:
        """Remove the store's folders when nothing is kept."""
        for directory in (self._pods, self._objects, self.events.directory, self.root):
            try:
                directory.rmdir()
            except OSError:  # missing, or not empty
                continue


__all__ = ["VERSION", "NodeStore", "StoredPod"]

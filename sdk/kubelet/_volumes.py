"""The volume manager: a pod's volumes published through the storage hooks.

Every volume of a pod is a CSI ``NodePublishVolume`` at
``<pods dir>/<uid>/volumes/<name>`` (DESIGN.md: every volume type is a
storage plugin), addressed to the driver of its type, with the request
encoded as the reference drivers document it:

=============  ================================  ==========================================
volume         driver                            request
=============  ================================  ==========================================
hostPath       ``hostpath.volumes.podkit.dev``   ``volume_context``: ``path``, ``type``
emptyDir       ``emptydir.volumes.podkit.dev``   ``volume_context``: ``medium``, ``sizeLimit``
secret         ``secret.volumes.podkit.dev``     ``secrets``: the data, base64; options below
configMap      ``configmap.volumes.podkit.dev``  ``podkit.dev/data`` (JSON), ``binaryData``
csi (inline)   its ``driver``                    its ``volumeAttributes``; its secret's data
=============  ================================  ==========================================

Secret and ConfigMap volumes take ``podkit.dev/items``, ``podkit.dev/defaultMode``
and ``podkit.dev/optional`` and are published read-only, as the kubelet mounts
them. Publishing is all or nothing (what was published is unpublished when a
later volume fails) and idempotent; unpublishing goes in reverse order and
treats a volume already gone as done (CSI ``NodeUnpublishVolume``).
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
from typing import TYPE_CHECKING, Final, final

import attrs

from podkit import statefiles
from podkit.errors import InternalError, NotFoundError, PodkitError
from podkit.kubelet._convert import VolumePath
from podkit.models.kube import Secret
from podkit.models.storage import AccessMode, MountVolume, VolumeCapability

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

    from podkit.kubelet._env import Objects
    from podkit.models.kube import ConfigMap, KeyToPath, Pod, Volume
    from podkit.pluginmanager import StorageHooks

HOSTPATH_DRIVER: Final = "hostpath.volumes.podkit.dev"
EMPTYDIR_DRIVER: Final = "emptydir.volumes.podkit.dev"
SECRET_DRIVER: Final = "secret.volumes.podkit.dev"  # noqa: S105 - a driver name
CONFIGMAP_DRIVER: Final = "configmap.volumes.podkit.dev"
_PREFIX: Final = "podkit.dev/"
#: What a pod's volume directory records of its publications.
RECORD: Final = "volumes.json"
_CAPABILITY: Final = VolumeCapability(
    access_type=MountVolume(), access_mode=AccessMode.SINGLE_NODE_WRITER
)


@final
@attrs.frozen(kw_only=True)
class Publication:
    """One ``NodePublishVolume`` request of a pod volume."""

    name: str
    driver: str
    volume_id: str
    target: str
    readonly: bool = False
    secrets: Mapping[str, str] | None = attrs.field(default=None, repr=False)
    volume_context: Mapping[str, str] = attrs.field(factory=dict)


def _base64(data: Mapping[str, bytes]) -> dict[str, str]:
    return {key: base64.b64encode(value).decode() for key, value in data.items()}


def projection_context(
    items: tuple[KeyToPath, ...], default_mode: int, *, optional: bool
) -> dict[str, str]:
    """``podkit.dev/items``, ``defaultMode`` and ``optional`` of a Secret or ConfigMap volume."""
    context = {
        f"{_PREFIX}defaultMode": str(default_mode),
        f"{_PREFIX}optional": "true" if optional else "false",
    }
    if items:
        entries = [
            {"key": i.key, "path": i.path} | ({} if i.mode is None else {"mode": i.mode})
            for i in items
        ]
        context[f"{_PREFIX}items"] = json.dumps(entries)
    return context


class VolumeManager:
    """Publishes and unpublishes the volumes of pods.

    :param storage: the storage hooks.
    :param pods_dir: where each pod's volumes are published (``<uid>/volumes/<name>``).
    :param objects: the node's Secrets and ConfigMaps.
    """

    def __init__(self, storage: StorageHooks, pods_dir: Path, objects: Objects) -> None:
        self.storage = storage
        self.pods_dir = pods_dir
        self.objects = objects

    def volumes_dir(self, pod: Pod) -> Path:
        """``<pods dir>/<uid>/volumes``."""
        return self.pods_dir / pod.metadata.uid / "volumes"

    def publication(self, pod: Pod, volume: Volume) -> Publication:
        """The request that publishes ``volume`` of ``pod``.

        :raises podkit.errors.NotFoundError: a Secret or ConfigMap that is not
            optional is missing.
        """
        base = Publication(
            name=volume.name,
            driver="",
            volume_id=f"{pod.metadata.uid}-{volume.name}",
            target=str(self.volumes_dir(pod) / volume.name),
        )
        namespace = pod.metadata.namespace
        if volume.host_path is not None:
            source = volume.host_path
            context = {"path": source.path, "type": source.type.value}
            return attrs.evolve(base, driver=HOSTPATH_DRIVER, volume_context=context)
        if volume.empty_dir is not None:
            empty = volume.empty_dir
            context = {"medium": empty.medium.value} if empty.medium.value else {}
            if empty.size_limit is not None:
                context["sizeLimit"] = str(empty.size_limit)
            return attrs.evolve(base, driver=EMPTYDIR_DRIVER, volume_context=context)
        if volume.secret is not None:
            return self._secret(base, namespace, volume)
        if volume.config_map is not None:
            return self._config_map(base, namespace, volume)
        if volume.csi is not None:
            return self._csi(base, pod, volume)
        msg = f"failed to publish volume {volume.name!r}: no source"  # pragma: no cover
        raise NotFoundError(msg)  # pragma: no cover - the model requires one

    def _secret(self, base: Publication, namespace: str, volume: Volume) -> Publication:
        source = volume.secret
        assert source is not None  # noqa: S101 - checked by the caller
        secret = self.objects.secret(namespace, source.secret_name)
        if secret is None and not source.optional:
            msg = f'secret "{source.secret_name}" not found'
            raise NotFoundError(msg)
        options = projection_context(source.items, source.default_mode, optional=source.optional)
        data = _base64(secret.data) if secret is not None else {}
        return attrs.evolve(
            base, driver=SECRET_DRIVER, readonly=True, secrets=data, volume_context=options
        )

    def _config_map(self, base: Publication, namespace: str, volume: Volume) -> Publication:
        source = volume.config_map
        assert source is not None  # noqa: S101 - checked by the caller
        config_map = self.objects.config_map(namespace, source.name)
        if config_map is None and not source.optional:
            msg = f'configmap "{source.name}" not found'
            raise NotFoundError(msg)
        context = projection_context(source.items, source.default_mode, optional=source.optional)
        data = dict(config_map.data) if config_map is not None else {}
        context[f"{_PREFIX}data"] = json.dumps(data, sort_keys=True)
        if config_map is not None and config_map.binary_data:
            context[f"{_PREFIX}binaryData"] = json.dumps(
                _base64(config_map.binary_data), sort_keys=True
            )
        return attrs.evolve(base, driver=CONFIGMAP_DRIVER, readonly=True, volume_context=context)

    def _csi(self, base: Publication, pod: Pod, volume: Volume) -> Publication:
        source = volume.csi
        assert source is not None  # noqa: S101 - checked by the caller
        secrets: dict[str, str] | None = None
        if source.node_publish_secret_ref is not None:
            name = source.node_publish_secret_ref.name
            secret = self.objects.secret(pod.metadata.namespace, name)
            if secret is None:
                msg = f'secret "{name}" not found'
                raise NotFoundError(msg)
            secrets = {k: v.decode(errors="replace") for k, v in secret.data.items()}
        context = {  # what the kubelet adds for ephemeral inline volumes (podInfoOnMount)
            **source.volume_attributes,
            "csi.storage.k8s.io/ephemeral": "true",
            "csi.storage.k8s.io/pod.name": pod.metadata.name,
            "csi.storage.k8s.io/pod.namespace": pod.metadata.namespace,
            "csi.storage.k8s.io/pod.uid": pod.metadata.uid,
            "csi.storage.k8s.io/serviceAccount.name": pod.spec.service_account_name or "default",
        }
        return attrs.evolve(
            base,
            driver=source.driver,
            readonly=source.read_only,
            secrets=secrets,
            volume_context=context,
        )

    def _publish_one(self, publication: Publication) -> None:
        self.storage.node_publish_volume(
            publication.driver,
            publication.volume_id,
            {},
            "",
            publication.target,
            _CAPABILITY,
            publication.readonly,
            secrets=publication.secrets,
            volume_context=publication.volume_context,
        )

    def _unpublish_one(self, publication: Publication) -> None:
        self.storage.node_unpublish_volume(
            publication.driver, publication.volume_id, publication.target
        )

    def _record(self, uid: str) -> Path:
        return self.pods_dir / uid / RECORD

    def publish(self, pod: Pod) -> dict[str, VolumePath]:
        """Publish every volume of ``pod``; all of them or none.

        What is about to be published is recorded first in
        ``<uid>/volumes.json`` (without secrets), so that a node restarted
        after a crash can unpublish it (:meth:`collect`).

        :returns: each volume's path on the node, by volume name.
        :raises podkit.errors.PodkitError: a volume could not be published;
            the ones published before it are unpublished again.
        """
        paths: dict[str, VolumePath] = {}
        entries: list[dict[str, str]] = []
        uid = pod.metadata.uid
        with contextlib.ExitStack() as undo:
            for volume in pod.spec.volumes:
                publication = self.publication(pod, volume)
                self.volumes_dir(pod).mkdir(parents=True, exist_ok=True)
                entries.append(
                    {
                        "driver": publication.driver,
                        "volumeId": publication.volume_id,
                        "target": publication.target,
                    }
                )
                statefiles.write_json(self._record(uid), {"volumes": entries})
                self._publish_one(publication)
                undo.callback(self._unpublish_one, publication)
                paths[volume.name] = VolumePath(publication.target, read_only=publication.readonly)
            undo.pop_all()
        return paths

    def refresh(self, pod: Pod, volume: Volume) -> None:
        """Publish a Secret or ConfigMap volume again with the object's current data."""
        self._publish_one(self.publication(pod, volume))

    def unpublish(self, pod: Pod) -> None:
        """Unpublish every volume of ``pod``, in reverse order, and remove its directory.

        Idempotent. Every volume is tried; the first failure is raised after.
        """
        uid = pod.metadata.uid
        self._unpublish_all(
            uid,
            [
                (_driver(v), f"{uid}-{v.name}", str(self.volumes_dir(pod) / v.name))
                for v in pod.spec.volumes
            ],
        )

    def _unpublish_all(self, uid: str, publications: list[tuple[str, str, str]]) -> None:
        failures: list[PodkitError] = []
        for driver, volume_id, target in reversed(publications):
            try:
                self.storage.node_unpublish_volume(driver, volume_id, target)
            except PodkitError as exc:
                failures.append(exc)
        if failures:
            raise failures[0]
        pod_dir = self.pods_dir / uid
        if not _has_mounts_under(pod_dir):
            shutil.rmtree(pod_dir, ignore_errors=True)

    def orphans(self, keep: Iterable[str]) -> list[str]:
        """The uids of the pods with a directory here that are not in ``keep``."""
        if not self.pods_dir.is_dir():
            return []
        kept = set(keep)
        return sorted(p.name for p in self.pods_dir.iterdir() if p.name not in kept)

    def collect(self, uid: str) -> None:
        """Unpublish what the record of pod ``uid`` lists, and remove its directory."""
        try:
            body = json.loads(self._record(uid).read_text())
        except FileNotFoundError:
            body = {"volumes": []}
        except ValueError as exc:
            msg = f"failed to read the volume record of pod {uid!r}: {exc}"
            raise InternalError(msg) from exc
        entries = [(v["driver"], v["volumeId"], v["target"]) for v in body["volumes"]]
        self._unpublish_all(uid, entries)


def projects(volume: Volume, obj: Secret | ConfigMap) -> bool:
    """Whether ``volume`` holds the data of ``obj``."""
    if isinstance(obj, Secret):
        return volume.secret is not None and volume.secret.secret_name == obj.metadata.name
    return volume.config_map is not None and volume.config_map.name == obj.metadata.name


def _driver(volume: Volume) -> str:
    if volume.host_path is not None:
        return HOSTPATH_DRIVER
    if volume.empty_dir is not None:
        return EMPTYDIR_DRIVER
    if volume.secret is not None:
        return SECRET_DRIVER
    if volume.config_map is not None:
        return CONFIGMAP_DRIVER
    return volume.csi.driver if volume.csi is not None else ""


def _has_mounts_under(directory: Path) -> bool:
    """Whether anything is mounted at or below ``directory`` (then it must not be removed)."""
    prefix = str(directory)
    with open("/proc/self/mountinfo", encoding="utf-8") as mountinfo:  # noqa: PTH123
        for line in mountinfo:
            point = line.split()[4].replace("\\040", " ")
            if point == prefix or point.startswith(f"{prefix}/"):
                return True
    return False


__all__ = [
    "CONFIGMAP_DRIVER",
    "EMPTYDIR_DRIVER",
    "HOSTPATH_DRIVER",
    "SECRET_DRIVER",
    "Publication",
    "VolumeManager",
    "projection_context",
    "projects",
]

"""The Secrets and ConfigMaps a node was given, by namespace and name.

A lone node has no API server to watch: what :meth:`Node.apply
<podkit.kubelet.Node.apply>` gets is kept here, and the pod workers look
their pods' Secrets and ConfigMaps up in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, final

from podkit.models.kube import ConfigMap, Secret

if TYPE_CHECKING:
    from podkit.models.kube import ObjectMeta


def _key(meta: ObjectMeta) -> tuple[str, str]:
    return meta.namespace or "default", meta.name


@final
class ObjectStore:
    """Secrets and ConfigMaps by ``(namespace, name)``."""

    def __init__(self) -> None:
        self._secrets: dict[tuple[str, str], Secret] = {}
        self._config_maps: dict[tuple[str, str], ConfigMap] = {}

    def put(self, obj: Secret | ConfigMap) -> bool:
        """Keep ``obj``, replacing one of the same name; ``True`` if it changed."""
        store: dict[tuple[str, str], Secret | ConfigMap]
        store = self._secrets if isinstance(obj, Secret) else self._config_maps  # type: ignore[assignment]
        key = _key(obj.metadata)
        changed = store.get(key) != obj
        store[key] = obj
        return changed

    def remove(self, kind: type[Secret | ConfigMap], namespace: str, name: str) -> None:
        """Forget an object; unknown ones are ignored."""
        store = self._secrets if kind is Secret else self._config_maps
        store.pop((namespace, name), None)

    def secret(self, namespace: str, name: str) -> Secret | None:
        """The Secret, or ``None``."""
        return self._secrets.get((namespace, name))

    def config_map(self, namespace: str, name: str) -> ConfigMap | None:
        """The ConfigMap, or ``None``."""
        return self._config_maps.get((namespace, name))


__all__ = ["ObjectStore"]

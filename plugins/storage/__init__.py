"""The reference storage plugins, each a CSI driver behind the storage hooks.

- :class:`~podkit.plugins.storage.hostpath.HostPathDriver`
  (``hostpath.csi.podkit.dev``): a CSI driver in the manner of the upstream
  hostpath driver, Controller and Node service: volumes are directories.
- :class:`~podkit.plugins.storage.hostpath_volume.HostPathVolumes`
  (``hostpath.volumes.podkit.dev``): Kubernetes ``hostPath`` volumes.
- :class:`~podkit.plugins.storage.emptydir.EmptyDirVolumes`
  (``emptydir.volumes.podkit.dev``): Kubernetes ``emptyDir`` volumes.
- :class:`~podkit.plugins.storage.projected.SecretVolumes` and
  :class:`~podkit.plugins.storage.projected.ConfigMapVolumes`
  (``secret.volumes.podkit.dev``, ``configmap.volumes.podkit.dev``): Kubernetes
  ``secret`` and ``configMap`` volumes on tmpfs, updated atomically.

They import only podkit's public API, as a third party's plugins would.
"""

from __future__ import annotations

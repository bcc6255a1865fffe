"""Test helpers for podkit and for plugin authors, like ``kopf.testing``.

- :func:`build_busybox_image` packs Debian's static busybox into an OCI image layout,
  and :func:`read_oci_layout` reads one back, verifying every digest and size.
- :class:`LeakChecker` finds what a test left on the host: network namespaces,
  links, mounts, cgroups, nftables tables, processes and state files.
- :func:`require_root`, :func:`require_netns` and :func:`require_binary` skip a test
  by capability, or fail it when ``PODKIT_TESTS_STRICT=1`` (:data:`STRICT_ENV`).
- :func:`sweep_cgroups` and :func:`sweep_mounts` remove what a failed run left in
  cgroups and under a folder, at teardown.

- :mod:`podkit.testing.containerd` runs Debian's containerd (CRI plugin, runc) on a
  temporary directory, as a peer to validate a CRI client or a CNI plugin against.
- :mod:`podkit.testing.registry` starts Debian's ``docker-registry`` on 127.0.0.1
  and pushes OCI layouts to it with skopeo, for pull tests against the real API.

The pytest side (markers, the autouse leak check, the ``busybox_image`` fixture)
is the plugin module ``podkit.testing.pytest_plugin``, loaded with ``-p``.
"""

from __future__ import annotations

from podkit.testing._busybox import (
    DEFAULT_BUSYBOX,
    IMAGE_PATH,
    build_busybox_image,
    machine_architecture,
)
from podkit.testing._capabilities import (
    STRICT_ENV,
    find_binary,
    is_root,
    is_strict,
    require_binary,
    require_netns,
    require_root,
    skip_missing_capability,
)
from podkit.testing._leaks import LeakChecker, LeakError, ResourceDiff, diff_host_resources
from podkit.testing._oci import (
    ANNOTATION_REF_NAME,
    MEDIA_TYPE_CONFIG,
    MEDIA_TYPE_INDEX,
    MEDIA_TYPE_LAYER,
    MEDIA_TYPE_LAYER_GZIP,
    MEDIA_TYPE_MANIFEST,
    OCI_LAYOUT_VERSION,
    OciImage,
    read_oci_layout,
)
from podkit.testing._resources import (
    DEFAULT_CGROUP_PATTERN,
    DEFAULT_STATE_DIRS,
    HostResource,
    HostSnapshot,
    ResourceKind,
    snapshot_host_resources,
)
from podkit.testing._sweep import sweep_cgroups, sweep_mounts

__all__ = [
    "ANNOTATION_REF_NAME",
    "DEFAULT_BUSYBOX",
    "DEFAULT_CGROUP_PATTERN",
    "DEFAULT_STATE_DIRS",
    "IMAGE_PATH",
    "MEDIA_TYPE_CONFIG",
    "MEDIA_TYPE_INDEX",
    "MEDIA_TYPE_LAYER",
    "MEDIA_TYPE_LAYER_GZIP",
    "MEDIA_TYPE_MANIFEST",
    "OCI_LAYOUT_VERSION",
    "STRICT_ENV",
    "HostResource",
    "HostSnapshot",
    "LeakChecker",
    "LeakError",
    "OciImage",
    "ResourceDiff",
    "ResourceKind",
    "build_busybox_image",
    "diff_host_resources",
    "find_binary",
    "is_root",
    "is_strict",
    "machine_architecture",
    "read_oci_layout",
    "require_binary",
    "require_netns",
    "require_root",
    "skip_missing_capability",
    "snapshot_host_resources",
    "sweep_cgroups",
    "sweep_mounts",
]

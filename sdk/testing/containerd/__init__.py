"""Debian's containerd as a test peer: started, fed images and a CNI setup, stopped clean.

podkit's CRI client, its conformance suite and its benchmarks are validated
against the real thing (DESIGN.md, "Real components"): containerd 1.6 with its
CRI plugin and runc. :class:`Containerd` runs it as a plain background process
with its config, root, state and socket in a directory of the caller's, and
imports images with ``ctr`` since no registry is reachable: the busybox image
of :func:`podkit.testing.build_busybox_image` and a sandbox image
(:func:`build_sandbox_image`). Its CNI plugins are podkit's, run through the
``podkit-cni`` executable (:func:`podkit_cni_bin_dir`), or upstream's
(:data:`UPSTREAM_CNI_DIR`), configured by :class:`BridgeNetwork`. The daemon,
the images and the network are its three private modules.

:meth:`Containerd.stop` leaves the host as it found it: it removes every
task and container with ``ctr``, stops containerd by its PID, kills the
shims left, and removes its mounts, network namespaces, cgroups, bridge and
directories, and what containerd 1.6 puts under ``/run/containerd`` whatever
its config says (FIFOs, shim sockets, runc state). The module only runs
programs and writes files: it needs no gRPC. Its pods are driven through CRI
by the caller (podkit's CRI client, or the raw stubs).

Facts of containerd 1.6.20 it relies on: the CRI plugin needs its sandbox
image present locally; root without ``CAP_SYS_RESOURCE`` (as in containers)
needs ``restrict_oom_score_adj = true`` or every RunPodSandbox fails;
``netns_mounts_under_state_dir = true`` keeps network namespaces in the
state directory.

.. versionadded:: 0.1
"""

from __future__ import annotations

from podkit.testing.containerd._daemon import FIXED_STATE, K8S_NAMESPACE, SHIM, Containerd
from podkit.testing.containerd._images import (
    BUSYBOX_IMAGE,
    SANDBOX_ENTRYPOINT,
    SANDBOX_IMAGE,
    build_sandbox_image,
    image_archive,
)
from podkit.testing.containerd._network import (
    PODKIT_CNI_TYPES,
    UPSTREAM_CNI_DIR,
    BridgeNetwork,
    podkit_cni_bin_dir,
)

__all__ = [
    "BUSYBOX_IMAGE",
    "FIXED_STATE",
    "K8S_NAMESPACE",
    "PODKIT_CNI_TYPES",
    "SANDBOX_ENTRYPOINT",
    "SANDBOX_IMAGE",
    "SHIM",
    "UPSTREAM_CNI_DIR",
    "BridgeNetwork",
    "Containerd",
    "build_sandbox_image",
    "image_archive",
    "podkit_cni_bin_dir",
]

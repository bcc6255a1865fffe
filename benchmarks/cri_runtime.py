"""The reference runtime on the CRI benchmark's directories, for ``podkit serve cri --plugin``.

Loaded by the server subprocess as ``benchmarks.cri_runtime:runtime``: the
``namespace`` runtime with its state, root and cgroups (``podkit/pkcd-<hex>``)
named by the environment that :mod:`benchmarks.cri_serve` sets, and the
busybox layout it names imported.
"""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.cri_serve import CGROUP_ENV, DIR_ENV, IMAGE_ENV, LAYOUT_ENV
from podkit.plugins.runtime import NamespaceRuntime

_ROOT = Path(os.environ[DIR_ENV])
runtime = NamespaceRuntime(
    "namespace",
    state_dir=_ROOT / "state",
    root_dir=_ROOT / "root",
    cgroup_parent=os.environ[CGROUP_ENV],
)
runtime.store.import_oci_layout(Path(os.environ[LAYOUT_ENV]), ref=os.environ[IMAGE_ENV])

__all__ = ["runtime"]

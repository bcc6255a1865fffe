"""The reference runtime, on directories of its own, for ``podkit serve cri --plugin``.

``PKCW_RUNTIME_DIR`` names the folder; the runtime answers for handler
``pkcw``. Loaded by the server subprocess as ``pkcw_runtime:runtime``.
"""

from __future__ import annotations

import os
from pathlib import Path

from podkit.plugins.runtime import NamespaceRuntime

HANDLER = "pkcw"
_ROOT = Path(os.environ["PKCW_RUNTIME_DIR"])

runtime = NamespaceRuntime(
    HANDLER, state_dir=_ROOT / "state", root_dir=_ROOT / "root", cgroup_parent="pkcw"
)

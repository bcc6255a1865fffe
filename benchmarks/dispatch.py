"""How much one plugin call costs: podkit's in-process hook versus a CNI exec.

DESIGN.md promises "one hook call in-process instead of a process exec per
CNI call". This measures the dispatch alone, with the cheapest operation each
side has — CNI ``VERSION`` — so that plugin work does not hide it:

- podkit: ``PluginManager.call("network_version", ...)`` routed to a plugin
  (sync, and async through ``acall``), with and without the trace wrapper;
- upstream: exec of Debian's ``/usr/lib/cni/loopback`` with ``CNI_COMMAND=VERSION``
  (package containernetworking-plugins), the way libcni calls every plugin;
- ``podkit-cni`` exec with ``CNI_COMMAND=VERSION``: podkit's own start-up.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import podkit
from podkit.models.network import VersionResult

if TYPE_CHECKING:
    from collections.abc import Callable

UPSTREAM = Path("/usr/lib/cni/loopback")


@podkit.answers_for("bench")
class _Plugin:
    def network_version(self) -> VersionResult:
        return VersionResult(cni_version="1.1.0", supported_versions=("1.1.0",))


@podkit.answers_for("bench-async")
class _AsyncPlugin:
    async def network_version(self) -> VersionResult:
        return VersionResult(cni_version="1.1.0", supported_versions=("1.1.0",))


def _per_call(fn: Callable[[], object], n: int) -> float:
    """Median seconds per call over 5 rounds of ``n`` calls."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        rounds.append((time.perf_counter() - start) / n)
    return statistics.median(rounds)


def _exec(argv: list[str]) -> Callable[[], object]:
    env = {**os.environ, "CNI_COMMAND": "VERSION"}
    return lambda: subprocess.run(
        argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, check=True
    )


def _show(label: str, seconds: float, baseline: float | None) -> None:
    ratio = f"  {seconds / baseline:10.4f} x the upstream exec's time" if baseline else ""
    print(f"{label:48s} {seconds * 1e6:12.1f} us{ratio}")


def main(*, quick: bool = False) -> None:
    """Print the figures and ratios (``quick``: small counts, for a smoke test)."""
    scale = 100 if quick else 1
    logging.getLogger("podkit.trace").disabled = True
    manager = podkit.PluginManager.load(entry_points=False)
    manager.register(_Plugin, name="bench", kind="network")
    manager.register(_AsyncPlugin, name="bench-async", kind="network")
    traced = podkit.PluginManager.load(entry_points=False, trace=True)
    traced.register(_Plugin, name="bench", kind="network")

    upstream = _per_call(_exec([str(UPSTREAM)]), 50 // scale or 1) if UPSTREAM.exists() else None
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    if upstream is None:
        print(f"{UPSTREAM} missing: apt-get install containernetworking-plugins")
    else:
        _show("upstream: exec loopback VERSION", upstream, None)
    cni = shutil.which("podkit-cni", path=str(Path(sys.executable).parent))
    if cni:
        _show(
            "podkit: exec podkit-cni VERSION", _per_call(_exec([cni]), 50 // scale or 1), upstream
        )
    _show(
        "podkit: in-process call (sync plugin)",
        _per_call(lambda: manager.call("network_version", cni_type="bench"), 20000 // scale),
        upstream,
    )
    _show(
        "podkit: in-process call, trace wrapper on",
        _per_call(lambda: traced.call("network_version", cni_type="bench"), 20000 // scale),
        upstream,
    )

    async def acall_many(n: int) -> None:
        for _ in range(n):
            await manager.acall(manager.call, "network_version", cni_type="bench-async")

    n = 2000 // scale
    start = time.perf_counter()
    asyncio.run(acall_many(n))
    _show("podkit: acall from asyncio (async plugin)", (time.perf_counter() - start) / n, upstream)

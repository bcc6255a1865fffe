"""Time execs of an upstream tool from a process of their own.

``python -m benchmarks._exectimer`` reads a JSON list of phases on stdin and
writes, on stdout, the seconds of each exec of each phase. It exists because
crun 1.8 needs a private mount namespace on this machine (see
:mod:`benchmarks.runtime`): the runtime benchmark starts this timer under
``unshare -m``, so that crun's figures hold crun's exec alone, not the cost of
``unshare`` and a shell.

A phase is ``{"name", "n", "concurrent", "argv", "after"}``: ``n`` execs of
``argv`` (one after the other, or all at once in threads), each followed,
untimed, by ``after`` when not empty; ``{i}`` in either is the exec's index.
The output maps each name to ``{"samples": [...], "wall": seconds}``, and for
a concurrent phase ``"cpu"``: the machine's busy CPU seconds meanwhile.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

from benchmarks._common import busy_cpu_seconds, concurrent


def _exec(argv: list[str], i: int) -> None:
    args = [arg.replace("{i}", str(i)) for arg in argv]
    subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, check=True, timeout=60)


def _phase(phase: dict[str, Any]) -> dict[str, Any]:
    argv, after, n = phase["argv"], phase.get("after") or [], int(phase["n"])
    if phase.get("concurrent"):
        busy = busy_cpu_seconds()
        samples, wall = concurrent(lambda i: _exec(argv, i), n)
        cpu = busy_cpu_seconds() - busy
        for i in range(n):
            if after:
                _exec(after, i)
        return {"samples": samples, "wall": wall, "cpu": cpu}
    samples = []
    start = time.perf_counter()
    for i in range(n):
        begin = time.perf_counter()
        _exec(argv, i)
        samples.append(time.perf_counter() - begin)
        if after:
            _exec(after, i)
    return {"samples": samples, "wall": time.perf_counter() - start}


def main() -> int:
    """Run the phases read on stdin; print the figures as JSON."""
    phases = json.load(sys.stdin)
    try:
        out = {phase["name"]: _phase(phase) for phase in phases}
    except subprocess.CalledProcessError as exc:
        print(f"{exc.cmd} failed: {exc.stderr.decode(errors='replace')}", file=sys.stderr)
        return 1
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run the benchmarks: ``python -m benchmarks [--quick] [NAME...]``.

``--quick`` runs each with small counts: a smoke test, not a measurement.
"""

from __future__ import annotations

import sys

from benchmarks import cri, dispatch, network, runtime, storage

BENCHMARKS = {
    "dispatch": dispatch.main,
    "runtime": runtime.main,
    "network": network.main,
    "storage": storage.main,
    "cri": cri.main,
}


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    names = [arg for arg in argv if arg != "--quick"] or list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
            return 2
    for name in names:
        BENCHMARKS[name](quick=quick)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Run every benchmark: ``python -m benchmarks [NAME...]``."""

from __future__ import annotations

import sys

from benchmarks import dispatch

BENCHMARKS = {"dispatch": dispatch.main}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}")
            return 2
        BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

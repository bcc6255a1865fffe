"""Manifest arguments of the command line: files, folders of them, or ``-``.

``-f`` takes what kubectl's does: a file, or a folder whose YAML and JSON
files are read in name order.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

SUFFIXES: Final = (".yaml", ".yml", ".json")


def expand(paths: Iterable[str]) -> Iterator[str]:
    """Each path as given, with a folder replaced by its manifest files in name order."""
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(str(p) for p in path.iterdir() if p.suffix in SUFFIXES)
        else:
            yield name

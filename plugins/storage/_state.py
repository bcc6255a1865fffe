"""The state file of a storage plugin: one JSON document, replaced atomically.

Each plugin keeps what it must remember across a restart (volumes, snapshots,
publications) in one file under its base directory, written with
:mod:`podkit.statefiles` after every change, so that a plugin killed at
any point and constructed again finds either the state before the change or
the state after it. No secret is ever written here.
"""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any, Final

from podkit import statefiles
from podkit.errors import InternalError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

#: The version of the state file's layout; a file of another version is refused.
VERSION: Final = 1
STATE_FILE: Final = "state.json"


class StateFile:
    """Tables of JSON records (``{"volumes": {id: {...}}, ...}``) kept in one file.

    ``lock`` serialises the plugin's operations: each one reads, changes and
    saves the tables while holding it.
    """

    def __init__(self, directory: Path, tables: Iterable[str]) -> None:
        self.path: Final = directory / STATE_FILE
        self.lock: Final = threading.RLock()
        self.tables: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in tables}
        # The folders this plugin will create, deepest first: removed again once
        # empty, so that a plugin that has nothing left leaves nothing behind.
        self._created_dirs: Final = [d for d in (directory, *directory.parents) if not d.exists()]
        self._load()

    def _load(self) -> None:
        try:
            document = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            msg = f"failed to load state file {str(self.path)!r}: {exc}"
            raise InternalError(msg) from exc
        if not isinstance(document, dict) or document.get("version") != VERSION:
            version = document.get("version") if isinstance(document, dict) else None
            msg = (
                f"failed to load state file {str(self.path)!r}: version {version!r}, "
                f"expected {VERSION}"
            )
            raise InternalError(msg)
        for name in self.tables:
            self.tables[name] = dict(document.get(name, {}))

    def save(self) -> None:
        """Write every table, atomically; remove the file when all are empty."""
        if not any(self.tables.values()):
            if self.path.exists():
                self.path.unlink()
                statefiles.fsync_dir(self.path.parent)  # the removal too must survive a crash
            self.remove_created_dirs()
            return
        statefiles.write_json(self.path, {"version": VERSION, **self.tables})

    def remove_created_dirs(self) -> None:
        """Remove the folders the plugin created, from the deepest, while they are empty."""
        for folder in self._created_dirs:
            try:
                folder.rmdir()
            except FileNotFoundError:
                continue
            except OSError:  # not empty: in use, and so are its parents
                return

    def __getitem__(self, table: str) -> dict[str, dict[str, Any]]:
        """The records of ``table``, by key."""
        return self.tables[table]


__all__ = ["STATE_FILE", "VERSION", "StateFile"]

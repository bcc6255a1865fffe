"""``podkit-cni`` put into a CNI runtime's bin folder, once per plugin type.

A CNI runtime (containerd's ``bin_dir``, usually ``/opt/cni/bin``) execs a
plugin by its type name. The console script pip writes for ``podkit-cni``
starts Python with ``site``, which in a venv costs ~15 ms (more with an
editable install's import hooks) before the thin client has done anything.
The launcher written here runs the same thin client with ``python -S``: on
the agent path the interpreter starts in ~9 ms, and ``site`` is loaded only
when the thin client falls back to doing the call itself. Each type is a
symlink to the launcher, the name the thin client dispatches on.

Everything is replaced atomically (written beside, then renamed), so a
runtime exec'ing a plugin during an install runs either the old file or
the new one. Files that are not podkit's are left alone unless forced.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

import attrs

from podkit import statefiles
from podkit.errors import InvalidArgumentError
from podkit.wire.cni import _thin

if TYPE_CHECKING:
    from collections.abc import Iterable

#: The launcher's file name in the bin folder; the types link to it.
LAUNCHER: Final = "podkit-cni"
#: The second line of every launcher: how :func:`install` and :func:`uninstall` know theirs.
MARK: Final = "# podkit-cni launcher, written by `podkit install-cni`"
#: The CNI runtime's usual bin folder.
DEFAULT_BIN_DIR: Final = Path("/opt/cni/bin")


@attrs.frozen
class Installed:
    """What :func:`install` did."""

    #: The launcher written.
    launcher: Path
    #: The types linked to it.
    linked: tuple[str, ...]
    #: The types left alone, with why.
    skipped: tuple[tuple[str, str], ...]


def launcher_text(python: str, thin_dir: str, socket: str | None = None) -> str:
    """The launcher's source: ``python -S`` running the thin client from ``thin_dir``.

    It imports the thin client by file name from its folder (the compiled
    ``.pyc`` there is reused), not as ``podkit.wire.cni._thin``, which
    would import the ``podkit`` package first. ``socket`` is baked in as
    the agent's socket unless ``PODKIT_CNI_AGENT`` says otherwise.
    """
    lines = [f"#!{python} -S", MARK, "import sys"]
    if socket is not None:
        lines += ["import os", f"os.environ.setdefault({_thin.SOCKET_ENV!r}, {socket!r})"]
    lines += [
        f"sys.path.append({thin_dir!r})",
        "from _thin import main",
        "sys.exit(main())",
    ]
    return "\n".join(lines) + "\n"


def install(
    bin_dir: Path, types: Iterable[str], *, socket: str | None = None, force: bool = False
) -> Installed:
    """Write the launcher into ``bin_dir`` and link each of ``types`` to it.

    :param socket: the agent's socket to bake in (default: the thin
        client's, ``PODKIT_CNI_AGENT`` or :data:`~podkit.wire.cni._thin.DEFAULT_SOCKET`).
    :param force: replace files of those names that are not podkit's
        (e.g. upstream's ``bridge``); otherwise they are skipped.
    :raises podkit.InvalidArgumentError: a type is not a plain file name, or
        ``bin_dir`` holds a launcher-named file that is not podkit's.
    """
    names = tuple(dict.fromkeys(types))
    for name in names:
        if not name or "/" in name or name in {".", "..", LAUNCHER}:
            msg = f"invalid CNI type {name!r}: a type is a plain file name, not {LAUNCHER!r}"
            raise InvalidArgumentError(msg)
    bin_dir.mkdir(parents=True, exist_ok=True)
    launcher = bin_dir / LAUNCHER
    if not force and _exists(launcher) and not is_launcher(launcher):
        msg = f"{launcher} exists and is not a podkit-cni launcher (use force to replace it)"
        raise InvalidArgumentError(msg)
    thin_dir = str(Path(_thin.__file__ or "").resolve().parent)
    text = launcher_text(sys.executable, thin_dir, socket)
    statefiles.write_bytes(launcher, text.encode(), mode=0o755, durable=False)
    linked: list[str] = []
    skipped: list[tuple[str, str]] = []
    for name in names:
        path = bin_dir / name
        if _exists(path) and not force and not _links_to_launcher(path):
            skipped.append((name, f"{path} exists and is not podkit's"))
            continue
        _link(path)
        linked.append(name)
    return Installed(launcher=launcher, linked=tuple(linked), skipped=tuple(skipped))


def uninstall(bin_dir: Path) -> list[Path]:
    """Remove podkit's launcher from ``bin_dir`` and every link to it; return what went."""
    launcher = bin_dir / LAUNCHER
    removed: list[Path] = []
    if not bin_dir.is_dir():
        return removed
    for path in sorted(bin_dir.iterdir()):
        if path != launcher and _links_to_launcher(path):
            path.unlink(missing_ok=True)
            removed.append(path)
    if is_launcher(launcher):
        launcher.unlink(missing_ok=True)
        removed.append(launcher)
    return removed


def is_launcher(path: Path) -> bool:
    """Whether ``path`` is a regular file written by :func:`install`."""
    if path.is_symlink() or not path.is_file():
        return False
    with path.open("rb") as file:
        return file.read(4096).split(b"\n")[1:2] == [MARK.encode()]


def _links_to_launcher(path: Path) -> bool:
    return path.is_symlink() and str(path.readlink()) in {LAUNCHER, str(path.parent / LAUNCHER)}


def _exists(path: Path) -> bool:
    return path.is_symlink() or path.exists()


def _link(path: Path) -> None:
    """Make ``path`` a symlink to the launcher, beside it, then rename it over ``path``."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        temp.symlink_to(LAUNCHER)
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)


__all__ = [
    "DEFAULT_BIN_DIR",
    "LAUNCHER",
    "MARK",
    "Installed",
    "install",
    "is_launcher",
    "launcher_text",
    "uninstall",
]

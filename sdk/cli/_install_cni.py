"""``podkit install-cni``: podkit's network plugins into a CNI runtime's bin folder.

Writes the fast ``podkit-cni`` launcher (:mod:`podkit.wire.cni._install`)
into ``--bin-dir`` and links it under each type the installed network
plugins answer for (or the ``--type`` names), so that containerd, CRI-O or
any CNI caller runs them; ``--remove`` takes podkit's files out again.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from podkit.errors import InvalidArgumentError
from podkit.pluginmanager import PluginManager

if TYPE_CHECKING:
    import argparse

_DEFAULT_BIN_DIR = "/opt/cni/bin"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    parser = commands.add_parser(
        "install-cni",
        help="install podkit-cni into a CNI bin folder, once per network plugin type",
        description="Write the podkit-cni launcher (the thin client, started without site)"
        " into --bin-dir and link it under each CNI type the installed network plugins"
        " answer for, or under the --type names. Files of those names that are not"
        " podkit's (upstream's bridge, say) are left alone unless --force.",
    )
    parser.add_argument(
        "--bin-dir",
        default=_DEFAULT_BIN_DIR,
        metavar="DIR",
        help=f"the CNI runtime's plugin folder (default {_DEFAULT_BIN_DIR})",
    )
    parser.add_argument(
        "--type",
        dest="types",
        action="append",
        metavar="NAME",
        help="a CNI type to link (repeatable; default: every type the plugins answer for)",
    )
    parser.add_argument(
        "--socket",
        metavar="PATH",
        help="the agent socket to bake into the launcher (default: $PODKIT_CNI_AGENT,"
        " else /run/podkit/cni.sock)",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace files of those names that are not podkit's"
    )
    parser.add_argument(
        "--remove",
        action="store_true",
        help="remove podkit's launcher and the links to it from --bin-dir instead",
    )
    parser.set_defaults(run=run)


def network_types() -> list[str]:
    """Every CNI type the installed network plugins answer for.

    :raises podkit.InvalidArgumentError: a network plugin decides per call
        which types it serves: they cannot be listed, so ``--type`` must say.
    """
    types: list[str] = []
    for info in PluginManager.load().plugins():
        if info.kind != "network":
            continue
        if info.answers_for is None:
            msg = (
                f"network plugin {info.name!r} answers for any type: name the types to "
                "install with --type"
            )
            raise InvalidArgumentError(msg)
        types += info.answers_for
    return sorted(set(types))


def run(args: argparse.Namespace) -> int:
    """Install (or remove); exit 1 when a type was skipped."""
    from podkit.wire.cni import _install  # noqa: PLC0415 - only this subcommand

    bin_dir = Path(args.bin_dir).absolute()
    if args.remove:
        for path in _install.uninstall(bin_dir):
            print(f"removed {path}")
        return 0
    types = args.types or network_types()
    done = _install.install(bin_dir, types, socket=args.socket, force=args.force)
    print(f"wrote {done.launcher}")
    for name in done.linked:
        print(f"linked {bin_dir / name} -> {_install.LAUNCHER}")
    for name, why in done.skipped:
        print(f"skipped {name}: {why} (--force replaces it)", file=sys.stderr)
    return 1 if done.skipped else 0


__all__ = ["add_parser", "network_types", "run"]

"""``podkit plugins``: the table of loaded plugins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from podkit.pluginmanager import PluginManager

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

HEADER = ("NAME", "KIND", "ANSWERS FOR", "VERSION", "DISTRIBUTION")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    parser = commands.add_parser("plugins", help="list the installed plugins")
    parser.set_defaults(run=run)


def format_table(rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(line.rstrip() for line in lines)


def run(_args: argparse.Namespace) -> int:
    """Print one row per plugin."""
    manager = PluginManager.load()
    rows = [HEADER]
    for info in manager.plugins():
        answers = ", ".join(info.answers_for) if info.answers_for is not None else "(any)"
        rows.append((info.name, info.kind, answers, info.version, info.distribution))
    print(format_table(rows))
    return 0

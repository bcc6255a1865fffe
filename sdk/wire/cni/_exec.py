"""The ``podkit-cni`` executable: podkit network plugins as CNI plugin binaries.

Shaped like CNI's ``skel``: a dispatcher with injected ``argv``, ``getenv``,
``stdin`` and ``stdout`` validates ``CNI_COMMAND`` and the version, calls
the plugin through the network hooks, and prints the result JSON, or
``{code, msg, details}`` and exits 1. Installed (or symlinked) under a
plugin's type name, e.g. ``/opt/cni/bin/bridge -> podkit-cni``, it answers
for that type; called as ``podkit-cni`` it answers for the configuration's
``type``.

Start-up matters (a runtime execs a plugin per call): only the standard
library is imported before the command is known, and only the plugins that
answer for the type are loaded.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import TextIO

    from podkit.models.network import NetworkConfig
    from podkit.pluginmanager import PluginManager

COMMANDS: Final = ("ADD", "DEL", "CHECK", "STATUS", "GC", "VERSION")
EXECUTABLE: Final = "podkit-cni"


def run(
    argv: Sequence[str],
    *,
    getenv: Callable[[str], str | None] = os.environ.get,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    manager: Callable[[str], PluginManager] | None = None,
) -> int:
    """Dispatch one CNI invocation; returns the process exit code.

    ``manager`` returns the plugin manager for a CNI type: by default the
    installed plugins are loaded for this one call; the agent
    (``podkit serve cni``) passes the manager it loaded once.
    """
    if "--version" in argv[1:]:
        from podkit import __version__  # noqa: PLC0415 - only this branch needs it

        stdout.write(f"{EXECUTABLE} {__version__}\n")
        return 0
    from podkit import cnijson  # noqa: PLC0415 - kept off the --version path

    version = "1.1.0"
    try:
        command = _command(getenv)
        text = stdin.read()
        data = cnijson.parse(text, "network configuration") if text.strip() else {}
        version = str(data.get("cniVersion") or version)
        body = _dispatch(command, _type(argv, data), data, getenv, manager or load_manager)
    except Exception as exc:  # noqa: BLE001 - every failure is answered in CNI's error JSON
        stdout.write(json.dumps(cnijson.encode_error(exc, version)) + "\n")
        return 1
    if body is not None:
        stdout.write(json.dumps(body) + "\n")
    return 0


def _command(getenv: Callable[[str], str | None]) -> str:
    from podkit import cnijson  # noqa: PLC0415 - kept off the --version path

    command = getenv("CNI_COMMAND") or ""
    if command not in COMMANDS:
        msg = f"CNI_COMMAND {command!r} is not one of {', '.join(COMMANDS)}"
        raise cnijson.InvalidEnvironmentError(msg)
    return command


def _type(argv: Sequence[str], data: dict[str, Any]) -> str:
    invoked = Path(argv[0]).name if argv else EXECUTABLE
    if invoked != EXECUTABLE:
        return invoked
    cni_type = data.get("type")
    return cni_type if isinstance(cni_type, str) else ""


def load_manager(cni_type: str) -> PluginManager:
    """Load the plugin named like the type; all plugins only if it is not enough."""
    from podkit.pluginmanager import PluginManager  # noqa: PLC0415 - start-up time

    manager = PluginManager.load(select=[cni_type])
    if cni_type not in manager.names("network"):
        manager = PluginManager.load()
    return manager


def _dispatch(
    command: str,
    cni_type: str,
    data: dict[str, Any],
    getenv: Callable[[str], str | None],
    manager: Callable[[str], PluginManager],
) -> dict[str, Any] | None:
    from podkit import cnijson  # noqa: PLC0415 - kept off the --version path

    if command == "VERSION":
        if not cni_type:
            versions = cnijson.RESULT_VERSIONS
        else:
            found = manager(cni_type).network.version(cni_type=cni_type)
            versions = tuple(v for v in found.supported_versions if v in cnijson.RESULT_VERSIONS)
        return {
            "cniVersion": str(data.get("cniVersion") or versions[-1]),
            "supportedVersions": list(versions),
        }
    config = cnijson.decode_network_config(data)
    _check_version(config)
    attachment = cnijson.decode_environment(getenv, command)
    network = manager(config.type).network
    if command == "ADD" and attachment is not None:
        return cnijson.encode_result(
            network.add(config.type, config, attachment), config.cni_version
        )
    if command == "DEL" and attachment is not None:
        network.del_(config.type, config, attachment)
    elif command == "CHECK" and attachment is not None:
        network.check(config.type, config, attachment)
    elif command == "STATUS":
        network.status(config.type, config)
    elif command == "GC":
        network.gc(config.type, config, _valid_attachments(data))
    return None


def _check_version(config: NetworkConfig) -> None:
    from podkit import cnijson  # noqa: PLC0415 - kept off the --version path
    from podkit.errors import IncompatibleVersionError  # noqa: PLC0415

    if config.cni_version not in cnijson.RESULT_VERSIONS:
        msg = (
            f"incompatible CNI versions: config is {config.cni_version!r}, podkit-cni supports"
            f" {list(cnijson.RESULT_VERSIONS)}"
        )
        raise IncompatibleVersionError(msg)


def _valid_attachments(data: dict[str, Any]) -> tuple[Any, ...]:
    from podkit.errors import InvalidArgumentError  # noqa: PLC0415
    from podkit.models.network import GCAttachment  # noqa: PLC0415

    items = data.get("cni.dev/valid-attachments", data.get("cni.dev/attachments", []))
    try:
        return tuple(GCAttachment(container_id=i["containerID"], ifname=i["ifname"]) for i in items)
    except (KeyError, TypeError, ValueError) as exc:
        msg = f"cni.dev/valid-attachments: {exc}"
        raise InvalidArgumentError(msg) from exc


def main() -> int:
    """Do one call in this process (``podkit-cni`` itself first offers it to the agent)."""
    return run(sys.argv)


__all__ = ["COMMANDS", "EXECUTABLE", "load_manager", "main", "run"]

"""``podkit serve csi``: a storage plugin behind a CSI endpoint, until SIGTERM.

The process a kubelet (through node-driver-registrar), csi-sanity or
another podkit reaches a podkit storage plugin through: it loads the
plugins, serves the one answering for ``--driver`` on ``--socket``
(:func:`podkit.wire.csi.serve_csi`) and logs each call. SIGTERM or SIGINT
stop it gracefully: calls in flight get ``--grace`` seconds to finish, and
the socket file is removed.
"""

from __future__ import annotations

import importlib
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Final

from podkit.errors import InvalidArgumentError
from podkit.pluginmanager import PluginManager

if TYPE_CHECKING:
    import argparse
    from types import FrameType

#: Seconds calls in flight may take to finish after SIGTERM.
DEFAULT_GRACE: Final = 10.0
_STOP_SIGNALS: Final = (signal.SIGTERM, signal.SIGINT)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    parser = commands.add_parser(
        "serve",
        help="serve plugins over a wire protocol (csi)",
        description="Serve plugins over a wire protocol until SIGTERM or SIGINT.",
    )
    protocols = parser.add_subparsers(dest="protocol", metavar="PROTOCOL", required=True)
    csi = protocols.add_parser(
        "csi",
        help="serve a storage plugin as a CSI driver on a unix socket",
        description="Serve the storage plugin answering for --driver as a CSI driver"
        " (Identity, Controller and Node services) on the unix socket --socket.",
    )
    csi.add_argument("--driver", required=True, metavar="NAME", help="the CSI driver name")
    csi.add_argument("--socket", required=True, metavar="PATH", help="the unix socket to serve on")
    csi.add_argument(
        "--plugin",
        metavar="NAME",
        help="load only this plugin: an installed plugin's name or module:attribute"
        " (default: every installed plugin)",
    )
    csi.add_argument(
        "--grace",
        type=float,
        default=DEFAULT_GRACE,
        metavar="SECONDS",
        help=f"time calls in flight get to finish when stopping (default {DEFAULT_GRACE:g})",
    )
    csi.add_argument("--debug", action="store_true", help="also log each request, secrets stripped")
    csi.set_defaults(run=run_csi)
    importlib.import_module("podkit.cli._serve_cni").add_parser(protocols)  # serve cni
    importlib.import_module("podkit.cli._serve_cri").add_parser(protocols)  # serve cri


def load_manager(spec: str | None) -> PluginManager:
    """Every installed plugin; or only ``spec``, an installed name or ``module:attribute``.

    :raises podkit.InvalidArgumentError: ``spec`` names nothing loadable.
    """
    if spec is None:
        return PluginManager.load()
    if ":" not in spec:
        manager = PluginManager.load(select=[spec])
        if spec not in {info.name for info in manager.plugins()}:
            msg = f"no installed plugin is named {spec!r} (see `podkit plugins`)"
            raise InvalidArgumentError(msg)
        return manager
    module_name, _, attribute = spec.partition(":")
    try:
        plugin = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        msg = f"cannot import plugin {spec!r}: {type(exc).__name__}: {exc}"
        raise InvalidArgumentError(msg) from exc
    manager = PluginManager.load(entry_points=False)
    manager.register(plugin, name=attribute, kind="storage")
    return manager


def wait_for_stop_signal() -> None:
    """Block until SIGTERM or SIGINT; the handlers in place before are put back."""
    stop = threading.Event()

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in _STOP_SIGNALS}
    try:
        while not stop.wait(timeout=1.0):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_csi(args: argparse.Namespace) -> int:
    """Serve until SIGTERM or SIGINT; exit 0 after a graceful stop."""
    from podkit.wire import csi  # noqa: PLC0415 - gRPC loads only for this subcommand

    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    socket_path = Path(args.socket).absolute()
    manager = load_manager(args.plugin)
    server = csi.serve_csi(manager, args.driver, socket_path)
    try:
        print(f"podkit serve csi: driver {args.driver!r} on unix://{socket_path}", flush=True)
        wait_for_stop_signal()
    finally:
        server.stop(args.grace).wait()
        socket_path.unlink(missing_ok=True)
    print("podkit serve csi: stopped", flush=True)
    return 0


__all__ = ["add_parser", "load_manager", "run_csi", "wait_for_stop_signal"]

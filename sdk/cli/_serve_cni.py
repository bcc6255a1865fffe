"""``podkit serve cni``: the agent behind the thin ``podkit-cni``, until SIGTERM.

A CNI runtime execs ``podkit-cni`` per call; with this agent running, the
exec'd process only forwards the call over ``--socket`` (mode 0600, root
only) and the agent runs it with the plugins it loaded once
(:class:`podkit.wire.cni._agent.CniAgent`). Without an agent ``podkit-cni``
still works, slower, doing the call itself. SIGTERM or SIGINT stop it:
calls in flight get ``--grace`` seconds, the socket file is removed.

Started by systemd with a socket unit (socket activation), it serves on the
socket systemd passed instead of ``--socket``, and leaves its file to
systemd: the socket is there from boot, and the first CNI call starts the
agent (``examples/systemd/``).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Final

from podkit.cli import _serve
from podkit.errors import InvalidArgumentError
from podkit.pluginmanager import PluginManager

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator
    from types import FrameType

#: Where ``podkit-cni`` looks for the agent unless ``PODKIT_CNI_AGENT`` says otherwise.
DEFAULT_SOCKET: Final = "/run/podkit/cni.sock"


def add_parser(protocols: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``serve cni``."""
    cni = protocols.add_parser(
        "cni",
        help="serve the network plugins to podkit-cni on a unix socket (the CNI agent)",
        description="Serve the installed network plugins to the podkit-cni executable over"
        " the unix socket --socket (root only), so that each CNI call skips the plugins'"
        " start-up. podkit-cni finds the agent at $PODKIT_CNI_AGENT, by default"
        f" {DEFAULT_SOCKET}, and does the call itself when no agent answers. Started by"
        " systemd socket activation, it serves on the socket systemd passed.",
    )
    cni.add_argument(
        "--socket",
        default=DEFAULT_SOCKET,
        metavar="PATH",
        help=f"the unix socket to serve on (default {DEFAULT_SOCKET})",
    )
    cni.add_argument(
        "--plugin",
        metavar="NAME",
        help="load only this plugin: an installed plugin's name or module:attribute"
        " (default: every installed plugin)",
    )
    cni.add_argument(
        "--grace",
        type=float,
        default=_serve.DEFAULT_GRACE,
        metavar="SECONDS",
        help=f"time calls in flight get to finish when stopping (default {_serve.DEFAULT_GRACE:g})",
    )
    cni.add_argument("--debug", action="store_true", help="also log each call and its duration")
    cni.set_defaults(run=run_cni)


def load_network_plugins(spec: str | None) -> PluginManager:
    """Every installed plugin; or only ``spec``, an installed name or ``module:attribute``.

    :raises podkit.InvalidArgumentError: ``spec`` names nothing loadable.
    """
    if spec is None or ":" not in spec:
        return _serve.load_manager(spec)
    module_name, _, attribute = spec.partition(":")
    try:
        plugin = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        msg = f"cannot import plugin {spec!r}: {type(exc).__name__}: {exc}"
        raise InvalidArgumentError(msg) from exc
    manager = PluginManager.load(entry_points=False)
    manager.register(
        plugin() if isinstance(plugin, type) else plugin, name=attribute, kind="network"
    )
    return manager


@contextlib.contextmanager
def _stop_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT; the handlers in place before are put back."""
    stop = threading.Event()

    def handle(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_cni(args: argparse.Namespace) -> int:
    """Serve until SIGTERM or SIGINT; exit 0 after a graceful stop."""
    from podkit.wire._activation import inherited_unix_listener  # noqa: PLC0415
    from podkit.wire.cni._agent import CniAgent  # noqa: PLC0415 - only this subcommand

    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.debug:  # podkit's own debug lines only, not every library's
        logging.getLogger("podkit").setLevel(logging.DEBUG)
    listener = inherited_unix_listener("CNI")
    socket_path = Path(listener.getsockname() if listener else args.socket).absolute()
    manager = load_network_plugins(args.plugin)
    # The handlers are in place before anyone can know the agent runs: a SIGTERM
    # right after the "agent on" line still stops it gracefully.
    with _stop_signals() as stop:
        agent = CniAgent(manager, socket_path, listener=listener)
        try:
            origin = " (socket from systemd)" if listener else ""
            print(f"podkit serve cni: agent on unix://{socket_path}{origin}", flush=True)
            while not stop.wait(timeout=1.0):
                pass
        finally:
            agent.stop(args.grace)
    print("podkit serve cni: stopped", flush=True)
    return 0


__all__ = ["DEFAULT_SOCKET", "add_parser", "load_network_plugins", "run_cni"]

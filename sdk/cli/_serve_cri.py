"""``podkit serve cri``: podkit's runtime layer behind a CRI endpoint, until SIGTERM.

The process a kubelet (``--container-runtime-endpoint``), crictl, critest
or another podkit (:class:`podkit.wire.cri.CriClientPlugin`) reaches
podkit's runtime through: it loads the plugins and serves, on ``--socket``,
the runtime plugins with the network plugins of the CNI configuration
directory, as containerd runs CNI (:func:`podkit.wire.cri.serve_cri`). Each
call is logged. SIGTERM or SIGINT stop it gracefully: calls in flight get
``--grace`` seconds to finish, and the socket file is removed.
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

from podkit.cli import _serve
from podkit.errors import InvalidArgumentError
from podkit.hookspecs import KINDS
from podkit.pluginmanager import PluginManager
from podkit.runtimelayer import DEFAULT_HANDLER

if TYPE_CHECKING:
    import argparse

#: Where the runtime layer keeps its records (a tmpfs: they describe running pods).
DEFAULT_STATE_DIR: Final = Path("/run/podkit/cri")
#: The CNI configuration directory, as the kubelet core's default.
DEFAULT_CNI_CONF_DIR: Final = Path("/var/lib/podkit/cni/net.d")


def add_parser(protocols: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``serve cri``."""
    cri = protocols.add_parser(
        "cri",
        help="serve the runtime plugins as a CRI runtime on a unix socket",
        description="Serve the runtime plugins, with the network plugins of the CNI"
        " configuration directory, as a CRI runtime (runtime.v1 RuntimeService and"
        " ImageService) on the unix socket --socket.",
    )
    cri.add_argument("--socket", required=True, metavar="PATH", help="the unix socket to serve on")
    cri.add_argument(
        "--cni-conf-dir",
        default=str(DEFAULT_CNI_CONF_DIR),
        metavar="DIR",
        help=f"the CNI configuration directory (default {DEFAULT_CNI_CONF_DIR})",
    )
    cri.add_argument(
        "--state-dir",
        default=str(DEFAULT_STATE_DIR),
        metavar="DIR",
        help=f"where the server keeps its records (default {DEFAULT_STATE_DIR})",
    )
    cri.add_argument(
        "--runtime-handler",
        default=DEFAULT_HANDLER,
        metavar="NAME",
        help="the handler of sandboxes whose RunPodSandbox names none, and of Status and"
        f" ImageFsInfo (default {DEFAULT_HANDLER})",
    )
    cri.add_argument(
        "--plugin",
        action="append",
        metavar="NAME",
        help="load only this plugin (repeat it: the runtime and the network plugins): an"
        " installed plugin's name or module:attribute (default: every installed plugin)",
    )
    cri.add_argument(
        "--grace",
        type=float,
        default=_serve.DEFAULT_GRACE,
        metavar="SECONDS",
        help=f"time calls in flight get to finish when stopping (default {_serve.DEFAULT_GRACE:g})",
    )
    cri.add_argument("--debug", action="store_true", help="also log each request")
    cri.set_defaults(run=run_cri)


def _kind_of(plugin: object) -> str:
    """The kind whose hooks ``plugin`` implements; ``any`` for none or several."""
    kinds = {k.name for k in KINDS.values() if any(a.startswith(k.prefix) for a in dir(plugin))}
    return kinds.pop() if len(kinds) == 1 else "any"


def load_plugins(specs: list[str] | None) -> PluginManager:
    """Every installed plugin; or only ``specs``, installed names or ``module:attribute``.

    :raises podkit.InvalidArgumentError: a spec names nothing loadable.
    """
    if not specs:
        return PluginManager.load()
    installed = [spec for spec in specs if ":" not in spec]
    manager = PluginManager.load(select=installed, entry_points=bool(installed))
    loaded = {info.name for info in manager.plugins()}
    for spec in installed:
        if spec not in loaded:
            msg = f"no installed plugin is named {spec!r} (see `podkit plugins`)"
            raise InvalidArgumentError(msg)
    for spec in specs:
        if ":" not in spec:
            continue
        module_name, _, attribute = spec.partition(":")
        try:
            plugin = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            msg = f"cannot import plugin {spec!r}: {type(exc).__name__}: {exc}"
            raise InvalidArgumentError(msg) from exc
        manager.register(plugin, name=attribute, kind=_kind_of(plugin))
    return manager


def run_cri(args: argparse.Namespace) -> int:
    """Serve until SIGTERM or SIGINT; exit 0 after a graceful stop."""
    from podkit.wire import cri  # noqa: PLC0415 - gRPC loads only for this subcommand

    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    socket_path = Path(args.socket).absolute()
    manager = load_plugins(args.plugin)
    server = cri.serve_cri(
        manager,
        socket_path,
        state_dir=Path(args.state_dir),
        cni_conf_dir=Path(args.cni_conf_dir),
        runtime_handler=args.runtime_handler,
    )
    try:
        print(
            f"podkit serve cri: handler {args.runtime_handler!r} on unix://{socket_path}",
            flush=True,
        )
        _serve.wait_for_stop_signal()
    finally:
        server.stop(args.grace).wait()
        socket_path.unlink(missing_ok=True)
    print("podkit serve cri: stopped", flush=True)
    return 0


__all__ = ["DEFAULT_CNI_CONF_DIR", "DEFAULT_STATE_DIR", "add_parser", "load_plugins", "run_cri"]

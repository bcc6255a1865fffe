"""The CNI configuration directory, read as containerd and CRI-O read it.

Files ending in ``.conf``, ``.conflist`` or ``.json`` in lexical order (libcni's
``ConfFiles``); each holds one network: a configuration list, or a single
plugin configuration read as a list of one. The first ``max_networks``
networks are attached to every pod (containerd's ``max_conf_num``, 1 by
default), the first as ``eth0``, the next as ``eth1`` and so on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, final

import attrs

from podkit import cnijson
from podkit.errors import InvalidArgumentError, NotFoundError

if TYPE_CHECKING:
    from pathlib import Path

    from podkit.models.network import NetworkConfigList

SUFFIXES: Final = (".conf", ".conflist", ".json")


@final
@attrs.frozen(kw_only=True)
class Network:
    """One network of the configuration directory."""

    #: The file it was read from.
    path: Path
    #: The parsed configuration list.
    config: NetworkConfigList
    #: The JSON as read, kept with each attachment so that ``DEL`` works after
    #: the file changed or went away (as libcni caches it).
    source: dict[str, Any] = attrs.field(eq=False, repr=False)


def load_network(path: Path) -> Network:
    """Read one configuration file; errors name the file and the field."""
    try:
        text = path.read_text()
    except OSError as exc:
        msg = f"failed to read CNI configuration {str(path)!r}: {exc.strerror or exc}"
        raise NotFoundError(msg) from exc
    try:
        data = cnijson.parse(text, f"CNI configuration {str(path)!r}")
        config = cnijson.decode_config_list(data)
    except InvalidArgumentError as exc:
        msg = f"invalid CNI configuration {str(path)!r}: {exc}"
        raise InvalidArgumentError(msg) from exc
    if not config.plugins:
        msg = f"invalid CNI configuration {str(path)!r}: it lists no plugins"
        raise InvalidArgumentError(msg)
    if "plugins" not in data:
        data = {"cniVersion": data.get("cniVersion"), "name": data.get("name"), "plugins": [data]}
    return Network(path=path, config=config, source=data)


def load_networks(conf_dir: Path, max_networks: int = 1) -> list[Network]:
    """The first ``max_networks`` networks of ``conf_dir``, in lexical order."""
    try:
        files = sorted(p for p in conf_dir.iterdir() if p.suffix in SUFFIXES and p.is_file())
    except FileNotFoundError:
        files = []
    return [load_network(path) for path in files[:max_networks]]

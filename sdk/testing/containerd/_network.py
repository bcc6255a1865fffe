"""The CNI side of :mod:`podkit.testing.containerd`: a bridge network and its plugins.

containerd's CRI plugin reads one conflist and finds the plugin executables in
one bin dir: :class:`BridgeNetwork` writes the conflist of a bridge +
host-local network, whose plugins are podkit's through ``podkit-cni``
(:func:`podkit_cni_bin_dir`) or Debian's Go plugins (:data:`UPSTREAM_CNI_DIR`).

.. versionadded:: 0.1
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Final, final

import attrs

from podkit import errors

#: Debian's ``containernetworking-plugins``.
UPSTREAM_CNI_DIR: Final = Path("/usr/lib/cni")
#: The CNI types :func:`podkit_cni_bin_dir` links to ``podkit-cni``.
PODKIT_CNI_TYPES: Final = ("bridge", "host-local", "loopback", "portmap")
_CNI_VERSION: Final = "1.0.0"


@final
@attrs.frozen(kw_only=True)
class BridgeNetwork:
    """A bridge + host-local network for containerd's CRI plugin, as one conflist.

    .. versionadded:: 0.1
    """

    #: The CNI network name.
    name: str
    #: The bridge link (at most 15 characters); :meth:`Containerd.stop` deletes it.
    bridge: str = attrs.field(validator=attrs.validators.max_len(15))
    #: The subnet host-local hands out, e.g. ``10.77.3.0/24``.
    subnet: str
    #: host-local's ``dataDir`` (reservations live in ``<data_dir>/<name>/``).
    data_dir: Path = attrs.field(converter=Path)
    #: Where the plugin executables are: :func:`podkit_cni_bin_dir`'s or upstream's.
    bin_dir: Path = attrs.field(converter=Path)
    #: The bridge gets the subnet's first address and is the pods' gateway.
    is_gateway: bool = True

    def conflist(self) -> dict[str, object]:
        """The network configuration list (CNI SPEC, "Configuration format")."""
        bridge = {
            "type": "bridge",
            "bridge": self.bridge,
            "isGateway": self.is_gateway,
            "ipMasq": False,
            "ipam": {
                "type": "host-local",
                "ranges": [[{"subnet": self.subnet}]],
                "dataDir": str(self.data_dir),
            },
        }
        return {"cniVersion": _CNI_VERSION, "name": self.name, "plugins": [bridge]}

    def reservations(self) -> dict[str, str]:
        """host-local's reservations now: address to the container ID holding it."""
        directory = self.data_dir / self.name
        if not directory.is_dir():
            return {}
        found = {}
        for entry in directory.iterdir():
            if entry.name[:1].isdigit() and entry.is_file():  # not last_reserved_ip / lock
                found[entry.name] = entry.read_text().splitlines()[0].strip()
        return found


def podkit_cni_bin_dir(dest: Path, executable: Path | None = None) -> Path:
    """Make ``dest`` a CNI bin dir of podkit's plugins: links named by type to ``podkit-cni``.

    :param dest: the directory to create.
    :param executable: the ``podkit-cni`` program; by default the one beside this Python.
    :raises podkit.errors.NotFoundError: ``podkit-cni`` is not installed.

    .. versionadded:: 0.1
    """
    program = executable or Path(sys.executable).parent / "podkit-cni"
    if not program.exists():
        found = shutil.which("podkit-cni")
        if found is None:
            msg = "the podkit-cni executable is not installed (pip install podkit)"
            raise errors.NotFoundError(msg)
        program = Path(found)
    dest.mkdir(parents=True, exist_ok=True)
    for name in PODKIT_CNI_TYPES:
        (dest / name).symlink_to(program)
    return dest


__all__ = ["PODKIT_CNI_TYPES", "UPSTREAM_CNI_DIR", "BridgeNetwork", "podkit_cni_bin_dir"]

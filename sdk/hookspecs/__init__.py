"""The three contracts of a node, as pluggy hook specifications.

One module per plugin kind, each shaped after its upstream interface:

=========== =============================================== =====================
kind        module                                          addressed by argument
=========== =============================================== =====================
runtime     :mod:`podkit.hookspecs.runtime` (CRI runtime.v1) ``handler``
network     :mod:`podkit.hookspecs.network` (CNI SPEC 1.1)   ``cni_type``
storage     :mod:`podkit.hookspecs.storage` (CSI spec 1.x)   ``driver``
=========== =============================================== =====================

Every hook is named ``<kind>_<operation>``, is ``firstresult`` and takes the
name it is addressed to as its first argument; see :data:`KINDS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.hookspecs import network, runtime, storage

if TYPE_CHECKING:
    import types


@final
@attrs.frozen
class Kind:
    """One plugin kind: its hookspec module and how its calls are addressed.

    :param name: ``runtime``, ``network`` or ``storage``; also the hook prefix.
    :param module: the hookspec module.
    :param target_arg: the argument every hook of the kind takes first and
        that names the plugin the call is addressed to.
    """

    name: str
    module: types.ModuleType
    target_arg: str

    @property
    def prefix(self) -> str:
        """The prefix of every hook name of this kind, e.g. ``network_``."""
        return f"{self.name}_"


#: The plugin kinds, by name.
KINDS: Final = {
    "runtime": Kind("runtime", runtime, "handler"),
    "network": Kind("network", network, "cni_type"),
    "storage": Kind("storage", storage, "driver"),
}

__all__ = ["KINDS", "Kind", "network", "runtime", "storage"]

"""An IPAM plugin other than host-local, run as upstream's bridge runs it: exec'd by type.

The CNI SPEC's delegation (section 4, "Delegated plugin protocol"): the
bridge execs the binary named by ``ipam.type`` from ``CNI_PATH``, with its
own configuration on stdin and the same ``CNI_*`` environment, and takes
the addresses of its result (``static``, ``dhcp``, whereabouts...).
``host-local`` is the exception: podkit runs it in-process
(:class:`~podkit.plugins.network._host_local.HostLocalIPAM`), the same
files on disk. :class:`DelegatedIPAM` has the methods of that class, over
:class:`podkit.CniExecPlugin`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, final

import podkit

if TYPE_CHECKING:
    from collections.abc import Iterable

    from podkit.models.network import Attachment, GCAttachment, NetworkConfig, Result


@final
class DelegatedIPAM:
    """The IPAM plugin ``ipam_type``, an executable on ``cni_path``.

    :raises podkit.UnimplementedError: no executable of that name is on the
        path (CNI code 2, before anything changes; never code 3, which
        would tell the runtime that no ``DEL`` is needed).
    """

    def __init__(self, ipam_type: str, cni_path: Iterable[str] = ()) -> None:
        """Find the executable."""
        self.ipam_type = ipam_type
        path = tuple(cni_path)
        self._exec = podkit.CniExecPlugin(path) if path else podkit.CniExecPlugin()
        if ipam_type not in self._exec.podkit_names:
            msg = (
                f"bridge: unsupported field ipam.type={ipam_type!r}: no such IPAM plugin in "
                f"the CNI path {list(self._exec.cni_path)}"
            )
            raise podkit.UnimplementedError(msg)

    def validate(self, config: NetworkConfig) -> None:
        """Nothing to check here: the delegate checks its own section."""

    def add(self, config: NetworkConfig, attachment: Attachment) -> Result:
        """The delegate's ``ADD``: its result's addresses, routes and DNS."""
        return self._exec.network_add(self.ipam_type, config, attachment)

    def delete(self, config: NetworkConfig, attachment: Attachment) -> None:
        """The delegate's ``DEL``."""
        self._exec.network_del(self.ipam_type, config, attachment)

    def check(self, config: NetworkConfig, attachment: Attachment) -> None:
        """The delegate's ``CHECK``."""
        self._exec.network_check(self.ipam_type, config, attachment)

    def gc(self, config: NetworkConfig, valid_attachments: tuple[GCAttachment, ...]) -> None:
        """The delegate's ``GC``, for the SPEC versions that have it."""
        self._exec.network_gc(self.ipam_type, config, valid_attachments)

    def status(self, config: NetworkConfig) -> None:
        """The delegate's ``STATUS``."""
        self._exec.network_status(self.ipam_type, config)


__all__ = ["DelegatedIPAM"]

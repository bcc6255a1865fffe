"""CNI type ``example-bridge``: addresses from a documentation range, in memory.

It shows the shape of a network plugin: one class answering for its type,
validation first, ADD returning a result that extends ``prevResult``, DEL
idempotent, CHECK comparing with what ADD gave, GC releasing what is not
valid any more.
"""

from __future__ import annotations

import ipaddress
import threading
from typing import TYPE_CHECKING, Literal

import podkit
from podkit.models.network import CNI_VERSIONS, IPConfig, Result, VersionResult

if TYPE_CHECKING:
    from podkit.models.network import Attachment, GCAttachment, NetworkConfig

SUBNET = ipaddress.ip_network("192.0.2.0/24")


@podkit.answers_for("example-bridge")
class ExampleNetwork:
    """Hands out one address per attachment (container id + interface)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._leases: dict[tuple[str, str], ipaddress.IPv4Interface] = {}

    def _key(self, attachment: Attachment) -> tuple[str, str]:
        return (attachment.container_id, attachment.ifname)

    @podkit.hookimpl
    def network_add(self, config: NetworkConfig, attachment: Attachment) -> Result:
        """Lease an address and add it to the previous result."""
        with self._lock:
            lease = self._leases.get(self._key(attachment))
            if lease is None:
                taken = set(self._leases.values())
                hosts = (ipaddress.IPv4Interface(f"{h}/24") for h in SUBNET.hosts())
                lease = next((h for h in hosts if h not in taken), None)
                if lease is None:
                    msg = f"failed to add network {config.name!r}: {SUBNET} is exhausted"
                    raise podkit.ResourceExhaustedError(msg)
                self._leases[self._key(attachment)] = lease
        previous = config.prev_result or Result(cni_version=config.cni_version)
        return Result(
            cni_version=config.cni_version,
            interfaces=previous.interfaces,
            ips=(*previous.ips, IPConfig(address=lease)),
            routes=previous.routes,
            dns=previous.dns,
        )

    @podkit.hookimpl
    def network_del(self, attachment: Attachment) -> Literal[True]:
        """Release the lease; a missing one is fine (DEL is idempotent)."""
        with self._lock:
            self._leases.pop(self._key(attachment), None)
        return True

    @podkit.hookimpl
    def network_check(self, config: NetworkConfig, attachment: Attachment) -> Literal[True]:
        """Fail when the lease ADD gave is gone or differs from prevResult."""
        lease = self._leases.get(self._key(attachment))
        given = {ip.address for ip in (config.prev_result.ips if config.prev_result else ())}
        if lease is None or lease not in given:
            msg = (
                f"failed to check network {config.name!r}: no lease for {attachment.container_id!r}"
            )
            raise podkit.FailedPreconditionError(msg)
        return True

    @podkit.hookimpl
    def network_status(self) -> Literal[True]:
        """Ready while addresses remain."""
        if len(self._leases) >= SUBNET.num_addresses - 2:
            msg = f"{SUBNET} is exhausted"
            raise podkit.PluginNotAvailableError(msg)
        return True

    @podkit.hookimpl
    def network_gc(self, valid_attachments: tuple[GCAttachment, ...]) -> Literal[True]:
        """Release every lease whose attachment is not in the valid list."""
        valid = {(a.container_id, a.ifname) for a in valid_attachments}
        with self._lock:
            for key in set(self._leases) - valid:
                del self._leases[key]
        return True

    @podkit.hookimpl
    def network_version(self) -> VersionResult:
        """Every SPEC version: the podkit wire translates."""
        return VersionResult(supported_versions=CNI_VERSIONS)

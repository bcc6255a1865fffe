"""``host-local``: IP address management from ranges, with reservations on disk.

:class:`HostLocalIPAM` is the library: allocation, release, check, GC and
status over a :class:`~podkit.plugins.network._host_local_store.Store`.
:class:`HostLocalPlugin` exposes it as the network hooks for CNI type
``host-local`` (a runtime, or the CNI wire, may call it as a delegated IPAM
plugin); the bridge plugin calls the same library in-process, since
plugins never call each other through the plugin manager (STYLE.md
section 5).

Allocation follows upstream's ``IPAllocator``: one address per range set,
searched from the one after ``last_reserved_ip`` round the whole set,
skipping the gateway and reserved addresses. A range set holding a
requested address (``CNI_ARGS`` ``IP``, ``args.cni.ips``, ``runtimeConfig.ips``)
gives that one or fails; an address asked for that no range set holds fails
the ``ADD``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, final

import podkit
from podkit.models.network import CNI_VERSIONS, IPConfig, Result, VersionResult
from podkit.plugins.network import _host_local_config
from podkit.plugins.network._host_local_store import Store

if TYPE_CHECKING:
    from collections.abc import Iterator

    from podkit.models.network import (
        Attachment,
        GCAttachment,
        IPAddress,
        IPRange,
        NetworkConfig,
    )

_TYPE: Final = "host-local"


def _candidates(pool: tuple[IPRange, ...], last: IPAddress | None) -> Iterator[IPAddress]:
    """Yield every address of a range set once, starting after ``last``."""
    bounds = [(int(r.range_start or 0), int(r.range_end or 0)) for r in pool]
    first_range, first_value = 0, bounds[0][0]
    for position, (start, end) in enumerate(bounds):
        if last is not None and start <= int(last) <= end:
            first_range, first_value = position, int(last) + 1
            break
    address_type = type(pool[0].subnet.network_address)
    for step in range(len(bounds) + 1):
        position = (first_range + step) % len(bounds)
        start, end = bounds[position]
        if step == 0:
            start = first_value
        elif step == len(bounds):  # back in the first range, up to where we began
            end = min(end, first_value - 1)
        for value in range(start, end + 1):
            yield address_type(value)


def _allocate(
    store: Store, pool: tuple[IPRange, ...], index: int, attachment: Attachment
) -> IPConfig:
    gateways = {r.gateway for r in pool}
    for address in _candidates(pool, store.last_reserved(index)):
        if address in gateways:
            continue
        if store.reserve(address, attachment.container_id, attachment.ifname, index):
            owner = next(r for r in pool if address in r.subnet)
            return IPConfig(address=f"{address}/{owner.subnet.prefixlen}", gateway=owner.gateway)
    subnets = ", ".join(str(r.subnet) for r in pool)
    msg = (
        f"failed to allocate an address for container {attachment.container_id!r}: "
        f"no IP addresses available in range set {subnets}"
    )
    raise podkit.ResourceExhaustedError(msg)


def _reserve_requested(
    store: Store, pool: tuple[IPRange, ...], index: int, attachment: Attachment, address: IPAddress
) -> IPConfig:
    owner = next(r for r in pool if _holds(r, address))
    subnets = ", ".join(str(r.subnet) for r in pool)
    if address == owner.gateway:
        msg = f"failed to allocate for range {index}: requested ip {address} is subnet's gateway"
        raise podkit.InvalidArgumentError(msg)
    if not store.reserve(address, attachment.container_id, attachment.ifname, index):
        msg = (
            f"failed to allocate for range {index}: requested IP address {address} is not "
            f"available in range set {subnets}"
        )
        raise podkit.AlreadyExistsError(msg)
    return IPConfig(address=f"{address}/{owner.subnet.prefixlen}", gateway=owner.gateway)


def _holds(address_range: IPRange, address: IPAddress) -> bool:
    """Whether ``address`` is in the range, between its start and end (``Range.Contains``)."""
    start, end = address_range.range_start, address_range.range_end
    return (
        address.version == address_range.subnet.version
        and address in address_range.subnet
        and (start is None or int(start) <= int(address))
        and (end is None or int(address) <= int(end))
    )


@final
class HostLocalIPAM:
    """host-local as a library, for the plugins that manage addresses in-process.

    :param default_data_dir: ``dataDir`` when the configuration gives none.
    """

    def __init__(self, default_data_dir: Path = _host_local_config.DEFAULT_DATA_DIR) -> None:
        """Use ``default_data_dir`` for configurations without ``dataDir``."""
        self.default_data_dir = Path(default_data_dir)

    def _store(self, config: NetworkConfig) -> tuple[_host_local_config.HostLocalConf, Store]:
        conf = _host_local_config.load(config, self.default_data_dir)
        return conf, Store(conf.network_dir)

    def validate(self, config: NetworkConfig) -> None:
        """Parse and check ``config.ipam``, changing nothing.

        :raises podkit.InvalidArgumentError: a key is malformed; the message names it.
        :raises podkit.UnimplementedError: a key host-local does not know.
        """
        _host_local_config.load(config, self.default_data_dir)

    def add(self, config: NetworkConfig, attachment: Attachment) -> Result:
        """Reserve one address per range set; return the abbreviated IPAM result.

        :raises podkit.AlreadyExistsError: the attachment holds addresses already,
            or a requested address is taken.
        :raises podkit.ResourceExhaustedError: a range set has no free address.
        :raises podkit.InvalidArgumentError: a requested address is malformed, the
            gateway, or in no range set.
        """
        conf, store = self._store(config)
        requested = list(_host_local_config.requested_addresses(config, attachment))
        with store.locked():
            held = store.owned_by(attachment.container_id, attachment.ifname)
            if held:
                msg = (
                    f"failed to allocate an address for container {attachment.container_id!r}: "
                    f"{held[0]} is allocated to it already, duplicate allocation is not allowed"
                )
                raise podkit.AlreadyExistsError(msg)
            ips: list[IPConfig] = []
            with contextlib.ExitStack() as undo:
                for index, pool in enumerate(conf.range_sets):
                    wanted = next((a for a in requested if any(_holds(r, a) for r in pool)), None)
                    if wanted is None:
                        ip = _allocate(store, pool, index, attachment)
                    else:
                        requested.remove(wanted)
                        ip = _reserve_requested(store, pool, index, attachment, wanted)
                    undo.callback(store.release, ip.address.ip)
                    ips.append(ip)
                if requested:
                    missed = " ".join(str(a) for a in requested)
                    msg = f"failed to allocate all requested IPs: {missed}"
                    raise podkit.InvalidArgumentError(msg)
                undo.pop_all()
        return Result(cni_version=config.cni_version, ips=ips, routes=conf.routes, dns=conf.dns)

    def delete(self, config: NetworkConfig, attachment: Attachment) -> None:
        """Release the attachment's addresses; none held is no error (SPEC: DEL)."""
        _, store = self._store(config)
        with store.locked():
            for address in store.owned_by(attachment.container_id, attachment.ifname):
                store.release(address)

    def check(self, config: NetworkConfig, attachment: Attachment) -> None:
        """Fail unless the attachment still holds its addresses.

        :raises podkit.FailedPreconditionError: an address is not reserved for it.
        """
        conf, store = self._store(config)
        with store.locked():
            held = set(store.owned_by(attachment.container_id, attachment.ifname))
        subnets = [r.subnet for pool in conf.range_sets for r in pool]
        prev = config.prev_result.ips if config.prev_result else ()
        # Only the addresses from our ranges: a chain may hold others' addresses.
        expected = {ip.address.ip for ip in prev if any(ip.address.ip in s for s in subnets)}
        missing = ", ".join(sorted(str(a) for a in expected - held))
        if not held or missing:
            problem = f"{missing} not reserved for it" if missing else "it holds no address"
            msg = (
                f"failed to check host-local addresses of container "
                f"{attachment.container_id!r}: {problem}"
            )
            raise podkit.FailedPreconditionError(msg)

    def gc(self, config: NetworkConfig, valid_attachments: tuple[GCAttachment, ...]) -> None:
        """Release every reservation whose attachment is not in ``valid_attachments``."""
        _, store = self._store(config)
        valid = {(a.container_id, a.ifname) for a in valid_attachments}
        with store.locked():
            for address, owner in store.reservations().items():
                if owner not in valid:
                    store.release(address)

    def status(self, config: NetworkConfig) -> None:
        """Fail when a range set has no free address left.

        :raises podkit.PluginNotAvailableError: a range set is exhausted.
        """
        conf, store = self._store(config)
        with store.locked():
            for pool in conf.range_sets:
                gateways = {r.gateway for r in pool}
                free = (
                    a
                    for a in _candidates(pool, None)
                    if a not in gateways and not store.is_reserved(a)
                )
                if next(free, None) is None:
                    subnets = ", ".join(str(r.subnet) for r in pool)
                    msg = f"host-local: no IP addresses available in range set {subnets}"
                    raise podkit.PluginNotAvailableError(msg)


@final
@podkit.answers_for(_TYPE)
class HostLocalPlugin:
    """The network hooks for CNI type ``host-local``, a delegated IPAM plugin.

    :param default_data_dir: ``dataDir`` when the configuration gives none
        (upstream's ``/var/lib/cni/networks``).
    """

    def __init__(self, default_data_dir: Path = _host_local_config.DEFAULT_DATA_DIR) -> None:
        """Serve host-local with reservations under ``default_data_dir`` by default."""
        self.ipam = HostLocalIPAM(default_data_dir)

    @podkit.hookimpl
    def network_add(self, config: NetworkConfig, attachment: Attachment) -> Result:
        """Reserve addresses (CNI ``ADD`` of a delegated IPAM plugin)."""
        return self.ipam.add(config, attachment)

    @podkit.hookimpl
    def network_del(self, config: NetworkConfig, attachment: Attachment) -> Literal[True]:
        """Release the attachment's addresses (CNI ``DEL``)."""
        self.ipam.delete(config, attachment)
        return True

    @podkit.hookimpl
    def network_check(self, config: NetworkConfig, attachment: Attachment) -> Literal[True]:
        """Check the attachment still holds its addresses (CNI ``CHECK``)."""
        self.ipam.check(config, attachment)
        return True

    @podkit.hookimpl
    def network_status(self, config: NetworkConfig) -> Literal[True]:
        """Ready while every range set has a free address (CNI ``STATUS``)."""
        self.ipam.status(config)
        return True

    @podkit.hookimpl
    def network_gc(
        self, config: NetworkConfig, valid_attachments: tuple[GCAttachment, ...]
    ) -> Literal[True]:
        """Release reservations of attachments no longer valid (CNI ``GC``)."""
        self.ipam.gc(config, valid_attachments)
        return True

    @podkit.hookimpl
    def network_version(self) -> VersionResult:
        """Every SPEC version: the podkit wire translates."""
        return VersionResult(supported_versions=CNI_VERSIONS)


__all__ = ["HostLocalIPAM", "HostLocalPlugin"]

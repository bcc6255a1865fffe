"""host-local's reservations on disk, laid out as the upstream plugin lays them out.

One directory per network (``<dataDir>/<network name>/``) holds one file per
reserved address, named after it and holding ``<container id>``, CR LF, ``<ifname>``,
a ``last_reserved_ip.<range set index>`` file per range set (allocation
carries on after it, so addresses are not reused at once), and a ``lock``
file. Every read and write happens under an exclusive ``flock(2)`` of that
lock file, which serialises ``ADD``, ``DEL`` and ``GC`` across threads
(each :meth:`Store.locked` opens its own file description) and processes
alike, as upstream's disk backend does. Files are written atomically
(:mod:`podkit.statefiles`) but not fsynced, as upstream writes them: a
reservation is for a container on the running host, and survives a killed
process in the page cache; after a power loss the containers are gone too,
and ``GC`` releases what a reboot left (an empty file included).
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import os
from typing import TYPE_CHECKING, Final, final

from podkit import statefiles

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from podkit.models.network import IPAddress

_LINE_BREAK: Final = "\r\n"
_LAST_RESERVED: Final = "last_reserved_ip."
_LOCK: Final = "lock"


def _read(path: str) -> str:
    """A small file's text, with plain system calls (this runs once per reservation)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return os.read(fd, 4096).decode(errors="replace")
    finally:
        os.close(fd)


@final
class Store:
    """The reservations of one network; call the other methods under :meth:`locked`.

    :param directory: the network's directory, ``<dataDir>/<network name>``.
    """

    def __init__(self, directory: Path) -> None:
        """Use ``directory``; it is created on the first :meth:`locked`."""
        self.directory = directory

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the network's lock (an exclusive flock of its ``lock`` file)."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.directory / _LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the last descriptor releases the flock

    def reserve(self, address: IPAddress, container_id: str, ifname: str, range_set: int) -> bool:
        """Reserve ``address`` for an attachment; ``False`` when it is taken already."""
        path = self.directory / str(address)
        if path.exists():
            return False
        owner = f"{container_id}{_LINE_BREAK}{ifname}".encode()
        statefiles.write_bytes(path, owner, mode=0o644, durable=False)
        statefiles.write_bytes(
            self.directory / f"{_LAST_RESERVED}{range_set}", str(address).encode(), durable=False
        )
        return True

    def is_reserved(self, address: IPAddress) -> bool:
        """Tell whether ``address`` is reserved."""
        return (self.directory / str(address)).exists()

    def last_reserved(self, range_set: int) -> IPAddress | None:
        """Return the address last reserved from a range set, if any."""
        try:
            text = (self.directory / f"{_LAST_RESERVED}{range_set}").read_text().strip()
            return ipaddress.ip_address(text)
        except (OSError, ValueError):
            return None

    def _owners(self) -> Iterator[tuple[str, tuple[str, str]]]:
        """Every reservation file's name and owner, ``(container id, ifname)``."""
        try:
            entries = list(os.scandir(self.directory))
        except FileNotFoundError:
            return
        for entry in entries:
            # Reservations are named after their address: skip the lock,
            # last_reserved_ip.N and temporary files without reading them.
            if entry.name.startswith((".", _LOCK, _LAST_RESERVED)):
                continue
            try:
                text = _read(entry.path)
            except OSError:
                continue  # released meanwhile, or not a file
            container_id, _, ifname = text.partition(_LINE_BREAK)
            yield entry.name, (container_id.strip(), ifname.strip())

    def reservations(self) -> dict[IPAddress, tuple[str, str]]:
        """Return every reservation: address -> (container id, ifname)."""
        found: dict[IPAddress, tuple[str, str]] = {}
        for name, owner in self._owners():
            with contextlib.suppress(ValueError):  # not named after an address: not ours
                found[ipaddress.ip_address(name)] = owner
        return found

    def owned_by(self, container_id: str, ifname: str) -> list[IPAddress]:
        """Return the addresses reserved for an attachment.

        Runs at each ``ADD`` and ``DEL``: only the names of matching files are
        parsed as addresses (parsing every name was most of the scan's time).
        """
        # Files from upstream versions before 0.8 hold the container ID only.
        wanted = {(container_id, ifname), (container_id, "")}
        found = []
        for name, owner in self._owners():
            if owner in wanted:
                with contextlib.suppress(ValueError):
                    found.append(ipaddress.ip_address(name))
        return found

    def release(self, address: IPAddress) -> None:
        """Release ``address``; releasing a free address is no error."""
        with contextlib.suppress(FileNotFoundError):
            (self.directory / str(address)).unlink()


__all__ = ["Store"]

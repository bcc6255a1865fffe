"""Netlink for the reference network plugins: the one module that uses pyroute2.

pyroute2 is barely typed and costs ~170 ms to import, so it stays here
(STYLE.md sections 1 and 6): it is imported on the first netlink call, never
when the plugins are merely loaded (``podkit plugins``), and every call goes
through :func:`_translated`, which maps ``NetlinkError.code`` onto
:mod:`podkit.errors` (``EEXIST`` -> already exists, ``ENODEV``/``ENOENT`` ->
not found). The rest of the package sees typed :class:`Link` and
:class:`RouteEntry` values and :class:`Netlink` methods.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import ipaddress
import os
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Self, final

import attrs

import podkit

if TYPE_CHECKING:
    import types
    from collections.abc import Iterator

    from podkit.models.network import IPAddress, IPInterface, IPNetwork

# linux/if.h and linux/if_addr.h.
_IFF_UP: Final = 0x1
_IFF_PROMISC: Final = 0x100
_IFA_F_NODAD: Final = 0x02
_RT_TABLE_MAIN: Final = 254
_NETNS_DIR: Final = Path("/run/netns")
_SYSCTL: Final = Path("/proc/sys/net")
_CLONE_NEWNET: Final = 0x40000000  # linux/sched.h
_LIBC: Final = ctypes.CDLL(None, use_errno=True)

_ERRORS: Final[dict[int, type[podkit.PodkitError]]] = {
    errno.EEXIST: podkit.AlreadyExistsError,
    errno.ENODEV: podkit.NotFoundError,
    errno.ENOENT: podkit.NotFoundError,
    errno.ESRCH: podkit.NotFoundError,
    errno.EADDRNOTAVAIL: podkit.NotFoundError,
    errno.EPERM: podkit.PermissionDeniedError,
    errno.EACCES: podkit.PermissionDeniedError,
    errno.EOPNOTSUPP: podkit.UnimplementedError,
    errno.EBUSY: podkit.UnavailableError,
    errno.EAGAIN: podkit.UnavailableError,
    errno.EINVAL: podkit.InvalidArgumentError,
}


def error_for(code: int, message: str) -> podkit.PodkitError:
    """Return the :mod:`podkit.errors` exception for an errno ``code``."""
    return _ERRORS.get(code, podkit.InternalError)(message)


@contextlib.contextmanager
def _translated(what: str) -> Iterator[None]:
    from pyroute2.netlink.exceptions import NetlinkError  # noqa: PLC0415 - lazy, see above

    try:
        yield
    except NetlinkError as exc:
        raise error_for(exc.code, f"failed to {what}: {os.strerror(exc.code)}") from exc
    except OSError as exc:
        raise error_for(exc.errno or 0, f"failed to {what}: {exc.strerror}") from exc


@final
@attrs.frozen(kw_only=True)
class Link:
    """A network interface as netlink reports it."""

    index: int
    name: str
    #: ``IFLA_INFO_KIND``: ``bridge``, ``veth``...; empty for devices without one.
    kind: str
    mac: str
    mtu: int
    #: The index of the bridge the link is a port of; 0 for none.
    master: int
    #: For a veth: its peer's index (in the peer's namespace); 0 otherwise.
    peer_index: int
    up: bool
    promisc: bool


@final
@attrs.frozen(kw_only=True)
class RouteEntry:
    """A route of the main table, as netlink reports it."""

    dst: IPNetwork
    gw: IPAddress | None
    oif: int
    priority: int


def _link(message: Any) -> Link:  # noqa: ANN401 - a pyroute2 ifinfmsg
    flags = int(message["flags"])
    return Link(
        index=int(message["index"]),
        name=str(message.get("ifname")),
        kind=str(message.get(("linkinfo", "kind")) or ""),
        mac=str(message.get("address") or ""),
        mtu=int(message.get("mtu") or 0),
        master=int(message.get("master") or 0),
        peer_index=int(message.get("link") or 0),
        up=bool(flags & _IFF_UP),
        promisc=bool(flags & _IFF_PROMISC),
    )


def _route(message: Any) -> RouteEntry:  # noqa: ANN401 - a pyroute2 rtmsg
    family = int(message["family"])
    default = "0.0.0.0" if family == socket.AF_INET else "::"  # noqa: S104 - a route's dst
    dst = f"{message.get('dst') or default}/{int(message['dst_len'])}"
    gateway = message.get("gateway")
    return RouteEntry(
        dst=ipaddress.ip_network(dst),
        gw=ipaddress.ip_address(gateway) if gateway else None,
        oif=int(message.get("oif") or 0),
        priority=int(message.get("priority") or 0),
    )


@final
class Netlink:
    """One rtnetlink socket, in the host's network namespace or a container's.

    Open it with :func:`open_host` or :func:`open_netns`; use it as a context
    manager. ``where`` names the namespace in error messages.
    """

    def __init__(self, ipr: Any, where: str) -> None:  # noqa: ANN401 - a pyroute2 IPRoute
        """Wrap an open pyroute2 ``IPRoute``."""
        self._ipr = ipr
        self.where = where

    def __enter__(self) -> Self:
        """Return the socket."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        """Close the socket."""
        self._ipr.close()

    # -- links ------------------------------------------------------------------

    def find_link(self, name: str) -> Link | None:
        """Return the link called ``name``, or ``None``."""
        with _translated(f"look up link {name!r} in {self.where}"):
            found = self._ipr.link_lookup(ifname=name)
            return self.link(int(found[0])) if found else None

    def link(self, index: int) -> Link:
        """Return the link with ``index``; NotFoundError when there is none."""
        with _translated(f"get link {index} in {self.where}"):
            return _link(self._ipr.link("get", index=index)[0])

    def add_bridge(self, name: str, mtu: int) -> None:
        """Create the bridge ``name`` (AlreadyExistsError when the name is taken)."""
        extra = {"mtu": mtu} if mtu else {}
        with _translated(f"create bridge {name!r}"):
            self._ipr.link("add", ifname=name, kind="bridge", **extra)

    def add_veth(self, name: str, *, peer: str, peer_netns: str, mtu: int, peer_mac: str) -> None:
        """Create the veth pair ``name`` (here) and ``peer`` (in ``peer_netns``)."""
        peer_spec: dict[str, object] = {"ifname": peer, "net_ns_fd": peer_netns}
        extra: dict[str, object] = {"mtu": mtu} if mtu else {}
        if mtu:
            peer_spec["mtu"] = mtu
        if peer_mac:
            peer_spec["address"] = peer_mac
        with _translated(f"create veth pair {name!r}/{peer!r}"):
            self._ipr.link("add", ifname=name, kind="veth", peer=peer_spec, **extra)

    def set_link(self, index: int, **changes: object) -> None:
        """Change a link: ``master``, ``state`` (``"up"``/``"down"``), ``mtu``, ``address``."""
        with _translated(f"set {sorted(changes)} of link {index} in {self.where}"):
            self._ipr.link("set", index=index, **changes)

    def set_promisc(self, index: int) -> None:
        """Put a link in promiscuous mode."""
        self.set_link(index, flags=_IFF_PROMISC, change=_IFF_PROMISC)

    def set_hairpin(self, index: int) -> None:
        """Let a bridge port send frames back out where they came from (IFLA_BRPORT_MODE)."""
        with _translated(f"set hairpin mode of link {index}"):
            self._ipr.brport("set", index=index, mode=1)

    def delete_link(self, index: int) -> None:
        """Delete a link (NotFoundError when it is gone)."""
        with _translated(f"delete link {index} in {self.where}"):
            self._ipr.link("del", index=index)

    # -- addresses --------------------------------------------------------------

    def addresses(self, index: int) -> tuple[IPInterface, ...]:
        """Return the global addresses of a link, with their prefix lengths."""
        with _translated(f"list addresses of link {index} in {self.where}"):
            messages = self._ipr.get_addr(index=index)
        found = (
            ipaddress.ip_interface(f"{m.get('address')}/{int(m['prefixlen'])}") for m in messages
        )
        return tuple(a for a in found if not a.is_link_local)

    def add_address(self, index: int, address: IPInterface) -> None:
        """Add ``address`` to a link; IPv6 without duplicate address detection."""
        flags = {"flags": _IFA_F_NODAD} if address.version == 6 else {}  # noqa: PLR2004
        with _translated(f"add address {address} to link {index} in {self.where}"):
            self._ipr.addr(
                "add",
                index=index,
                address=str(address.ip),
                prefixlen=address.network.prefixlen,
                **flags,
            )

    def delete_address(self, index: int, address: IPInterface) -> None:
        """Remove ``address`` from a link."""
        with _translated(f"delete address {address} of link {index} in {self.where}"):
            self._ipr.addr(
                "del", index=index, address=str(address.ip), prefixlen=address.network.prefixlen
            )

    # -- routes -----------------------------------------------------------------

    def routes(self, index: int) -> tuple[RouteEntry, ...]:
        """Return the main-table routes through a link, both IP versions."""
        found = []
        with _translated(f"list routes of link {index} in {self.where}"):
            for family in (socket.AF_INET, socket.AF_INET6):
                found += self._ipr.get_routes(family=family, oif=index, table=_RT_TABLE_MAIN)
        return tuple(_route(m) for m in found)

    def add_route(  # noqa: PLR0913 - a route's fields
        self,
        index: int,
        dst: IPNetwork,
        gw: IPAddress | None,
        *,
        priority: int = 0,
        table: int | None = None,
        scope: int | None = None,
        mtu: int = 0,
        advmss: int = 0,
    ) -> None:
        """Add a route through a link (AlreadyExistsError when it exists)."""
        spec: dict[str, object] = {"dst": str(dst), "oif": index}
        optional = {"gateway": gw and str(gw), "priority": priority, "table": table}
        spec.update({key: value for key, value in optional.items() if value})
        if scope is not None:
            spec["scope"] = scope
        metrics = {key: value for key, value in {"mtu": mtu, "advmss": advmss}.items() if value}
        if metrics:
            spec["metrics"] = metrics
        with _translated(f"add route to {dst} via {gw or 'link'} in {self.where}"):
            self._ipr.route("add", **spec)


def netns_path(netns: str) -> str:
    """Return the path of a network namespace given as a path or as an ``ip netns`` name."""
    return netns if "/" in netns else str(_NETNS_DIR / netns)


def open_host() -> Netlink:
    """Open a netlink socket in this process's network namespace."""
    from pyroute2 import IPRoute  # noqa: PLC0415 - lazy, see the module docstring

    with _translated("open netlink socket"):
        return Netlink(IPRoute(), "the host")


def _socket_in(path: str) -> socket.socket:
    """A netlink route socket created inside the network namespace at ``path``.

    A socket belongs to the namespace of the thread that creates it, so a
    short-lived thread enters the namespace (``setns``), makes the socket and
    ends; the caller's threads never change namespace. pyroute2's own
    ``netns=`` forks a child instead, and a forked child runs the parent's
    Python signal handlers when it is stopped with SIGTERM, which in a
    process that handles SIGTERM (an agent) runs the parent's code twice.
    """
    made: list[socket.socket] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            target = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                if _LIBC.setns(target, _CLONE_NEWNET) != 0:
                    code = ctypes.get_errno()
                    raise OSError(code, os.strerror(code), path)
            finally:
                os.close(target)
            made.append(socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, socket.NETLINK_ROUTE))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="podkit-netns-socket")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return made[0]


def open_netns(netns: str) -> Netlink:
    """Open a netlink socket in the network namespace at ``netns``.

    :raises podkit.NotFoundError: the namespace does not exist (it is never
        created here: pyroute2 would by default).
    """
    from pyroute2 import IPRoute  # noqa: PLC0415 - lazy, see the module docstring

    if not netns:
        msg = "failed to open network namespace: no namespace given (CNI_NETNS is empty)"
        raise podkit.InvalidArgumentError(msg)
    path = netns_path(netns)
    if not Path(path).exists():
        msg = f"failed to open network namespace {netns!r}: it does not exist"
        raise podkit.NotFoundError(msg)
    with _translated(f"open network namespace {netns!r}"):
        return Netlink(IPRoute(use_socket=_socket_in(path)), f"network namespace {netns!r}")


def enable_ip_forward(version: int) -> None:
    """Turn on IP forwarding on the host for one IP version, as the CNI bridge does."""
    path = _SYSCTL / ("ipv4/ip_forward" if version == 4 else "ipv6/conf/all/forwarding")  # noqa: PLR2004
    with _translated(f"enable IPv{version} forwarding"):
        if path.read_text().strip() != "1":
            path.write_text("1")


__all__ = [
    "Link",
    "Netlink",
    "RouteEntry",
    "enable_ip_forward",
    "error_for",
    "netns_path",
    "open_host",
    "open_netns",
]

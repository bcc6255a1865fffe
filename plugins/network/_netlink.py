"""Netlink for the reference network plugins: typed links, addresses and routes.

Requests go over a raw rtnetlink socket (:mod:`~podkit.plugins.network._rtnl`),
one per namespace and operation: no pyroute2, whose per-request machinery
cost the bridge ``ADD`` most of its time and whose import cost ~160 ms.
Every call goes through :func:`_translated`, which maps the kernel's errno
onto :mod:`podkit.errors` (``EEXIST`` -> already exists,
``ENODEV``/``ENOENT`` -> not found). The rest of the package sees typed
:class:`Link` and :class:`RouteEntry` values and :class:`Netlink` methods.
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
from typing import TYPE_CHECKING, Final, Self, final

import attrs

import podkit
from podkit.plugins.network import _rtnl

if TYPE_CHECKING:
    import types
    from collections.abc import Iterator

    from podkit.models.network import IPAddress, IPInterface, IPNetwork

# linux/if.h and linux/if_addr.h.
_IFF_UP: Final = 0x1
_IFF_PROMISC: Final = 0x100
_IFA_F_NODAD: Final = 0x02
#: Address flags: duplicate address detection failed, or still runs.
IFA_F_DADFAILED: Final = 0x08
IFA_F_TENTATIVE: Final = 0x40
_NLA_F_NESTED: Final = 0x8000
_AF_BRIDGE: Final = 7
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
    errno.ETIMEDOUT: podkit.DeadlineExceededError,
}


def error_for(code: int, message: str) -> podkit.PodkitError:
    """Return the :mod:`podkit.errors` exception for an errno ``code``."""
    return _ERRORS.get(code, podkit.InternalError)(message)


@contextlib.contextmanager
def _translated(what: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        code = exc.errno or 0
        raise error_for(code, f"failed to {what}: {os.strerror(code)}") from exc


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


def _mac(payload: bytes) -> str:
    return ":".join(f"{byte:02x}" for byte in payload)


def _link(payload: bytes) -> Link:
    """Decode an ``RTM_NEWLINK`` message."""
    _family, _type, index, flags, _change = _rtnl.IFINFOMSG.unpack_from(payload)
    found = _rtnl.attrs(payload, _rtnl.IFINFOMSG.size)
    info = _rtnl.attrs(found.get(_rtnl.IFLA_LINKINFO, b""))
    numbers = {
        key: _rtnl.as_u32(found[key]) if key in found else 0
        for key in (_rtnl.IFLA_MTU, _rtnl.IFLA_MASTER, _rtnl.IFLA_LINK)
    }
    return Link(
        index=int(index),
        name=_rtnl.as_string(found.get(_rtnl.IFLA_IFNAME, b"")),
        kind=_rtnl.as_string(info.get(_rtnl.IFLA_INFO_KIND, b"")),
        mac=_mac(found.get(_rtnl.IFLA_ADDRESS, b"")),
        mtu=numbers[_rtnl.IFLA_MTU],
        master=numbers[_rtnl.IFLA_MASTER],
        peer_index=numbers[_rtnl.IFLA_LINK],
        up=bool(flags & _IFF_UP),
        promisc=bool(flags & _IFF_PROMISC),
    )


def _route(payload: bytes) -> tuple[int, RouteEntry]:
    """Decode an ``RTM_NEWROUTE`` message: its table and the route."""
    family, dst_len, _src, _tos, table, _proto, _scope, _type, _flags = _rtnl.RTMSG.unpack_from(
        payload
    )
    found = _rtnl.attrs(payload, _rtnl.RTMSG.size)
    if _rtnl.RTA_TABLE in found:
        table = _rtnl.as_u32(found[_rtnl.RTA_TABLE])
    default = "0.0.0.0" if family == socket.AF_INET else "::"  # noqa: S104 - a route's dst
    dst = socket.inet_ntop(family, found[_rtnl.RTA_DST]) if _rtnl.RTA_DST in found else default
    gateway = found.get(_rtnl.RTA_GATEWAY)
    return table, RouteEntry(
        dst=ipaddress.ip_network(f"{dst}/{dst_len}", strict=False),
        gw=ipaddress.ip_address(socket.inet_ntop(family, gateway)) if gateway else None,
        oif=_rtnl.as_u32(found[_rtnl.RTA_OIF]) if _rtnl.RTA_OIF in found else 0,
        priority=_rtnl.as_u32(found[_rtnl.RTA_PRIORITY]) if _rtnl.RTA_PRIORITY in found else 0,
    )


def _family(version: int) -> int:
    return socket.AF_INET if version == 4 else socket.AF_INET6  # noqa: PLR2004


def _ifinfo(index: int = 0, *, family: int = 0, flags: int = 0, change: int = 0) -> bytes:
    return _rtnl.IFINFOMSG.pack(family, 0, index, flags, change)


@final
class Netlink:
    """One rtnetlink socket, in the host's network namespace or a container's.

    Open it with :func:`open_host` or :func:`open_netns`; use it as a context
    manager. ``where`` names the namespace in error messages.
    """

    def __init__(self, sock: _rtnl.Socket, where: str) -> None:
        """Wrap an open rtnetlink socket."""
        self._sock = sock
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
        self._sock.close()

    # -- links ------------------------------------------------------------------

    def _get_link(self, body: bytes) -> Link:
        answer = self._sock.request(_rtnl.RTM_GETLINK, 0, body)
        return _link(answer[0][1])

    def find_link(self, name: str) -> Link | None:
        """Return the link called ``name``, or ``None``."""
        with _translated(f"look up link {name!r} in {self.where}"):
            try:
                return self._get_link(_ifinfo() + _rtnl.string(_rtnl.IFLA_IFNAME, name))
            except _rtnl.NetlinkError as exc:
                if exc.errno == errno.ENODEV:
                    return None
                raise

    def links(self) -> tuple[Link, ...]:
        """Return every link in the namespace."""
        with _translated(f"list links in {self.where}"):
            answer = self._sock.request(_rtnl.RTM_GETLINK, _rtnl.NLM_F_DUMP, _ifinfo())
            return tuple(_link(payload) for kind, payload in answer if kind == _rtnl.RTM_NEWLINK)

    def link(self, index: int) -> Link:
        """Return the link with ``index``; NotFoundError when there is none."""
        with _translated(f"get link {index} in {self.where}"):
            return self._get_link(_ifinfo(index))

    def _new_link(self, body: bytes) -> None:
        self._sock.request(_rtnl.RTM_NEWLINK, _rtnl.NLM_F_CREATE | _rtnl.NLM_F_EXCL, body)

    def add_bridge(self, name: str, mtu: int) -> None:
        """Create the bridge ``name`` (AlreadyExistsError when the name is taken)."""
        body = _ifinfo() + _rtnl.string(_rtnl.IFLA_IFNAME, name)
        if mtu:
            body += _rtnl.u32(_rtnl.IFLA_MTU, mtu)
        body += _rtnl.attr(_rtnl.IFLA_LINKINFO, _rtnl.string(_rtnl.IFLA_INFO_KIND, "bridge"))
        with _translated(f"create bridge {name!r}"):
            self._new_link(body)

    def add_veth(self, name: str, *, peer: str, peer_netns: str, mtu: int, peer_mac: str) -> None:
        """Create the veth pair ``name`` (here) and ``peer`` (in ``peer_netns``)."""
        mtu_attr = _rtnl.u32(_rtnl.IFLA_MTU, mtu) if mtu else b""
        with _translated(f"create veth pair {name!r}/{peer!r}"):
            netns_fd = os.open(netns_path(peer_netns), os.O_RDONLY | os.O_CLOEXEC)
            try:
                peer_spec = _ifinfo() + _rtnl.string(_rtnl.IFLA_IFNAME, peer) + mtu_attr
                peer_spec += _rtnl.u32(_rtnl.IFLA_NET_NS_FD, netns_fd)
                if peer_mac:
                    peer_spec += _rtnl.attr(
                        _rtnl.IFLA_ADDRESS, bytes.fromhex(peer_mac.replace(":", ""))
                    )
                info = _rtnl.string(_rtnl.IFLA_INFO_KIND, "veth") + _rtnl.attr(
                    _rtnl.IFLA_INFO_DATA, _rtnl.attr(_rtnl.VETH_INFO_PEER, peer_spec)
                )
                body = _ifinfo() + _rtnl.string(_rtnl.IFLA_IFNAME, name) + mtu_attr
                self._new_link(body + _rtnl.attr(_rtnl.IFLA_LINKINFO, info))
            finally:
                os.close(netns_fd)

    def set_link(
        self,
        index: int,
        *,
        master: int | None = None,
        state: str | None = None,
        mtu: int | None = None,
        address: str | None = None,
    ) -> None:
        """Change a link: ``master``, ``state`` (``"up"``/``"down"``), ``mtu``, ``address``."""
        flags, change = (_IFF_UP if state == "up" else 0), (_IFF_UP if state else 0)
        body = _ifinfo(index, flags=flags, change=change)
        if master is not None:
            body += _rtnl.u32(_rtnl.IFLA_MASTER, master)
        if mtu is not None:
            body += _rtnl.u32(_rtnl.IFLA_MTU, mtu)
        if address is not None:
            body += _rtnl.attr(_rtnl.IFLA_ADDRESS, bytes.fromhex(address.replace(":", "")))
        changes = [
            n
            for n, v in (("master", master), ("state", state), ("mtu", mtu), ("address", address))
            if v is not None
        ]
        with _translated(f"set {changes} of link {index} in {self.where}"):
            self._sock.request(_rtnl.RTM_SETLINK, 0, body)

    def set_promisc(self, index: int) -> None:
        """Put a link in promiscuous mode."""
        body = _ifinfo(index, flags=_IFF_PROMISC, change=_IFF_PROMISC)
        with _translated(f"set promiscuous mode of link {index} in {self.where}"):
            self._sock.request(_rtnl.RTM_SETLINK, 0, body)

    def set_hairpin(self, index: int) -> None:
        """Let a bridge port send frames back out where they came from (IFLA_BRPORT_MODE)."""
        self._set_port_flag(index, _rtnl.IFLA_BRPORT_MODE, "hairpin mode")

    def set_isolated(self, index: int) -> None:
        """Keep a bridge port from other isolated ports (IFLA_BRPORT_ISOLATED)."""
        self._set_port_flag(index, _rtnl.IFLA_BRPORT_ISOLATED, "port isolation")

    def _set_port_flag(self, index: int, attribute: int, what: str) -> None:
        # The bridge reads IFLA_PROTINFO as port settings only when it is flagged nested.
        protinfo = _rtnl.attr(_rtnl.IFLA_PROTINFO | _NLA_F_NESTED, _rtnl.attr(attribute, b"\x01"))
        with _translated(f"set {what} of link {index}"):
            self._sock.request(_rtnl.RTM_SETLINK, 0, _ifinfo(index, family=_AF_BRIDGE) + protinfo)

    def rename_link(self, index: int, name: str) -> None:
        """Rename a link (it must be down)."""
        body = _ifinfo(index) + _rtnl.string(_rtnl.IFLA_IFNAME, name)
        with _translated(f"rename link {index} to {name!r} in {self.where}"):
            self._sock.request(_rtnl.RTM_SETLINK, 0, body)

    def delete_link(self, index: int) -> None:
        """Delete a link (NotFoundError when it is gone)."""
        with _translated(f"delete link {index} in {self.where}"):
            self._sock.request(_rtnl.RTM_DELLINK, 0, _ifinfo(index))

    # -- addresses --------------------------------------------------------------

    def addresses(self, index: int) -> tuple[IPInterface, ...]:
        """Return the global addresses of a link, with their prefix lengths."""
        return tuple(self.address_flags(index))

    def address_flags(self, index: int) -> dict[IPInterface, int]:
        """Return the global addresses of a link with their ``IFA_F_*`` flags."""
        with _translated(f"list addresses of link {index} in {self.where}"):
            answer = self._sock.request(
                _rtnl.RTM_GETADDR, _rtnl.NLM_F_DUMP, _rtnl.IFADDRMSG.pack(0, 0, 0, 0, 0)
            )
        found = {}
        for _kind, payload in answer:
            family, prefixlen, flags, _scope, owner = _rtnl.IFADDRMSG.unpack_from(payload)
            attributes = _rtnl.attrs(payload, _rtnl.IFADDRMSG.size)
            raw = attributes.get(_rtnl.IFA_ADDRESS)
            if owner != index or raw is None:
                continue
            address = ipaddress.ip_interface(f"{socket.inet_ntop(family, raw)}/{prefixlen}")
            if not address.is_link_local:
                extended = attributes.get(_rtnl.IFA_FLAGS)  # all 32 bits, when the kernel sends it
                found[address] = _rtnl.as_u32(extended) if extended else flags
        return found

    def _address(
        self, kind: int, flags: int, index: int, address: IPInterface, *, dad: bool = False
    ) -> None:
        family = _family(address.version)
        # IPv6 without duplicate address detection unless asked: usable at once.
        ifa_flags = _IFA_F_NODAD if address.version == 6 and not dad else 0  # noqa: PLR2004
        packed = address.ip.packed
        body = _rtnl.IFADDRMSG.pack(family, address.network.prefixlen, ifa_flags, 0, index)
        body += _rtnl.attr(_rtnl.IFA_LOCAL, packed) + _rtnl.attr(_rtnl.IFA_ADDRESS, packed)
        self._sock.request(kind, flags, body)

    def add_address(self, index: int, address: IPInterface, *, dad: bool = False) -> None:
        """Add ``address`` to a link; IPv6 without duplicate address detection unless ``dad``."""
        flags = _rtnl.NLM_F_CREATE | _rtnl.NLM_F_EXCL
        with _translated(f"add address {address} to link {index} in {self.where}"):
            self._address(_rtnl.RTM_NEWADDR, flags, index, address, dad=dad)

    def delete_address(self, index: int, address: IPInterface) -> None:
        """Remove ``address`` from a link."""
        with _translated(f"delete address {address} of link {index} in {self.where}"):
            self._address(_rtnl.RTM_DELADDR, 0, index, address)

    # -- routes -----------------------------------------------------------------

    def routes(self, index: int) -> tuple[RouteEntry, ...]:
        """Return the main-table routes through a link, both IP versions."""
        found = []
        with _translated(f"list routes of link {index} in {self.where}"):
            for family in (socket.AF_INET, socket.AF_INET6):
                body = _rtnl.RTMSG.pack(family, 0, 0, 0, 0, 0, 0, 0, 0)
                found += self._sock.request(_rtnl.RTM_GETROUTE, _rtnl.NLM_F_DUMP, body)
        routes = (_route(payload) for _kind, payload in found)
        return tuple(r for table, r in routes if table == _RT_TABLE_MAIN and r.oif == index)

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
        table = table or _RT_TABLE_MAIN
        header = _rtnl.RTMSG.pack(
            _family(dst.version),
            dst.prefixlen,
            0,
            0,
            table if table < 256 else 0,  # noqa: PLR2004 - larger ids go in RTA_TABLE only
            _rtnl.RTPROT_STATIC,
            scope or 0,
            _rtnl.RTN_UNICAST,
            0,
        )
        body = header + _rtnl.u32(_rtnl.RTA_TABLE, table) + _rtnl.u32(_rtnl.RTA_OIF, index)
        if dst.prefixlen:
            body += _rtnl.attr(_rtnl.RTA_DST, dst.network_address.packed)
        if gw:
            body += _rtnl.attr(_rtnl.RTA_GATEWAY, gw.packed)
        if priority:
            body += _rtnl.u32(_rtnl.RTA_PRIORITY, priority)
        metrics = (_rtnl.u32(_rtnl.RTAX_MTU, mtu) if mtu else b"") + (
            _rtnl.u32(_rtnl.RTAX_ADVMSS, advmss) if advmss else b""
        )
        if metrics:
            body += _rtnl.attr(_rtnl.RTA_METRICS, metrics)
        with _translated(f"add route to {dst} via {gw or 'link'} in {self.where}"):
            self._sock.request(_rtnl.RTM_NEWROUTE, _rtnl.NLM_F_CREATE | _rtnl.NLM_F_EXCL, body)


def netns_path(netns: str) -> str:
    """Return the path of a network namespace given as a path or as an ``ip netns`` name."""
    return netns if "/" in netns else str(_NETNS_DIR / netns)


def open_host() -> Netlink:
    """Open a netlink socket in this process's network namespace."""
    with _translated("open netlink socket"):
        return Netlink(_rtnl.Socket(), "the host")


def _socket_in(path: str) -> socket.socket:
    """A netlink route socket created inside the network namespace at ``path``.

    A socket belongs to the namespace of the thread that creates it, so a
    short-lived thread enters the namespace (``setns``), makes the socket and
    ends; the caller's threads never change namespace (pyroute2's ``netns=``
    forked a child instead, which ran the parent's signal handlers when
    stopped with SIGTERM).
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
            made.append(socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE))
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
    if not netns:
        msg = "failed to open network namespace: no namespace given (CNI_NETNS is empty)"
        raise podkit.InvalidArgumentError(msg)
    path = netns_path(netns)
    if not Path(path).exists():
        msg = f"failed to open network namespace {netns!r}: it does not exist"
        raise podkit.NotFoundError(msg)
    with _translated(f"open network namespace {netns!r}"):
        return Netlink(_rtnl.Socket(_socket_in(path)), f"network namespace {netns!r}")


def enable_ip_forward(version: int) -> None:
    """Turn on IP forwarding on the host for one IP version, as the CNI bridge does."""
    path = _SYSCTL / ("ipv4/ip_forward" if version == 4 else "ipv6/conf/all/forwarding")  # noqa: PLR2004
    with _translated(f"enable IPv{version} forwarding"):
        if path.read_text().strip() != "1":
            path.write_text("1")


__all__ = [
    "IFA_F_DADFAILED",
    "IFA_F_TENTATIVE",
    "Link",
    "Netlink",
    "RouteEntry",
    "enable_ip_forward",
    "error_for",
    "netns_path",
    "open_host",
    "open_netns",
]

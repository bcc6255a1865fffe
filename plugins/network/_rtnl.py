"""rtnetlink on a raw socket: the dozen messages the network plugins send, packed with struct.

The plugins' hot path (a bridge ``ADD`` is ~15 netlink requests) spent most
of its time in pyroute2's generic machinery (an asyncio loop per request,
every attribute of every reply decoded) and ~160 ms importing it. The
messages it needs are few and fixed (``linux/rtnetlink.h``,
``linux/if_link.h``, ``linux/if_addr.h``, ``linux/veth.h``), so they are
encoded and decoded here directly, reading only the attributes used.
:mod:`~podkit.plugins.network._netlink` builds the typed operations on top.
"""

from __future__ import annotations

import errno
import itertools
import os
import socket
import struct
from typing import TYPE_CHECKING, Final, final

if TYPE_CHECKING:
    from collections.abc import Iterator

# linux/netlink.h
NLMSG_ERROR: Final = 2
NLMSG_DONE: Final = 3
NLM_F_REQUEST: Final = 0x1
NLM_F_MULTI: Final = 0x2
NLM_F_ACK: Final = 0x4
NLM_F_DUMP: Final = 0x300
NLM_F_EXCL: Final = 0x200
NLM_F_CREATE: Final = 0x400
# linux/rtnetlink.h
RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK = 16, 17, 18, 19
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
RTM_NEWROUTE, RTM_GETROUTE = 24, 26
RTPROT_STATIC: Final = 4
RTN_UNICAST: Final = 1
# linux/if_link.h, linux/veth.h, linux/if_addr.h, linux/rtnetlink.h (attribute types)
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_LINK, IFLA_MASTER = 1, 3, 4, 5, 10
IFLA_PROTINFO, IFLA_LINKINFO, IFLA_NET_NS_FD = 12, 18, 28
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
VETH_INFO_PEER: Final = 1
IFLA_BRPORT_MODE: Final = 4
IFLA_BRPORT_ISOLATED: Final = 33
IFA_ADDRESS, IFA_LOCAL, IFA_FLAGS = 1, 2, 8
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_METRICS, RTA_TABLE = 1, 4, 5, 6, 8, 15
RTAX_MTU, RTAX_ADVMSS = 2, 8
_NLA_TYPE_MASK: Final = 0x3FFF  # without NLA_F_NESTED and NLA_F_NET_BYTEORDER

_HEADER: Final = struct.Struct("=IHHII")  # nlmsghdr: len, type, flags, seq, pid
IFINFOMSG: Final = struct.Struct("=BxHiII")  # family, type, index, flags, change
IFADDRMSG: Final = struct.Struct("=BBBBi")  # family, prefixlen, flags, scope, index
RTMSG: Final = struct.Struct("=BBBBBBBBI")  # family, dst/src len, tos, table, proto, scope, type
_ATTR: Final = struct.Struct("=HH")  # rtattr: len, type
_U32: Final = struct.Struct("=I")
_ERRNO: Final = struct.Struct("=i")
_RECV_SIZE: Final = 1 << 16
#: Seconds :meth:`Socket.request` waits for the kernel's next message. The kernel
#: answers at once; the limit turns an answer that never comes into an error.
RECV_TIMEOUT: Final = 30.0


def attr(kind: int, payload: bytes) -> bytes:
    """One netlink attribute, padded to 4 bytes."""
    size = _ATTR.size + len(payload)
    return _ATTR.pack(size, kind) + payload + b"\0" * (-size % 4)


def u32(kind: int, value: int) -> bytes:
    """A ``u32`` attribute."""
    return attr(kind, _U32.pack(value))


def string(kind: int, value: str) -> bytes:
    """A NUL-terminated string attribute."""
    return attr(kind, value.encode() + b"\0")


def attrs(data: bytes, offset: int = 0) -> dict[int, bytes]:
    """Decode the attributes in ``data[offset:]``: type -> payload (the last one wins)."""
    found: dict[int, bytes] = {}
    end = len(data)
    while offset + _ATTR.size <= end:
        size, kind = _ATTR.unpack_from(data, offset)
        if size < _ATTR.size:
            break
        found[kind & _NLA_TYPE_MASK] = data[offset + _ATTR.size : offset + size]
        offset += (size + 3) & ~3
    return found


def as_u32(payload: bytes) -> int:
    """The value of a ``u32`` attribute."""
    return int(_U32.unpack_from(payload)[0])


def as_string(payload: bytes) -> str:
    """The value of a string attribute."""
    return payload.split(b"\0", 1)[0].decode(errors="replace")


class NetlinkError(OSError):
    """The kernel refused a request; ``errno`` says why."""


@final
class Socket:
    """A ``NETLINK_ROUTE`` socket that sends one request at a time and reads its answer.

    :param sock: an unbound ``AF_NETLINK`` raw socket (made in the namespace it
        is to act on), or ``None`` for one in this thread's namespace.
    :param timeout: seconds a request waits for each message of its answer.
    """

    def __init__(self, sock: socket.socket | None = None, *, timeout: float = RECV_TIMEOUT) -> None:
        """Bind ``sock`` (the kernel picks the port id); its receives time out (``SO_RCVTIMEO``)."""
        if sock is None:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        self._sock = sock
        self._sock.bind((0, 0))
        # In the kernel, not sock.settimeout(): that polls before every receive.
        seconds, fraction = divmod(timeout, 1)
        timeval = struct.pack("@ll", int(seconds), int(fraction * 1_000_000))
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)
        self._timeout = timeout
        self._seq = itertools.count(1)

    def close(self) -> None:
        """Close the socket."""
        self._sock.close()

    def request(self, kind: int, flags: int, body: bytes) -> list[tuple[int, bytes]]:
        """Send one request; return the messages of the answer as ``(type, payload)``.

        Requests that are not dumps are acknowledged (``NLM_F_ACK``), so the
        answer ends at the acknowledgement, or at ``NLMSG_DONE`` for a dump.

        :raises NetlinkError: the kernel answered with an error, or (``ETIMEDOUT``)
            sent nothing for the socket's timeout.
        """
        seq = next(self._seq)
        flags |= NLM_F_REQUEST
        if flags & NLM_F_DUMP != NLM_F_DUMP:
            flags |= NLM_F_ACK
        self._sock.send(_HEADER.pack(_HEADER.size + len(body), kind, flags, seq, 0) + body)
        answer: list[tuple[int, bytes]] = []
        while True:
            try:
                data = self._sock.recv(_RECV_SIZE)
            except BlockingIOError as exc:  # SO_RCVTIMEO expired
                msg = f"no answer from the kernel in {self._timeout:g} s"
                raise NetlinkError(errno.ETIMEDOUT, msg) from exc
            for msg_kind, msg_seq, payload in _messages(data):
                if msg_seq != seq:
                    continue  # an answer to an earlier, abandoned request
                if msg_kind == NLMSG_DONE:
                    return answer
                if msg_kind == NLMSG_ERROR:
                    code = -int(_ERRNO.unpack_from(payload)[0])
                    if code:
                        raise NetlinkError(code, os.strerror(code))
                    return answer
                answer.append((msg_kind, payload))


def _messages(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    offset = 0
    while offset + _HEADER.size <= len(data):
        size, kind, _flags, seq, _pid = _HEADER.unpack_from(data, offset)
        if size < _HEADER.size:
            return
        yield kind, seq, data[offset + _HEADER.size : offset + size]
        offset += (size + 3) & ~3


__all__ = [
    "IFADDRMSG",
    "IFINFOMSG",
    "RECV_TIMEOUT",
    "RTMSG",
    "NetlinkError",
    "Socket",
    "as_string",
    "as_u32",
    "attr",
    "attrs",
    "string",
    "u32",
]

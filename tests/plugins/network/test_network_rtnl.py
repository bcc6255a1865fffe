"""The raw rtnetlink codec, and the kernel's answers through it."""

from __future__ import annotations

import errno

import pytest

import podkit
from podkit.plugins.network import _netlink, _rtnl


def test_attributes_are_padded_and_read_back() -> None:
    data = _rtnl.string(_rtnl.IFLA_IFNAME, "eth0") + _rtnl.u32(_rtnl.IFLA_MTU, 1400)
    data += _rtnl.attr(_rtnl.IFLA_ADDRESS, b"\x02\x00\x00\x00\x00\x01")
    assert len(data) % 4 == 0
    found = _rtnl.attrs(data)
    assert _rtnl.as_string(found[_rtnl.IFLA_IFNAME]) == "eth0"
    assert _rtnl.as_u32(found[_rtnl.IFLA_MTU]) == 1400
    assert found[_rtnl.IFLA_ADDRESS] == b"\x02\x00\x00\x00\x00\x01"


def test_nested_attributes_keep_their_type_without_the_flag() -> None:
    nested = _rtnl.attr(_rtnl.IFLA_LINKINFO | 0x8000, _rtnl.string(_rtnl.IFLA_INFO_KIND, "veth"))
    inner = _rtnl.attrs(_rtnl.attrs(nested)[_rtnl.IFLA_LINKINFO])
    assert _rtnl.as_string(inner[_rtnl.IFLA_INFO_KIND]) == "veth"


def test_a_truncated_attribute_ends_the_list() -> None:
    data = _rtnl.u32(_rtnl.IFLA_MTU, 1500) + b"\x02\x00"  # a header cut short
    assert list(_rtnl.attrs(data)) == [_rtnl.IFLA_MTU]


@pytest.mark.root
def test_the_kernels_errors_become_podkit_errors() -> None:
    with _netlink.open_host() as host:
        assert host.find_link("pkn-none") is None
        with pytest.raises(podkit.NotFoundError, match="failed to get link"):
            host.link(2**31 - 1)
        lo = host.find_link("lo")
        assert lo is not None
        assert (lo.index, lo.up) == (1, True)
        with pytest.raises(podkit.AlreadyExistsError):
            host.add_bridge("lo", 0)


def test_a_request_the_kernel_does_not_answer_fails_after_the_timeout() -> None:
    noop = 1  # NLMSG_NOOP, a control message: the kernel skips it and, unasked, acks nothing
    sock = _rtnl.Socket(timeout=0.2)
    try:
        with pytest.raises(_rtnl.NetlinkError) as caught:
            sock.request(noop, _rtnl.NLM_F_DUMP, b"")  # a "dump": request() adds no NLM_F_ACK
    finally:
        sock.close()
    assert caught.value.errno == errno.ETIMEDOUT
    assert isinstance(_netlink.error_for(errno.ETIMEDOUT, "x"), podkit.DeadlineExceededError)

"""``loopback``: bring up ``lo`` in the container's network namespace.

Like the CNI loopback plugin: ``ADD`` sets ``lo`` up and reports it with
its addresses (``127.0.0.1/8``, ``::1/128``); ``DEL`` sets it down, and a
namespace that is gone already counts as done.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Final, Literal, final

import podkit
from podkit.models.network import CNI_VERSIONS, Interface, IPConfig, Result, VersionResult
from podkit.plugins.network import _netlink

if TYPE_CHECKING:
    from podkit.models.network import Attachment, NetworkConfig

_TYPE: Final = "loopback"
_LO: Final = "lo"


def _fail(attachment: Attachment, problem: str) -> podkit.FailedPreconditionError:
    return podkit.FailedPreconditionError(
        f"failed to check loopback of container {attachment.container_id!r}: {problem}"
    )


@final
@podkit.answers_for(_TYPE)
class LoopbackPlugin:
    """The network hooks for CNI type ``loopback``."""

    @podkit.hookimpl
    def network_add(self, config: NetworkConfig, attachment: Attachment) -> Result:
        """Bring ``lo`` up (CNI ``ADD``); a chained call passes ``prevResult`` through."""
        with _netlink.open_netns(attachment.netns) as container:
            link = container.find_link(_LO)
            if link is None:
                msg = f"failed to set up loopback in {attachment.netns!r}: it has no {_LO!r}"
                raise podkit.InternalError(msg)
            container.set_link(link.index, state="up")
            addresses = container.addresses(link.index)
        if config.prev_result is not None:
            return config.prev_result
        return Result(
            cni_version=config.cni_version,
            interfaces=(Interface(name=_LO, mac="00:00:00:00:00:00", sandbox=attachment.netns),),
            ips=tuple(IPConfig(address=a, interface=0) for a in addresses),
        )

    @podkit.hookimpl
    def network_del(self, attachment: Attachment) -> Literal[True]:
        """Set ``lo`` down (CNI ``DEL``); a missing namespace is no error."""
        if not attachment.netns:
            return True
        with (
            contextlib.suppress(podkit.NotFoundError),  # SPEC: DEL succeeds on what is gone
            _netlink.open_netns(attachment.netns) as container,
        ):
            link = container.find_link(_LO)
            if link is not None:
                container.set_link(link.index, state="down")
        return True

    @podkit.hookimpl
    def network_check(self, attachment: Attachment) -> Literal[True]:
        """Fail unless ``lo`` is up (CNI ``CHECK``)."""
        try:
            container = _netlink.open_netns(attachment.netns)
        except podkit.NotFoundError as exc:
            raise _fail(attachment, f"network namespace {attachment.netns!r} is gone") from exc
        with container:
            link = container.find_link(_LO)
            if link is None or not link.up:
                raise _fail(attachment, f"{_LO!r} is not up")
        return True

    @podkit.hookimpl
    def network_status(self) -> Literal[True]:
        """Always ready (CNI ``STATUS``)."""
        return True

    @podkit.hookimpl
    def network_gc(self) -> Literal[True]:
        """Nothing outlives a namespace (CNI ``GC``)."""
        return True

    @podkit.hookimpl
    def network_version(self) -> VersionResult:
        """Every SPEC version: the podkit wire translates."""
        return VersionResult(supported_versions=CNI_VERSIONS)


__all__ = ["LoopbackPlugin"]

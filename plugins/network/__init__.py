"""The reference network plugins: bridge, host-local, loopback, portmap.

Each is a class answering for its CNI type, registered in the
``podkit.network`` entry-point group. They work in-process through the
network hooks, on real netlink (rtnetlink messages on a raw socket, see
``_rtnl``) and nftables (its JSON interface, through libnftables or ``nft -j``):

- :class:`BridgePlugin` (``bridge``): a Linux bridge and a veth pair per
  container, addresses from host-local run in-process, gateway, IP
  masquerade, MAC spoof check, hairpin and promiscuous modes, port isolation, a container
  interface left down on request, IPv4 and IPv6 (duplicate address
  detection on request).
- :class:`HostLocalPlugin` (``host-local``): IP address management from
  ranges, reservations on disk under a file lock, as upstream lays them out;
  addresses asked for by ``CNI_ARGS`` ``IP``, ``args.cni.ips`` or the ``ips``
  capability.
- :class:`LoopbackPlugin` (``loopback``): ``lo`` up in the container.
- :class:`PortmapPlugin` (``portmap``, chained after ``bridge``): host ports
  forwarded into the container with nftables DNAT.
"""

from __future__ import annotations

from podkit.plugins.network._bridge import BridgePlugin
from podkit.plugins.network._host_local import HostLocalIPAM, HostLocalPlugin
from podkit.plugins.network._loopback import LoopbackPlugin
from podkit.plugins.network._portmap import PortmapPlugin

__all__ = ["BridgePlugin", "HostLocalIPAM", "HostLocalPlugin", "LoopbackPlugin", "PortmapPlugin"]

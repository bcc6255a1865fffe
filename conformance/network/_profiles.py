"""Plugin configurations for the well-known CNI types, on the suite's own addresses.

Tests that need an attachment must give the target a configuration it
understands, and only the type's documentation says what that is. This
module knows four types, as the CNI plugins document them: ``bridge``
(with ``host-local`` IPAM), ``host-local`` (called directly, as a runtime
calls a delegated IPAM plugin), ``loopback`` and ``portmap`` (chained after
a ``prevResult``). For any other type :func:`profile_for` returns ``None``
and those tests skip, saying why; the generic tests (VERSION, STATUS of a
minimal configuration, version negotiation) still run.

Addresses come from the documentation ranges only (RFC 5737, RFC 3849), so
the suite never touches a real network: pods on 198.51.100.0/24 and
2001:db8::/64, the port-mapping pod on 203.0.113.0/24.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any, Final, final

import attrs

from podkit.models.network import IPAMConfig, NetworkConfig, RuntimeConfig

if TYPE_CHECKING:
    from collections.abc import Mapping

    from podkit.models.network import PortMapping, Result

#: The pods' subnet; its first address is the gateway.
POD_SUBNET: Final = ipaddress.IPv4Network("198.51.100.0/24")
POD_GATEWAY: Final = ipaddress.IPv4Address("198.51.100.1")
#: The IPv6 pods' subnet, for dual-stack IPAM.
POD_SUBNET6: Final = ipaddress.IPv6Network("2001:db8::/64")
#: The host side and the pod side of the port-mapping pod's veth pair.
PORTMAP_HOST: Final = ipaddress.IPv4Interface("203.0.113.1/24")
PORTMAP_POD: Final = ipaddress.IPv4Interface("203.0.113.2/24")
#: The result versions the suite checks ADD results in (CHECK exists from 0.4.0).
RESULT_VERSIONS: Final = ("0.4.0", "1.0.0", "1.1.0")


@final
@attrs.frozen(kw_only=True)
class Profile:
    """What the suite knows of one well-known CNI type."""

    #: The CNI type.
    cni_type: str
    #: ``ADD`` creates the container interface ``CNI_IFNAME`` (``bridge``).
    creates_interface: bool = False
    #: The type hands out addresses from host-local ranges, itself or delegated.
    manages_addresses: bool = False
    #: The type is chained: it needs the previous plugin's result.
    chained: bool = False
    #: The interface name runtimes give it.
    ifname: str = "eth0"


PROFILES: Final = {
    "bridge": Profile(cni_type="bridge", creates_interface=True, manages_addresses=True),
    "host-local": Profile(cni_type="host-local", manages_addresses=True),
    "loopback": Profile(cni_type="loopback", ifname="lo"),
    "portmap": Profile(cni_type="portmap", chained=True),
}


def profile_for(cni_type: str) -> Profile | None:
    """Return the profile of a well-known type, ``None`` for any other."""
    return PROFILES.get(cni_type)


def host_address(number: int) -> ipaddress.IPv4Address:
    """Return the ``number``-th address of :data:`POD_SUBNET`."""
    return POD_SUBNET.network_address + number


def pod_range(first: int = 2, last: int = 254) -> dict[str, Any]:
    """Return one host-local range of :data:`POD_SUBNET`, hosts ``first`` to ``last``."""
    return {
        "subnet": str(POD_SUBNET),
        "rangeStart": str(host_address(first)),
        "rangeEnd": str(host_address(last)),
        "gateway": str(POD_GATEWAY),
    }


@final
@attrs.frozen(kw_only=True)
class ConfigBuilder:
    """Builds request configurations of one type on one test's resources."""

    profile: Profile
    #: The network's name, unique per test.
    network: str
    #: host-local's ``dataDir``, in the test's temporary folder.
    data_dir: str
    #: The test's own bridge.
    bridge: str

    def ipam(self, ranges: object = None, **extra: object) -> IPAMConfig:
        """Return a host-local section: ``ranges`` (default: all of the pod subnet)."""
        body: dict[str, object] = {
            "ranges": [[pod_range()]] if ranges is None else ranges,
            "dataDir": self.data_dir,
        }
        return IPAMConfig(type="host-local", raw={**body, **extra})

    def build(  # noqa: PLR0913 - one knob per configuration part
        self,
        version: str,
        *,
        ranges: object = None,
        ipam_extra: Mapping[str, object] | None = None,
        raw: Mapping[str, object] | None = None,
        port_mappings: tuple[PortMapping, ...] = (),
        prev_result: Result | None = None,
    ) -> NetworkConfig:
        """Return the type's configuration; keyword arguments override its parts."""
        cni_type = self.profile.cni_type
        ipam = None
        own: dict[str, object] = {}
        if cni_type in {"bridge", "host-local"}:
            ipam = self.ipam(ranges, **(ipam_extra or {}))
        if cni_type == "bridge":
            own = {"bridge": self.bridge, "isGateway": True}
        return NetworkConfig(
            cni_version=version,
            name=self.network,
            type=cni_type,
            ipam=ipam,
            raw={**own, **(raw or {})},
            runtime_config=RuntimeConfig(port_mappings=port_mappings),
            prev_result=prev_result,
        )


__all__ = [
    "POD_GATEWAY",
    "POD_SUBNET",
    "POD_SUBNET6",
    "PORTMAP_HOST",
    "PORTMAP_POD",
    "PROFILES",
    "RESULT_VERSIONS",
    "ConfigBuilder",
    "Profile",
    "host_address",
    "pod_range",
    "profile_for",
]

"""One test's access to the target: its configurations, pods and calls.

A test asks the :class:`Harness` for a configuration of the type under test
(:mod:`~podkit.conformance.network._profiles`), for pods (network
namespaces it owns) and calls the target through the typed facade
``manager.network``. Every successful ``ADD`` is remembered and deleted
again at teardown, so a test that fails half-way leaves nothing behind.
Tests skip, saying why, when the type is not one the suite knows or the
target lacks the SPEC version a rule needs.
"""

from __future__ import annotations

import concurrent.futures
import uuid
from typing import TYPE_CHECKING, Final, Literal, final

import attrs
import pytest

from podkit.conformance.network import _host, _profiles
from podkit.models.network import Attachment, Interface, IPConfig, Result

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from podkit.conformance.plugin import Target
    from podkit.models.network import GCAttachment, NetworkConfig, PortMapping

#: The version that brought STATUS and GC.
GC_VERSION: Final = "1.1.0"


@final
@attrs.frozen(kw_only=True)
class Pod:
    """A network namespace of the test, and the attachment that names it."""

    #: The namespace's name (for ``ip netns exec``).
    name: str
    attachment: Attachment

    @property
    def path(self) -> str:
        """The ``CNI_NETNS`` path."""
        return self.attachment.netns


@final
class Harness:
    """The target seen from one test.

    :param target: the conformance target (manager and CNI type).
    :param supported: the SPEC versions the target's ``VERSION`` lists.
    :param host: the test's host resources, removed at teardown.
    :param data_dir: a folder for host-local's ``dataDir``.
    """

    def __init__(
        self, target: Target, supported: tuple[str, ...], host: _host.HostResources, data_dir: Path
    ) -> None:
        """Pick the profile of the target's type, with names of the test's own."""
        self.cni_type = target.name
        self.network = target.manager.network
        self.supported = supported
        self.host = host
        self.profile = _profiles.profile_for(target.name)
        self.builder = _profiles.ConfigBuilder(
            profile=self.profile or _profiles.Profile(cni_type=target.name),
            network=_host.unique("-net-"),
            data_dir=str(data_dir),
            bridge=host.link(_host.unique()),
        )

    # -- what a test needs ----------------------------------------------------------

    def need_profile(self) -> _profiles.Profile:
        """Return the type's profile, or skip: the suite cannot configure the type."""
        if self.profile is None:
            known = ", ".join(sorted(_profiles.PROFILES))
            pytest.skip(
                f"CNI type {self.cni_type!r} is not one the suite can configure ({known}); "
                "only the generic tests apply to it"
            )
        return self.profile

    def need(self, *, what: str, **traits: bool) -> _profiles.Profile:
        """Return the profile if it has the ``traits`` (e.g. ``chained=True``), else skip."""
        profile = self.need_profile()
        for trait, wanted in traits.items():
            if getattr(profile, trait) != wanted:
                pytest.skip(f"{what}: does not apply to CNI type {self.cni_type!r}")
        return profile

    def need_type(self, *types: str, what: str) -> _profiles.Profile:
        """Return the profile if the type is one of ``types``, else skip."""
        profile = self.need_profile()
        if profile.cni_type not in types:
            pytest.skip(f"{what}: does not apply to CNI type {self.cni_type!r}")
        return profile

    def need_version(self, version: str, why: str) -> str:
        """Return ``version`` if the target supports it, else skip saying ``why``."""
        if version not in self.supported:
            pytest.skip(
                f"{why}: needs SPEC {version}, and the target supports {', '.join(self.supported)}"
            )
        return version

    @property
    def version(self) -> str:
        """The newest version of :data:`~._profiles.RESULT_VERSIONS` the target supports."""
        usable = [v for v in _profiles.RESULT_VERSIONS if v in self.supported]
        if not usable:
            pytest.skip(f"the target supports none of {', '.join(_profiles.RESULT_VERSIONS)}")
        return usable[-1]

    # -- configurations and pods --------------------------------------------------------

    def config(  # noqa: PLR0913 - one knob per configuration part
        self,
        version: str | None = None,
        *,
        ranges: object = None,
        ipam_extra: Mapping[str, object] | None = None,
        raw: Mapping[str, object] | None = None,
        port_mappings: tuple[PortMapping, ...] = (),
        prev_result: Result | None = None,
    ) -> NetworkConfig:
        """Return a configuration of the type under test (see :class:`ConfigBuilder`)."""
        self.need_profile()
        return self.builder.build(
            version or self.version,
            ranges=ranges,
            ipam_extra=ipam_extra,
            raw=raw,
            port_mappings=port_mappings,
            prev_result=prev_result,
        )

    def pod(self, container_id: str | None = None) -> Pod:
        """Create a namespace and return it with an attachment of the type's interface."""
        name = self.host.netns()
        return Pod(name=name, attachment=self.attachment(_host.netns_path(name), container_id))

    def attachment(self, netns: str, container_id: str | None = None) -> Attachment:
        """Return an attachment with a fresh container ID (unless given)."""
        return Attachment(
            container_id=container_id or f"{_host.PREFIX}-c-{uuid.uuid4().hex[:12]}",
            netns=netns,
            ifname=(self.profile.ifname if self.profile else "eth0"),
            path=("/usr/lib/cni", "/opt/cni/bin"),
        )

    def portmap_pod(self, version: str) -> tuple[Pod, Result]:
        """Create a pod on a veth pair of its own, and the ``prevResult`` describing it.

        The pair is made by hand, so that ``portmap`` is tested alone, after a
        result of a previous plugin that is real.
        """
        pod = self.pod()
        outside = self.host.link(_host.unique("h"))
        _host.run(
            "ip", "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", pod.name
        )
        _host.run("ip", "addr", "add", str(_profiles.PORTMAP_HOST), "dev", outside)
        _host.run("ip", "link", "set", outside, "up")
        _host.run("ip", "-n", pod.name, "addr", "add", str(_profiles.PORTMAP_POD), "dev", "eth0")
        _host.run("ip", "-n", pod.name, "link", "set", "eth0", "up")
        _host.run("ip", "-n", pod.name, "link", "set", "lo", "up")
        prev = Result(
            cni_version=version,
            interfaces=(Interface(name=outside), Interface(name="eth0", sandbox=pod.path)),
            ips=(
                IPConfig(
                    address=_profiles.PORTMAP_POD, gateway=_profiles.PORTMAP_HOST.ip, interface=1
                ),
            ),
        )
        return pod, prev

    # -- calls ----------------------------------------------------------------------

    def add(self, config: NetworkConfig, attachment: Attachment) -> Result:
        """``ADD``; a ``DEL`` with its result is queued for teardown."""
        result = self.network.add(self.cni_type, config, attachment)
        final = attrs.evolve(config, prev_result=result)
        self.host.undo.append(lambda: self.network.del_(self.cni_type, final, attachment))
        return result

    def add_concurrently(
        self, config: NetworkConfig, attachments: list[Attachment]
    ) -> list[Result]:
        """``ADD`` every attachment at once, on threads; their ``DEL`` at teardown is too."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(attachments)) as pool:
            futures = [pool.submit(self.network.add, self.cni_type, config, a) for a in attachments]
            concurrent.futures.wait(futures)
        added = [
            (a, f.result()) for a, f in zip(attachments, futures, strict=True) if not f.exception()
        ]
        self.host.undo.append(lambda: self._del_concurrently(config, added))
        return [f.result() for f in futures]

    def _del_concurrently(
        self, config: NetworkConfig, added: list[tuple[Attachment, Result]]
    ) -> None:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(added))) as pool:
            for attachment, result in added:
                final = attrs.evolve(config, prev_result=result)
                pool.submit(self.network.del_, self.cni_type, final, attachment)

    def del_(self, config: NetworkConfig, attachment: Attachment) -> Literal[True]:
        """``DEL``."""
        return self.network.del_(self.cni_type, config, attachment)

    def check(self, config: NetworkConfig, attachment: Attachment) -> Literal[True]:
        """``CHECK``."""
        return self.network.check(self.cni_type, config, attachment)

    def status(self, config: NetworkConfig) -> Literal[True]:
        """``STATUS``."""
        return self.network.status(self.cni_type, config)

    def gc(self, config: NetworkConfig, valid: tuple[GCAttachment, ...]) -> Literal[True]:
        """``GC``."""
        return self.network.gc(self.cni_type, config, valid)


__all__ = ["GC_VERSION", "Harness", "Pod"]

"""Security contexts: the user, groups, capabilities and sysctls of a Pod's processes.

A container's :class:`SecurityContext` overrides its Pod's
:class:`PodSecurityContext` field by field; ``None`` means "not set here".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.models.kube._collections import freeze, ints, strings
from podkit.models.kube._enums import SeccompProfileType
from podkit.models.kube._rules import relative_path, sysctl_name, unix_id
from podkit.models.kube._validators import each, fail, optional_number, text

if TYPE_CHECKING:
    from collections.abc import Iterable

#: The capability a container may not add when privilege escalation is off.
SYS_ADMIN: Final = "CAP_SYS_ADMIN"


def escalation_reason(
    *, allow_privilege_escalation: bool | None, privileged: bool | None, added: tuple[str, ...]
) -> str | None:
    """Word the conflict of ``allowPrivilegeEscalation: false`` with privileges, if any."""
    if allow_privilege_escalation is not False:
        return None
    if privileged:
        return "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"
    if SYS_ADMIN in added or SYS_ADMIN.removeprefix("CAP_") in added:
        return "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"
    return None


def _sysctls(value: Iterable[Sysctl]) -> tuple[Sysctl, ...]:
    return freeze(value)


@final
@attrs.frozen(kw_only=True)
class Capabilities:
    """Linux capabilities to add to and drop from the runtime's default set."""

    add: tuple[str, ...] = attrs.field(default=(), converter=strings)
    drop: tuple[str, ...] = attrs.field(default=(), converter=strings)


def localhost_profile_reason(profile_type: SeccompProfileType, path: str) -> str | None:
    """Word what is wrong with ``localhostProfile`` for ``type``, if anything."""
    if profile_type is SeccompProfileType.LOCALHOST:
        if not path:
            return "must be set when seccomp type is Localhost"
        reasons = relative_path(path)
        return reasons[0] if reasons else None
    if path:
        return "can only be set when seccomp type is Localhost"
    return None


@final
@attrs.frozen(kw_only=True)
class SeccompProfile:
    """The seccomp filter of a Pod's or a container's processes.

    ``localhost_profile`` is a path relative to the node's seccomp directory
    (``<state dir>/seccomp`` for :class:`podkit.Node`), set only with
    :attr:`SeccompProfileType.LOCALHOST`.

    .. versionadded:: 0.1
    """

    type: SeccompProfileType = attrs.field(converter=SeccompProfileType)
    localhost_profile: str = ""

    def __attrs_post_init__(self) -> None:
        reason = localhost_profile_reason(self.type, self.localhost_profile)
        if reason:
            fail("localhost_profile", reason)


@final
@attrs.frozen(kw_only=True)
class Sysctl:
    """A namespaced kernel parameter set in the Pod's sandbox."""

    name: str = attrs.field(validator=text(sysctl_name, required=True))
    value: str = ""


@final
@attrs.frozen(kw_only=True)
class PodSecurityContext:
    """The security settings of every container of a Pod.

    .. versionadded:: 0.1
    """

    run_as_user: int | None = attrs.field(default=None, validator=optional_number(unix_id))
    run_as_group: int | None = attrs.field(default=None, validator=optional_number(unix_id))
    #: When true, the kubelet refuses to start a container that would run as uid 0.
    run_as_non_root: bool | None = None
    #: The group that owns the Pod's volumes, added to every container's groups.
    fs_group: int | None = attrs.field(default=None, validator=optional_number(unix_id))
    supplemental_groups: tuple[int, ...] = attrs.field(
        default=(), converter=ints, validator=each(unix_id)
    )
    sysctls: tuple[Sysctl, ...] = attrs.field(default=(), converter=_sysctls)
    #: The containers' seccomp filter, unless a container sets its own.
    seccomp_profile: SeccompProfile | None = None


@final
@attrs.frozen(kw_only=True)
class SecurityContext:
    """The security settings of one container; set fields override the Pod's.

    .. versionadded:: 0.1
    """

    run_as_user: int | None = attrs.field(default=None, validator=optional_number(unix_id))
    run_as_group: int | None = attrs.field(default=None, validator=optional_number(unix_id))
    run_as_non_root: bool | None = None
    read_only_root_filesystem: bool | None = None
    capabilities: Capabilities | None = None
    privileged: bool | None = None
    #: Whether a process may gain more privileges than its parent (``no_new_privs``).
    allow_privilege_escalation: bool | None = None
    seccomp_profile: SeccompProfile | None = None

    def __attrs_post_init__(self) -> None:
        added = self.capabilities.add if self.capabilities else ()
        reason = escalation_reason(
            allow_privilege_escalation=self.allow_privilege_escalation,
            privileged=self.privileged,
            added=added,
        )
        if reason:
            fail("allow_privilege_escalation", reason)


__all__ = [
    "Capabilities",
    "PodSecurityContext",
    "SeccompProfile",
    "SecurityContext",
    "Sysctl",
    "escalation_reason",
    "localhost_profile_reason",
]

"""The container's process: command, environment, user and capabilities.

CreateContainer merges the CRI configuration with the image's config the way
Kubernetes and containerd do, so that the monitor has nothing left to decide:

* ``command`` replaces the image's ``Entrypoint`` and ``args`` its ``Cmd``
  (with ``command`` set the image's ``Cmd`` is ignored);
* the environment is ``HOSTNAME``, then the image's ``Env``, then ``envs``,
  later names overriding earlier ones;
* the user is ``run_as_user``/``run_as_username`` or else the image's
  ``User``, names resolved in the image's ``/etc/passwd`` and ``/etc/group``;
* the capabilities are containerd's default set, changed by the security
  context's add/drop lists (``ALL`` first, then single names), or every
  capability the agent holds for a privileged container.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Final

import attrs

from podkit import errors
from podkit.models.runtime import SupplementalGroupsPolicy

if TYPE_CHECKING:
    from podkit.models.runtime import ContainerConfig, LinuxContainerSecurityContext
    from podkit.plugins.runtime._images import ImageRecord

#: linux/capability.h, by number.
CAPABILITIES: Final = (
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID",
    "SETUID", "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST",
    "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO",
    "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
    "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE",
    "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM",
    "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
)  # fmt: skip
#: containerd's default capabilities (pkg/oci/spec.go, ``defaultUnixCaps``).
DEFAULT_CAPABILITIES: Final = (
    "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID",
    "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
)  # fmt: skip
DEFAULT_PATH: Final = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@functools.cache
def bounding_set() -> int:
    """The agent's capability bounding set, as a mask: what "all" can mean (read once)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("CapBnd:"):
            return int(line.split()[1], 16)
    return (1 << len(CAPABILITIES)) - 1


def _mask(names: tuple[str, ...], field: str) -> int:
    mask = 0
    for name in names:
        bare = name.upper().removeprefix("CAP_")
        if bare not in CAPABILITIES:
            msg = f"invalid {field} {name!r}: not a Linux capability"
            raise errors.InvalidArgumentError(msg)
        mask |= 1 << CAPABILITIES.index(bare)
    return mask


def capabilities(context: LinuxContainerSecurityContext) -> tuple[int, int]:
    """The capability mask and the ambient mask of a container."""
    everything = bounding_set()
    caps = context.capabilities
    ambient = _mask(caps.add_ambient_capabilities, "Capability.add_ambient_capabilities")
    if context.privileged:
        return everything, ambient & everything
    mask = _mask(DEFAULT_CAPABILITIES, "default")
    adds = tuple(c for c in caps.add_capabilities if c.upper() != "ALL")
    drops = tuple(c for c in caps.drop_capabilities if c.upper() != "ALL")
    if len(adds) != len(caps.add_capabilities):
        mask = everything
    if len(drops) != len(caps.drop_capabilities):
        mask = 0
    mask |= _mask(adds, "Capability.add_capabilities")
    mask &= ~_mask(drops, "Capability.drop_capabilities")
    return mask & everything, ambient & mask & everything


def argv(config: ContainerConfig, image: ImageRecord) -> list[str]:
    """The command line, Kubernetes' way; :class:`InvalidArgumentError` when empty."""
    if config.command:
        args = [*config.command, *config.args]
    else:
        args = [*image.entrypoint, *(config.args or image.cmd)]
    if not args:
        msg = (
            f"failed to create container {config.metadata.name!r}: no command specified "
            "(neither ContainerConfig.command/args nor the image's Entrypoint/Cmd)"
        )
        raise errors.InvalidArgumentError(msg)
    return args


def environment(config: ContainerConfig, image: ImageRecord, hostname: str) -> list[str]:
    """``KEY=value`` entries, later ones overriding earlier names."""
    env: dict[str, str] = {"HOSTNAME": hostname}
    for entry in image.env:
        key, _, value = entry.partition("=")
        env[key] = value
    env.setdefault("PATH", DEFAULT_PATH)
    for pair in config.envs:
        env[pair.key] = pair.value
    return [f"{key}={value}" for key, value in env.items()]


@attrs.frozen
class User:
    """Who the process runs as."""

    uid: int
    gid: int
    groups: tuple[int, ...]


def _image_file(layers: list[Path], name: str) -> list[list[str]]:
    # The topmost layer that has the file wins; a whiteout hides lower ones.
    for layer in layers:
        if (layer / "etc" / f".wh.{name}").exists():
            return []
        path = layer / "etc" / name
        if path.is_file():
            lines = path.read_text(errors="replace").splitlines()
            return [line.split(":") for line in lines if line and not line.startswith("#")]
    return []


def _lookup(entries: list[list[str]], name: str, field: str, what: str) -> list[str]:
    for entry in entries:
        if entry[0] == name and len(entry) > 3:  # noqa: PLR2004 - passwd/group have >= 4 fields
            return entry
    msg = f"invalid {field} {name!r}: no such {what} in the image"
    raise errors.InvalidArgumentError(msg)


def resolve_user(
    context: LinuxContainerSecurityContext, image: ImageRecord, layers: list[Path]
) -> User:
    """The uid, gid and supplemental groups of the process."""
    passwd = _image_file(layers, "passwd")
    group = _image_file(layers, "group")
    field = "LinuxContainerSecurityContext.run_as_username"
    if context.run_as_user is not None:
        uid, user_text, group_text = context.run_as_user, str(context.run_as_user), ""
    elif context.run_as_username:
        user_text, group_text = context.run_as_username, ""
        uid = int(_lookup(passwd, user_text, field, "user")[2])
    else:
        field = "image User"
        user_text, _, group_text = (image.user or "0").partition(":")
        uid = (
            int(user_text)
            if user_text.isdigit()
            else int(_lookup(passwd, user_text, field, "user")[2])
        )
    entry = next((e for e in passwd if len(e) > 3 and e[2] == str(uid)), None)  # noqa: PLR2004
    gid = int(entry[3]) if entry and entry[3].isdigit() else 0
    if group_text:
        gid = (
            int(group_text)
            if group_text.isdigit()
            else int(_lookup(group, group_text, field, "group")[2])
        )
    if context.run_as_group is not None:
        gid = context.run_as_group
    groups = list(context.supplemental_groups)
    if context.supplemental_groups_policy is SupplementalGroupsPolicy.MERGE and entry:
        groups += [int(g[2]) for g in group if len(g) > 3 and entry[0] in g[3].split(",")]  # noqa: PLR2004
    return User(uid, gid, tuple(dict.fromkeys(groups)))


__all__ = [
    "CAPABILITIES",
    "DEFAULT_CAPABILITIES",
    "DEFAULT_PATH",
    "User",
    "argv",
    "bounding_set",
    "capabilities",
    "environment",
    "resolve_user",
]

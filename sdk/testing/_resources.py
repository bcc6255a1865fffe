"""A snapshot of what the host holds that a podkit test could leave behind.

DESIGN.md promises "no leaks, ever": no network namespace, link, mount, cgroup,
nftables table, process or state file may outlive the operations that made it. The
leak checker proves it by taking two of these snapshots around a test and comparing
them. Each resource is read from the kernel's own files (``/proc``, ``/sys``) with the
standard library; nftables, which has no such file, through ``nft -j``. (pyroute2 is
for the reference plugins only, STYLE.md section 1.)
"""

from __future__ import annotations

import enum
import json
import os
import re
import subprocess
import types
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.testing._capabilities import find_binary

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

#: Where podkit keeps its state by default (runtime and persistent), and where
#: CNI's host-local IPAM keeps its reservations when a network names no ``dataDir``.
DEFAULT_STATE_DIRS: Final = (
    Path("/run/podkit"),
    Path("/var/lib/podkit"),
    Path("/var/lib/cni/networks"),
)
#: Cgroup directories whose path contains this are podkit's (and so are checked).
DEFAULT_CGROUP_PATTERN: Final = "podkit"
# Where ``ip netns`` (and pyroute2) keep named network namespaces; /var/run is
# usually a symlink to /run.
_NETNS_DIRS: Final = (Path("/run/netns"), Path("/var/run/netns"))
_MOUNTINFO: Final = Path("/proc/self/mountinfo")
_SYS_CLASS_NET: Final = Path("/sys/class/net")
_PROC: Final = Path("/proc")
_NFT_TIMEOUT: Final = 10.0
_OCTAL_ESCAPE: Final = re.compile(r"\\([0-7]{3})")


class ResourceKind(enum.Enum):
    """The kinds of host resources a test can leak.

    .. versionadded:: 0.1
    """

    NETNS = "network namespace"
    LINK = "link"
    MOUNT = "mount"
    CGROUP = "cgroup"
    NFT_TABLE = "nftables table"
    PROCESS = "process"
    STATE_FILE = "state file"


@final
@attrs.frozen(kw_only=True)
class HostResource:
    """One resource on the host, such as the link ``veth1234`` or the mount ``/mnt``.

    Two resources are the same when kind and name are; ``detail`` only helps a reader.

    .. versionadded:: 0.1
    """

    kind: ResourceKind
    #: What identifies it: a path, a link name, ``family name`` of a table, a PID.
    name: str
    #: What it is, for the reader: a mount's source, a process's command line...
    detail: str = attrs.field(default="", eq=False)

    def __str__(self) -> str:
        """Render it as ``kind: name [detail]``."""
        detail = f" [{self.detail}]" if self.detail else ""
        return f"{self.kind.value}: {self.name}{detail}"


def _sort_key(resource: HostResource) -> tuple[int, str]:
    return list(ResourceKind).index(resource.kind), resource.name


def sorted_resources(resources: Iterable[HostResource]) -> tuple[HostResource, ...]:
    """Return ``resources`` by kind, in :class:`ResourceKind` order, then by name."""
    return tuple(sorted(resources, key=_sort_key))


def _resource_set(value: Iterable[HostResource]) -> frozenset[HostResource]:
    return frozenset(value)


def _reasons(value: Mapping[ResourceKind, str]) -> Mapping[ResourceKind, str]:
    return types.MappingProxyType(dict(value))


@final
@attrs.frozen(kw_only=True)
class HostSnapshot:
    """The host's resources at one moment, as :func:`snapshot_host_resources` saw them.

    .. versionadded:: 0.1
    """

    resources: frozenset[HostResource] = attrs.field(converter=_resource_set)
    #: Kinds that could not be read, with the reason (e.g. ``nft`` is not installed).
    unavailable: Mapping[ResourceKind, str] = attrs.field(factory=dict, converter=_reasons)

    def of_kind(self, kind: ResourceKind) -> frozenset[HostResource]:
        """Return the resources of one kind."""
        return frozenset(r for r in self.resources if r.kind is kind)


@final
@attrs.frozen
class _Mount:
    """One line of ``/proc/self/mountinfo`` (proc(5)), the fields the checker needs."""

    root: str
    mount_point: str
    fstype: str
    source: str


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as octal (\040...).
    return _OCTAL_ESCAPE.sub(lambda match: chr(int(match[1], 8)), field)


def _mounts() -> list[_Mount]:
    mounts = []
    for line in _MOUNTINFO.read_text().splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) >= 5 and len(tail) >= 2:  # noqa: PLR2004 - proc(5)'s fixed fields
            mount = _Mount(_unescape(fields[3]), _unescape(fields[4]), tail[0], tail[1])
            mounts.append(mount)
    return mounts


def _netns_dirs() -> list[Path]:
    seen: dict[Path, Path] = {}
    for directory in _NETNS_DIRS:
        seen.setdefault(directory.resolve(), directory)
    return list(seen)


def _netns(mounts: Iterable[_Mount]) -> Iterator[HostResource]:
    names: set[str] = set()
    for directory in _netns_dirs():
        try:
            names.update(str(entry) for entry in directory.iterdir())
        except OSError:
            continue
    # A netns kept alive by a bind mount elsewhere: nsfs mounts whose root is net:[inode].
    names.update(m.mount_point for m in mounts if m.fstype == "nsfs" and m.root.startswith("net:"))
    for name in names:
        yield HostResource(kind=ResourceKind.NETNS, name=name)


def _mount_resources(mounts: Iterable[_Mount]) -> Iterator[HostResource]:
    # Not leaks: the named-netns mounts (reported as network namespaces), and the
    # bind mount of /run/netns on itself that iproute2 makes once and keeps.
    skip = {str(d) for d in _netns_dirs()}
    seen: Counter[str] = Counter()
    for mount in mounts:
        if mount.mount_point in skip or (mount.fstype == "nsfs" and mount.root.startswith("net:")):
            continue
        name = f"{mount.mount_point} ({mount.fstype})"
        seen[name] += 1
        if seen[name] > 1:  # the same kind of mount stacked on the same point again
            name = f"{name} #{seen[name]}"
        yield HostResource(kind=ResourceKind.MOUNT, name=name, detail=f"source {mount.source}")


def _links() -> Iterator[HostResource]:
    for entry in _SYS_CLASS_NET.iterdir():
        yield HostResource(kind=ResourceKind.LINK, name=entry.name)


def _cgroups(mounts: Iterable[_Mount], pattern: str) -> Iterator[HostResource]:
    hierarchies = sorted({m.mount_point for m in mounts if m.fstype in {"cgroup", "cgroup2"}})
    for hierarchy in hierarchies:
        for directory, _, _ in os.walk(hierarchy):
            if pattern in os.path.relpath(directory, hierarchy):
                yield HostResource(kind=ResourceKind.CGROUP, name=directory)


def _nft_tables() -> tuple[list[HostResource], str | None]:
    nft = find_binary("nft")
    if nft is None:
        return [], "the nft program is not installed"
    try:
        result = subprocess.run(  # noqa: S603 - a fixed argv, no shell
            [nft, "-j", "list", "tables"],
            capture_output=True,
            text=True,
            check=False,
            timeout=_NFT_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [], f"`nft -j list tables` failed: {exc}"
    if result.returncode != 0:
        return [], f"`nft -j list tables` failed: {result.stderr.strip()}"
    try:
        entries = json.loads(result.stdout or "{}").get("nftables", [])
        tables = [e["table"] for e in entries if "table" in e]
        names = [f"{table['family']} {table['name']}" for table in tables]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        return [], f"`nft -j list tables` printed what podkit cannot read: {exc!r}"
    return [HostResource(kind=ResourceKind.NFT_TABLE, name=name) for name in names], None


def _stat(pid: int) -> tuple[str, str, int] | None:
    """Return a process's command name, state letter and parent PID (proc(5))."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:  # gone meanwhile
        return None
    comm = stat[stat.index("(") + 1 : stat.rindex(")")]
    state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
    return comm, state, int(ppid)


def _processes() -> Iterator[HostResource]:
    """Yield the descendants of this process: a test must not leave any running."""
    children: dict[int, list[int]] = {}
    stats = {}
    for entry in _PROC.iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            stats[int(entry.name)] = stat
            children.setdefault(stat[2], []).append(int(entry.name))
    pending = list(children.get(os.getpid(), ()))
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, ()))
        comm, state, _ = stats[pid]
        yield HostResource(
            kind=ResourceKind.PROCESS, name=str(pid), detail=_describe(pid, comm, state)
        )


def _describe(pid: int, comm: str, state: str) -> str:
    if state == "Z":
        return f"{comm}, a zombie: exited but never waited for"
    try:
        argv = (_PROC / str(pid) / "cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    except OSError:
        return comm
    return " ".join(arg.decode(errors="replace") for arg in argv) or comm


def state_files(state_dirs: Iterable[Path]) -> Iterator[HostResource]:
    """Yield every directory and file under ``state_dirs`` (not the dirs themselves)."""
    for state_dir in state_dirs:
        for top, dirnames, filenames in os.walk(state_dir):
            directory = Path(top)
            for name in dirnames:
                path = str(directory / name)
                yield HostResource(kind=ResourceKind.STATE_FILE, name=path, detail="dir")
            for name in filenames:
                yield HostResource(kind=ResourceKind.STATE_FILE, name=str(directory / name))


def snapshot_host_resources(
    *,
    state_dirs: Iterable[str | os.PathLike[str]] = DEFAULT_STATE_DIRS,
    cgroup_pattern: str = DEFAULT_CGROUP_PATTERN,
) -> HostSnapshot:
    """Record what the host holds now that a test could leak.

    - network namespaces: the named ones (``/run/netns``, ``/var/run/netns``) and any
      network namespace bind-mounted elsewhere (an ``nsfs`` mount);
    - links of this process's network namespace (``/sys/class/net``);
    - mounts of this process's mount namespace (``/proc/self/mountinfo``), as mount
      point and file system type;
    - cgroups: directories of every cgroup hierarchy, v1 and v2, whose path contains
      ``cgroup_pattern``;
    - nftables tables (``nft -j list tables``; left out, and said so in
      :attr:`HostSnapshot.unavailable`, when ``nft`` is missing or fails);
    - processes descending from this one, zombies included;
    - everything under the ``state_dirs``.

    :param state_dirs: directories whose content is podkit state.
    :param cgroup_pattern: what marks a cgroup directory as podkit's.

    .. versionadded:: 0.1
    """
    mounts = _mounts()
    tables, nft_problem = _nft_tables()
    resources = [
        *_netns(mounts),
        *_links(),
        *_mount_resources(mounts),
        *_cgroups(mounts, cgroup_pattern),
        *tables,
        *_processes(),
        *state_files(Path(d) for d in state_dirs),
    ]
    unavailable = {ResourceKind.NFT_TABLE: nft_problem} if nft_problem else {}
    return HostSnapshot(resources=resources, unavailable=unavailable)


__all__ = [
    "DEFAULT_CGROUP_PATTERN",
    "DEFAULT_STATE_DIRS",
    "HostResource",
    "HostSnapshot",
    "ResourceKind",
    "snapshot_host_resources",
    "sorted_resources",
    "state_files",
]

"""The leak checker: what a test left on the host, said so a reader can act on it.

tox's ``check_os_environ_stable`` fails any test that alters ``os.environ``; this
does the same for the host's network namespaces, links, mounts, cgroups, nftables
tables, child processes and state files (STYLE.md section 9). The pytest plugin runs
it around every privileged test; code can also use it directly::

    with LeakChecker(state_dirs=[tmp_path]):
        run_and_remove_a_pod()
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Final, Self, final

import attrs

from podkit.testing._resources import (
    DEFAULT_CGROUP_PATTERN,
    DEFAULT_STATE_DIRS,
    HostResource,
    HostSnapshot,
    ResourceKind,
    snapshot_host_resources,
    sorted_resources,
    state_files,
)

if TYPE_CHECKING:
    import os
    import types
    from collections.abc import Iterable

#: Seconds :meth:`LeakChecker.check` waits by default for what appeared to go away.
DEFAULT_SETTLE: Final = 2.0
_POLL: Final = 0.05


@final
@attrs.frozen(kw_only=True)
class ResourceDiff:
    """What changed on the host between two snapshots.

    .. versionadded:: 0.1
    """

    #: Resources present after and not before: the leaks. Sorted by kind, then name.
    appeared: tuple[HostResource, ...] = attrs.field(default=(), converter=sorted_resources)
    #: Resources present before and gone after; for information, they are no leak.
    vanished: tuple[HostResource, ...] = attrs.field(default=(), converter=sorted_resources)

    def describe(self) -> str:
        """Render the leaks one per line, by kind, for a test failure message."""
        count = len(self.appeared)
        lines = [f"{count} host resource{'s' * (count != 1)} left behind:"]
        lines += [f"  {resource}" for resource in self.appeared]
        if self.vanished:
            lines.append("and gone meanwhile (not a leak; shown to help read the above):")
            lines += [f"  {resource}" for resource in self.vanished]
        return "\n".join(lines)


def diff_host_resources(before: HostSnapshot, after: HostSnapshot) -> ResourceDiff:
    """Compare two snapshots: what appeared (the leaks), and what vanished.

    Kinds that either snapshot could not read are left out of the comparison.

    .. versionadded:: 0.1
    """
    unread: set[ResourceKind] = {*before.unavailable, *after.unavailable}
    old = {r for r in before.resources if r.kind not in unread}
    new = {r for r in after.resources if r.kind not in unread}
    return ResourceDiff(appeared=new - old, vanished=old - new)


@final
class LeakError(AssertionError):
    """A test (or a block of code) left host resources behind.

    :param diff: the comparison that found them; :attr:`diff.appeared <ResourceDiff.appeared>`
        lists the leaks.

    .. versionadded:: 0.1
    """

    def __init__(self, diff: ResourceDiff) -> None:
        """Build the error with the leaks listed in its message."""
        super().__init__(diff.describe())
        self.diff = diff


@final
class LeakChecker:
    """Snapshot the host before some code and find what the code left behind.

    Call :meth:`start` (or enter it as a context manager), run the code, then
    :meth:`check` for the difference or :meth:`assert_clean` to raise on leaks.

    :param state_dirs: directories whose content is podkit state, checked for files
        left behind; more can be added with :meth:`watch_dir`.
    :param cgroup_pattern: what marks a cgroup directory as podkit's.

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        *,
        state_dirs: Iterable[str | os.PathLike[str]] = DEFAULT_STATE_DIRS,
        cgroup_pattern: str = DEFAULT_CGROUP_PATTERN,
    ) -> None:
        """Configure the checker; nothing is recorded until :meth:`start`."""
        self._state_dirs = list(dict.fromkeys(Path(d) for d in state_dirs))
        self._cgroup_pattern = cgroup_pattern
        self._baseline: HostSnapshot | None = None

    @property
    def state_dirs(self) -> tuple[Path, ...]:
        """The directories checked for state files left behind."""
        return tuple(self._state_dirs)

    @property
    def started(self) -> bool:
        """Whether :meth:`start` has recorded the baseline."""
        return self._baseline is not None

    def snapshot(self) -> HostSnapshot:
        """Record the host's resources now, with this checker's settings."""
        return snapshot_host_resources(
            state_dirs=self._state_dirs, cgroup_pattern=self._cgroup_pattern
        )

    def start(self) -> HostSnapshot:
        """Record the baseline that :meth:`check` compares with, and return it."""
        self._baseline = self.snapshot()
        return self._baseline

    def watch_dir(self, path: str | os.PathLike[str]) -> None:
        """Also check ``path`` for state files left behind, from now on.

        What ``path`` holds already joins the baseline, so only what appears in it
        from now on counts as a leak.
        """
        path = Path(path)
        if path in self._state_dirs:
            return
        self._state_dirs.append(path)
        if self._baseline is not None:
            resources = self._baseline.resources.union(state_files([path]))
            self._baseline = attrs.evolve(self._baseline, resources=resources)

    def check(self, *, settle: float = DEFAULT_SETTLE) -> ResourceDiff:
        """Compare the host now with the baseline.

        Some resources go away shortly after the code that removed them
        returned: the kernel unregisters a network namespace's links in a
        work queue, and a plugin may finish a deletion in a thread (a
        network plugin's lazy veth deletion). When something appeared, the
        host is looked at again for up to ``settle`` seconds before it counts
        as leaked; a real leak stays and is reported after that wait.

        :raises RuntimeError: :meth:`start` was not called.
        """
        if self._baseline is None:
            msg = "failed to check for leaks: LeakChecker.start() was not called"
            raise RuntimeError(msg)
        deadline = time.monotonic() + settle
        while True:
            diff = diff_host_resources(self._baseline, self.snapshot())
            if not diff.appeared or time.monotonic() >= deadline:
                return diff
            time.sleep(_POLL)

    def assert_clean(self) -> None:
        """Raise :class:`LeakError` listing the leaks, if anything appeared since :meth:`start`.

        :raises LeakError: resources appeared.
        """
        diff = self.check()
        if diff.appeared:
            raise LeakError(diff)

    def __enter__(self) -> Self:
        """Record the baseline."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: types.TracebackType | None,
    ) -> None:
        """Raise :class:`LeakError` on leaks, unless the block raised already."""
        if exc_type is None:
            self.assert_clean()


__all__ = ["DEFAULT_SETTLE", "LeakChecker", "LeakError", "ResourceDiff", "diff_host_resources"]

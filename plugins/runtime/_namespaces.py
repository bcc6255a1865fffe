"""A sandbox's namespaces, kept alive by bind mounts instead of a pause process.

A namespace lives while a process is in it or a file refers to it. The
plugin makes the pod's network, IPC and UTS namespaces in a short-lived
thread of its own: the thread calls ``unshare(2)`` (which moves only the
calling thread), sets the hostname and the namespaced sysctls, bind-mounts
``/proc/thread-self/ns/{net,ipc,uts}`` onto files in the sandbox directory,
and exits. The bind mounts keep the namespaces; containers join them with
``setns(2)`` and the network layer attaches the network namespace by path.
No process stays behind. (A thread is enough: unlike the mount and user
namespaces, these three may be unshared by one thread of many.)

A PID namespace is different: it dies with its init, and no process can
enter a PID namespace whose init is gone. So a pod that shares its process
namespace (``pid: POD``) gets a tiny init of its own (:mod:`._podinit`,
forked by the monitor zygote), which reaps orphans and holds the namespace;
that is the only case where a sandbox has a process.
"""

from __future__ import annotations

import contextlib
import errno
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Final

from podkit.plugins.runtime import _proc, _syscalls
from podkit.plugins.runtime._records import ProcessId

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

#: Namespace file name to its clone flag.
FLAGS: Final = {
    "net": _syscalls.CLONE_NEWNET,
    "ipc": _syscalls.CLONE_NEWIPC,
    "uts": _syscalls.CLONE_NEWUTS,
}
_INIT_TIMEOUT: Final = 30.0


def _sysctl_path(name: str) -> Path:
    return Path("/proc/sys") / name.replace(".", "/")


def _in_new_namespaces(
    ns_dir: Path, names: tuple[str, ...], hostname: str, sysctls: Mapping[str, str]
) -> None:
    flags = 0
    for name in names:
        flags |= FLAGS[name]
    _syscalls.unshare(flags)
    if "uts" in names and hostname:
        _syscalls.sethostname(hostname)
    for key, value in sysctls.items():
        _sysctl_path(key).write_text(value)
    for name in names:
        target = ns_dir / name
        target.touch()
        _syscalls.mount(f"/proc/thread-self/ns/{name}", target, None, _syscalls.MS_BIND)


class NamespacesInMaking:
    """The namespaces ``names`` (of net, ipc, uts), made and bound under ``ns_dir`` by a thread.

    The thread starts at once; the caller does other work meanwhile (the
    kernel takes ~0.6 ms to make a network namespace) and then calls
    :meth:`wait`, or :meth:`release` to undo.
    """

    def __init__(
        self, ns_dir: Path, names: tuple[str, ...], hostname: str, sysctls: Mapping[str, str]
    ) -> None:
        ns_dir.mkdir(parents=True, exist_ok=True)
        self._paths = {name: str(ns_dir / name) for name in names}
        self._failure: list[BaseException] = []
        self._thread: threading.Thread | None = None
        if names:
            self._thread = threading.Thread(
                target=self._work,
                args=(ns_dir, names, hostname, sysctls),
                name="podkit-runtime-unshare",
            )
            self._thread.start()

    def _work(
        self, ns_dir: Path, names: tuple[str, ...], hostname: str, sysctls: Mapping[str, str]
    ) -> None:
        try:
            _in_new_namespaces(ns_dir, names, hostname, sysctls)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            self._failure.append(exc)

    def _join(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def wait(self) -> dict[str, str]:
        """Namespace name to the path of its file, once made.

        :raises OSError: a step failed; what was mounted is undone.
        """
        self._join()
        if self._failure:
            self.release()
            raise self._failure[0]
        return dict(self._paths)

    def release(self) -> None:
        """Unmount and delete what was made (after the thread is done)."""
        self._join()
        release_namespaces(list(self._paths.values()))


def create_namespaces(
    ns_dir: Path, names: tuple[str, ...], hostname: str, sysctls: Mapping[str, str]
) -> dict[str, str]:
    """Make the namespaces ``names`` (of net, ipc, uts) and bind them under ``ns_dir``.

    :returns: namespace name to the path of its file.
    :raises OSError: a step failed; what was mounted is undone.
    """
    return NamespacesInMaking(ns_dir, names, hostname, sysctls).wait()


def release_namespaces(paths: list[str]) -> None:
    """Unmount and delete namespace files; missing or unmounted ones are fine."""
    for path in paths:
        if not path:
            continue
        try:
            _syscalls.umount2(path, _syscalls.MNT_DETACH)
        except OSError as exc:
            if exc.errno not in {errno.EINVAL, errno.ENOENT}:
                raise
        with contextlib.suppress(FileNotFoundError):
            Path(path).unlink()


def is_bound(path: str) -> bool:
    """Whether ``path`` still holds a namespace (lost after a reboot of the node)."""
    try:
        return Path(path).stat().st_dev == Path("/proc/self/ns/net").stat().st_dev
    except OSError:
        return False


def start_pid_init(ns_dir: Path, start: Callable[[], int]) -> tuple[ProcessId, str]:
    """Start the init of a new PID namespace and bind its namespace as ``ns_dir/pid``.

    :param start: starts the init (the zygote's spare does, :mod:`._podinit`);
        returns its PID.
    """
    ns_dir.mkdir(parents=True, exist_ok=True)
    pid = start()
    started = _proc.start_time(pid)
    if started is None:
        msg = "the PID namespace init did not start"
        raise OSError(errno.ECHILD, msg)
    init = ProcessId(pid, started)
    target = ns_dir / "pid"
    try:
        target.touch()
        _syscalls.mount(f"/proc/{pid}/ns/pid", target, None, _syscalls.MS_BIND)
    except OSError:
        stop_pid_init(init)
        release_namespaces([str(target)])
        raise
    return init, str(target)


def stop_pid_init(init: ProcessId | None) -> None:
    """Kill the PID namespace's init (and so every process in it); gone is fine."""
    if init is None:
        return
    _proc.send_signal(init.pid, init.start, 9)
    _proc.wait_exit(init.pid, init.start, _INIT_TIMEOUT)


__all__ = [
    "FLAGS",
    "NamespacesInMaking",
    "create_namespaces",
    "is_bound",
    "release_namespaces",
    "start_pid_init",
    "stop_pid_init",
]

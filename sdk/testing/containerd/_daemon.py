"""The daemon of :mod:`podkit.testing.containerd`: containerd started, and stopped clean.

:class:`Containerd` runs Debian's containerd as a plain background process
with its config, root, state and socket in a directory of the caller's;
:meth:`Containerd.stop` removes its tasks, containers, shims, mounts,
cgroups, bridge and directories (the package's docstring lists the facts of
containerd 1.6 it relies on).

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Final, final

from podkit import errors
from podkit.testing.containerd._images import SANDBOX_IMAGE, image_archive

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from types import TracebackType

    from podkit.testing.containerd._network import BridgeNetwork

#: The namespace of containerd's CRI plugin.
K8S_NAMESPACE: Final = "k8s.io"
#: Where containerd 1.6 puts FIFOs, shim sockets and runc state, whatever its config says.
FIXED_STATE: Final = Path("/run/containerd")
SHIM: Final = "containerd-shim-runc-v2"

_START_TIMEOUT: Final = 30.0
_STOP_TIMEOUT: Final = 10.0
_CTR_TIMEOUT: Final = 60.0
_CONFIG: Final = """\
version = 2
root = "{root}"
state = "{state}"
disabled_plugins = [{disabled}]
[grpc]
  address = "{socket}"
[ttrpc]
  address = "{socket}.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "{opt}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{sandbox_image}"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  stats_collect_period = 1
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "{cni_bin_dir}"
    conf_dir = "{cni_conf_dir}"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "{runc}"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "{registry_dir}"
"""
# Snapshotters this machine kind cannot run; left out to keep the log quiet.
_UNUSED_PLUGINS: Final = (
    "io.containerd.snapshotter.v1.aufs",
    "io.containerd.snapshotter.v1.btrfs",
    "io.containerd.snapshotter.v1.devmapper",
    "io.containerd.snapshotter.v1.zfs",
)
_CRI_PLUGIN: Final = "io.containerd.grpc.v1.cri"


@final
class Containerd:
    """Debian's containerd on ``directory``: config, root, state, socket and logs there.

    Use it as a context manager (or call :meth:`start` and :meth:`stop`)::

        with Containerd(tmp / "containerd", network=network) as daemon:
            daemon.import_image(build_sandbox_image(tmp / "sandbox").path)
            ... # CRI calls to daemon.endpoint

    :param directory: a directory of its own (created; removed by :meth:`stop`).
    :param network: the CNI network of the CRI plugin; ``None`` leaves its conf dir
        empty (pods then fail to start: "cni config uninitialized").
    :param cri: ``False`` turns the CRI plugin off (``ctr`` only).
    :param sandbox_image: the CRI plugin's ``sandbox_image``.
    :param containerd: the daemon's executable.
    :param runc: the OCI runtime's executable.

    .. versionadded:: 0.1
    """

    def __init__(  # noqa: PLR0913 - the knobs a test turns, all keyword
        self,
        directory: Path,
        *,
        network: BridgeNetwork | None = None,
        cri: bool = True,
        sandbox_image: str = SANDBOX_IMAGE,
        containerd: str = "/usr/bin/containerd",
        ctr: str = "/usr/bin/ctr",
        runc: str = "/usr/sbin/runc",
    ) -> None:
        self.directory = Path(directory)
        self.network = network
        self.cri = cri
        self.sandbox_image = sandbox_image
        self.executable = containerd
        self.ctr_executable = ctr
        self.runc = runc
        #: The gRPC socket; :attr:`endpoint` is its ``unix://`` address.
        self.socket = self.directory / "containerd.sock"
        self.state = self.directory / "state"
        self.root = self.directory / "root"
        self.log = self.directory / "containerd.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._created_fixed_state = False
        self._made_bridge = False

    @property
    def endpoint(self) -> str:
        """The CRI endpoint, ``unix://<socket>``."""
        return f"unix://{self.socket}"

    @property
    def pid(self) -> int:
        """The daemon's PID."""
        if self.process is None:
            msg = "containerd is not started"
            raise errors.FailedPreconditionError(msg)
        return self.process.pid

    def __enter__(self) -> Containerd:
        """Start containerd."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop containerd and remove all it made."""
        self.stop()

    def config_text(self) -> str:
        """The ``config.toml`` the daemon runs with."""
        disabled = list(_UNUSED_PLUGINS) + ([] if self.cri else [_CRI_PLUGIN])
        return _CONFIG.format(
            root=self.root,
            state=self.state,
            socket=self.socket,
            opt=self.directory / "opt",
            disabled=", ".join(f'"{name}"' for name in disabled),
            sandbox_image=self.sandbox_image,
            cni_bin_dir=self.network.bin_dir if self.network else self.directory / "cni-bin",
            cni_conf_dir=self.directory / "cni-conf",
            runc=self.runc,
            registry_dir=self.directory / "certs.d",
        )

    def start(self) -> None:
        """Write the config and CNI conflist, start containerd, wait until it answers.

        :raises podkit.errors.NotFoundError: containerd or ctr is not installed.
        :raises podkit.errors.UnavailableError: it exited or did not answer in time
            (the message quotes its log); everything is removed again.
        """
        for program in (self.executable, self.ctr_executable):
            if not Path(program).exists():
                msg = f"{program} is not installed (apt-get install containerd)"
                raise errors.NotFoundError(msg)
        self._created_fixed_state = not FIXED_STATE.exists()
        for sub in ("cni-conf", "cni-bin", "certs.d", "opt"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
        if self.network is not None:
            conflist = self.directory / "cni-conf" / f"10-{self.network.name}.conflist"
            conflist.write_text(json.dumps(self.network.conflist(), indent=2))
            self._made_bridge = not Path("/sys/class/net", self.network.bridge).exists()
        config = self.directory / "config.toml"
        config.write_text(self.config_text())
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - a fixed argv, no shell
                [self.executable, "--config", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        assert self.process is not None  # noqa: S101 - started just before
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                msg = f"containerd exited with {self.process.returncode}: {self.log_tail()}"
                raise errors.UnavailableError(msg)
            if self.socket.exists() and self.ctr("version", check=False).returncode == 0:
                return
            time.sleep(0.05)
        msg = f"containerd did not answer on {self.socket} in {_START_TIMEOUT} s: {self.log_tail()}"
        raise errors.UnavailableError(msg)

    def log_tail(self, size: int = 3000) -> str:
        """The end of containerd's log, for error messages."""
        try:
            return self.log.read_text(errors="replace")[-size:]
        except OSError:
            return "(no log)"

    def ctr(
        self, *args: str, namespace: str = K8S_NAMESPACE, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run ``ctr`` against this daemon in ``namespace``; its output captured.

        :raises podkit.errors.InternalError: ``check`` and it failed (its stderr quoted).
        """
        argv = [self.ctr_executable, "-a", str(self.socket), "-n", namespace, *args]
        done = subprocess.run(  # noqa: S603 - a fixed argv, no shell
            argv, capture_output=True, text=True, check=False, timeout=_CTR_TIMEOUT
        )
        if check and done.returncode != 0:
            msg = f"`ctr {' '.join(args)}` failed: {done.stderr.strip() or done.returncode}"
            raise errors.InternalError(msg)
        return done

    def import_image(self, image: Path, *, namespace: str = K8S_NAMESPACE) -> None:
        """``ctr images import`` an OCI image layout, or an archive of one.

        :param image: the layout directory (or a tar of it); its
            ``org.opencontainers.image.ref.name`` must be a full reference such as
            ``docker.io/library/busybox:latest``: it is the image's name.
        """
        if not image.is_dir():
            self.ctr("images", "import", str(image), namespace=namespace)
            return
        archive = image_archive(image, self.directory / f"import-{image.name}.tar")
        try:
            self.ctr("images", "import", str(archive), namespace=namespace)
        finally:
            archive.unlink(missing_ok=True)

    def shim_pids(self) -> list[int]:
        """The PIDs of this daemon's shims (their ``-address`` is our socket)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
            except OSError:
                continue
            if argv[0].endswith(SHIM) and str(self.socket) in argv:
                found.append(int(entry.name))
        return found

    def stop(self) -> None:
        """Remove every task and container, stop containerd, remove everything it made.

        Safe to call twice, and after a failed :meth:`start`.
        """
        process, self.process = self.process, None
        containers: dict[str, list[str]] = {}
        if process is not None and process.poll() is None:
            containers = self._remove_containers()
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
        if process is not None:
            process.wait()
        for pid in self.shim_pids():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        self._sweep(containers)

    def _remove_containers(self) -> dict[str, list[str]]:
        """Kill and delete every task and container of every namespace; their IDs."""
        listed = self.ctr("namespaces", "list", "-q", check=False).stdout.split()
        removed = {}
        for namespace in listed:
            ids = self.ctr("containers", "list", "-q", namespace=namespace, check=False)
            removed[namespace] = ids.stdout.split()
            for container_id in removed[namespace]:
                self.ctr(
                    "tasks", "kill", "-s", "SIGKILL", container_id, namespace=namespace, check=False
                )
            for container_id in removed[namespace]:
                self.ctr(
                    "tasks", "delete", "--force", container_id, namespace=namespace, check=False
                )
                self.ctr("containers", "delete", container_id, namespace=namespace, check=False)
        return removed

    def _sweep(self, containers: Mapping[str, Iterable[str]]) -> None:
        self._unmount_under(self.directory)
        for namespace, ids in containers.items():
            _remove_cgroups(namespace, ids)
        if self.network is not None and self._made_bridge:
            subprocess.run(  # noqa: S603 - a fixed argv, no shell
                ["/usr/sbin/ip", "link", "del", self.network.bridge],
                capture_output=True,
                check=False,
            )
        if self._created_fixed_state and FIXED_STATE.exists() and not _other_daemons():
            for directory, _, _ in sorted(os.walk(FIXED_STATE), key=lambda e: -len(e[0])):
                with contextlib.suppress(OSError):
                    Path(directory).rmdir()  # empty dirs only: anything else is not ours
        shutil.rmtree(self.directory, ignore_errors=True)

    @staticmethod
    def _unmount_under(top: Path) -> None:
        for line in reversed(Path("/proc/self/mountinfo").read_text().splitlines()):
            point = line.split()[4]
            if point == str(top) or point.startswith(f"{top}/"):
                subprocess.run(  # noqa: S603 - a fixed argv, no shell
                    ["/usr/bin/umount", "-l", point], capture_output=True, check=False
                )


def _other_daemons() -> bool:
    """Whether another containerd runs (then ``/run/containerd`` may be its, and is left)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "containerd":
                    return True
    return False


def _remove_cgroups(namespace: str, ids: Iterable[str]) -> None:
    """Remove the cgroups runc made for ``ids``: ``<namespace>/<id>`` or ``<parent>/<id>``."""
    names = set(ids)
    for hierarchy in Path("/sys/fs/cgroup").iterdir():
        if not hierarchy.is_dir():
            continue
        for directory, _, _ in os.walk(hierarchy, topdown=False):
            here = Path(directory)
            if here.name in names or here.name == namespace:  # rmdir fails unless empty
                with contextlib.suppress(OSError):
                    here.rmdir()


__all__ = ["FIXED_STATE", "K8S_NAMESPACE", "SHIM", "Containerd"]

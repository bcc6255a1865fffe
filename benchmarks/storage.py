"""How long a volume takes to appear in a pod and to go away (issue 5.5).

- hostpath CSI: NodePublishVolume and NodeUnpublishVolume of
  ``HostPathDriver`` in-process (a volume created and staged once, published
  at a new target each time);
- Secret volumes (``SecretVolumes``): publish (a tmpfs and the kubelet's
  atomic-writer layout) of 1 and of 100 keys, an update (publish again with new
  values: the files swapped at once) and unpublish.

There is no upstream peer to run in-process: the ratio is to the bare floor of
the same work, measured in the same run — ``mount(2)`` and ``umount(2)``
through ctypes, and for secrets plain ``open``/``write`` of each key on a fresh
tmpfs. Base dirs, state dirs and targets live in a temporary directory; any
mount left under it is unmounted at the end, also after a Ctrl-C.

TODO(CSI server): when podkit's CSI server lands, add the CSI-socket variant
here: the same calls over the gRPC unix socket (``podkit.wire.csi``) against
the upstream kubernetes-csi/csi-driver-host-path on its own socket.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Final

import podkit
from benchmarks._common import MIB, PREFIX, cleanup_stack, header, note, row, run, sequential
from podkit.models.storage import AccessMode, CapacityRange, MountVolume, VolumeCapability
from podkit.plugins.storage.hostpath import DRIVER, HostPathDriver
from podkit.plugins.storage.projected import SECRET_DRIVER, SecretVolumes, secret_data

if TYPE_CHECKING:
    from podkit.pluginmanager._facade_storage import StorageHooks

MS_BIND: Final = 0x1000
MS_NOSUID: Final = 0x2
MS_NODEV: Final = 0x4
VALUE_SIZE: Final = 1024
_LIBC: Final = ctypes.CDLL(None, use_errno=True)
CAPABILITY: Final = VolumeCapability(
    access_type=MountVolume(), access_mode=AccessMode.SINGLE_NODE_MULTI_WRITER
)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    encoded = data.encode() if data else None
    fs = fstype.encode() if fstype else None
    _check(_LIBC.mount(source.encode(), target.encode(), fs, flags, encoded), f"mount {target}")


def _umount(target: str) -> None:
    _check(_LIBC.umount2(target.encode(), 0), f"umount {target}")


def _storage(plugin: object) -> StorageHooks:
    manager = podkit.PluginManager.load(entry_points=False)
    manager.register(plugin, name=f"{PREFIX}-storage", kind="storage")
    return manager.storage


def _hostpath(tmp: Path, n: int) -> None:
    storage = _storage(HostPathDriver(tmp / "hostpath", node_id=f"{PREFIX}-node"))
    volume = storage.create_volume(
        DRIVER, f"{PREFIX}-pvc", CapacityRange(required_bytes=MIB), (CAPABILITY,)
    )
    stage = tmp / "stage"
    stage.mkdir()
    storage.node_stage_volume(DRIVER, volume.volume_id, {}, str(stage), CAPABILITY)
    pods = tmp / "pods"
    targets = [pods / str(i) / "volume" for i in range(n)]
    for target in targets:
        target.parent.mkdir(parents=True)

    def publish(i: int) -> None:
        storage.node_publish_volume(
            DRIVER, volume.volume_id, {}, str(stage), str(targets[i]), CAPABILITY, readonly=False
        )

    published = sequential(publish, n)
    unpublished = sequential(
        lambda i: storage.node_unpublish_volume(DRIVER, volume.volume_id, str(targets[i])), n
    )
    storage.node_unstage_volume(DRIVER, volume.volume_id, str(stage))
    storage.delete_volume(DRIVER, volume.volume_id)
    source = str(tmp / "bare-source")
    Path(source).mkdir()
    bare = [pods / str(i) / "bare" for i in range(n)]

    def bare_publish(i: int) -> None:
        bare[i].mkdir()
        _mount(source, str(bare[i]), None, MS_BIND, None)

    def bare_unpublish(i: int) -> None:
        _umount(str(bare[i]))
        bare[i].rmdir()

    bare_published = sequential(bare_publish, n)
    bare_unpublished = sequential(bare_unpublish, n)
    header(
        "storage: hostpath CSI NodePublishVolume / NodeUnpublishVolume, in-process",
        ["floor: mkdir + mount(2) MS_BIND / umount(2) + rmdir through ctypes"],
    )
    row("floor: bind mount", bare_published)
    row("podkit HostPathDriver: NodePublishVolume", published, bare_published)
    row("floor: unmount", bare_unpublished)
    row("podkit HostPathDriver: NodeUnpublishVolume", unpublished, bare_unpublished)


def _secret_rows(storage: StorageHooks, tmp: Path, keys: int, n: int) -> None:
    def data(version: int) -> dict[str, bytes]:
        return {f"key-{k:03d}": bytes([65 + version % 26]) * VALUE_SIZE for k in range(keys)}

    targets = [tmp / f"secret-{keys}" / str(i) for i in range(n)]
    for target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)

    def publish(i: int, version: int) -> None:
        storage.node_publish_volume(
            SECRET_DRIVER,
            f"{PREFIX}-{keys}-{i}",
            {},
            "",
            str(targets[i]),
            CAPABILITY,
            readonly=False,
            secrets=secret_data(data(version)),
        )

    published = sequential(lambda i: publish(i, 0), n)
    updated = sequential(lambda i: publish(i, 1), n)
    unpublished = sequential(
        lambda i: storage.node_unpublish_volume(
            SECRET_DRIVER, f"{PREFIX}-{keys}-{i}", str(targets[i])
        ),
        n,
    )
    bare = [tmp / f"bare-{keys}" / str(i) for i in range(n)]

    def write(i: int, version: int) -> None:
        for key, value in data(version).items():
            (bare[i] / key).write_bytes(value)

    def bare_publish(i: int) -> None:
        bare[i].mkdir(parents=True)
        _mount("tmpfs", str(bare[i]), "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0755")
        write(i, 0)

    def bare_unpublish(i: int) -> None:
        _umount(str(bare[i]))
        bare[i].rmdir()

    bare_published = sequential(bare_publish, n)
    bare_updated = sequential(lambda i: write(i, 1), n)
    bare_unpublished = sequential(bare_unpublish, n)
    label = f"{keys} key{'s' if keys > 1 else ''} of {VALUE_SIZE} B"
    row(f"floor: tmpfs + write, {label}", bare_published)
    row(f"podkit Secret: publish, {label}", published, bare_published)
    row(f"floor: rewrite, {label}", bare_updated)
    row(f"podkit Secret: update, {label}", updated, bare_updated)
    row(f"floor: umount, {label}", bare_unpublished)
    row(f"podkit Secret: unpublish, {label}", unpublished, bare_unpublished)


def _sweep_mounts(under: Path) -> None:
    lines = Path("/proc/self/mountinfo").read_text().splitlines()
    points = [line.split()[4] for line in lines if line.split()[4].startswith(str(under))]
    for point in sorted(points, key=len, reverse=True):
        with contextlib.suppress(Exception):
            run("umount", "-l", point, check=False)


def main(*, quick: bool = False) -> None:
    """Print the hostpath and Secret tables."""
    n = 3 if quick else 100
    with cleanup_stack(60 if quick else 300) as stack:
        tmp = Path(tempfile.mkdtemp(prefix=f"{PREFIX}-storage-"))
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        stack.callback(_sweep_mounts, tmp)
        _hostpath(tmp, n)
        header(
            "storage: Secret volume projection (tmpfs + atomic writer), in-process",
            ["floor: mount(2) tmpfs + open/write each key / rewrite / umount(2)"],
        )
        storage = _storage(SecretVolumes(tmp / "secret-state", node_id=f"{PREFIX}-node"))
        for keys in (1, 100):
            _secret_rows(storage, tmp, keys, n)
        note("ratio: to the floor's median")

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

The hostpath table also runs the same calls through a real CSI socket: the
plugin behind ``podkit.wire.csi.serve_csi``, called with
``podkit.CsiClientPlugin`` (the gRPC round trip's cost). The upstream
kubernetes-csi hostpath driver is a Go program that is not packaged for
Debian, so it is not a peer here.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Final

import podkit
from benchmarks._common import MIB, PREFIX, cleanup_stack, header, note, row, sequential
from podkit.models.storage import AccessMode, CapacityRange, MountVolume, VolumeCapability
from podkit.plugins.storage.hostpath import DRIVER, HostPathDriver
from podkit.plugins.storage.projected import SECRET_DRIVER, SecretVolumes, secret_data
from podkit.testing import sweep_mounts

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


def _publish_unpublish(storage: StorageHooks, tmp: Path, n: int) -> tuple[list[float], list[float]]:
    """Publish one staged volume at ``n`` targets, then unpublish them: the two timings."""
    volume = storage.create_volume(
        DRIVER, f"{PREFIX}-pvc", CapacityRange(required_bytes=MIB), (CAPABILITY,)
    )
    stage = tmp / "stage"
    stage.mkdir()
    storage.node_stage_volume(DRIVER, volume.volume_id, {}, str(stage), CAPABILITY)
    targets = [tmp / "pods" / str(i) / "volume" for i in range(n)]
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
    return published, unpublished


def _bind_floor(tmp: Path, n: int) -> tuple[list[float], list[float]]:
    source = tmp / "bare-source"
    source.mkdir()
    bare = [tmp / "bare" / str(i) for i in range(n)]

    def bare_publish(i: int) -> None:
        bare[i].mkdir(parents=True)
        _mount(str(source), str(bare[i]), None, MS_BIND, None)

    def bare_unpublish(i: int) -> None:
        _umount(str(bare[i]))
        bare[i].rmdir()

    return sequential(bare_publish, n), sequential(bare_unpublish, n)


def _hostpath(tmp: Path, n: int) -> None:
    """In-process, and through ``podkit serve csi``'s socket with the CSI client plugin."""
    from podkit.wire.csi import serve_csi  # noqa: PLC0415 - grpc only for this table

    local = tmp / "local"
    local.mkdir()
    in_process = _publish_unpublish(
        _storage(HostPathDriver(local / "hostpath", node_id=f"{PREFIX}-node")), local, n
    )
    served = tmp / "served"
    served.mkdir()
    manager = podkit.PluginManager.load(entry_points=False)
    manager.register(
        HostPathDriver(served / "hostpath", node_id=f"{PREFIX}-node"),
        name="hostpath",
        kind="storage",
    )
    socket_path = tmp / "csi.sock"
    server = serve_csi(manager, DRIVER, socket_path)
    try:
        over_csi = _publish_unpublish(
            _storage(podkit.CsiClientPlugin(f"unix://{socket_path}")), served, n
        )
    finally:
        server.stop(None).wait()
    floor = _bind_floor(tmp, n)
    header(
        "storage: hostpath CSI NodePublishVolume / NodeUnpublishVolume",
        [
            "floor: mkdir + mount(2) MS_BIND / umount(2) + rmdir through ctypes",
            "csi: the same plugin behind podkit serve csi, called with podkit.CsiClientPlugin",
        ],
    )
    row("floor: bind mount", floor[0])
    row("podkit HostPathDriver in-process: NodePublishVolume", in_process[0], floor[0])
    row("podkit HostPathDriver over CSI: NodePublishVolume", over_csi[0], floor[0])
    row("floor: unmount", floor[1])
    row("podkit HostPathDriver in-process: NodeUnpublishVolume", in_process[1], floor[1])
    row("podkit HostPathDriver over CSI: NodeUnpublishVolume", over_csi[1], floor[1])


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


def main(*, quick: bool = False) -> None:
    """Print the hostpath and Secret tables."""
    n = 3 if quick else 100
    with cleanup_stack(60 if quick else 300) as stack:
        tmp = Path(tempfile.mkdtemp(prefix=f"{PREFIX}-storage-"))
        stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        stack.callback(sweep_mounts, tmp)
        _hostpath(tmp, n)
        header(
            "storage: Secret volume projection (tmpfs + atomic writer), in-process",
            ["floor: mount(2) tmpfs + open/write each key / rewrite / umount(2)"],
        )
        storage = _storage(SecretVolumes(tmp / "secret-state", node_id=f"{PREFIX}-node"))
        for keys in (1, 100):
            _secret_rows(storage, tmp, keys, n)
        note("ratio: to the floor's median")

from __future__ import annotations

import errno
import os
import socket
import stat
from pathlib import Path

import pytest

import podkit
from podkit.plugins.storage import _mount
from podkit.plugins.storage.hostpath_volume import DRIVER, HostPathVolumes

pytestmark = pytest.mark.root


@pytest.fixture
def hostpath(pks_dir, manager):
    storage = manager(HostPathVolumes(pks_dir / "state")).storage
    yield storage, pks_dir
    for entry in reversed(_mount.mounts()):
        if entry.mount_point.startswith(str(pks_dir)):
            _mount.unmount(entry.mount_point)


def publish(storage, target, cap, path, kind="", *, readonly=False, volume_id="pod-1-logs"):
    context = {"path": str(path), "type": kind}
    return storage.node_publish_volume(
        DRIVER, volume_id, {}, "", str(target), cap, readonly, volume_context=context
    )


def unpublish(storage, target, volume_id="pod-1-logs"):
    return storage.node_unpublish_volume(DRIVER, volume_id, str(target))


def first_block_device():
    for path in sorted(Path("/dev").iterdir()):
        if stat.S_ISBLK(path.stat().st_mode):
            return str(path)
    return None


def test_directory_or_create_creates_the_directory_and_binds_it(hostpath, cap):
    storage, tmp = hostpath
    source = tmp / "made" / "by" / "kubelet"
    assert publish(storage, tmp / "t", cap, source, "DirectoryOrCreate") is True
    assert oct(source.stat().st_mode & 0o777) == oct(0o755 & ~os.umask(os.umask(0)))
    (tmp / "t" / "f").write_text("x")
    assert (source / "f").read_text() == "x"
    assert publish(storage, tmp / "t", cap, source, "DirectoryOrCreate") is True
    with pytest.raises(podkit.AlreadyExistsError):
        publish(storage, tmp / "t", cap, source, "Directory")
    assert unpublish(storage, tmp / "t") is True
    assert unpublish(storage, tmp / "t") is True
    assert not (tmp / "t").exists()
    assert (source / "f").exists()  # the node's files stay


def test_directory_must_exist_and_be_a_directory(hostpath, cap):
    storage, tmp = hostpath
    with pytest.raises(podkit.NotFoundError, match="is not a directory"):
        publish(storage, tmp / "t", cap, tmp / "missing", "Directory")
    (tmp / "file").write_text("")
    with pytest.raises(podkit.FailedPreconditionError, match="is not a directory"):
        publish(storage, tmp / "t", cap, tmp / "file", "Directory")
    with pytest.raises(podkit.FailedPreconditionError, match="is not a directory"):
        publish(storage, tmp / "t", cap, tmp / "file", "DirectoryOrCreate")
    assert not (tmp / "t").exists()


def test_file_or_create_creates_the_file_and_binds_it_on_a_file(hostpath, cap):
    storage, tmp = hostpath
    source = tmp / "app.log"
    publish(storage, tmp / "t", cap, source, "FileOrCreate")
    assert source.is_file()
    assert (tmp / "t").is_file()
    (tmp / "t").write_text("line")
    assert source.read_text() == "line"
    unpublish(storage, tmp / "t")
    assert not (tmp / "t").exists()
    with pytest.raises(podkit.NotFoundError, match="parent"):
        publish(storage, tmp / "t", cap, tmp / "no-dir" / "f", "FileOrCreate")


def test_file_must_be_a_regular_file(hostpath, cap):
    storage, tmp = hostpath
    with pytest.raises(podkit.NotFoundError, match="is not a file"):
        publish(storage, tmp / "t", cap, tmp / "missing", "File")
    with pytest.raises(podkit.FailedPreconditionError, match="is not a file"):
        publish(storage, tmp / "t", cap, tmp, "File")
    (tmp / "f").write_text("x")
    publish(storage, tmp / "t", cap, tmp / "f", "File", readonly=True)
    with pytest.raises(OSError, match="Read-only file system") as caught:
        (tmp / "t").write_text("y")
    assert caught.value.errno == errno.EROFS
    unpublish(storage, tmp / "t")


def test_socket_char_and_block_devices_are_checked(hostpath, cap):
    storage, tmp = hostpath
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp / "s.sock"))
        publish(storage, tmp / "t", cap, tmp / "s.sock", "Socket")
        unpublish(storage, tmp / "t")
    finally:
        sock.close()
    with pytest.raises(podkit.FailedPreconditionError, match="is not a socket"):
        publish(storage, tmp / "t", cap, tmp, "Socket")
    publish(storage, tmp / "t", cap, "/dev/null", "CharDevice")
    assert stat.S_ISCHR((tmp / "t").stat().st_mode)
    unpublish(storage, tmp / "t")
    with pytest.raises(podkit.FailedPreconditionError, match="is not a character device"):
        publish(storage, tmp / "t", cap, tmp, "CharDevice")
    with pytest.raises(podkit.FailedPreconditionError, match="is not a block device"):
        publish(storage, tmp / "t", cap, "/dev/null", "BlockDevice")
    if (device := first_block_device()) is not None:
        publish(storage, tmp / "t", cap, device, "BlockDevice")
        unpublish(storage, tmp / "t")
    assert not (tmp / "t").exists()


def test_no_type_checks_nothing_and_a_missing_path_fails_cleanly(hostpath, cap):
    storage, tmp = hostpath
    publish(storage, tmp / "t", cap, tmp)
    unpublish(storage, tmp / "t")
    with pytest.raises(podkit.NotFoundError, match="missing"):
        publish(storage, tmp / "t", cap, tmp / "missing")
    assert not (tmp / "t").exists()


def test_bad_volume_context_is_invalid_argument(hostpath, cap):
    storage, tmp = hostpath
    with pytest.raises(podkit.InvalidArgumentError, match="absolute"):
        publish(storage, tmp / "t", cap, "relative/path")
    with pytest.raises(podkit.InvalidArgumentError, match="without '\\.\\.'"):
        publish(storage, tmp / "t", cap, "/var/../etc")
    with pytest.raises(podkit.InvalidArgumentError, match="unknown hostPath type"):
        publish(storage, tmp / "t", cap, tmp, "Dir")
    assert not Path(tmp / "t").exists()


def test_volume_stats_of_a_published_host_path(hostpath, cap):
    storage, tmp = hostpath
    publish(storage, tmp / "t", cap, tmp / "data", "DirectoryOrCreate")
    stats = storage.node_get_volume_stats(DRIVER, "pod-1-logs", str(tmp / "t"))
    assert {usage.unit.name for usage in stats.usage} == {"BYTES", "INODES"}
    with pytest.raises(podkit.NotFoundError, match="not published"):
        storage.node_get_volume_stats(DRIVER, "pod-1-logs", str(tmp / "data"))
    with pytest.raises(podkit.NotFoundError, match="not published"):
        storage.node_get_volume_stats(DRIVER, "other", str(tmp / "t"))
    with pytest.raises(podkit.NotFoundError, match="publishes 'pod-1-logs'"):
        unpublish(storage, tmp / "t", volume_id="other")
    unpublish(storage, tmp / "t")

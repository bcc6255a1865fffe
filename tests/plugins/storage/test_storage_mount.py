from __future__ import annotations

import pytest

import podkit
from podkit.plugins.storage import _mount

LINE = r"36 25 0:32 /sub /tmp/pks\040dir/t rw,nosuid,relatime shared:1 - tmpfs tmpfs rw,size=1024k"


def test_mountinfo_lines_are_parsed_with_their_escapes():
    entry = _mount._parse(LINE)
    assert entry.mount_point == "/tmp/pks dir/t"  # noqa: S108 -- parsed text
    assert entry.root == "/sub"
    assert entry.fstype == "tmpfs"
    assert "size=1024k" in entry.super_options
    assert not entry.read_only


def test_this_process_root_is_listed():
    assert _mount.is_mount_point("/")
    assert _mount.find_mount("/") is not None


@pytest.mark.root
def test_bind_then_unmount_leaves_nothing(pks_dir):
    (pks_dir / "src").mkdir()
    (pks_dir / "dst").mkdir()
    _mount.bind(str(pks_dir / "src"), str(pks_dir / "dst"), flags=_mount.MS_RDONLY)
    entry = _mount.find_mount(str(pks_dir / "dst"))
    assert entry is not None
    assert entry.read_only
    _mount.unmount(str(pks_dir / "dst"))
    _mount.unmount(str(pks_dir / "dst"))  # not mounted: fine
    assert not _mount.is_mount_point(str(pks_dir / "dst"))


@pytest.mark.root
def test_errno_becomes_a_podkit_error_naming_the_target(pks_dir):
    with pytest.raises(podkit.NotFoundError, match="missing"):
        _mount.bind(str(pks_dir / "missing"), str(pks_dir))


@pytest.mark.root
def test_a_read_only_bind_keeps_the_source_nosuid_nodev_noexec(pks_dir):
    (pks_dir / "src").mkdir()
    (pks_dir / "dst").mkdir()
    _mount.mount_tmpfs(str(pks_dir / "src"), size=1 << 20)
    try:
        _mount.remount(
            str(pks_dir / "src"),
            flags=_mount.MS_NOSUID | _mount.MS_NODEV | _mount.MS_NOEXEC,
            bind_mount=True,
        )
        _mount.bind(str(pks_dir / "src"), str(pks_dir / "dst"), flags=_mount.MS_RDONLY)
        options = _mount.find_mount(str(pks_dir / "dst")).options
        assert {"ro", "nosuid", "nodev", "noexec"} <= options
    finally:
        _mount.unmount(str(pks_dir / "dst"))
        _mount.unmount(str(pks_dir / "src"))

from __future__ import annotations

import gzip
import os
import stat
import subprocess
import tarfile
from pathlib import Path

import pytest

from podkit import errors
from podkit.plugins.runtime._images import ImageStore
from podkit.plugins.runtime._images._unpack import OPAQUE_XATTR, unpack_layer

pytestmark = pytest.mark.root


def names(path):
    return sorted(entry.name for entry in path.iterdir())


@pytest.fixture
def unpack(tmp_path, image_tools):
    """Unpack a tar of ``entries`` into a fresh dir; return the dir."""

    def run(entries, *, compress=False, diff_id=None):
        data = image_tools.make_tar(entries)
        blob = tmp_path / "pki-blob"
        blob.write_bytes(gzip.compress(data) if compress else data)
        dest = tmp_path / "pki-layer"
        dest.mkdir()
        size = unpack_layer(blob, dest, diff_id=diff_id or image_tools.sha256(data), what="layer 0")
        return dest, size

    return run


def test_whiteouts_become_overlayfs_whiteouts_and_opaque_dirs(unpack, image_tools):
    entry = image_tools.Entry
    dest, _ = unpack(
        [
            entry("a", tarfile.DIRTYPE, mode=0o755),
            entry("a/.wh.gone"),
            entry("c", tarfile.DIRTYPE, mode=0o755),
            entry("c/.wh..wh..opq"),
            entry("c/keep", data=b"k"),
            entry("d/.wh..wh.plnk"),
        ]
    )
    whiteout = (dest / "a" / "gone").lstat()
    assert stat.S_ISCHR(whiteout.st_mode)
    assert whiteout.st_rdev == os.makedev(0, 0)
    assert os.getxattr(dest / "c", OPAQUE_XATTR) == b"y"
    assert names(dest / "c") == ["keep"]
    assert not (dest / "a" / ".wh.gone").exists()
    assert names(dest / "d") == []


def test_owners_modes_xattrs_hardlinks_and_devices_are_kept(unpack, image_tools):
    entry = image_tools.Entry
    dest, size = unpack(
        [
            entry("bin/su", data=b"#!", mode=0o4755),
            entry("home/u/f", data=b"12345", mode=0o600, uid=1000, gid=1001),
            entry("home/u/g", tarfile.LNKTYPE, linkname="home/u/f"),
            entry("x", data=b"", pax={"SCHILY.xattr.user.pki": "v"}),
            entry("dev/null", tarfile.CHRTYPE, mode=0o666, device=(1, 3)),
            entry("dev/fifo", tarfile.FIFOTYPE, mode=0o600),
            entry("l", tarfile.SYMTYPE, linkname="/etc/passwd"),
        ],
        compress=True,
    )
    assert (dest / "bin" / "su").stat().st_mode & 0o7777 == 0o4755
    owned = (dest / "home" / "u" / "f").stat()
    assert (owned.st_uid, owned.st_gid, owned.st_mode & 0o777) == (1000, 1001, 0o600)
    assert owned.st_mtime == 1_000_000
    assert (dest / "home" / "u" / "g").stat().st_ino == owned.st_ino
    assert os.getxattr(dest / "x", "user.pki") == b"v"
    null = (dest / "dev" / "null").lstat()
    assert stat.S_ISCHR(null.st_mode)
    assert null.st_rdev == os.makedev(1, 3)
    assert stat.S_ISFIFO((dest / "dev" / "fifo").lstat().st_mode)
    assert str((dest / "l").readlink()) == "/etc/passwd"
    assert size == 7


def test_absolute_names_land_inside_the_layer(unpack, image_tools):
    dest, _ = unpack([image_tools.Entry("/etc/pki-absolute", data=b"x")])
    assert (dest / "etc" / "pki-absolute").read_bytes() == b"x"
    assert not Path("/etc/pki-absolute").exists()


@pytest.mark.parametrize(
    "entries",
    [
        [("../pki-escape", tarfile.REGTYPE, "")],
        [("a/../../pki-escape", tarfile.REGTYPE, "")],
        [("pki-link", tarfile.LNKTYPE, "../outside/secret")],
    ],
)
def test_names_with_dotdot_are_refused(unpack, image_tools, tmp_path, entries):
    tar_entries = [image_tools.Entry(n, t, linkname=link) for n, t, link in entries]
    with pytest.raises(errors.InvalidArgumentError, match=r"'\.\.'"):
        unpack(tar_entries)
    assert not (tmp_path / "pki-escape").exists()


def test_nothing_is_written_through_a_symlink(unpack, image_tools, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    entry = image_tools.Entry
    with pytest.raises(errors.InvalidArgumentError, match="through the symlink 'etc'"):
        unpack([entry("etc", tarfile.SYMTYPE, linkname=str(outside)), entry("etc/passwd")])
    assert names(outside) == []


def test_a_later_member_replaces_an_earlier_one(unpack, image_tools):
    entry = image_tools.Entry
    dest, _ = unpack(
        [entry("a", data=b"file"), entry("a", tarfile.DIRTYPE, mode=0o700), entry("a/b")]
    )
    assert (dest / "a").is_dir()
    assert (dest / "a").stat().st_mode & 0o777 == 0o700


def test_a_layer_that_does_not_match_its_diff_id_is_refused(unpack, image_tools):
    with pytest.raises(errors.InvalidArgumentError, match="its diff_id is sha256:0000"):
        unpack([image_tools.Entry("a")], diff_id="sha256:" + "0" * 64)


def test_a_blob_that_is_no_tar_is_refused(tmp_path):
    blob = tmp_path / "pki-blob"
    blob.write_bytes(gzip.compress(b"not a tar" * 100))
    (tmp_path / "d").mkdir()
    with pytest.raises(errors.InvalidArgumentError, match="not a valid tar"):
        unpack_layer(blob, tmp_path / "d", diff_id="sha256:" + "0" * 64, what="layer 0")


def test_a_zstd_layer_is_unimplemented(tmp_path):
    blob = tmp_path / "pki-blob"
    blob.write_bytes(b"\x28\xb5\x2f\xfd" + b"\0" * 100)
    with pytest.raises(errors.UnimplementedError, match="zstd"):
        unpack_layer(blob, tmp_path, diff_id="sha256:" + "0" * 64, what="layer 0")


def test_stacked_layers_with_whiteouts_give_the_upper_view(tmp_path, image_tools):
    entry = image_tools.Entry
    lower = image_tools.make_tar(
        [
            entry("etc", tarfile.DIRTYPE, mode=0o755),
            entry("etc/a", data=b"a"),
            entry("etc/b", data=b"b"),
            entry("d", tarfile.DIRTYPE, mode=0o755),
            entry("d/x", data=b"x"),
        ]
    )
    upper = image_tools.make_tar(
        [
            entry("etc/.wh.a"),
            entry("d", tarfile.DIRTYPE, mode=0o755),
            entry("d/.wh..wh..opq"),
            entry("d/y", data=b"y"),
        ]
    )
    layout = image_tools.write_layout(tmp_path / "pki-layout", [lower, upper], compress=False)
    store = ImageStore(tmp_path / "pki-store")
    record = store.import_oci_layout(layout.path, ref="pki/whiteouts")
    assert record.size == 4
    dirs = store.layer_dirs(record)
    assert [store.layer_dirs(record)[i].parent.name for i in (0, 1)] == [
        d.removeprefix("sha256:") for d in reversed(layout.diff_ids)
    ]
    merged = tmp_path / "pki-merged"
    merged.mkdir()
    lowerdir = ":".join(map(str, dirs))
    subprocess.run(
        ["mount", "-t", "overlay", "pki-ovl", "-o", f"lowerdir={lowerdir}", merged], check=True
    )
    try:
        assert names(merged / "etc") == ["b"]
        assert names(merged / "d") == ["y"]
    finally:
        subprocess.run(["umount", merged], check=True)

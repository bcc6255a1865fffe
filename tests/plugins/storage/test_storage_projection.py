"""The kubelet's payload rules and atomic writer, on a plain directory (no root needed)."""

from __future__ import annotations

import re

import pytest
from pks_helpers import run_updates

import podkit
from podkit.plugins.storage import _atomic_writer, _payload
from podkit.plugins.storage.projected import projection_context

DATA = {"user": b"admin", "pass": b"s3cret", "ca.crt": b"CERT"}
ACTION = "publish secret volume 'v'"


def payload(context, data=DATA):
    return _payload.make_payload(data, context, ACTION, known=frozenset())


def test_every_key_becomes_a_file_with_the_default_mode():
    assert payload({}) == {k: (v, 0o644) for k, v in DATA.items()}
    assert payload(projection_context(default_mode=0o400))["user"] == (b"admin", 0o400)


def test_items_pick_keys_paths_and_modes():
    context = projection_context(
        [("user", "auth/user", 0o600), ("ca.crt", "ca", None)], default_mode=0o440
    )
    assert payload(context) == {"auth/user": (b"admin", 0o600), "ca": (b"CERT", 0o440)}


def test_a_missing_key_fails_unless_optional():
    with pytest.raises(podkit.NotFoundError, match="nope"):
        payload(projection_context([("nope", "x", None)]))
    context = projection_context([("nope", "x", None), ("user", "u", None)], optional=True)
    assert payload(context) == {"u": (b"admin", 0o644)}


@pytest.mark.parametrize(
    ("context", "match"),
    [
        ({"podkit.dev/defaultMode": "0644"}, "0 and 0777"),
        ({"podkit.dev/defaultMode": "abc"}, "decimal"),
        ({"podkit.dev/optional": "yes"}, "optional"),
        ({"podkit.dev/items": "{"}, "not JSON"),
        ({"podkit.dev/items": '[{"key": "user", "path": "../up"}]'}, "relative"),
        ({"podkit.dev/items": '[{"key": "user", "path": "..data"}]'}, "starting with"),
        ({"podkit.dev/items": '[{"key": "user", "path": "/abs"}]'}, "relative"),
        ({"podkit.dev/items": '[{"key": "user", "path": "u", "mode": 4096}]'}, "mode of item"),
        (
            {"podkit.dev/items": '[{"key": "user", "path": "a"}, {"key": "pass", "path": "a/b"}]'},
            "collides",
        ),
        ({"podkit.dev/itemz": "[]"}, "unknown"),
    ],
)
def test_bad_options_are_invalid_argument_naming_the_field(context, match):
    with pytest.raises(podkit.InvalidArgumentError, match=match):
        payload(context)


@pytest.mark.parametrize("key", ["..data", "..", ".", "a/b", "../etc", ""])
def test_keys_that_are_no_file_names_are_refused(key):
    with pytest.raises(podkit.InvalidArgumentError, match="is invalid"):
        payload({}, {key: b"x"})


def test_the_writer_makes_the_kubelet_layout(tmp_path):
    assert _atomic_writer.write(tmp_path, {"a": (b"1", 0o600), "dir/b": (b"2", 0o644)})
    names = sorted([p.name for p in (tmp_path).iterdir()])
    assert names[:2] == ["..data", "a"] or "..data" in names
    ts_dir = str((tmp_path / "..data").readlink())
    assert re.fullmatch(r"\.\.\d{4}(_\d\d){5}\.\d{9}", ts_dir)
    assert str((tmp_path / "a").readlink()) == "..data/a"
    assert str((tmp_path / "dir").readlink()) == "..data/dir"
    assert (tmp_path / "dir" / "b").read_bytes() == b"2"
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o600
    assert set(names) == {"..data", ts_dir, "a", "dir"}


def test_an_update_swaps_everything_and_removes_what_is_gone(tmp_path):
    _atomic_writer.write(tmp_path, {"a": (b"1", 0o644), "b": (b"1", 0o644)})
    old = str((tmp_path / "..data").readlink())
    assert not _atomic_writer.write(tmp_path, {"a": (b"1", 0o644), "b": (b"1", 0o644)})
    assert str((tmp_path / "..data").readlink()) == old  # unchanged: nothing written
    assert _atomic_writer.write(tmp_path, {"a": (b"2", 0o644), "c": (b"2", 0o644)})
    new = str((tmp_path / "..data").readlink())
    assert new != old
    assert sorted([p.name for p in (tmp_path).iterdir()]) == sorted(["..data", new, "a", "c"])
    assert (tmp_path / "a").read_bytes() == b"2"


def test_a_concurrent_reader_never_sees_a_mix(tmp_path):
    keys = ["a", "b", "c"]

    def update(version):
        value = f"version-{version}".encode()
        _atomic_writer.write(tmp_path, dict.fromkeys(keys, (value, 420)))

    update(0)
    run_updates(update, tmp_path, keys)
    assert len([n for n in [p.name for p in (tmp_path).iterdir()] if n.startswith("..2")]) == 1


def test_what_a_writer_killed_half_way_left_is_cleaned_by_the_next_write(tmp_path):
    _atomic_writer.write(tmp_path, {"a": (b"1", 0o644)})
    (tmp_path / "..2020_01_01_00_00_00.000000001").mkdir()  # never switched to
    (tmp_path / "..data_tmp").symlink_to("..2020_01_01_00_00_00.000000001")
    (tmp_path / "gone").symlink_to("..data/gone")  # a link of an older payload
    _atomic_writer.write(tmp_path, {"a": (b"2", 0o644)})
    current = str((tmp_path / "..data").readlink())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["..data", current, "a"])

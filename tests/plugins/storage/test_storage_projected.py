from __future__ import annotations

import errno
import json

import pytest
from pks_helpers import run_updates

import podkit
from podkit.plugins.storage import _mount
from podkit.plugins.storage.projected import (
    CONFIGMAP_DRIVER,
    SECRET_DRIVER,
    ConfigMapVolumes,
    SecretVolumes,
    configmap_volume_context,
    projection_context,
    secret_data,
)

pytestmark = pytest.mark.root


@pytest.fixture
def projected(pks_dir, manager):
    state = pks_dir / "state"
    pm = manager(SecretVolumes(state / "secret"), ConfigMapVolumes(state / "configmap"))
    yield pm.storage, state, pks_dir
    for entry in reversed(_mount.mounts()):
        if entry.mount_point.startswith(str(pks_dir)):
            _mount.unmount(entry.mount_point)


def publish_secret(storage, target, cap, data, context=None, *, readonly=False):
    return storage.node_publish_volume(
        SECRET_DRIVER,
        "pod-1-tls",
        {},
        "",
        str(target),
        cap,
        readonly,
        secrets=secret_data(data),
        volume_context=context or {},
    )


def publish_configmap(storage, target, cap, data, context=None, *, readonly=False):
    return storage.node_publish_volume(
        CONFIGMAP_DRIVER,
        "pod-1-conf",
        {},
        "",
        str(target),
        cap,
        readonly,
        volume_context=configmap_volume_context(data) | (context or {}),
    )


def test_a_secret_is_projected_on_a_tmpfs_and_never_touches_disk(projected, cap):
    storage, state, tmp = projected
    data = {"tls.crt": b"CERT", "tls.key": b"\x00binary-key\xff"}
    context = projection_context(
        [("tls.key", "private/key", 0o400)], default_mode=0o440, optional=True
    )
    assert publish_secret(storage, tmp / "t", cap, data, context) is True
    entry = _mount.find_mount(str(tmp / "t"))
    assert entry.fstype == "tmpfs"
    assert (tmp / "t" / "private" / "key").read_bytes() == b"\x00binary-key\xff"
    assert (tmp / "t" / "private" / "key").stat().st_mode & 0o777 == 0o400
    assert not (tmp / "t" / "tls.crt").exists()  # not among the items
    state_text = (state / "secret" / "state.json").read_text()
    assert "binary-key" not in state_text
    assert "S0VZ" not in state_text
    assert storage.node_unpublish_volume(SECRET_DRIVER, "pod-1-tls", str(tmp / "t")) is True
    assert storage.node_unpublish_volume(SECRET_DRIVER, "pod-1-tls", str(tmp / "t")) is True
    assert not (tmp / "t").exists()
    assert not (state / "secret" / "state.json").exists()


def test_all_keys_with_the_default_mode_and_top_level_links(projected, cap):
    storage, _, tmp = projected
    publish_configmap(
        storage,
        tmp / "t",
        cap,
        {"app.conf": "a=1", "log.conf": "b=2"},
        projection_context(default_mode=0o600),
    )
    assert str((tmp / "t" / "app.conf").readlink()) == "..data/app.conf"
    assert (tmp / "t" / "log.conf").read_text() == "b=2"
    assert (tmp / "t" / "app.conf").stat().st_mode & 0o777 == 0o600
    storage.node_unpublish_volume(CONFIGMAP_DRIVER, "pod-1-conf", str(tmp / "t"))


def test_binary_data_of_a_configmap(projected, cap):
    storage, _, tmp = projected
    context = configmap_volume_context({"text": "t"}, {"blob": b"\x01\x02"})
    storage.node_publish_volume(
        CONFIGMAP_DRIVER, "v", {}, "", str(tmp / "t"), cap, readonly=False, volume_context=context
    )
    assert (tmp / "t" / "blob").read_bytes() == b"\x01\x02"
    storage.node_unpublish_volume(CONFIGMAP_DRIVER, "v", str(tmp / "t"))


def test_a_missing_item_key_fails_without_leaving_anything(projected, cap):
    storage, state, tmp = projected
    with pytest.raises(podkit.NotFoundError, match="missing key 'nope'"):
        publish_configmap(
            storage, tmp / "t", cap, {"a": "1"}, projection_context([("nope", "x", None)])
        )
    with pytest.raises(podkit.InvalidArgumentError, match="base64"):
        storage.node_publish_volume(
            SECRET_DRIVER,
            "v",
            {},
            "",
            str(tmp / "t"),
            cap,
            readonly=False,
            secrets={"k": "not base64!"},
        )
    assert not (tmp / "t").exists()
    assert not (state / "secret" / "state.json").exists()


def test_read_only_projection_is_read_only_and_still_updates(projected, cap):
    storage, _, tmp = projected
    publish_configmap(storage, tmp / "t", cap, {"k": "v1"}, readonly=True)
    with pytest.raises(OSError, match="Read-only file system") as caught:
        (tmp / "t" / "new").write_text("x")
    assert caught.value.errno == errno.EROFS
    publish_configmap(storage, tmp / "t", cap, {"k": "v2"}, readonly=True)
    assert (tmp / "t" / "k").read_text() == "v2"
    assert _mount.find_mount(str(tmp / "t")).read_only
    with pytest.raises(podkit.AlreadyExistsError):
        publish_configmap(storage, tmp / "t", cap, {"k": "v2"}, readonly=False)
    storage.node_unpublish_volume(CONFIGMAP_DRIVER, "pod-1-conf", str(tmp / "t"))


def test_republishing_updates_atomically_under_a_concurrent_reader(projected, cap):
    storage, _, tmp = projected
    keys = ["user", "password", "token"]

    def update(version):
        value = f"version-{version}".encode()
        publish_secret(storage, tmp / "t", cap, dict.fromkeys(keys, value))

    update(0)
    run_updates(update, tmp / "t", keys, versions=100)
    assert len([n for n in [p.name for p in (tmp / "t").iterdir()] if n.startswith("..2")]) == 1
    storage.node_unpublish_volume(SECRET_DRIVER, "pod-1-tls", str(tmp / "t"))


def test_an_update_removes_keys_that_are_gone(projected, cap):
    storage, _, tmp = projected
    publish_secret(storage, tmp / "t", cap, {"a": b"1", "b": b"1"})
    publish_secret(storage, tmp / "t", cap, {"a": b"2"})
    assert sorted(n for n in [p.name for p in (tmp / "t").iterdir()] if not n.startswith("..")) == [
        "a"
    ]
    storage.node_unpublish_volume(SECRET_DRIVER, "pod-1-tls", str(tmp / "t"))


def test_publications_survive_a_restart(projected, manager, cap):
    storage, state, tmp = projected
    publish_secret(storage, tmp / "t", cap, {"a": b"1"})
    record = json.loads((state / "secret" / "state.json").read_text())
    assert list(record["publications"]) == [str(tmp / "t")]
    again = manager(SecretVolumes(state / "secret")).storage
    publish_secret(again, tmp / "t", cap, {"a": b"2"})  # an update, not a new tmpfs
    assert (tmp / "t" / "a").read_bytes() == b"2"
    assert sum(m.mount_point == str(tmp / "t") for m in _mount.mounts()) == 1
    again.node_unpublish_volume(SECRET_DRIVER, "pod-1-tls", str(tmp / "t"))

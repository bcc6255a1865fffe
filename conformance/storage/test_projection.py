"""Kubernetes ``secret`` and ``configMap`` volumes, as podkit's projection drivers serve them.

Only for the drivers ``secret.volumes.podkit.dev`` and
``configmap.volumes.podkit.dev``; skipped for any other. The rules are the
Kubernetes API's (``SecretVolumeSource``, ``ConfigMapVolumeSource``,
``KeyToPath``) and the kubelet's atomic writer; the encoding of a volume
source in a CSI request is the drivers' documented one, written out here:

- a Secret's data arrives in ``secrets``, each value base64-encoded;
- a ConfigMap's ``data`` in ``volume_context["podkit.dev/data"]`` (a JSON
  object of strings);
- ``items`` in ``podkit.dev/items`` (a JSON list of ``key``/``path``/``mode``),
  ``defaultMode`` in ``podkit.dev/defaultMode`` (decimal), ``optional`` in
  ``podkit.dev/optional`` (``true``/``false``).
"""

from __future__ import annotations

import base64
import errno
import json
import os
import stat
import threading
from typing import TYPE_CHECKING, Final

import pytest

import podkit
from podkit.conformance.storage._driver import unique_name
from podkit.conformance.storage._host import filesystem_type, is_mount_point
from podkit.conformance.storage._resources import NodeVolume

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from pathlib import Path

    from podkit.conformance.storage._driver import Driver
    from podkit.conformance.storage._resources import Resources

SECRET: Final = "secret.volumes.podkit.dev"  # noqa: S105 -- a driver name
CONFIGMAP: Final = "configmap.volumes.podkit.dev"
DATA: Final = {"user": b"admin", "password": b"s3cret", "ca.crt": b"CERT"}
#: The atomic writer's link to the current payload directory (kubelet atomic_writer.go).
DATA_DIR: Final = "..data"

Item = tuple[str, str, int | None]

pytestmark = pytest.mark.root


@pytest.fixture
def projected(driver: Driver) -> Driver:
    """The driver, if it is one of podkit's projection drivers."""
    if driver.name not in {SECRET, CONFIGMAP}:
        pytest.skip(f"capability: only for {SECRET} and {CONFIGMAP}, not {driver.name}")
    return driver


def source(  # noqa: PLR0913 -- the volume source's fields
    driver: Driver,
    data: Mapping[str, bytes],
    *,
    items: Iterable[Item] = (),
    default_mode: int | None = None,
    optional: bool | None = None,
    volume_id: str = "",
) -> NodeVolume:
    """A volume of ``data`` with the volume source's options, encoded for ``driver``."""
    context: dict[str, str] = {}
    if entries := [
        {"key": key, "path": path} | ({} if mode is None else {"mode": mode})
        for key, path, mode in items
    ]:
        context["podkit.dev/items"] = json.dumps(entries)
    if default_mode is not None:
        context["podkit.dev/defaultMode"] = str(default_mode)
    if optional is not None:
        context["podkit.dev/optional"] = "true" if optional else "false"
    volume_id = volume_id or unique_name("projected")
    if driver.name == SECRET:
        secrets = {key: base64.b64encode(value).decode() for key, value in data.items()}
        return NodeVolume(volume_id=volume_id, volume_context=context, secrets=secrets)
    text = {key: value.decode() for key, value in data.items()}
    context["podkit.dev/data"] = json.dumps(text, sort_keys=True)
    return NodeVolume(volume_id=volume_id, volume_context=context)


def files(target: Path) -> dict[str, tuple[bytes, int]]:
    """What a workload sees: the visible names (not the ``..`` ones), content and mode."""
    seen = {}
    for root, dirs, names in os.walk(target, followlinks=True):
        dirs[:] = [d for d in dirs if not d.startswith("..")]
        for name in names:
            path = os.path.join(root, name)  # noqa: PTH118 -- os.walk hands out strings
            with open(path, "rb") as file:  # noqa: PTH123
                content = file.read()
            seen[os.path.relpath(path, target)] = (content, stat.S_IMODE(os.stat(path).st_mode))  # noqa: PTH116
    return seen


def test_each_key_becomes_a_file_named_by_it_with_mode_0644(
    projected: Driver, resources: Resources, workdir: Path
) -> None:
    """Kubernetes volume source ``items``, unset: every key is a file of its name.

    "If unspecified, each key-value pair in the Data field of the referenced
    Secret will be projected into the volume as a file whose name is the key
    and content is the value." ``defaultMode``: "Defaults to 0644."
    """
    target = workdir / "target"
    resources.publish(source(projected, DATA), target)
    assert files(target) == {key: (value, 0o644) for key, value in DATA.items()}


def test_default_mode_sets_the_mode_of_every_file(
    projected: Driver, resources: Resources, workdir: Path
) -> None:
    """Kubernetes ``defaultMode``: it sets the mode of every file.

    "mode bits used to set permissions on created files by default".
    """
    target = workdir / "target"
    resources.publish(source(projected, DATA, default_mode=0o400), target)
    assert {mode for _content, mode in files(target).values()} == {0o400}


def test_items_project_only_the_listed_keys_to_their_paths_and_modes(
    projected: Driver, resources: Resources, workdir: Path
) -> None:
    """Kubernetes ``items``: listed keys go to their paths; unlisted keys are not present.

    "If specified, the listed keys will be projected into the specified
    paths, and unlisted keys will not be present." ``KeyToPath.mode``: "If
    not specified, the volume defaultMode will be used."
    """
    target = workdir / "target"
    items = [("user", "auth/user", 0o600), ("ca.crt", "ca", None)]
    resources.publish(source(projected, DATA, items=items, default_mode=0o440), target)
    assert files(target) == {"auth/user": (b"admin", 0o600), "ca": (b"CERT", 0o440)}


def test_an_item_naming_a_missing_key_fails_unless_the_volume_is_optional(
    projected: Driver, resources: Resources, workdir: Path
) -> None:
    """Kubernetes ``items``: a key not in the data is an error, unless ``optional``.

    "If a key is specified which is not present in the Secret, the volume
    setup will error unless it is marked optional."
    """
    target = workdir / "target"
    items = [("missing", "missing", None), ("user", "user", None)]
    with pytest.raises(podkit.NotFoundError, match="missing"):
        resources.publish(source(projected, DATA, items=items), target)
    assert not is_mount_point(target)
    resources.publish(source(projected, DATA, items=items, optional=True), target)
    assert files(target) == {"user": (b"admin", 0o644)}


def test_a_secret_volume_is_a_tmpfs(projected: Driver, resources: Resources, workdir: Path) -> None:
    """Kubernetes Secret volumes: "secret volumes are backed by tmpfs (a RAM-backed filesystem)".

    "so they are never written to non-volatile storage". ConfigMap volumes
    make no such promise: skipped for them.
    """
    if projected.name != SECRET:
        pytest.skip("capability: Kubernetes promises tmpfs for secret volumes only")
    target = workdir / "target"
    resources.publish(source(projected, DATA), target)
    assert filesystem_type(target) == "tmpfs"


def test_a_readonly_volume_refuses_writes_and_still_takes_updates(
    projected: Driver, resources: Resources, workdir: Path
) -> None:
    """Kubernetes: Secret and ConfigMap volumes are mounted read-only, and updated in place.

    NodePublishVolume ``readonly``: "Indicates SP MUST publish the volume in
    readonly mode"; the kubelet updates the data by publishing again at the
    same target ("Mounted Secrets are updated automatically").
    """
    target = workdir / "target"
    volume = source(projected, DATA)
    resources.publish(volume, target, readonly=True)
    with pytest.raises(OSError, match="Read-only") as raised:
        (target / "pkt-written").write_bytes(b"podkit")
    assert raised.value.errno == errno.EROFS
    newer = source(projected, {"user": b"root"}, volume_id=volume.volume_id)
    resources.publish(newer, target, readonly=True)
    assert files(target) == {"user": (b"root", 0o644)}
    with pytest.raises(OSError, match="Read-only"):
        (target / "pkt-written").write_bytes(b"podkit")


def test_an_update_is_seen_whole_by_a_concurrent_reader(
    projected: Driver, resources: Resources, workdir: Path
) -> None:
    """Kubelet atomic writer: every reader sees the old payload or the new one, never a mix.

    "AtomicWriter handles atomically projecting content for a set of files
    into a target directory": the new payload is written aside, then the
    ``..data`` link is swapped to it with a rename.
    """
    target = workdir / "target"
    keys = ["a", "b", "c"]
    volume_id = unique_name("atomic")

    def version(number: int) -> NodeVolume:
        data = {key: f"version-{number}".encode() for key in keys}
        return source(projected, data, volume_id=volume_id)

    resources.publish(version(0), target)
    errors, seen = _read_while(target, keys, lambda n: resources.publish(version(n), target))
    assert errors == []
    assert len(seen) > 1, "the reader saw no update"


def _read_while(
    target: Path, keys: list[str], update: Callable[[int], None]
) -> tuple[list[set[bytes]], set[bytes]]:
    """Read every key through one ``..data`` resolution while ``update`` runs 100 times."""
    stop = threading.Event()
    seen: set[bytes] = set()
    errors: list[set[bytes]] = []

    def read() -> None:
        while not stop.is_set():
            try:
                directory = os.open(target / DATA_DIR, os.O_RDONLY | os.O_DIRECTORY)
                try:
                    values = {_read_at(directory, key) for key in keys}
                finally:
                    os.close(directory)
            except FileNotFoundError:
                continue  # the old payload was removed under the reader: read again
            if len(values) != 1:
                errors.append(values)
            seen.update(values)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for number in range(1, 100):
            update(number)
    finally:
        stop.set()
        reader.join()
    return errors, seen


def _read_at(directory: int, name: str) -> bytes:
    descriptor = os.open(name, os.O_RDONLY, dir_fd=directory)
    try:
        return os.read(descriptor, 100)
    finally:
        os.close(descriptor)

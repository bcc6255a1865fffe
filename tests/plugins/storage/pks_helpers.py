"""Helpers of the storage plugin tests, in a module whose name no other test folder uses."""

from __future__ import annotations

import os
import threading

from podkit.models.storage import AccessMode, MountVolume, VolumeCapability


def mount_capability(mode=AccessMode.SINGLE_NODE_WRITER, *flags):
    return VolumeCapability(access_type=MountVolume(mount_flags=flags), access_mode=mode)


def read_consistently(volume_dir, keys):
    """Read every key through one resolution of ..data, as a consistent reader does."""
    while True:
        try:
            return read_all_at(volume_dir / "..data", keys)
        except FileNotFoundError:
            continue  # the old directory was removed under us: a retry, never a mix


def read_all_at(directory, keys):
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return [read_at(fd, key) for key in keys]
    finally:
        os.close(fd)


def read_at(dir_fd, name):
    file = os.open(name, os.O_RDONLY, dir_fd=dir_fd)
    try:
        return os.read(file, 100)
    finally:
        os.close(file)


def read_through_link(path):
    while True:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            continue  # resolved to the old directory just as it was removed: a retry


def watch_for_mixes(volume_dir, keys, stop, seen, errors):
    try:
        while not stop.is_set():
            values = read_consistently(volume_dir, keys)
            if len(set(values)) != 1:
                errors.append(values)
            seen.add(values[0])
            for key in keys:  # through the user-visible links, a whole version every time
                value = read_through_link(volume_dir / key)
                if not value.startswith(b"version-"):
                    errors.append(value)
    except Exception as exc:  # noqa: BLE001 -- reported by the test
        errors.append(exc)


def run_updates(update, volume_dir, keys, versions=200):
    stop, seen, errors = threading.Event(), set(), []
    reader = threading.Thread(target=watch_for_mixes, args=(volume_dir, keys, stop, seen, errors))
    reader.start()
    try:
        for version in range(1, versions):
            update(version)
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert len(seen) > 1  # the reader did see several versions

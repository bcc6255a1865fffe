"""Decoding ``volumes``: each volume's name and its one source."""

from __future__ import annotations

from typing import Final

from podkit.manifests._reader import Errors, Obj, as_object, as_quantity
from podkit.models.kube import (
    ConfigMapVolumeSource,
    CSIVolumeSource,
    EmptyDirVolumeSource,
    HostPathType,
    HostPathVolumeSource,
    KeyToPath,
    LocalObjectReference,
    SecretVolumeSource,
    StorageMedium,
    Volume,
)
from podkit.models.kube._rules import (
    config_key,
    csi_driver_name,
    dns1123_label,
    dns1123_subdomain,
    exactly_one_of,
    file_mode,
    item_path,
    no_backsteps,
)
from podkit.models.kube._volume import DEFAULT_MODE

_SOURCES: Final = ("hostPath", "emptyDir", "secret", "configMap", "csi")
#: Volume types of Kubernetes that podkit does not implement.
_UNSUPPORTED: Final = (
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephfs",
    "cinder",
    "downwardAPI",
    "ephemeral",
    "fc",
    "flexVolume",
    "flocker",
    "gcePersistentDisk",
    "gitRepo",
    "glusterfs",
    "image",
    "iscsi",
    "nfs",
    "persistentVolumeClaim",
    "photonPersistentDisk",
    "portworxVolume",
    "projected",
    "quobyte",
    "rbd",
    "scaleIO",
    "storageos",
    "vsphereVolume",
)


def _host_path(errors: Errors, path: str, raw: object) -> HostPathVolumeSource | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    host_path = obj.string("path", no_backsteps, required=True)
    kind = obj.choice("type", HostPathType, HostPathType.UNSET)
    return obj.build(lambda: HostPathVolumeSource(path=host_path, type=kind))


def _empty_dir(errors: Errors, path: str, raw: object) -> EmptyDirVolumeSource | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    medium = obj.choice("medium", StorageMedium, StorageMedium.DEFAULT)
    raw_size = obj.get("sizeLimit")
    size = None if raw_size is None else as_quantity(errors, obj.at("sizeLimit"), raw_size)
    if size is not None and size.amount < 0:
        errors.add(
            obj.at("sizeLimit"), f'invalid value "{size}": must be greater than or equal to 0'
        )
    return obj.build(lambda: EmptyDirVolumeSource(medium=medium, size_limit=size))


def _item(errors: Errors, path: str, raw: object) -> KeyToPath | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    key = obj.string("key", config_key, required=True)
    item = obj.string("path", item_path, required=True)
    mode = obj.optional_integer("mode", file_mode)
    return obj.build(lambda: KeyToPath(key=key, path=item, mode=mode))


def _projection(obj: Obj) -> tuple[tuple[KeyToPath, ...], int, bool]:
    """Read the fields Secret and ConfigMap volumes share: items, defaultMode, optional."""
    items = obj.children("items", _item)
    mode = obj.integer("defaultMode", file_mode, default=DEFAULT_MODE)
    return items, mode, obj.boolean("optional")


def _secret(errors: Errors, path: str, raw: object) -> SecretVolumeSource | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    name = obj.string("secretName", dns1123_subdomain, required=True)
    items, mode, optional = _projection(obj)
    return obj.build(
        lambda: SecretVolumeSource(
            secret_name=name, items=items, default_mode=mode, optional=optional
        )
    )


def _config_map(errors: Errors, path: str, raw: object) -> ConfigMapVolumeSource | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    name = obj.string("name", dns1123_subdomain, required=True)
    items, mode, optional = _projection(obj)
    return obj.build(
        lambda: ConfigMapVolumeSource(name=name, items=items, default_mode=mode, optional=optional)
    )


def _reference(errors: Errors, path: str, raw: object) -> LocalObjectReference | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    name = obj.string("name", dns1123_subdomain, required=True)
    return obj.build(lambda: LocalObjectReference(name=name))


def _csi(errors: Errors, path: str, raw: object) -> CSIVolumeSource | None:
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    driver = obj.string("driver", csi_driver_name, required=True)
    read_only = obj.boolean("readOnly")
    fs_type = obj.string("fsType")
    attributes = obj.string_map("volumeAttributes")
    secret_ref = obj.child("nodePublishSecretRef", _reference)
    return obj.build(
        lambda: CSIVolumeSource(
            driver=driver,
            read_only=read_only,
            fs_type=fs_type,
            volume_attributes=attributes,
            node_publish_secret_ref=secret_ref,
        )
    )


def decode_volume(errors: Errors, path: str, raw: object) -> Volume | None:
    """Decode one item of ``volumes``."""
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    name = obj.string("name", dns1123_label, required=True)
    obj.unsupported(*_UNSUPPORTED)
    host_path = obj.child("hostPath", _host_path)
    empty_dir = obj.child("emptyDir", _empty_dir)
    secret = obj.child("secret", _secret)
    config_map = obj.child("configMap", _config_map)
    csi = obj.child("csi", _csi)
    if sum(obj.present(source) for source in _SOURCES + _UNSUPPORTED) != 1:
        errors.add(path, exactly_one_of(_SOURCES))
    return obj.build(
        lambda: Volume(
            name=name,
            host_path=host_path,
            empty_dir=empty_dir,
            secret=secret,
            config_map=config_map,
            csi=csi,
        )
    )


__all__ = ["decode_volume"]

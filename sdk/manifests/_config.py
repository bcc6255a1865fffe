"""Decoding Secrets and ConfigMaps, whose binary data is base64 in a manifest."""

from __future__ import annotations

import base64
import binascii

from podkit.manifests._meta import decode_metadata
from podkit.manifests._reader import Obj, as_map, as_string, key_path
from podkit.models.kube import ConfigMap, Secret
from podkit.models.kube._config import MAX_DATA_BYTES, data_size, missing_secret_keys
from podkit.models.kube._rules import config_key


def _binary_map(obj: Obj, key: str, *, secret: bool = False) -> dict[str, bytes]:
    """Read a map of base64 strings (``encoding/json``'s ``[]byte``: newlines are ignored)."""
    path, raw = obj.at(key), obj.get(key)
    decoded = {}
    for name, value in ({} if raw is None else as_map(obj.errors, path, raw)).items():
        obj.errors.check(key_path(path, name), name, [config_key])
        text = as_string(obj.errors, key_path(path, name), value, secret=secret)
        try:
            decoded[name] = base64.b64decode(
                text.replace("\n", "").replace("\r", ""), validate=True
            )
        except (binascii.Error, ValueError):  # the value is secret: not quoted back
            obj.errors.add(key_path(path, name), "illegal base64 data")
    return decoded


def _check_size(obj: Obj, size: int) -> None:
    if size > MAX_DATA_BYTES:
        obj.errors.add(obj.at("data"), f"must have at most {MAX_DATA_BYTES} bytes")


def decode_secret(obj: Obj) -> Secret | None:
    """Decode a Secret document; ``stringData`` is merged over ``data``, as the API server does."""
    metadata = obj.child("metadata", decode_metadata, required=True)
    secret_type = obj.string("type") or "Opaque"
    data = _binary_map(obj, "data", secret=True)
    string_data = obj.string_map("stringData", [config_key], secret=True)
    data.update((name, value.encode()) for name, value in string_data.items())
    for name in missing_secret_keys(secret_type, data):
        obj.errors.add(key_path(obj.at("data"), name), "required value")
    _check_size(obj, data_size(data))
    immutable = obj.boolean("immutable")
    return obj.build(
        lambda: (
            Secret(metadata=metadata, type=secret_type, data=data, immutable=immutable)
            if metadata
            else None
        )
    )


def decode_config_map(obj: Obj) -> ConfigMap | None:
    """Decode a ConfigMap document."""
    metadata = obj.child("metadata", decode_metadata, required=True)
    data = obj.string_map("data", [config_key])
    binary_data = _binary_map(obj, "binaryData")
    for name in sorted(data.keys() & binary_data.keys()):
        obj.errors.add(key_path(obj.at("data"), name), "duplicate of key present in `binaryData`")
    _check_size(obj, data_size(data, binary_data))
    immutable = obj.boolean("immutable")
    return obj.build(
        lambda: (
            ConfigMap(metadata=metadata, data=data, binary_data=binary_data, immutable=immutable)
            if metadata
            else None
        )
    )


__all__ = ["decode_config_map", "decode_secret"]

"""Secrets and ConfigMaps: data a Pod takes as files or environment variables."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Final, final

import attrs

from podkit.models.kube._collections import bytes_map, str_map
from podkit.models.kube._rules import config_key
from podkit.models.kube._validators import fail, keys, text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from podkit.models.kube._meta import ObjectMeta

#: The most data a Secret or ConfigMap may hold, in bytes.
MAX_DATA_BYTES: Final = 1024 * 1024
#: The keys a Secret of a built-in type must have.
REQUIRED_SECRET_KEYS: Final = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
}
_BASIC_AUTH: Final = "kubernetes.io/basic-auth"


def missing_secret_keys(secret_type: str, data: Mapping[str, bytes]) -> list[str]:
    """Return the keys a Secret of ``secret_type`` lacks."""
    if secret_type == _BASIC_AUTH and not {"username", "password"} & data.keys():
        return ["username", "password"]
    return [key for key in REQUIRED_SECRET_KEYS.get(secret_type, ()) if key not in data]


def data_size(*maps: Mapping[str, str | bytes]) -> int:
    """Return the size the API server counts for data: the values' bytes."""
    total = 0
    for data in maps:
        total += sum(len(v.encode() if isinstance(v, str) else v) for v in data.values())
    return total


@final
@attrs.frozen(kw_only=True)
class Secret:
    """A Secret (``apiVersion: v1``, ``kind: Secret``), its data decoded.

    The manifest loader decodes ``data`` from base64 and merges ``stringData``
    over it, as the API server does.

    .. versionadded:: 0.1
    """

    API_VERSION: ClassVar[str] = "v1"
    KIND: ClassVar[str] = "Secret"

    metadata: ObjectMeta
    #: ``Opaque``, a built-in ``kubernetes.io/...`` type, or any other string.
    type: str = attrs.field(default="Opaque", validator=text(required=True))
    data: Mapping[str, bytes] = attrs.field(
        factory=dict, converter=bytes_map, validator=keys(config_key)
    )
    #: When true, the data cannot change after creation.
    immutable: bool = False

    def __attrs_post_init__(self) -> None:
        for key in missing_secret_keys(self.type, self.data):
            fail(f"data[{key}]", "required value")
        if data_size(self.data) > MAX_DATA_BYTES:
            fail("data", f"must have at most {MAX_DATA_BYTES} bytes")


@final
@attrs.frozen(kw_only=True)
class ConfigMap:
    """A ConfigMap (``apiVersion: v1``, ``kind: ConfigMap``).

    .. versionadded:: 0.1
    """

    API_VERSION: ClassVar[str] = "v1"
    KIND: ClassVar[str] = "ConfigMap"

    metadata: ObjectMeta
    data: Mapping[str, str] = attrs.field(
        factory=dict, converter=str_map, validator=keys(config_key)
    )
    #: Data that is not UTF-8 text; a key may be in ``data`` or here, not both.
    binary_data: Mapping[str, bytes] = attrs.field(
        factory=dict, converter=bytes_map, validator=keys(config_key)
    )
    immutable: bool = False

    def __attrs_post_init__(self) -> None:
        for key in self.data.keys() & self.binary_data.keys():
            fail(f"data[{key}]", "duplicate of key present in `binaryData`")
        if data_size(self.data, self.binary_data) > MAX_DATA_BYTES:
            fail("data", f"must have at most {MAX_DATA_BYTES} bytes")


__all__ = [
    "MAX_DATA_BYTES",
    "REQUIRED_SECRET_KEYS",
    "ConfigMap",
    "Secret",
    "data_size",
    "missing_secret_keys",
]

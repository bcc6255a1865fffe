"""Volumes of a Pod: what each one is made from.

Every volume source here reaches a storage plugin through the CSI-shaped hooks
(DESIGN.md): ``hostPath``, ``emptyDir``, ``secret`` and ``configMap`` by the
reference storage plugin, ``csi`` by the driver it names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.models.kube._collections import freeze, str_map
from podkit.models.kube._enums import HostPathType, StorageMedium
from podkit.models.kube._quantity import Quantity
from podkit.models.kube._rules import (
    config_key,
    csi_driver_name,
    dns1123_label,
    dns1123_subdomain,
    file_mode,
    item_path,
    no_backsteps,
)
from podkit.models.kube._validators import exactly_one, fail, number, optional_number, text

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

#: The mode of a projected file when neither its item nor the volume sets one.
DEFAULT_MODE: Final = 0o644
_ZERO: Final = Quantity(0)


def _check_size(
    _instance: object, attribute: attrs.Attribute[Quantity | None], value: Quantity | None
) -> None:
    if value is not None and value < _ZERO:
        fail(attribute.name, f'invalid value "{value}": must be greater than or equal to 0')


def _items(value: Iterable[KeyToPath]) -> tuple[KeyToPath, ...]:
    return freeze(value)


@final
@attrs.frozen(kw_only=True)
class HostPathVolumeSource:
    """A file or directory of the node."""

    path: str = attrs.field(validator=text(no_backsteps, required=True))
    #: What must be at ``path``; the default checks nothing.
    type: HostPathType = attrs.field(default=HostPathType.UNSET, converter=HostPathType)


@final
@attrs.frozen(kw_only=True)
class EmptyDirVolumeSource:
    """A directory that lives and dies with the Pod."""

    medium: StorageMedium = attrs.field(default=StorageMedium.DEFAULT, converter=StorageMedium)
    #: The most the directory may hold; ``None`` for no limit of its own.
    size_limit: Quantity | None = attrs.field(default=None, validator=_check_size)


@final
@attrs.frozen(kw_only=True)
class KeyToPath:
    """One key of a Secret or ConfigMap, projected to a file of the volume."""

    key: str = attrs.field(validator=text(config_key, required=True))
    #: The file's path in the volume, relative.
    path: str = attrs.field(validator=text(item_path, required=True))
    #: The file's mode; the volume's ``default_mode`` when ``None``.
    mode: int | None = attrs.field(default=None, validator=optional_number(file_mode))


@final
@attrs.frozen(kw_only=True)
class SecretVolumeSource:
    """The keys of a Secret, as files."""

    secret_name: str = attrs.field(validator=text(dns1123_subdomain, required=True))
    #: The keys to project; every key, named as itself, when empty.
    items: tuple[KeyToPath, ...] = attrs.field(default=(), converter=_items)
    default_mode: int = attrs.field(default=DEFAULT_MODE, validator=number(file_mode))
    #: When true, a missing Secret or key is not an error.
    optional: bool = False


@final
@attrs.frozen(kw_only=True)
class ConfigMapVolumeSource:
    """The keys of a ConfigMap, as files."""

    name: str = attrs.field(validator=text(dns1123_subdomain, required=True))
    #: The keys to project; every key, named as itself, when empty.
    items: tuple[KeyToPath, ...] = attrs.field(default=(), converter=_items)
    default_mode: int = attrs.field(default=DEFAULT_MODE, validator=number(file_mode))
    #: When true, a missing ConfigMap or key is not an error.
    optional: bool = False


@final
@attrs.frozen(kw_only=True)
class LocalObjectReference:
    """The name of an object in the Pod's namespace."""

    name: str = attrs.field(validator=text(dns1123_subdomain, required=True))


@final
@attrs.frozen(kw_only=True)
class CSIVolumeSource:
    """An ephemeral inline volume of a CSI driver."""

    driver: str = attrs.field(validator=text(csi_driver_name, required=True))
    read_only: bool = False
    fs_type: str = ""
    #: Passed to the driver as the ``volume_context`` of NodePublishVolume.
    volume_attributes: Mapping[str, str] = attrs.field(factory=dict, converter=str_map)
    #: A Secret whose data is passed as the ``secrets`` of NodePublishVolume.
    node_publish_secret_ref: LocalObjectReference | None = None


@final
@attrs.frozen(kw_only=True)
class Volume:
    """A named volume of a Pod, with exactly one source.

    .. versionadded:: 0.1
    """

    name: str = attrs.field(validator=text(dns1123_label, required=True))
    host_path: HostPathVolumeSource | None = None
    empty_dir: EmptyDirVolumeSource | None = None
    secret: SecretVolumeSource | None = None
    config_map: ConfigMapVolumeSource | None = None
    csi: CSIVolumeSource | None = None

    def __attrs_post_init__(self) -> None:
        sources = {
            "hostPath": self.host_path,
            "emptyDir": self.empty_dir,
            "secret": self.secret,
            "configMap": self.config_map,
            "csi": self.csi,
        }
        exactly_one("volume", sources)


__all__ = [
    "DEFAULT_MODE",
    "CSIVolumeSource",
    "ConfigMapVolumeSource",
    "EmptyDirVolumeSource",
    "HostPathVolumeSource",
    "KeyToPath",
    "LocalObjectReference",
    "SecretVolumeSource",
    "Volume",
]

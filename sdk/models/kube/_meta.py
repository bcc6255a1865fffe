"""``ObjectMeta``: the name, namespace, uid, labels and annotations of an object."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.models.kube._collections import str_map
from podkit.models.kube._rules import (
    annotation_key,
    dns1123_label,
    dns1123_subdomain,
    label_value,
    qualified_name,
)
from podkit.models.kube._validators import fail, keys, string_values, text

if TYPE_CHECKING:
    from collections.abc import Mapping

#: The largest total size of an object's annotations, keys and values, in bytes.
ANNOTATIONS_MAX_BYTES: Final = 256 * 1024


def annotations_size(annotations: Mapping[str, str]) -> int:
    """Return the size the API server counts for annotations: keys plus values."""
    return sum(len(key.encode()) + len(value.encode()) for key, value in annotations.items())


def _check_annotations(_instance: object, _attribute: object, value: Mapping[str, str]) -> None:
    if annotations_size(value) > ANNOTATIONS_MAX_BYTES:
        fail("annotations", f"must have at most {ANNOTATIONS_MAX_BYTES} bytes")


@final
@attrs.frozen(kw_only=True)
class ObjectMeta:
    """The metadata of a Pod, Secret or ConfigMap (``metav1.ObjectMeta``).

    Only the fields a node uses are kept; the manifest loader accepts and
    drops the ones the API server maintains (``creationTimestamp``,
    ``resourceVersion``, ``managedFields``...).

    .. versionadded:: 0.1
    """

    #: A DNS-1123 subdomain, unique among the objects of its kind in its namespace.
    name: str = attrs.field(validator=text(dns1123_subdomain, required=True))
    #: A DNS-1123 label; the manifest loader sets ``"default"`` when it is empty.
    namespace: str = attrs.field(default="", validator=text(dns1123_label))
    #: The object's unique id; empty until something (the API, the kubelet) assigns one.
    uid: str = ""
    labels: Mapping[str, str] = attrs.field(
        factory=dict,
        converter=str_map,
        validator=[keys(qualified_name), string_values(label_value)],
    )
    annotations: Mapping[str, str] = attrs.field(
        factory=dict,
        converter=str_map,
        validator=[keys(annotation_key), _check_annotations],
    )


__all__ = ["ANNOTATIONS_MAX_BYTES", "ObjectMeta", "annotations_size"]

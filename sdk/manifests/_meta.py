"""Decoding ``metadata``: the name, namespace, uid, labels and annotations."""

from __future__ import annotations

from typing import Final

from podkit.manifests._reader import Errors, as_object
from podkit.models.kube import ObjectMeta
from podkit.models.kube._meta import ANNOTATIONS_MAX_BYTES, annotations_size
from podkit.models.kube._rules import (
    annotation_key,
    dns1123_label,
    dns1123_subdomain,
    label_value,
    qualified_name,
)

#: The namespace of an object whose manifest names none, as kubectl's default context.
DEFAULT_NAMESPACE: Final = "default"
#: Fields the API server maintains: accepted in a manifest (``kubectl get -o yaml``), dropped.
SERVER_FIELDS: Final = (
    "creationTimestamp",
    "deletionGracePeriodSeconds",
    "deletionTimestamp",
    "finalizers",
    "generation",
    "managedFields",
    "ownerReferences",
    "resourceVersion",
    "selfLink",
)


def decode_metadata(errors: Errors, path: str, raw: object) -> ObjectMeta | None:
    """Decode ``metadata``; the namespace defaults to ``"default"``."""
    obj = as_object(errors, path, raw)
    if obj is None:
        return None
    obj.ignore(*SERVER_FIELDS)
    obj.unsupported("generateName")
    name = obj.string("name", dns1123_subdomain, required=True)
    namespace = obj.string("namespace", dns1123_label, default=DEFAULT_NAMESPACE)
    uid = obj.string("uid")
    labels = obj.string_map("labels", [qualified_name], [label_value])
    annotations = obj.string_map("annotations", [annotation_key])
    if annotations_size(annotations) > ANNOTATIONS_MAX_BYTES:
        errors.add(obj.at("annotations"), f"must have at most {ANNOTATIONS_MAX_BYTES} bytes")
    return obj.build(
        lambda: ObjectMeta(
            name=name,
            namespace=namespace or DEFAULT_NAMESPACE,
            uid=uid,
            labels=labels,
            annotations=annotations,
        )
    )


__all__ = ["DEFAULT_NAMESPACE", "SERVER_FIELDS", "decode_metadata"]

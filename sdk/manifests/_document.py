"""Decoding one document of a manifest: dispatch on ``apiVersion`` and ``kind``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from podkit.manifests._config import decode_config_map, decode_secret
from podkit.manifests._pod import decode_pod
from podkit.manifests._reader import Errors, Obj, as_list, as_object, item_path
from podkit.models.kube._rules import one_of, quote

if TYPE_CHECKING:
    from collections.abc import Callable

    from podkit.models.kube import KubeObject

#: The ``apiVersion`` every supported kind has.
API_VERSION: Final = "v1"
_KINDS: Final[dict[str, Callable[[Obj], KubeObject | None]]] = {
    "ConfigMap": decode_config_map,
    "Pod": decode_pod,
    "Secret": decode_secret,
}
#: A document that holds others in ``items`` (``kubectl get -o yaml`` of several objects).
LIST_KIND: Final = "List"
#: The kinds a document may have.
KINDS: Final = tuple(sorted([*_KINDS, LIST_KIND]))


def _decode_list(obj: Obj) -> list[KubeObject]:
    obj.ignore("metadata")
    raw = obj.get("items")
    items = [] if raw is None else as_list(obj.errors, obj.at("items"), raw)
    found = [
        decode_document(obj.errors, item_path(obj.at("items"), index), item, nested=True)
        for index, item in enumerate(items)
    ]
    obj.build(lambda: None)  # reports unknown fields
    return [each for objects in found for each in objects]


def decode_document(
    errors: Errors, path: str, raw: object, *, nested: bool = False
) -> list[KubeObject]:
    """Decode one document into its objects (several for a ``List``), recording errors."""
    obj = as_object(errors, path, raw)
    if obj is None:
        return []
    api_version = obj.string("apiVersion", required=True)
    if api_version and api_version != API_VERSION:
        errors.add(
            obj.at("apiVersion"), f"unsupported value {quote(api_version)}: {one_of([API_VERSION])}"
        )
    kind = obj.string("kind", required=True)
    if kind == LIST_KIND and not nested:
        return _decode_list(obj)
    decode = _KINDS.get(kind)
    if decode is None:
        if kind:
            kinds = KINDS if not nested else tuple(sorted(_KINDS))
            supported = ", ".join(quote(each) for each in kinds)
            errors.add(
                obj.at("kind"), f"unsupported value {quote(kind)}: supported kinds: {supported}"
            )
        return []
    decoded = decode(obj)
    return [] if decoded is None else [decoded]


__all__ = ["API_VERSION", "KINDS", "LIST_KIND", "decode_document"]

"""Parsing manifest text into raw documents: YAML streams and JSON.

YAML is read with PyYAML's safe loader (the C one when PyYAML was built with
libyaml), adjusted to read what ``sigs.k8s.io/yaml`` reads, the way kubectl
turns YAML into JSON:

- timestamps stay strings (``2024-01-01`` is not a date);
- keys are strings (``1: x`` has the key ``"1"``, ``true: x`` has ``"true"``);
- a key repeated in one mapping is an error, as kubectl's strict decoding makes it.

Text whose first non-blank character is ``{`` or ``[`` is JSON and is read with
:mod:`json`, which, unlike PyYAML, accepts tab-indented JSON.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import TYPE_CHECKING, Final

import yaml

from podkit.errors import FieldError

if TYPE_CHECKING:
    from collections.abc import Iterator

_Base: Final = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP: Final = "tag:yaml.org,2002:timestamp"
_MERGE: Final = "tag:yaml.org,2002:merge"


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader, with sigs.k8s.io/yaml's reading of timestamps, keys and duplicates."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


def _key(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    key = loader.construct_object(node, deep=True)
    if isinstance(key, bool):
        return str(key).lower()
    if key is None:
        return "null"
    if isinstance(key, int | float | str):
        return str(key)
    if not isinstance(key, Hashable):
        raise yaml.constructor.ConstructorError(
            None, None, "found a key that is not a string", node.start_mark
        )
    return str(key)


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[str, object]:
    own = sum(key.tag != _MERGE for key, _ in node.value)
    loader.flatten_mapping(node)  # puts the pairs of "<<" merge keys first, own pairs last
    merged = len(node.value) - own
    mapping: dict[str, object] = {}
    own_keys: set[str] = set()
    for position, (key_node, value_node) in enumerate(node.value):
        key = _key(loader, key_node)
        if position >= merged:  # an own key overrides a merged one, but not another own key
            if key in own_keys:
                problem = f"duplicate key {json.dumps(key)}"
                raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
            own_keys.add(key)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)


def _yaml_error(exc: yaml.YAMLError) -> FieldError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return FieldError("", f"invalid YAML: {problem}")
    return FieldError(
        "", f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    )


def _json_documents(text: str) -> Iterator[object]:
    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        mapping: dict[str, object] = {}
        for key, value in items:
            if key in mapping:
                msg = f"duplicate key {json.dumps(key)}"
                raise ValueError(msg)
            mapping[key] = value
        return mapping

    yield json.loads(text, object_pairs_hook=pairs)


def documents(text: str) -> Iterator[object]:
    """Yield the documents of a manifest; empty YAML documents are skipped.

    :raises podkit.errors.ManifestError: never; a syntax error is yielded as
        a :class:`~podkit.errors.FieldError` and ends the stream (the
        documents before it are yielded first).
    """
    try:
        if text.lstrip()[:1] in {"{", "["}:
            yield from _json_documents(text)
            return
        for document in yaml.load_all(text, Loader=_Loader):
            if document is not None:
                yield document
    except yaml.YAMLError as exc:
        yield _yaml_error(exc)
    except json.JSONDecodeError as exc:
        yield FieldError("", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
    except ValueError as exc:  # a duplicate key in JSON
        yield FieldError("", f"invalid JSON: {exc}")
    except RecursionError:
        yield FieldError("", "invalid manifest: nested too deeply")


__all__ = ["documents"]

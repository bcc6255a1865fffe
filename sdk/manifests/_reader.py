"""Reading the JSON objects of a manifest field by field, recording every error.

A decoder wraps the raw mapping of one object in an :class:`Obj` and reads its
fields with typed getters. A getter that meets a wrong type, a value a rule
rejects or a missing required field records a
:class:`~podkit.errors.FieldError` at the field's path and returns a default,
so decoding goes on and every problem of a document is found in one pass.
:meth:`Obj.build` then reports the fields nobody read as unknown (kubectl's
strict validation) and builds the model only if the object and everything in
it was valid.

Paths are written as Kubernetes writes them: ``spec.containers[1].image``;
map keys follow a dot when they are plain words (``limits.memory``) and go in
brackets otherwise (``limits[example.com/gpu]``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Final, TypeAlias, TypeVar, final

from podkit.errors import FieldError, InvalidArgumentError
from podkit.models.kube import Quantity
from podkit.models.kube._rules import invalid, one_of, quote

_T = TypeVar("_T")
_E = TypeVar("_E", bound=enum.Enum)
_Rule: TypeAlias = Callable[[_T], list[str]]
_PLAIN_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")
_INT_RANGES: Final = {32: range(-(2**31), 2**31), 64: range(-(2**63), 2**63)}


def child_path(path: str, key: str) -> str:
    """Return the path of field ``key`` of the object at ``path``."""
    return f"{path}.{key}" if path else key


def item_path(path: str, index: int) -> str:
    """Return the path of item ``index`` of the list at ``path``."""
    return f"{path}[{index}]"


def key_path(path: str, key: str) -> str:
    """Return the path of entry ``key`` of the map at ``path``."""
    return child_path(path, key) if _PLAIN_KEY.fullmatch(key) else f"{path}[{key}]"


_SCALARS: Final = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"))


def describe(value: object) -> str:
    """Describe a JSON value for a type error: ``string "abc"``, ``object``."""
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list):
        return "array"
    for kind, name in _SCALARS:
        if isinstance(value, kind):
            text = str(value).lower() if kind is bool else quote(value)
            return f"{name} {text}"
    return type(value).__name__


@final
class Errors:
    """The errors found in one document, in the order they were found."""

    def __init__(self) -> None:
        self.found: list[FieldError] = []

    def __len__(self) -> int:
        return len(self.found)

    def add(self, path: str, message: str) -> None:
        """Record one error."""
        self.found.append(FieldError(path, message))

    def check(self, path: str, value: _T, rules: Iterable[_Rule[_T]]) -> bool:
        """Record ``invalid value`` for every reason the rules give; tell if there was none."""
        before = len(self)
        for rule in rules:
            for reason in rule(value):
                self.add(path, invalid(value, reason))
        return len(self) == before

    def expected(self, path: str, kind: str, value: object, *, secret: bool = False) -> None:
        """Record a type error: ``expected integer, got string "abc"``.

        :param secret: the value is secret: name its type only (``got integer``).
        """
        got = describe(value).split(" ")[0] if secret else describe(value)
        self.add(path, f"expected {kind}, got {got}")


#: A decoder: reads the raw value at a path into a model, or ``None`` after errors.
Decode: TypeAlias = Callable[[Errors, str, object], _T | None]


def as_object(errors: Errors, path: str, raw: object) -> Obj | None:
    """Wrap a raw object for reading, or record that it is not an object."""
    if isinstance(raw, Mapping) and all(isinstance(key, str) for key in raw):
        return Obj(errors, path, raw)
    errors.expected(path, "object", raw)
    return None


def as_string(
    errors: Errors,
    path: str,
    raw: object,
    rules: Iterable[_Rule[str]] = (),
    *,
    secret: bool = False,
) -> str:
    """Read a string value, checking it with ``rules`` unless it is empty."""
    if not isinstance(raw, str):
        errors.expected(path, "string", raw, secret=secret)
        return ""
    if raw:
        errors.check(path, raw, rules)
    return raw


def as_integer(errors: Errors, path: str, raw: object, bits: int = 32) -> int | None:
    """Read an integer value that fits in ``bits`` bits."""
    if not isinstance(raw, int) or isinstance(raw, bool):
        errors.expected(path, "integer", raw)
        return None
    if raw not in _INT_RANGES[bits]:
        errors.add(path, invalid(raw, f"must fit in a {bits}-bit signed integer"))
        return None
    return raw


def as_quantity(errors: Errors, path: str, raw: object) -> Quantity | None:
    """Read a quantity: a string, or a number as its JSON text (``UnmarshalJSON``)."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        errors.expected(path, "quantity", raw)
        return None
    text = raw.strip() if isinstance(raw, str) else repr(raw)
    try:
        return Quantity.parse(text)
    except InvalidArgumentError:
        errors.add(path, f"invalid quantity {quote(raw if isinstance(raw, str) else text)}")
        return None


def as_choice(errors: Errors, path: str, raw: object, choices: type[_E]) -> _E | None:
    """Read a string that must be the value of one of the members of ``choices``."""
    if not isinstance(raw, str):
        errors.expected(path, "string", raw)
        return None
    for member in choices:
        if member.value == raw:
            return member
    supported = one_of(str(member.value) for member in choices)
    errors.add(path, f"unsupported value {quote(raw)}: {supported}")
    return None


def as_list(errors: Errors, path: str, raw: object) -> list[object]:
    """Read a list, or record that the value is not one."""
    if isinstance(raw, list):
        return raw
    errors.expected(path, "array", raw)
    return []


def as_map(errors: Errors, path: str, raw: object) -> Mapping[str, object]:
    """Read a JSON object as a map of values."""
    obj = as_object(errors, path, raw)
    return {} if obj is None else obj.raw_items()


def raw_names(raw: object, key: str = "name") -> list[tuple[int, str]]:
    """Return (index, name) of the items of a raw list that have a string ``key``.

    Cross-item checks (unique names, references) use the raw names, so that an
    item with an error elsewhere still counts: a volume with a bad source is
    still the volume a mount refers to.
    """
    items = raw if isinstance(raw, list) else []
    return [
        (index, item[key])
        for index, item in enumerate(items)
        if isinstance(item, Mapping) and isinstance(item.get(key), str) and item[key]
    ]


def report_duplicates(
    errors: Errors, named: Iterable[tuple[str, int, str]], key: str = "name"
) -> None:
    """Record ``duplicate value`` for each (list path, index, name) seen before."""
    seen: set[str] = set()
    for path, index, name in named:
        if name in seen:
            errors.add(child_path(item_path(path, index), key), f"duplicate value {quote(name)}")
        seen.add(name)


@final
class Obj:
    """One JSON object of a manifest being read; see the module docstring."""

    def __init__(self, errors: Errors, path: str, raw: Mapping[str, object]) -> None:
        self.errors = errors
        self.path = path
        self._raw = raw
        self._read: set[str] = set()
        self._mark = len(errors)

    def at(self, key: str) -> str:
        """Return the path of a field."""
        return child_path(self.path, key)

    def raw_items(self) -> Mapping[str, object]:
        """Take every field as a raw value (for maps); none is unknown."""
        self._read.update(self._raw)
        return self._raw

    def get(self, key: str) -> object:
        """Take a field's raw value; ``None`` when it is absent or null."""
        self._read.add(key)
        return self._raw.get(key)

    def present(self, key: str) -> bool:
        """Tell whether a field is set (present and not null)."""
        return self.get(key) is not None

    def ignore(self, *keys: str) -> None:
        """Accept fields and drop them (fields the API server maintains)."""
        self._read.update(keys)

    def unsupported(self, *keys: str) -> None:
        """Reject fields Kubernetes has and podkit does not implement."""
        for key in keys:
            if self.get(key) is not None:
                self.errors.add(self.at(key), "field not supported by podkit")

    def string(
        self, key: str, *rules: _Rule[str], required: bool = False, default: str = ""
    ) -> str:
        """Read a string field; an empty one skips the rules."""
        raw = self.get(key)
        value = default if raw is None else as_string(self.errors, self.at(key), raw, rules)
        if required and not value and isinstance(raw, str | None):
            self.errors.add(self.at(key), "required value")
        return value

    def optional_integer(self, key: str, *rules: _Rule[int], bits: int = 32) -> int | None:
        """Read an integer field that may be absent."""
        raw = self.get(key)
        if raw is None:
            return None
        value = as_integer(self.errors, self.at(key), raw, bits)
        if value is not None:
            self.errors.check(self.at(key), value, rules)
        return value

    def integer(self, key: str, *rules: _Rule[int], default: int = 0, bits: int = 32) -> int:
        """Read an integer field with a default."""
        value = self.optional_integer(key, *rules, bits=bits)
        return default if value is None else value

    def optional_boolean(self, key: str) -> bool | None:
        """Read a boolean field that may be absent."""
        raw = self.get(key)
        if raw is None or isinstance(raw, bool):
            return raw
        self.errors.expected(self.at(key), "boolean", raw)
        return None

    def boolean(self, key: str) -> bool:
        """Read a boolean field; absent is false."""
        return bool(self.optional_boolean(key))

    def choice(self, key: str, choices: type[_E], default: _E) -> _E:
        """Read a field whose value is one of an enum's."""
        raw = self.get(key)
        if raw is None:
            return default
        return as_choice(self.errors, self.at(key), raw, choices) or default

    def strings(self, key: str, *rules: _Rule[str]) -> tuple[str, ...]:
        """Read a list of strings."""
        path = self.at(key)
        raw = self.get(key)
        items = [] if raw is None else as_list(self.errors, path, raw)
        return tuple(
            as_string(self.errors, item_path(path, i), v, rules) for i, v in enumerate(items)
        )

    def integers(self, key: str, *rules: _Rule[int], bits: int = 64) -> tuple[int, ...]:
        """Read a list of integers."""
        path = self.at(key)
        raw = self.get(key)
        values = []
        for index, item in enumerate([] if raw is None else as_list(self.errors, path, raw)):
            value = as_integer(self.errors, item_path(path, index), item, bits)
            if value is not None and self.errors.check(item_path(path, index), value, rules):
                values.append(value)
        return tuple(values)

    def string_map(
        self,
        key: str,
        keys: Iterable[_Rule[str]] = (),
        values: Iterable[_Rule[str]] = (),
        *,
        secret: bool = False,
    ) -> dict[str, str]:
        """Read a map of strings, checking keys and values (a secret's values are not quoted)."""
        path = self.at(key)
        raw = self.get(key)
        entries = {} if raw is None else as_map(self.errors, path, raw)
        result = {}
        for name, value in entries.items():
            self.errors.check(key_path(path, name), name, keys)
            text = as_string(self.errors, key_path(path, name), value, values, secret=secret)
            result[name] = text
        return result

    def child(self, key: str, decode: Decode[_T], *, required: bool = False) -> _T | None:
        """Read a nested object with its decoder."""
        raw = self.get(key)
        if raw is None:
            if required:
                self.errors.add(self.at(key), "required value")
            return None
        return decode(self.errors, self.at(key), raw)

    def children(self, key: str, decode: Decode[_T]) -> tuple[_T, ...]:
        """Read a list of nested objects; the failed ones are left out (with errors)."""
        path = self.at(key)
        raw = self.get(key)
        items = [] if raw is None else as_list(self.errors, path, raw)
        decoded = (decode(self.errors, item_path(path, i), item) for i, item in enumerate(items))
        return tuple(item for item in decoded if item is not None)

    def build(self, make: Callable[[], _T | None]) -> _T | None:
        """Report unknown fields, then build the model if nothing in the object failed."""
        for key in self._raw:
            if key not in self._read:
                self.errors.add(self.at(key), f"unknown field {quote(key)}")
        if len(self.errors) > self._mark:
            return None
        try:
            return make()
        except InvalidArgumentError as exc:  # a rule only the model knows: still a field error
            self.errors.add(self.path, str(exc))
            return None


__all__ = [
    "Decode",
    "Errors",
    "Obj",
    "as_choice",
    "as_integer",
    "as_list",
    "as_map",
    "as_object",
    "as_quantity",
    "as_string",
    "child_path",
    "describe",
    "item_path",
    "key_path",
    "raw_names",
    "report_duplicates",
]

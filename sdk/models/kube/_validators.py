"""attrs validators built from the shared rules of :mod:`._rules`.

A model field names the rules its value obeys (``validator=text(dns1123_label,
required=True)``); the validator raises
:class:`~podkit.errors.InvalidArgumentError` with the field name and the first
reason, worded as the manifest loader words it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from podkit.errors import InvalidArgumentError
from podkit.models.kube._rules import exactly_one_of, invalid

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    import attrs

_T = TypeVar("_T")
#: A rule: the reasons a value is invalid, empty when it is valid.
Rule: TypeAlias = Callable[[_T], list[str]]
_Validator: TypeAlias = Callable[[Any, "attrs.Attribute[_T]", _T], None]


def fail(field: str, message: str) -> None:
    """Raise the error of an invalid field: ``<field>: <message>``."""
    msg = f"{field}: {message}"
    raise InvalidArgumentError(msg)


def _apply(field: str, value: _T, rules: Iterable[Rule[_T]]) -> None:
    for rule in rules:
        for reason in rule(value):
            fail(field, invalid(value, reason))


def text(*rules: Rule[str], required: bool = False) -> _Validator[str]:
    """Validate a string field; an empty string is "unset" and skips the rules."""

    def validate(_instance: object, attribute: attrs.Attribute[str], value: str) -> None:
        if not value:
            if required:
                fail(attribute.name, "required value")
            return
        _apply(attribute.name, value, rules)

    return validate


def number(*rules: Rule[int]) -> _Validator[int]:
    """Validate an integer field."""

    def validate(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
        _apply(attribute.name, value, rules)

    return validate


def optional_number(*rules: Rule[int]) -> _Validator[int | None]:
    """Validate an optional integer field; ``None`` is "unset" and skips the rules."""

    def validate(
        _instance: object, attribute: attrs.Attribute[int | None], value: int | None
    ) -> None:
        if value is not None:
            _apply(attribute.name, value, rules)

    return validate


def each(*rules: Rule[_T]) -> _Validator[tuple[_T, ...]]:
    """Validate every item of a tuple field."""

    def validate(
        _instance: object, attribute: attrs.Attribute[tuple[_T, ...]], value: tuple[_T, ...]
    ) -> None:
        for item in value:
            _apply(attribute.name, item, rules)

    return validate


def keys(*rules: Rule[str]) -> _Validator[Mapping[str, Any]]:
    """Validate every key of a mapping field."""

    def validate(
        _instance: object, attribute: attrs.Attribute[Mapping[str, Any]], value: Mapping[str, Any]
    ) -> None:
        for key in value:
            _apply(attribute.name, key, rules)

    return validate


def string_values(*rules: Rule[str]) -> _Validator[Mapping[str, str]]:
    """Validate every value of a ``Mapping[str, str]`` field."""

    def validate(
        _instance: object, attribute: attrs.Attribute[Mapping[str, str]], value: Mapping[str, str]
    ) -> None:
        for item in value.values():
            _apply(attribute.name, item, rules)

    return validate


def exactly_one(owner: str, members: Mapping[str, object]) -> None:
    """Check that exactly one of the optional ``members`` is set (not ``None``).

    :param members: the members by their upstream (camelCase) names.
    """
    if sum(value is not None for value in members.values()) != 1:
        fail(owner, exactly_one_of(members))


__all__ = [
    "Rule",
    "each",
    "exactly_one",
    "fail",
    "keys",
    "number",
    "optional_number",
    "string_values",
    "text",
]

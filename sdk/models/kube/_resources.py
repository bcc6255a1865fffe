"""Resource requests and limits of a container, and the rules they obey."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, final

import attrs

from podkit.models.kube._collections import quantity_map
from podkit.models.kube._quantity import Quantity
from podkit.models.kube._quantity_parse import exponent_of
from podkit.models.kube._rules import invalid, qualified_name
from podkit.models.kube._validators import fail, keys

if TYPE_CHECKING:
    from collections.abc import Mapping

#: The resources a container may name without a domain prefix.
STANDARD_RESOURCES: Final = frozenset({"cpu", "memory", "ephemeral-storage"})
_ZERO: Final = Quantity(0)


def _is_native(name: str) -> bool:
    prefix, slash, _ = name.partition("/")
    return not slash or prefix == "kubernetes.io" or prefix.endswith(".kubernetes.io")


def resource_name(value: str) -> list[str]:
    """Check the name of a container resource: standard, or ``domain/name``."""
    reasons = qualified_name(value)
    if "/" not in value and value not in STANDARD_RESOURCES and not value.startswith("hugepages-"):
        reasons.append("must be a standard resource for containers")
    return reasons


def quantity_reasons(name: str, value: Quantity) -> list[str]:
    """Check the amount of one resource: not negative; whole for extended resources."""
    if value < _ZERO:
        return ["must be greater than or equal to 0"]
    if not _is_native(name) and exponent_of(value.amount) < 0:
        return ["must be an integer"]
    return []


def request_reason(name: str, request: Quantity, limit: Quantity) -> str | None:
    """Check a request against its limit, as the API server does.

    A request may not exceed its limit; an extended resource (``example.com/gpu``)
    or huge pages cannot be overcommitted, so there the request must equal it.
    """
    overcommit = _is_native(name) and not name.startswith("hugepages-")
    if not overcommit and request != limit:
        return invalid(str(request), f"must be equal to {name} limit of {limit}")
    if request > limit:
        return invalid(str(request), f"must be less than or equal to {name} limit of {limit}")
    return None


def _check_amounts(
    _instance: object,
    attribute: attrs.Attribute[Mapping[str, Quantity]],
    value: Mapping[str, Quantity],
) -> None:
    for name, amount in value.items():
        for reason in quantity_reasons(name, amount):
            fail(f"{attribute.name}[{name}]", invalid(str(amount), reason))


@final
@attrs.frozen(kw_only=True)
class ResourceRequirements:
    """What a container asks for (``requests``) and may not exceed (``limits``).

    Keys are resource names: ``cpu``, ``memory``, ``ephemeral-storage``,
    ``hugepages-<size>`` or an extended resource ``<domain>/<name>``.

    .. versionadded:: 0.1
    """

    limits: Mapping[str, Quantity] = attrs.field(
        factory=dict, converter=quantity_map, validator=[keys(resource_name), _check_amounts]
    )
    requests: Mapping[str, Quantity] = attrs.field(
        factory=dict, converter=quantity_map, validator=[keys(resource_name), _check_amounts]
    )

    def __attrs_post_init__(self) -> None:
        for name, request in self.requests.items():
            limit = self.limits.get(name)
            reason = None if limit is None else request_reason(name, request, limit)
            if reason:
                fail(f"requests[{name}]", reason)


__all__ = [
    "STANDARD_RESOURCES",
    "ResourceRequirements",
    "quantity_reasons",
    "request_reason",
    "resource_name",
]

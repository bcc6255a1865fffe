"""Kubernetes quantities (``100m``, ``64Mi``, ``1e3``) as an exact value type.

Resource requests and limits, ``emptyDir.sizeLimit`` and every other amount in
a Pod are ``resource.Quantity`` values in Kubernetes: fixed-point numbers that
never pass through a float. :class:`Quantity` keeps the exact value as a
:class:`~decimal.Decimal`, compares by value (``1Ki == 1024``), rounds as
apimachinery's ``Value()`` and ``MilliValue()`` do, and prints the canonical
form apimachinery prints (``1.5`` is ``1500m``, ``1.5Gi`` is ``1536Mi``).
"""

from __future__ import annotations

import decimal
import fractions
from typing import Final, final

import attrs

from podkit.errors import InvalidArgumentError
from podkit.models.kube._quantity_parse import (
    BINARY_MAX,
    NANO_EXPONENT,
    QuantityFormat,
    exponent_of,
    parse,
)
from podkit.models.kube._rules import quote

_DECIMAL_SUFFIXES: Final = {-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G"} | {
    12: "T",
    15: "P",
    18: "E",
}
_BINARY_SUFFIXES: Final = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")
_INT64: Final = range(-(2**63), 2**63)
_INT64_DIGITS: Final = 19


def _normalize(value: decimal.Decimal | int) -> decimal.Decimal:
    """Drop trailing zeros of the coefficient exactly (``normalize()`` would round)."""
    amount = decimal.Decimal(value)
    if not amount.is_finite():
        return amount
    sign, digits, exponent = amount.as_tuple()
    text = "".join(map(str, digits)).rstrip("0")
    if not text:
        return decimal.Decimal(0)
    exponent = exponent_of(amount) + len(digits) - len(text)
    return decimal.Decimal((sign, tuple(map(int, text)), exponent))


def _check_amount(_instance: object, _attribute: object, value: decimal.Decimal) -> None:
    if not value.is_finite():
        msg = f"amount: invalid value {value}: must be a finite number"
        raise InvalidArgumentError(msg)
    if exponent_of(value) < NANO_EXPONENT:
        msg = f"amount: invalid value {value}: must be a multiple of 1n (10^-9)"
        raise InvalidArgumentError(msg)


def _is_integer(amount: decimal.Decimal) -> bool:
    return exponent_of(amount) >= 0


def _binary_string(value: int) -> str:
    power = 0
    while power < len(_BINARY_SUFFIXES) - 1 and value % 1024 == 0:
        value //= 1024
        power += 1
    return f"{value}{_BINARY_SUFFIXES[power]}"


def _decimal_string(amount: decimal.Decimal, form: QuantityFormat) -> str:
    sign, digits, _exponent = amount.as_tuple()
    text = "".join(map(str, digits))
    shift = exponent_of(amount) % 3  # down to a multiple of 3, as AsCanonicalBytes does
    text += "0" * shift
    power = exponent_of(amount) - shift
    suffix = _DECIMAL_SUFFIXES.get(power) if form is QuantityFormat.DECIMAL_SI else None
    if suffix is None:  # DecimalSI falls back to "e" past "E" (apimachinery >= 1.34)
        suffix = f"e{power}" if power else ""
    return ("-" if sign else "") + text + suffix


def _ceil(amount: decimal.Decimal, shift: int) -> int:
    """Return ``amount * 10**shift`` rounded away from zero, as an int64."""
    sign, digits, _ = amount.as_tuple()
    exponent = exponent_of(amount) + shift
    if len(digits) + exponent > _INT64_DIGITS:
        msg = f"quantity {amount} does not fit in an int64"
        raise OverflowError(msg)
    scale: int = 10 ** abs(exponent)
    coefficient = int("".join(map(str, digits)))
    magnitude = coefficient * scale if exponent >= 0 else -(-coefficient // scale)
    result = -magnitude if sign else magnitude
    if result not in _INT64:
        msg = f"quantity {amount} does not fit in an int64"
        raise OverflowError(msg)
    return result


@final
@attrs.frozen(eq=False, repr=False)
class Quantity:
    """A Kubernetes resource quantity (``resource.Quantity``), exact.

    Parse one with :meth:`parse`; build one from a number with
    ``Quantity(decimal.Decimal("0.5"))`` or ``Quantity(512, QuantityFormat.BINARY_SI)``.
    Quantities compare and hash by value, whatever their format: ``Quantity.parse("1Ki")
    == Quantity.parse("1024")``. ``str()`` gives the canonical form.

    :param amount: the exact value; a multiple of ``1n`` (10^-9), as parsing
        rounds every quantity.
    :param format: the kind of suffix :func:`str` writes.

    .. versionadded:: 0.1
    """

    amount: decimal.Decimal = attrs.field(converter=_normalize, validator=_check_amount)
    format: QuantityFormat = QuantityFormat.DECIMAL_SI

    @classmethod
    def parse(cls, text: str) -> Quantity:
        """Parse a quantity as apimachinery's ``ParseQuantity`` does.

        Accepts ``<sign><number><suffix>``: suffixes ``n u m k M G T P E``
        (decimal), ``Ki Mi Gi Ti Pi Ei`` (binary), or ``e<exponent>`` /
        ``E<exponent>``. A non-zero value finer than ``1n`` is rounded up to
        ``1n`` away from zero; a binary-suffixed value is capped at 2^63-1.
        Surrounding whitespace is not accepted (strip it first, as
        ``UnmarshalJSON`` does).

        :raises podkit.errors.InvalidArgumentError: ``invalid quantity "64Q"``.
        """
        parsed = parse(text)
        if parsed is None:
            msg = f"invalid quantity {quote(text)}"
            raise InvalidArgumentError(msg)
        return cls(parsed[0], parsed[1])

    @property
    def value(self) -> int:
        """The value rounded up, away from zero, to an integer (``Value()``).

        :raises OverflowError: the result does not fit in an int64, where
            ``Value()`` would silently overflow.
        """
        return _ceil(self.amount, 0)

    @property
    def milli_value(self) -> int:
        """The value in thousandths rounded up, away from zero (``MilliValue()``).

        :raises OverflowError: the result does not fit in an int64.
        """
        return _ceil(self.amount, 3)

    @property
    def fraction(self) -> fractions.Fraction:
        """The exact value as a fraction."""
        return fractions.Fraction(self.amount)

    def __str__(self) -> str:
        """Return the canonical form, as ``Quantity.String()`` computes it."""
        if not self.amount:
            return "0"
        form = self.format
        if form is QuantityFormat.BINARY_SI:
            # Too small or fractional: apimachinery writes DecimalSI. Above the cap parsing
            # applies (possible only when built in Python): DecimalSI too, to read back equal.
            exact = _is_integer(self.amount) and abs(self.amount) <= BINARY_MAX
            if -1024 < self.amount < 1024 or not exact:  # noqa: PLR2004 - 1Ki
                form = QuantityFormat.DECIMAL_SI
            else:
                return _binary_string(int(self.amount))
        return _decimal_string(self.amount, form)

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"

    def __hash__(self) -> int:
        return hash(self.amount)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self.amount == other.amount

    def __lt__(self, other: Quantity) -> bool:
        return self.amount < other.amount

    def __le__(self, other: Quantity) -> bool:
        return self.amount <= other.amount

    def __gt__(self, other: Quantity) -> bool:
        return self.amount > other.amount

    def __ge__(self, other: Quantity) -> bool:
        return self.amount >= other.amount


def parse_quantity(text: str) -> Quantity:
    """Parse a quantity; the same as :meth:`Quantity.parse`.

    .. versionadded:: 0.1
    """
    return Quantity.parse(text)


__all__ = ["Quantity", "QuantityFormat", "parse_quantity"]

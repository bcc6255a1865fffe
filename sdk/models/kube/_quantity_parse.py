"""The parser of Kubernetes quantities, step for step as apimachinery parses them.

``ParseQuantity`` in ``k8s.io/apimachinery/pkg/api/resource/quantity.go`` scans
a sign, a number and a suffix with a hand-written scanner that accepts a little
more than its documented grammar (``"1."``, ``".5"``, ``"-"``, ``".Ki"`` all
parse); the scanner here follows it byte for byte so that podkit accepts
exactly the strings the API server accepts. The value is then computed exactly
(Python integers and :class:`~decimal.Decimal`, no int64 fast path that could
overflow), with the two rules apimachinery applies to every value: a non-zero
magnitude is rounded up to a multiple of ``1n`` (10^-9), and a binary-suffixed
magnitude is capped at 2^63-1.

One deliberate difference: apimachinery truncates a decimal exponent to int32
(``1e4294967297`` is ``1e1`` there); here an exponent outside int32 is invalid.
"""

from __future__ import annotations

import decimal
import enum
from typing import Final, NamedTuple, final

_DIGITS: Final = frozenset("0123456789")
_SUFFIX_CHARS: Final = frozenset("eEinumkKMGTP")
_DECIMAL_SUFFIXES: Final = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_BINARY_SUFFIXES: Final = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_INT32: Final = range(-(2**31), 2**31)
#: The largest magnitude of a binary-suffixed quantity: parsing caps it here.
BINARY_MAX: Final = 2**63 - 1
#: The finest step of a quantity: every value is a multiple of 10^-9 ("1n").
NANO_EXPONENT: Final = -9
_NANO: Final = decimal.Decimal("1E-9")


@final
class QuantityFormat(enum.Enum):
    """How a quantity was written, and so how it is written back.

    A quantity remembers the kind of suffix it was parsed with and uses the
    same kind again in its canonical string.
    """

    #: ``12e6``: a decimal exponent.
    DECIMAL_EXPONENT = "DecimalExponent"
    #: ``12Mi``: a binary SI suffix (12 * 2^20).
    BINARY_SI = "BinarySI"
    #: ``12M``: a decimal SI suffix (12 * 10^6), or none.
    DECIMAL_SI = "DecimalSI"


class _Parts(NamedTuple):
    """What the scanner finds: ``parseQuantityString``'s results."""

    positive: bool
    #: the number with its sign, as ``inf.Dec.SetString`` would read it
    value: str
    #: the integer digits, leading zeros stripped ("0" when none are left)
    num: str
    #: the fraction digits
    denom: str
    suffix: str


def _skip(text: str, pos: int, chars: frozenset[str]) -> int:
    while pos < len(text) and text[pos] in chars:
        pos += 1
    return pos


def _scan_suffix(text: str, parts: _Parts, pos: int) -> _Parts | None:
    start = pos
    pos = _skip(text, pos, _SUFFIX_CHARS)
    if pos < len(text) and text[pos] in "+-":
        pos += 1
    if _skip(text, pos, _DIGITS) < len(text):
        return None
    return parts._replace(value=text[:start], suffix=text[start:])


def _scan(text: str) -> _Parts | None:
    """Split ``text`` as ``parseQuantityString`` does; ``None`` if malformed."""
    positive = not text.startswith("-")
    pos = 1 if text[:1] in {"-", "+"} else 0
    pos = _skip(text, pos, frozenset("0"))
    if pos >= len(text):
        return _Parts(positive, "0", "0", "", "")
    end = _skip(text, pos, _DIGITS)
    parts = _Parts(positive, text, text[pos:end] or "0", "", "")
    if end < len(text) and text[end] == ".":
        denom_end = _skip(text, end + 1, _DIGITS)
        parts = parts._replace(denom=text[end + 1 : denom_end])
        end = denom_end
    if end >= len(text):
        return parts
    return _scan_suffix(text, parts, end)


def _interpret(suffix: str) -> tuple[int, int, QuantityFormat] | None:
    """Map a suffix to (base, exponent, format), as ``suffixer.interpret`` does."""
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix], QuantityFormat.DECIMAL_SI
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix], QuantityFormat.BINARY_SI
    exponent = suffix[1:]
    digits = exponent[1:] if exponent[:1] in {"+", "-"} else exponent
    if suffix[:1] not in {"e", "E"} or not digits or not set(digits) <= _DIGITS:
        return None
    if len(digits) > 10 or int(exponent) not in _INT32:  # noqa: PLR2004 - int32 digits
        return None
    return 10, int(exponent), QuantityFormat.DECIMAL_EXPONENT


def _takes_fast_path(parts: _Parts, base: int, exponent: int) -> bool:
    """Tell whether apimachinery computes the value in int64 (it then needs no digits)."""
    digits = len(parts.num) + len(parts.denom)
    if base == 10:  # noqa: PLR2004 - decimal
        return digits <= 18 and exponent - len(parts.denom) >= NANO_EXPONENT  # noqa: PLR2004
    if parts.denom or 15 - len(parts.num) - exponent * 3 // 10 - 1 < 0:
        return False
    return int(parts.num) << exponent <= BINARY_MAX


def exponent_of(amount: decimal.Decimal) -> int:
    """Return the exponent of a finite decimal (``as_tuple().exponent``)."""
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int):
        msg = f"not a finite number: {amount}"
        raise ValueError(msg)  # noqa: TRY004 - a wrong value, not a wrong type
    return exponent


def _context(digits: int) -> decimal.Context:
    """Make a context in which the arithmetic on ``digits`` digits is exact."""
    return decimal.Context(
        prec=digits + 40,
        rounding=decimal.ROUND_UP,
        Emax=decimal.MAX_EMAX,
        Emin=decimal.MIN_EMIN,
        traps=[decimal.InvalidOperation, decimal.Inexact],
    )


def _magnitude(parts: _Parts, base: int, exponent: int) -> decimal.Decimal:
    digits = parts.num + parts.denom
    context = _context(len(digits))
    if base == 10:  # noqa: PLR2004 - decimal
        amount = decimal.Decimal(f"{digits}E{exponent - len(parts.denom)}")
    else:
        amount = context.multiply(decimal.Decimal(f"{digits}E-{len(parts.denom)}"), 2**exponent)
    if amount and exponent_of(amount) < NANO_EXPONENT:
        context.traps[decimal.Inexact] = False
        amount = amount.quantize(_NANO, context=context)  # rounds up: away from zero
    if base == 2 and amount > BINARY_MAX:  # noqa: PLR2004 - binary
        return decimal.Decimal(BINARY_MAX)
    return amount


def parse(text: str) -> tuple[decimal.Decimal, QuantityFormat] | None:
    """Parse a quantity into its exact value and format; ``None`` if invalid."""
    if not text:
        return None
    parts = _scan(text)
    if parts is None:
        return None
    interpreted = _interpret(parts.suffix)
    if interpreted is None:
        return None
    base, exponent, form = interpreted
    has_digits = any(char in _DIGITS for char in parts.value)
    if not has_digits and not _takes_fast_path(parts, base, exponent):
        return None  # inf.Dec.SetString finds no digits: ErrNumeric
    amount = _magnitude(parts, base, exponent)
    if form is QuantityFormat.BINARY_SI and 0 < amount < 1:
        form = QuantityFormat.DECIMAL_SI
    return (amount if parts.positive else -amount), form


__all__ = ["BINARY_MAX", "NANO_EXPONENT", "QuantityFormat", "exponent_of", "parse"]

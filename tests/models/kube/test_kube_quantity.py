"""Kubernetes quantities, checked against apimachinery's own test tables."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podkit.errors import InvalidArgumentError
from podkit.models.kube import Quantity, QuantityFormat, parse_quantity

DEC_SI = QuantityFormat.DECIMAL_SI
BIN_SI = QuantityFormat.BINARY_SI
DEC_EXP = QuantityFormat.DECIMAL_EXPONENT

# (input, exact value, format): from TestQuantityParse in apimachinery's quantity_test.go.
PARSED = [
    ("0", "0", DEC_SI),
    ("0n", "0", DEC_SI),
    ("0Ki", "0", BIN_SI),
    ("0Ti", "0", BIN_SI),
    ("1", "1", DEC_SI),
    ("1Ki", "1024", BIN_SI),
    ("7Mi", str(7 * 2**20), BIN_SI),
    ("3Ei", str(3 * 2**60), BIN_SI),
    ("5n", "5e-9", DEC_SI),
    ("4u", "4e-6", DEC_SI),
    ("3m", "0.003", DEC_SI),
    ("50k", "50000", DEC_SI),
    ("300T", "3e14", DEC_SI),
    ("1E", "1e18", DEC_SI),
    ("1E-3", "0.001", DEC_EXP),
    ("1e3", "1000", DEC_EXP),
    ("1E18", "1e18", DEC_EXP),
    ("100.035k", "100035", DEC_SI),
    ("0.0005k", "0.5", DEC_SI),
    ("0.00500", "0.005", DEC_SI),
    ("0.5e-2", "0.005", DEC_EXP),
    ("1.3E+6", "1300000", DEC_EXP),
    ("6.987654321G", "6987654321", DEC_SI),
    ("1.01E", "1.01e18", DEC_SI),
    # rounded up to 1n, or capped at 2^63-1
    ("3.001n", "4e-9", DEC_SI),
    ("1.1E-9", "2e-9", DEC_EXP),
    ("0.0000000001", "1e-9", DEC_SI),
    ("0.00000012345", "124e-9", DEC_SI),
    ("9Ei", str(2**63 - 1), BIN_SI),
    ("9223372036854775807Ki", str(2**63 - 1), BIN_SI),
    ("100.035Ki", "102435.84", BIN_SI),
    ("0.5Mi", str(2**19), BIN_SI),
    ("0.000000000001Ki", "2e-9", DEC_SI),
    (".001", "0.001", DEC_SI),
    ("1.", "1", DEC_SI),
    ("1.G", "1e9", DEC_SI),
    # the scanner's corner cases: parseQuantityString accepts them
    (".", "0", DEC_SI),
    ("-", "0", DEC_SI),
    (".Ti", "0", BIN_SI),
    ("+1Ki", "1024", BIN_SI),
    ("-1.5", "-1.5", DEC_SI),
]

# (canonical string of a value parsed from the first column): TestQuantityString/ParseEmit.
CANONICAL = [
    ("1024Mi", "1Gi"),
    ("307200Ki", "300Mi"),
    ("1025024Mi", "1001Gi"),
    ("1.5Gi", "1536Mi"),
    ("1.5Ki", "1536"),
    ("1000M", "1G"),
    ("0.001T", "1G"),
    ("1000u", "1m"),
    ("1.08", "1080m"),
    ("1080000000n", "1080m"),
    ("1.5", "1500m"),
    ("1000E", "1e21"),
    ("5000E", "5e21"),
    (".001e12", "1e9"),
    ("0.001e0", "1e-3"),
    ("1000e-12", "1e-9"),
    ("80e-3", "80e-3"),
    ("15e-1", "1500e-3"),
    ("1E3", "1e3"),
    ("00", "0"),
    ("-0", "0"),
    (".001Ki", "1024m"),
    (".000000001Ki", "1024n"),
    (".000000000001Ki", "2n"),
    ("-.001Ki", "-1024m"),
    ("9Ei", "9223372036854775807"),
    ("1Ti", "1Ti"),
    ("1025", "1025"),
]

# From the invalid table of TestQuantityParse, and a few more.
INVALID = [
    "",
    "1.1.M",
    "1+1.0M",
    "0.1mi",
    "0.1am",
    "aoeu",
    ".5i",
    "1i",
    "-3.01i",
    "-3.01e-",
    " 1",
    "1 ",
    "1e",
    "1K",
    "1ki",
    "64Q",
    "1e4294967296",
    ".Pi",  # no digits, and too big for apimachinery's int64 path: ErrNumeric
    "-Ei",
    "1,5",
    "\u0661",  # an Arabic-Indic digit one is not a digit here
]


@pytest.mark.parametrize(("text", "value", "form"), PARSED)
def test_parse_gives_the_exact_value_and_format(text, value, form):
    quantity = Quantity.parse(text)
    assert quantity.amount == Decimal(value)
    assert quantity.format is form


@pytest.mark.parametrize(("text", "canonical"), CANONICAL)
def test_str_is_the_canonical_form(text, canonical):
    assert str(Quantity.parse(text)) == canonical


@pytest.mark.parametrize("text", INVALID)
def test_invalid_strings_are_rejected(text):
    with pytest.raises(InvalidArgumentError) as info:
        parse_quantity(text)
    assert str(info.value) == f'invalid quantity "{text}"'


@pytest.mark.parametrize(
    ("text", "value", "milli"),
    [
        ("1.5", 2, 1500),
        ("100m", 1, 100),
        ("1n", 1, 1),
        ("-1.5", -2, -1500),
        ("64Mi", 64 * 2**20, 64 * 2**20 * 1000),
        ("8Ei", 2**63 - 1, None),
        ("0", 0, 0),
    ],
)
def test_value_and_milli_value_round_away_from_zero(text, value, milli):
    quantity = Quantity.parse(text)
    assert quantity.value == value
    if milli is None:
        with pytest.raises(OverflowError):
            _ = quantity.milli_value
    else:
        assert quantity.milli_value == milli


def test_value_beyond_int64_overflows_instead_of_wrapping():
    with pytest.raises(OverflowError):
        _ = Quantity.parse("10E").value


def test_quantities_compare_and_hash_by_value_whatever_their_format():
    assert Quantity.parse("1Ki") == Quantity.parse("1024") == Quantity.parse("1.024k")
    assert len({Quantity.parse("1Ki"), Quantity.parse("1024"), Quantity.parse("1024e0")}) == 1
    assert Quantity.parse("100m") < Quantity.parse("0.5") <= Quantity.parse("500m")
    assert Quantity.parse("10000T") > Quantity.parse("100Gi")
    assert Quantity.parse("1") != "1"


def test_fraction_is_exact():
    assert Quantity.parse("1.5Gi").fraction == Fraction(3 * 2**29)
    assert Quantity.parse("333m").fraction == Fraction(333, 1000)


def test_repr_shows_the_canonical_form():
    assert repr(Quantity.parse("1.5")) == "Quantity('1500m')"


def test_programmatic_quantities_are_validated():
    assert str(Quantity(Decimal("0.25"))) == "250m"
    assert str(Quantity(512 * 1024, QuantityFormat.BINARY_SI)) == "512Ki"
    with pytest.raises(InvalidArgumentError, match="must be a multiple of 1n"):
        Quantity(Decimal("1e-10"))
    with pytest.raises(InvalidArgumentError, match="must be a finite number"):
        Quantity(Decimal("NaN"))


def test_long_numbers_parse_exactly():
    digits = "7" * 5000
    quantity = Quantity.parse(digits + "m")
    assert quantity.amount == Decimal(f"{digits}E-3")
    assert str(quantity) == digits + "m"


# --- properties ---------------------------------------------------------------------------------

DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15}
BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50}
# Every string the scanner accepts has this shape (apimachinery's regex, with * for +).
SHAPE = re.compile(r"[+-]?[0-9]*(\.[0-9]*)?[eEinumkKMGTP]*[+-]?[0-9]*")

numbers = st.tuples(
    st.sampled_from(["", "-", "+"]),
    st.from_regex(r"[0-9]{1,12}", fullmatch=True),
    st.one_of(st.just(""), st.from_regex(r"\.[0-9]{1,12}", fullmatch=True)),
)
suffixes = st.one_of(
    st.sampled_from(sorted(DECIMAL_SUFFIXES)),
    st.sampled_from(sorted(BINARY_SUFFIXES)),
    st.builds(lambda e, x: f"{e}{x}", st.sampled_from(["e", "E"]), st.integers(-30, 30)),
)


def reference_value(sign: str, integer: str, fraction: str, suffix: str) -> Fraction:
    """Compute a quantity's value independently: exact, then rounded up to 1n."""
    magnitude = Fraction(integer + fraction)
    if suffix in DECIMAL_SUFFIXES:
        magnitude *= Fraction(10) ** DECIMAL_SUFFIXES[suffix]
    elif suffix in BINARY_SUFFIXES:
        magnitude = min(magnitude * 2 ** BINARY_SUFFIXES[suffix], Fraction(2**63 - 1))
    else:
        magnitude *= Fraction(10) ** int(suffix[1:])
    nanos = -(-magnitude * 10**9 // 1)  # ceil
    return Fraction(nanos, 10**9) * (-1 if sign == "-" else 1)


@given(numbers, suffixes)
def test_parsing_agrees_with_a_reference_computation(number, suffix):
    sign, integer, fraction = number
    quantity = Quantity.parse(sign + integer + fraction + suffix)
    assert quantity.fraction == reference_value(sign, integer, fraction, suffix)


@given(numbers, suffixes)
def test_canonical_form_round_trips(number, suffix):
    quantity = Quantity.parse("".join(number) + suffix)
    canonical = str(quantity)
    again = Quantity.parse(canonical)
    assert again == quantity
    assert str(again) == canonical
    assert "." not in canonical


amounts = st.builds(
    lambda unscaled, exponent: Decimal(unscaled).scaleb(exponent),
    st.integers(-(10**20), 10**20),
    st.integers(-9, 25),
)


@given(amounts, amounts, st.sampled_from(list(QuantityFormat)))
def test_ordering_follows_the_exact_values(first, second, form):
    a, b = Quantity(first, form), Quantity(second)
    assert (a < b) == (first < second)
    assert (a <= b) == (first <= second)
    assert (a == b) == (first == second)
    assert (a > b) == (Quantity.parse(str(a)) > Quantity.parse(str(b)))


@given(st.text(alphabet="0123456789.+-eEinumkKMGTP xQ,_", max_size=12))
def test_strings_outside_the_grammar_are_rejected(text):
    if SHAPE.fullmatch(text) and text:
        return
    with pytest.raises(InvalidArgumentError):
        Quantity.parse(text)


@given(
    numbers,
    st.text(alphabet="einumkKMGTP", min_size=1, max_size=3).filter(
        lambda s: s not in DECIMAL_SUFFIXES and s not in BINARY_SUFFIXES and s != "E"
    ),
)
def test_unknown_suffixes_are_rejected(number, suffix):
    with pytest.raises(InvalidArgumentError):
        Quantity.parse("".join(number) + suffix)

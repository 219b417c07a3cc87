from decimal import Decimal

import pytest
from babel.numbers import get_currency_precision, list_currencies
from hypothesis import given
from hypothesis import strategies as st

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.money import (
    CURRENCIES,
    MAX_AMOUNT_MINOR,
    AmountTooLarge,
    CurrencyMismatch,
    Money,
    minor_units,
    parse_amount,
)

MAX = MAX_AMOUNT_MINOR
amounts = st.integers(min_value=-(MAX // 3), max_value=MAX // 3)
currencies = st.sampled_from(["USD", "EUR", "JPY", "KWD", "CLF"])


@given(amounts, amounts, amounts, currencies)
def test_addition_is_exact_associative_and_reversible(a: int, b: int, c: int, cur: str) -> None:
    x, y, z = Money(a, cur), Money(b, cur), Money(c, cur)
    assert (x + y) + z == x + (y + z)
    assert (x + y) - y == x
    assert (x + y).amount_minor == a + b


@given(st.integers(min_value=-(MAX // 50), max_value=MAX // 50),
       st.integers(min_value=0, max_value=10_000), currencies)
def test_multiplying_is_repeated_addition(a: int, times: int, cur: str) -> None:
    total = Money(0, cur)
    for _ in range(min(times, 50)):
        total += Money(a, cur)
    assert total == Money(a, cur) * min(times, 50)


@given(st.integers(min_value=-MAX, max_value=MAX), currencies)
def test_display_and_parse_round_trip(a: int, cur: str) -> None:
    shown = str(Money(a, cur)).split()[0]
    assert parse_amount(shown, cur) == Money(a, cur)


@given(st.integers(min_value=-MAX, max_value=MAX), st.sampled_from(["USD", "EUR", "JPY", "CLF"]))
def test_a_decimal_comma_reads_like_a_decimal_point(a: int, cur: str) -> None:
    shown = str(Money(a, cur)).split()[0]
    assert parse_amount(shown.replace(".", ","), cur) == Money(a, cur)


@given(st.integers(min_value=MAX + 1, max_value=2**80), currencies, st.booleans())
def test_amounts_beyond_the_maximum_are_refused_with_the_limit(
        a: int, cur: str, negative: bool) -> None:
    with pytest.raises(AmountTooLarge, match=f"no amount may exceed {MAX} minor units"):
        Money(-a if negative else a, cur)


@pytest.mark.parametrize("minor", [MAX + 1, -MAX - 1, 2**63, -(2**63), 2**64, 10**5000],
                         ids=["max+1", "-max-1", "2^63", "-2^63", "2^64", "5001 digits"])
def test_the_maximum_is_an_edge_of_its_own(minor: int) -> None:
    assert Money(MAX, "USD").amount_minor == MAX and Money(-MAX, "USD").amount_minor == -MAX
    with pytest.raises(AmountTooLarge, match=r"\(10000000000\.00 USD\)") as refused:
        Money(minor, "USD")
    assert refused.value.code == "amount_too_large" and isinstance(refused.value, InvalidInput)
    with pytest.raises(AmountTooLarge):
        _ = Money(MAX, "USD") + Money(1, "USD")
    with pytest.raises(AmountTooLarge):
        _ = Money(MAX // 2 + 1, "USD") * 2


def test_mixing_currencies_is_an_error() -> None:
    with pytest.raises(CurrencyMismatch, match="USD with EUR"):
        _ = Money(1, "USD") + Money(1, "EUR")


@pytest.mark.parametrize("bad", [1.5, True, "5", Decimal("5")])
def test_amounts_are_whole_minor_units_never_floats(bad: object) -> None:
    with pytest.raises(InvalidInput, match="whole number"):
        Money(bad, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["usd", "US", "DOLLAR", "", "XYZ", "ZZZ", None])
def test_currency_is_an_iso_code(bad: str) -> None:
    with pytest.raises(InvalidInput, match="ISO 4217"):
        Money(1, bad)


def test_currencies_and_their_minor_units_are_babels() -> None:
    assert set(list_currencies()) == CURRENCIES and len(CURRENCIES) > 250
    assert {"USD", "EUR", "JPY", "KWD", "CHF", "INR", "BRL", "XOF"} <= CURRENCIES
    assert all(minor_units(code) == get_currency_precision(code) for code in CURRENCIES)
    assert (minor_units("USD"), minor_units("JPY"), minor_units("KWD")) == (2, 0, 3)
    assert str(Money(1234, "JPY")) == "1234 JPY" and str(Money(-1234, "KWD")) == "-1.234 KWD"
    with pytest.raises(InvalidInput, match="“XYZ” is not an ISO 4217 currency"):
        minor_units("XYZ")


def test_parse_amount_refuses_more_decimals_than_the_currency_has() -> None:
    assert parse_amount("0.05", "USD") == Money(5, "USD")
    assert parse_amount("120", "JPY") == Money(120, "JPY")
    assert parse_amount("0.125", "KWD") == Money(125, "KWD")
    with pytest.raises(InvalidInput, match="more decimals"):
        parse_amount("0.055", "USD")
    with pytest.raises(InvalidInput, match="JPY allows \\(no decimals\\)"):
        parse_amount("120.5", "JPY")
    with pytest.raises(InvalidInput, match="not an amount"):
        parse_amount("five", "USD")


@pytest.mark.parametrize(("typed", "currency", "minor"), [
    ("0,10", "USD", 10), ("0.10", "USD", 10), (" 12,5 ", "EUR", 1250), ("-0,05", "EUR", -5),
    (",5", "USD", 50), ("5.", "USD", 500), ("0,125", "KWD", 125), ("1.500", "KWD", 1500),
    ("10000000000", "USD", MAX), ("1000000000000", "JPY", MAX), ("0", "USD", 0),
])
def test_typed_amounts_are_read_exactly(typed: str, currency: str, minor: int) -> None:
    assert parse_amount(typed, currency) == Money(minor, currency)


@pytest.mark.parametrize(("typed", "currency", "message"), [
    ("1,000", "USD", "ambiguous"),  # a thousand, or one?
    ("1,000", "KWD", "ambiguous"),
    ("1.000", "USD", "more decimals"),  # a thousand with a dot separator is not one dollar
    ("1.000,50", "EUR", "not an amount"),
    ("1 000", "EUR", "not an amount"),
    ("1e3", "USD", "not an amount"),
    ("NaN", "USD", "not an amount"),
    ("0x10", "USD", "not an amount"),
    (",", "USD", "not an amount"),
    ("", "USD", "not an amount"),
    ("٣", "USD", "not an amount"),
    ("10000000000.01", "USD", "no amount may exceed"),
    pytest.param("9" * 5000, "USD", "no amount may exceed", id="5000 digits"),
    ("1", "XYZ", "ISO 4217"),
])
def test_typed_amounts_that_are_not_read(typed: str, currency: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_amount(typed, currency)

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.money import CurrencyMismatch, Money, parse_amount

amounts = st.integers(min_value=-(10**15), max_value=10**15)
currencies = st.sampled_from(["USD", "EUR", "JPY", "KWD"])


@given(amounts, amounts, amounts, currencies)
def test_addition_is_exact_associative_and_reversible(a: int, b: int, c: int, cur: str) -> None:
    x, y, z = Money(a, cur), Money(b, cur), Money(c, cur)
    assert (x + y) + z == x + (y + z)
    assert (x + y) - y == x
    assert (x + y).amount_minor == a + b


@given(amounts, st.integers(min_value=0, max_value=10_000), currencies)
def test_multiplying_is_repeated_addition(a: int, times: int, cur: str) -> None:
    total = Money(0, cur)
    for _ in range(min(times, 50)):
        total += Money(a, cur)
    assert total == Money(a, cur) * min(times, 50)


@given(amounts, currencies)
def test_display_and_parse_round_trip(a: int, cur: str) -> None:
    shown = str(Money(a, cur)).split()[0]
    assert parse_amount(shown, cur) == Money(a, cur)


def test_mixing_currencies_is_an_error() -> None:
    with pytest.raises(CurrencyMismatch, match="USD with EUR"):
        _ = Money(1, "USD") + Money(1, "EUR")


@pytest.mark.parametrize("bad", [1.5, True, "5", Decimal("5")])
def test_amounts_are_whole_minor_units_never_floats(bad: object) -> None:
    with pytest.raises(InvalidInput, match="whole number"):
        Money(bad, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["usd", "US", "DOLLAR", ""])
def test_currency_is_an_iso_code(bad: str) -> None:
    with pytest.raises(InvalidInput, match="ISO 4217"):
        Money(1, bad)


def test_parse_amount_refuses_more_decimals_than_the_currency_has() -> None:
    assert parse_amount("0.05", "USD") == Money(5, "USD")
    assert parse_amount("120", "JPY") == Money(120, "JPY")
    with pytest.raises(InvalidInput, match="more decimals"):
        parse_amount("0.055", "USD")
    with pytest.raises(InvalidInput, match="not an amount"):
        parse_amount("five", "USD")

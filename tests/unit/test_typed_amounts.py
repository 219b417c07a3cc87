"""Amounts as an operator types them on the deposit form."""

from __future__ import annotations

import pytest

from fairlabel.adapters.i18n.context import ENGLISH, reading_as
from fairlabel.adapters.web.pages.operator import typed_amount
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.money import Money


@pytest.mark.parametrize(("typed", "currency", "minor"), [
    ("12.50", "EUR", 12_50), ("12,50", "EUR", 12_50), ("12", "USD", 12_00),
    ("12.5", "USD", 12_50), (" 1 250,5 ", "EUR", 1250_50), ("1\u202f250", "EUR", 1250_00),
    (",5", "EUR", 50), ("12.", "EUR", 12_00), ("1250", "JPY", 1250), ("1.234", "KWD", 1234),
    ("1,250.00", "USD", 1250_00), ("1.250,00", "EUR", 1250_00), ("12 EUR", "EUR", 12_00),
    ("€12.50", "EUR", 12_50),
    ("-5", "USD", -5_00),  # the deposit itself refuses it, with its own words
])
def test_people_type_amounts_as_they_write_them(typed: str, currency: str,
                                                minor: int) -> None:
    with reading_as(ENGLISH):
        assert typed_amount(typed, currency) == Money(minor, currency)


@pytest.mark.parametrize(("typed", "currency", "says"), [
    ("12.500", "EUR", "has more decimals than EUR allows (2 decimals)"),
    ("12.5", "JPY", "has more decimals than JPY allows (no decimals)"),
    ("1e3", "USD", "is not an amount"), ("1.2.3", "EUR", "is not an amount"),
    ("NaN", "USD", "is not an amount"), ("", "USD", "type the amount, for example 12.50"),
    ("  ", "JPY", "type the amount, for example 1,250"),
])
def test_what_could_be_misread_is_refused_in_plain_words(typed: str, currency: str,
                                                         says: str) -> None:
    with reading_as(ENGLISH), pytest.raises(InvalidInput) as refused:
        typed_amount(typed, currency)
    assert says in refused.value.message

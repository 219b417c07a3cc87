"""Money: integer minor units with an ISO 4217 currency. No float ever touches money.

The currencies and their minor units are Babel's (the Unicode CLDR data): every ISO 4217 code,
current and historic (so that old ledger entries stay readable), each with the decimals it is
written with — 2 for USD, 0 for JPY, 3 for KWD. No list is kept by hand here.

Every amount, and every balance the ledger keeps, lies within :data:`MAX_AMOUNT_MINOR` either
side of zero; an amount beyond it is refused with :class:`AmountTooLarge` before anything adds
it up or writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from babel.numbers import get_currency_precision, list_currencies

from fairlabel.domain.errors import InvalidInput

if TYPE_CHECKING:
    from fairlabel.domain.messages import Msg

MAX_AMOUNT_MINOR = 10**12
"""The largest amount, and the largest balance of any ledger account, in minor units, either
side of zero: 10 000 000 000.00 in a two-decimal currency, far above any real deposit. It keeps
every stored sum nine million times below the database's BIGINT limit (2^63) and every amount
exact as a JSON number in JavaScript (2^53)."""

CURRENCIES: frozenset[str] = frozenset(list_currencies())
"""The ISO 4217 codes money may be in (Babel's list, historic codes included)."""

_EXPONENT = {code: get_currency_precision(code) for code in CURRENCIES}
_AMOUNT = re.compile(r"([+-]?)([0-9]*)(?:([.,])([0-9]*))?")


class CurrencyMismatch(InvalidInput):
    """Two amounts of different currencies were combined."""

    code = "currency_mismatch"


class AmountTooLarge(InvalidInput):
    """An amount, or a balance it would make, is beyond :data:`MAX_AMOUNT_MINOR`."""

    code = "amount_too_large"


def check_currency(currency: object) -> str:
    """Return ``currency`` if it is an ISO 4217 code; otherwise raise InvalidInput."""
    if not isinstance(currency, str) or currency not in CURRENCIES:
        shown = str(currency) if len(str(currency)) <= 10 else str(currency)[:9] + "…"
        raise InvalidInput("“{currency}” is not an ISO 4217 currency; use a three-letter code "
                           "such as 'USD' or 'EUR'", currency=shown)
    return currency


def minor_units(currency: str) -> int:
    """How many decimals a currency's minor unit has: 2 for USD, 0 for JPY, 3 for KWD."""
    return _EXPONENT[check_currency(currency)]


def format_minor(amount_minor: int, currency: str) -> str:
    """``1234`` USD as ``12.34 USD``, ``120`` JPY as ``120 JPY`` (any size: no bound here)."""
    sign = "-" if amount_minor < 0 else ""
    exponent = _EXPONENT[currency]
    if exponent == 0:
        return f"{sign}{abs(amount_minor)} {currency}"
    whole, minor = divmod(abs(amount_minor), 10**exponent)
    return f"{sign}{whole}.{minor:0{exponent}d} {currency}"


def too_large(currency: str, what: Msg | None = None) -> AmountTooLarge:
    """The error for an amount or a balance beyond the maximum, in plain words."""
    from fairlabel.domain.messages import Msg  # messages needs Money

    return AmountTooLarge(
        "no amount may exceed {limit} minor units ({largest}), positive or negative; {what}",
        limit=MAX_AMOUNT_MINOR, largest=Money(MAX_AMOUNT_MINOR, currency),
        what=what or Msg("this one does"))


def check_amount(amount_minor: int, currency: str) -> None:
    """Raise :class:`AmountTooLarge` if a whole number of minor units is beyond the maximum."""
    if not -MAX_AMOUNT_MINOR <= amount_minor <= MAX_AMOUNT_MINOR:
        raise too_large(currency)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of money in the smallest unit of its currency (cents for USD).

    Attributes:
        amount_minor: whole minor units, at most :data:`MAX_AMOUNT_MINOR` either side of
            zero; never a float.
        currency: upper-case ISO 4217 code, e.g. ``"USD"``.
    """

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int):
            raise InvalidInput("amount_minor must be a whole number of minor units, got {value}",
                               value=repr(self.amount_minor)[:40])
        check_currency(self.currency)
        check_amount(self.amount_minor, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch("cannot combine {currency} with {other}: amounts in different "
                                   "currencies are never mixed", currency=self.currency,
                                   other=other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __mul__(self, times: int) -> Money:
        if isinstance(times, bool) or not isinstance(times, int):
            raise InvalidInput("money can only be multiplied by a whole number")
        return Money(self.amount_minor * times, self.currency)

    def is_negative(self) -> bool:
        return self.amount_minor < 0

    def to_dict(self) -> dict[str, int | str]:
        return {"amount_minor": self.amount_minor, "currency": self.currency}

    def __str__(self) -> str:
        return format_minor(self.amount_minor, self.currency)


def parse_amount(text: str, currency: str) -> Money:
    """Read an amount typed by a person exactly, without floats.

    The decimals may follow a point or a comma ("0.05" or "0,05"), at most as many as the
    currency has (none for JPY, three for KWD); thousands separators are not read. A comma
    followed by exactly three digits after a whole number ("1,000") could be either, and is
    refused rather than guessed.

    Raises:
        InvalidInput: If the text is not such an amount, or the currency is unknown.
        AmountTooLarge: If the amount is beyond :data:`MAX_AMOUNT_MINOR`.
    """
    exponent = minor_units(currency)
    typed = text.strip() if isinstance(text, str) else ""
    shown = typed if len(typed) <= 24 else typed[:23] + "…"
    match = _AMOUNT.fullmatch(typed)
    if match is None or not (match[2] or match[4]):
        raise InvalidInput("“{typed}” is not an amount; write it like 0.05 or 0,05, without "
                           "thousands separators", typed=shown)
    sign, whole, separator, decimals = match[1], match[2], match[3], match[4] or ""
    if separator == "," and len(decimals) == 3 and whole.strip("0"):
        raise InvalidInput("“{typed}” is ambiguous: the comma could separate thousands or "
                           "decimals; write whole amounts without separators (1000) and "
                           "decimals after a point (1.000)", typed=shown)
    if len(decimals) > exponent:
        if exponent:
            raise InvalidInput("“{typed}” has more decimals than {currency} allows ({allowed} "
                               "decimals); thousands separators are not read", typed=shown,
                               currency=currency, allowed=exponent)
        raise InvalidInput("“{typed}” has more decimals than {currency} allows (no decimals); "
                           "thousands separators are not read", typed=shown, currency=currency)
    digits = (whole + decimals.ljust(exponent, "0")).lstrip("0")
    if len(digits) > len(str(MAX_AMOUNT_MINOR)):  # never build a number of thousands of digits
        raise too_large(currency)
    return Money(int(sign + (digits or "0")), currency)

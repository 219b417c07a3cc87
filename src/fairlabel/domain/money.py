"""Money: integer minor units with an ISO 4217 currency. No float ever touches money."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from fairlabel.domain.errors import InvalidInput

_CURRENCY = re.compile(r"^[A-Z]{3}$")
# ISO 4217 minor-unit exponents that differ from the usual 2 (only used for display).
_EXPONENT = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "BHD": 3, "KWD": 3, "TND": 3}


class CurrencyMismatch(InvalidInput):
    """Two amounts of different currencies were combined."""

    code = "currency_mismatch"


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of money in the smallest unit of its currency (cents for USD).

    Attributes:
        amount_minor: whole minor units; never a float.
        currency: upper-case ISO 4217 code, e.g. ``"USD"``.
    """

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int):
            raise InvalidInput(
                f"amount_minor must be a whole number of minor units, got {self.amount_minor!r}"
            )
        if not isinstance(self.currency, str) or not _CURRENCY.fullmatch(self.currency):
            raise InvalidInput(
                f"currency must be a three-letter ISO 4217 code such as 'USD', "
                f"got {self.currency!r}"
            )

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"cannot combine {self.currency} with {other.currency}: "
                "amounts in different currencies are never mixed"
            )

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
        sign = "-" if self.amount_minor < 0 else ""
        exponent = _EXPONENT.get(self.currency, 2)
        if exponent == 0:
            return f"{sign}{abs(self.amount_minor)} {self.currency}"
        whole, minor = divmod(abs(self.amount_minor), 10**exponent)
        return f"{sign}{whole}.{minor:0{exponent}d} {self.currency}"


def parse_amount(text: str, currency: str) -> Money:
    """Read a decimal amount typed by a person ("0.05") exactly, without floats."""
    exponent = _EXPONENT.get(currency, 2)
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidInput(f"{text!r} is not an amount; write it like 0.05") from None
    minor = value.scaleb(exponent)
    if not value.is_finite() or minor != minor.to_integral_value():
        raise InvalidInput(f"{text!r} has more decimals than {currency} allows ({exponent})")
    return Money(int(minor), currency)

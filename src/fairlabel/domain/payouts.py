"""Payouts: who is paid now, to which account, and which payment channel can carry it.

A payout moves a worker's available balance to their bank account. This module holds the
rules only (standard library and ``fairlabel.domain`` imports, no I/O):

- :func:`normalize_iban` and :func:`check_bic` validate bank details as a worker types them;
- :func:`batch_payouts` picks the workers whose balance has reached the payout threshold;
- :func:`sepa_problem` and :func:`split_sepa` decide which payout lines can go in a SEPA
  credit transfer file (EUR to an IBAN of a SEPA country) and which must be paid by hand
  from the CSV file.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.messages import Msg, shown
from fairlabel.domain.money import Money

SEPA_CURRENCY = "EUR"
# IBAN length per country code for the countries and territories of the SEPA schemes
# (EPC409-09). French overseas departments, Åland, the Azores, the Canaries, Guernsey,
# Jersey and the Isle of Man use the IBAN of FR, FI, PT, ES and GB.
SEPA_IBAN_LENGTHS: Mapping[str, int] = {
    "AD": 24, "AL": 28, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24,
    "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23,
    "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MT": 31, "NL": 18,
    "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "VA": 22,
}
# Bounds for the countries outside SEPA, whose exact length this module does not know.
MIN_IBAN_LENGTH = 15
MAX_IBAN_LENGTH = 34
# The largest amount one SEPA credit transfer may carry: 999,999,999.99 EUR.
MAX_SEPA_AMOUNT_MINOR = 99_999_999_999

_IBAN_START = re.compile(r"^[A-Z]{2}[0-9]{2}")
# ISO 9362 as the pain.001.001.03 schema accepts it (BICIdentifier).
_BIC_SHAPE = re.compile(r"^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$")
_SPACES = re.compile(r"[\s\u00a0]+")


class PayoutStatus(StrEnum):
    """A payout is batched (its amount waits in the worker's payout account), then sent (the
    money left) or returned (back to the worker's available balance)."""

    BATCHED = "batched"
    SENT = "sent"
    RETURNED = "returned"


def normalize_iban(text: str) -> str:
    """Return an IBAN in its electronic form, or say what is wrong with it.

    Spaces are removed and letters upper-cased; then the country code, the length
    (exact for SEPA countries, 15 to 34 characters elsewhere), the characters and the
    ISO 7064 mod-97 check digits are verified.

    Args:
        text: the IBAN as typed, e.g. ``"de89 3704 0044 0532 0130 00"``.

    Returns:
        The IBAN without spaces, upper-case, e.g. ``"DE89370400440532013000"``.

    Raises:
        InvalidInput: naming the problem (no country code, wrong length for the
            country, a character that is not a letter or digit, or wrong check digits).
    """
    if not isinstance(text, str):
        raise InvalidInput("an IBAN must be given as text")
    iban = _SPACES.sub("", text).upper()
    if not iban:
        raise InvalidInput("the IBAN is empty")
    for position, char in enumerate(iban, start=1):
        if char not in string.ascii_uppercase and char not in string.digits:
            raise InvalidInput("the IBAN contains “{char}” at position {position}; an IBAN has "
                               "only letters A-Z and digits", char=char, position=position)
    country = iban[:2]
    if not _IBAN_START.match(iban):
        raise InvalidInput("an IBAN starts with a two-letter country code and two check digits, "
                           "like DE89...; this one starts with “{start}”", start=iban[:4])
    expected = SEPA_IBAN_LENGTHS.get(country)
    if expected is not None and len(iban) != expected:
        raise InvalidInput("{country} IBANs have {expected} characters, this one has {length}: a "
                           "character is missing or extra", country=country, expected=expected,
                           length=len(iban))
    if expected is None and not MIN_IBAN_LENGTH <= len(iban) <= MAX_IBAN_LENGTH:
        raise InvalidInput("an IBAN has {low} to {high} characters, this one has {length}",
                           low=MIN_IBAN_LENGTH, high=MAX_IBAN_LENGTH, length=len(iban))
    if not 2 <= int(iban[2:4]) <= 98 or _mod97(iban) != 1:
        raise InvalidInput("the IBAN's check digits ({digits}) do not match the rest of it "
                           "(ISO 7064 mod 97): a character is probably mistyped",
                           digits=iban[2:4])
    return iban


def _mod97(iban: str) -> int:
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in rearranged)
    return int(digits) % 97


def is_sepa_iban(iban: str) -> bool:
    """Whether a normalised IBAN belongs to a country of the SEPA schemes."""
    return iban[:2] in SEPA_IBAN_LENGTHS


def check_bic(text: str) -> str:
    """Return a BIC (SWIFT code) upper-case without spaces, or say what is wrong with it.

    Args:
        text: the BIC as typed, 8 or 11 characters, e.g. ``"cobadeff"`` or
            ``"COBADEFFXXX"``.

    Returns:
        The BIC upper-case without spaces.

    Raises:
        InvalidInput: if it is not 8 or 11 characters of the form bank code (4 letters),
            country code (2 letters), location (2 letters or digits) and an optional
            branch (3 letters or digits).
    """
    if not isinstance(text, str):
        raise InvalidInput("a BIC must be given as text")
    bic = _SPACES.sub("", text).upper()
    if len(bic) not in (8, 11):
        raise InvalidInput("a BIC has 8 or 11 characters, this one has {length}",
                           length=len(bic))
    if not _BIC_SHAPE.match(bic):
        raise InvalidInput("“{bic}” is not a BIC: it must be a 4-letter bank code, a 2-letter "
                           "country code, a 2-character location code and optionally a "
                           "3-character branch code", bic=bic)
    return bic


@dataclass(frozen=True, slots=True)
class PayoutLine:
    """One payment to one worker, as it appears in a payout file.

    Bank details are kept as the worker entered them; :func:`sepa_problem` says whether
    they are good enough for a SEPA file.

    Attributes:
        payout_id: the payout's id, positive; it identifies the transfer end to end.
        worker_pseudonym: the worker's public pseudonym.
        beneficiary_name: the account holder's name as the bank knows it.
        iban: the account's IBAN, or None when the worker is paid another way.
        bic: the bank's BIC, or None (optional within SEPA).
        amount: how much to pay, positive.
        reference: the text the worker sees on their statement.
    """

    payout_id: int
    worker_pseudonym: str
    beneficiary_name: str
    iban: str | None
    bic: str | None
    amount: Money
    reference: str

    def __post_init__(self) -> None:
        if isinstance(self.payout_id, bool) or not isinstance(self.payout_id, int):
            raise InvalidInput("payout_id must be a whole number, got “{value}”",
                               value=shown(self.payout_id))
        if self.payout_id < 1:
            raise InvalidInput("payout_id must be positive, got {value}", value=self.payout_id)
        if not isinstance(self.amount, Money) or self.amount.amount_minor <= 0:
            raise InvalidInput("payout {payout_id}: the amount must be positive, got {amount}",
                               payout_id=str(self.payout_id),
                               amount=self.amount if isinstance(self.amount, Money)
                               else shown(self.amount))
        for field in ("worker_pseudonym", "beneficiary_name", "reference"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value.strip():
                raise InvalidInput("payout {payout_id}: {field} must not be empty",
                                   payout_id=str(self.payout_id), field=field)


def batch_payouts(balances: Mapping[int, Money], threshold: Money) -> dict[int, Money]:
    """Pick the workers to pay now: those whose available balance reached the threshold.

    A balance in another currency than the threshold's is never compared with it (no
    conversion happens): that worker waits for a batch in their own currency. Zero and
    negative balances are never paid, even with a zero threshold.

    Args:
        balances: available balance per worker id.
        threshold: the smallest balance that is paid out; not negative.

    Returns:
        The balances to pay, by worker id in increasing order.

    Raises:
        InvalidInput: if the threshold is negative.
    """
    if threshold.is_negative():
        raise InvalidInput("the payout threshold cannot be negative, got {threshold}",
                           threshold=threshold)
    return {
        worker: balance
        for worker, balance in sorted(balances.items())
        if balance.currency == threshold.currency
        and balance.amount_minor > 0
        and balance.amount_minor >= threshold.amount_minor
    }


def sepa_problem(line: PayoutLine) -> Msg | None:
    """Say why a payout line cannot go in a SEPA credit transfer file.

    A line can when it is in EUR, at most 999,999,999.99, to a valid IBAN of a SEPA
    country, with a valid BIC or none, and its name and reference hold no control
    characters.

    Args:
        line: the payout line.

    Returns:
        None if the line can be paid by SEPA, else the reason in plain words.
    """
    if line.amount.currency != SEPA_CURRENCY:
        return Msg("it is in {currency}; SEPA transfers are in EUR only",
                   {"currency": line.amount.currency})
    if line.amount.amount_minor > MAX_SEPA_AMOUNT_MINOR:
        return Msg("{amount} is more than one SEPA transfer may carry", {"amount": line.amount})
    if line.iban is None or not line.iban.strip():
        return Msg("the worker has no IBAN")
    try:
        iban = normalize_iban(line.iban)
        if line.bic is not None and line.bic.strip():
            check_bic(line.bic)
    except InvalidInput as error:
        return error.msg
    if not is_sepa_iban(iban):
        return Msg("the IBAN is from {country}, which is outside the SEPA area",
                   {"country": iban[:2]})
    if _has_control(line.beneficiary_name):
        return Msg("the beneficiary name contains a control character")
    if _has_control(line.reference):
        return Msg("the reference contains a control character")
    return None


def _has_control(text: str) -> bool:
    return any(ord(char) < 32 or ord(char) == 127 for char in text)


def split_sepa(lines: Iterable[PayoutLine]) -> tuple[list[PayoutLine], list[PayoutLine]]:
    """Split payout lines into those a SEPA file can carry and those paid from the CSV.

    Args:
        lines: the payout lines of one batch.

    Returns:
        ``(sepa, csv_only)``, each in the order given.
    """
    sepa: list[PayoutLine] = []
    csv_only: list[PayoutLine] = []
    for line in lines:
        (csv_only if sepa_problem(line) else sepa).append(line)
    return sepa, csv_only


def decimal_amount(money: Money) -> str:
    """Write an amount as a plain decimal string in its currency's units, exactly.

    The digits come from the integer minor units with the currency's ISO 4217 exponent
    (``"12.34"`` for 1234 EUR cents, ``"1234"`` for 1234 JPY, ``"1.234"`` for 1234 KWD
    fils); no float is involved.

    Args:
        money: the amount.

    Returns:
        The decimal string without the currency code.
    """
    return str(money).rsplit(" ", 1)[0]

"""Ledger transactions: memos, postings, balanced transactions and the balances they leave."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeAlias

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.ledger.accounts import WORLD, parse_account
from fairlabel.domain.messages import Msg, shown
from fairlabel.domain.money import (
    MAX_AMOUNT_MINOR,
    CurrencyMismatch,
    Money,
    format_minor,
    too_large,
)

JSONValue: TypeAlias = "bool | int | str | list[JSONValue] | dict[str, JSONValue] | None"
Memo: TypeAlias = Mapping[str, Any]

KINDS = frozenset(
    ("deposit", "fund", "hold", "release", "earn", "approve", "topup", "notice_pay",
     "payout_batch", "payout_sent", "payout_returned", "refund", "withhold", "appeal_pay",
     "withdraw",
     "reserve")  # leases made before escrow holds (kept so that old statements verify)
)  # fmt: skip


def _json(value: object) -> JSONValue:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        if not value.isascii() and any(0xD800 <= ord(char) <= 0xDFFF for char in value):
            raise ValueError("text that is not valid Unicode")
        return value
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    if isinstance(value, Mapping) and all(isinstance(key, str) for key in value):
        return {key: _json(item) for key, item in value.items()}
    raise ValueError(f"a {type(value).__name__} value")


def memo_object(memo: object) -> dict[str, JSONValue]:
    """A fresh, checked copy of a memo: a JSON object without floats (hashes stay portable).

    Raises:
        InvalidInput: If the memo is not a mapping of text to null, booleans, whole numbers,
            valid Unicode text, lists and such objects.
    """
    try:
        value = _json(memo) if isinstance(memo, Mapping) else None
    except ValueError as error:
        raise InvalidInput("memo holds {what}; memos take null, booleans, whole numbers, text, "
                           "lists and objects (no floats)", what=str(error)) from None
    if not isinstance(value, dict):
        raise InvalidInput("memo must be a JSON object with text keys")
    return value


@dataclass(frozen=True, slots=True)
class Posting:
    """A signed, non-zero amount on one account: positive credits it, negative debits it."""

    account: str
    amount: Money

    def __post_init__(self) -> None:
        parse_account(self.account)
        if not isinstance(self.amount, Money) or self.amount.amount_minor == 0:
            raise InvalidInput("a posting to {account} needs a non-zero Money amount",
                               account=self.account)


@dataclass(frozen=True, slots=True)
class LedgerTransaction:
    """A balanced movement: two or more postings in one currency summing to exactly zero.

    Raises:
        InvalidInput: On an unknown kind, fewer than two postings, an unbalanced sum or a
            memo that is not JSON without floats.
        CurrencyMismatch: If the postings use more than one currency.
    """

    kind: str
    postings: tuple[Posting, ...]
    memo: Memo = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidInput("unknown transaction kind “{kind}”; one of {kinds}",
                               kind=shown(self.kind), kinds=", ".join(sorted(KINDS)))
        postings = tuple(self.postings)
        if len(postings) < 2 or not all(isinstance(p, Posting) for p in postings):
            raise InvalidInput("a transaction needs at least two postings")
        if len({p.amount.currency for p in postings}) > 1:
            raise CurrencyMismatch("one transaction moves one currency only")
        if sum(p.amount.amount_minor for p in postings) != 0:
            raise InvalidInput("postings must sum to zero", code="ledger_unbalanced")
        object.__setattr__(self, "postings", postings)
        object.__setattr__(self, "memo", MappingProxyType(memo_object(self.memo)))

    @property
    def accounts(self) -> tuple[str, ...]:
        """The accounts touched, each once, in posting order: the heads to load."""
        return tuple(dict.fromkeys(p.account for p in self.postings))


def balances_after(current: Mapping[str, int], tx: LedgerTransaction) -> dict[str, int]:
    """The balance of each account ``tx`` touches once it is recorded, in its currency.

    Args:
        current: each account's balance in the transaction's currency now (missing: 0).

    Raises:
        AmountTooLarge: If a balance would pass :data:`MAX_AMOUNT_MINOR` either side of zero
            (``world`` too: it is minus all the money brought in), so that the sum is refused
            before anything is written and no stored sum ever nears BIGINT's limit.
    """
    currency = tx.postings[0].amount.currency
    after = {account: current.get(account, 0) for account in tx.accounts}
    for posting in tx.postings:
        after[posting.account] += posting.amount.amount_minor
    for account, balance in sorted(after.items(), key=lambda item: item[0] == WORLD):
        if abs(balance) > MAX_AMOUNT_MINOR:
            if account == WORLD:
                raise too_large(currency, Msg(
                    "this would take the money brought onto the platform to {balance} in all; "
                    "nothing was recorded", {"balance": format_minor(-balance, currency)}))
            raise too_large(currency, Msg("this would take {account} to {balance}; nothing was "
                                          "recorded", {"account": account,
                                                       "balance": format_minor(balance, currency)}))
    return after

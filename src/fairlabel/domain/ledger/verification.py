"""Verification: hash chains and statements checked, balances, and the ledger's invariants."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NoReturn

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.ledger.accounts import WORLD, is_outside
from fairlabel.domain.ledger.chain import (
    ZERO_HASH,
    Entry,
    Heads,
    StatementError,
    entry_hash,
    parse_statement_line,
)
from fairlabel.domain.messages import Value
from fairlabel.domain.money import MAX_AMOUNT_MINOR, Money


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of checking hash chains.

    Attributes:
        ok: every entry verified.
        checked: entries verified before the first bad one (all of them when ``ok``).
        first_bad: 0-based position of the first bad entry (for lines: line number - 1).
        reason: why it is bad, in plain words; ``""`` when ``ok``.
        balances: account → currency → balance over the entries that verified.
        heads: account → last verified ``(seq, hash)``.
    """

    ok: bool
    checked: int
    first_bad: int | None
    reason: str
    balances: dict[str, dict[str, Money]]
    heads: dict[str, tuple[int, str]]

    @property
    def line(self) -> int | None:
        """1-based number of the first bad line (or entry), or None."""
        return None if self.first_bad is None else self.first_bad + 1


def _problem(heads: Heads, entry: Entry) -> str | None:
    seq, last = heads.get(entry.account, (0, ZERO_HASH))
    if entry.seq != seq + 1:
        what = "gap in seq" if entry.seq > seq + 1 else "seq repeated or out of order"
        return f"{what}: {entry.account} expects entry {seq + 1}, found {entry.seq}"
    if entry.prev_hash != last:
        return f"broken link: prev_hash is not the hash of {entry.account} entry {seq}"
    try:
        digest = entry_hash(entry)
    except (InvalidInput, TypeError, ValueError) as error:
        return f"entry cannot be hashed: {error}"
    if digest != entry.hash:
        return "entry changed or forged: its hash does not match its content"
    return None


def _verify(entries: Iterable[Entry | StatementError]) -> Verification:
    heads: dict[str, tuple[int, str]] = {}
    good: list[Entry] = []
    running: dict[tuple[str, str], int] = defaultdict(int)
    for index, item in enumerate(entries):
        problem = item.message if isinstance(item, StatementError) else _problem(heads, item)
        if problem is None and not isinstance(item, StatementError):
            running[item.account, item.currency] += item.amount_minor
            if abs(running[item.account, item.currency]) > MAX_AMOUNT_MINOR:
                problem = f"{item.account} passes the largest balance, {MAX_AMOUNT_MINOR}"
        if problem is not None or isinstance(item, StatementError):
            return Verification(False, len(good), index, problem or "", balances(good), heads)
        heads[item.account] = (item.seq, item.hash)
        good.append(item)
    return Verification(True, len(good), None, "", balances(good), heads)


def verify(entries: Iterable[Entry]) -> Verification:
    """Check each account's chain: seqs from 1 without gaps, every link and every hash."""
    return _verify(entries)


def _parsed(lines: Iterable[str | bytes]) -> Iterable[Entry | StatementError]:
    for line in lines:
        try:
            yield parse_statement_line(line)
        except StatementError as error:
            yield error


def verify_statement_lines(lines: Iterable[str | bytes]) -> Verification:
    """Verify a JSON Lines statement, one entry a line; ``.line`` is the first bad line."""
    return _verify(_parsed(lines))


def check_extends(previous: Heads, entries: Iterable[Entry]) -> list[str]:
    """What ``entries`` lost or changed of the history ending at ``previous`` heads.

    A hash at seq n commits to its whole chain up to n, so one hash per account detects
    any edit or removal since an earlier statement. Returns ``[]`` when history was kept.
    """
    found = {e.account: e.hash for e in entries if e.seq == previous.get(e.account, (0,))[0]}
    problems = []
    for account, (seq, digest) in sorted(previous.items()):
        if found.get(account) != digest:
            change = "is missing" if account not in found else "differs"
            problems.append(f"{account} entry {seq} {change} from the earlier statement")
    return problems


def balances(entries: Iterable[Entry]) -> dict[str, dict[str, Money]]:
    """Account → currency → balance (the sum of signed amounts); hashes are not checked."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry in entries:
        sums[entry.account][entry.currency] += entry.amount_minor
    return {a: {c: Money(m, c) for c, m in sorted(s.items())} for a, s in sorted(sums.items())}


def held_on_platform(account_balances: Mapping[str, Mapping[str, Money]]) -> dict[str, Money]:
    """Currency → money on the platform: all accounts except ``world`` and ``paid`` ones."""
    held: dict[str, int] = defaultdict(int)
    for account, per_currency in account_balances.items():
        for currency, money in per_currency.items():
            held[currency] += 0 if is_outside(account) else money.amount_minor
    return {currency: Money(minor, currency) for currency, minor in sorted(held.items())}


def check_invariants(entries: Iterable[Entry]) -> None:
    """Check a whole ledger in order: every transaction and every currency sums to zero, and
    no account but ``world`` ever goes below zero.

    Raises:
        InvalidInput: Code ``ledger_invariant``, naming the transaction or account at fault.
    """
    per_tx: dict[tuple[str, str], int] = defaultdict(int)
    running: dict[tuple[str, str], int] = defaultdict(int)
    for entry in entries:
        per_tx[entry.tx_id, entry.currency] += entry.amount_minor
        running[entry.account, entry.currency] += entry.amount_minor
        if entry.account != WORLD and running[entry.account, entry.currency] < 0:
            _violation("{account} went below zero in tx {tx_id}", account=entry.account,
                       tx_id=entry.tx_id)
    for (tx_id, currency), total in per_tx.items():
        if total:
            _violation("tx {tx_id} does not balance in {currency}: off by {total}",
                       tx_id=tx_id, currency=currency, total=total)
    totals: dict[str, int] = defaultdict(int)
    for (_, currency), amount in running.items():
        totals[currency] += amount
    for currency, total in totals.items():
        if total:
            _violation("the ledger does not sum to zero in {currency}: off by {total}",
                       currency=currency, total=total)


def _violation(message: str, **params: Value) -> NoReturn:
    raise InvalidInput(message, code="ledger_invariant", **params)

"""The money ledger: double-entry transactions chained by hashes per account (charter rule 7).

Every movement is a :class:`LedgerTransaction` whose signed postings sum to zero in one
currency. Stored, each posting becomes an :class:`Entry` in the hash chain of its account, so
a worker can check a statement of their own accounts offline, without anyone else's rows.

Outside money: ``world`` is where deposits come from and refunds go; ``worker:{id}:paid``
holds what was sent to that worker's bank. Per currency, all accounts sum to zero; ``world``
is minus the net money requesters brought in; ``world`` plus every ``paid`` account is minus
the money held on the platform (:func:`held_on_platform`), and a ``paid`` balance is the
worker's total paid out. Every account but ``world`` stays >= 0 (:func:`check_invariants`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, NoReturn, TypeAlias

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.money import (
    CURRENCIES,
    MAX_AMOUNT_MINOR,
    CurrencyMismatch,
    Money,
    format_minor,
    too_large,
)

JSONValue: TypeAlias = "bool | int | str | list[JSONValue] | dict[str, JSONValue] | None"
Memo: TypeAlias = Mapping[str, Any]
Heads: TypeAlias = Mapping[str, tuple[int, str]]
Id: TypeAlias = int | str

WORLD = "world"
PLATFORM_FEES = "platform:fees"
WORKER_ACCOUNTS = ("pending", "available", "payout", "paid")
ZERO_HASH = "0" * 64
KINDS = frozenset(
    ("deposit", "fund", "hold", "release", "earn", "approve", "topup", "notice_pay",
     "payout_batch", "payout_sent", "payout_returned", "refund", "withhold", "appeal_pay",
     "withdraw",
     "reserve")  # leases made before escrow holds (kept so that old statements verify)
)  # fmt: skip
# The fields of an entry, in the order of the dataclass; ``hash`` is last.
ENTRY_FIELDS = ("account", "seq", "tx_id", "kind", "amount_minor", "currency", "memo",
                "created_at", "prev_hash", "hash")  # fmt: skip

_ID = r"[A-Za-z0-9_.-]{1,64}"
_ACCOUNT = re.compile(
    rf"(world)|(platform):(fees)|(requester):({_ID}):(funds)|(project):({_ID}):(escrow|reserved)"
    rf"|(worker):({_ID}):(pending|available|payout|paid)"
)
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


class StatementError(InvalidInput):
    """A statement line cannot be read as a ledger entry; the message says why."""

    code = "bad_statement"


# --- accounts -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountRef:
    """A parsed account name, e.g. ``worker:7:paid`` → ``("worker", "7", "paid")``.

    ``owner_id`` is ``""`` for ``world`` and ``platform:fees``; ``bucket`` is ``""`` for world.
    """

    kind: str
    owner_id: str
    bucket: str


def parse_account(account: str) -> AccountRef:
    """Parse an account name; raises InvalidInput if it breaks the account grammar."""
    match = _ACCOUNT.fullmatch(account) if isinstance(account, str) else None
    if match is None:
        raise InvalidInput(f"{account!r} is not a ledger account name")
    parts = [part for part in match.groups() if part is not None]
    if len(parts) < 3:
        return AccountRef(parts[0], "", parts[-1] if len(parts) == 2 else "")
    return AccountRef(*parts)


def owner_of(account: str) -> tuple[str, str]:
    """Return ``(kind, owner_id)`` of an account, e.g. ``("worker", "7")``."""
    ref = parse_account(account)
    return ref.kind, ref.owner_id


def _name(kind: str, owner_id: Id, bucket: str) -> str:
    if isinstance(owner_id, bool) or not isinstance(owner_id, int | str):
        raise InvalidInput(f"a {kind} id is a whole number or text, got {owner_id!r}")
    name = f"{kind}:{owner_id}:{bucket}"
    parse_account(name)
    return name


def requester_funds(requester_id: Id) -> str:
    """Deposited money the requester has not yet given to a project."""
    return _name("requester", requester_id, "funds")


def project_escrow(project_id: Id) -> str:
    """A project's funded money not set aside for work."""
    return _name("project", project_id, "escrow")


def project_reserved(project_id: Id) -> str:
    """A project's money held for the top-ups its submitted answers can still be owed."""
    return _name("project", project_id, "reserved")


def worker_account(worker_id: Id, bucket: str) -> str:
    """A worker's account; ``bucket`` is one of :data:`WORKER_ACCOUNTS`."""
    if bucket not in WORKER_ACCOUNTS:
        raise InvalidInput(f"{bucket!r} is not a worker account; use one of {WORKER_ACCOUNTS}")
    return _name("worker", worker_id, bucket)


def worker_pending(worker_id: Id) -> str:
    """Earned, awaiting review."""
    return worker_account(worker_id, "pending")


def worker_available(worker_id: Id) -> str:
    """Approved: the worker's to withdraw."""
    return worker_account(worker_id, "available")


def worker_payout(worker_id: Id) -> str:
    """Batched for a payout, not yet sent."""
    return worker_account(worker_id, "payout")


def worker_paid(worker_id: Id) -> str:
    """Sent to the worker's bank: outside the platform."""
    return worker_account(worker_id, "paid")


def is_outside(account: str) -> bool:
    """Whether an account holds money outside the platform (``world`` or a ``paid``)."""
    return parse_account(account).bucket in ("", "paid")


# --- transactions ---------------------------------------------------------------------------


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
        raise InvalidInput(
            f"memo holds {error}; memos take null, booleans, whole numbers, text, lists and "
            "objects (no floats)"
        ) from None
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
            raise InvalidInput(f"a posting to {self.account} needs a non-zero Money amount")


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
            raise InvalidInput(f"unknown transaction kind {self.kind!r}; one of {sorted(KINDS)}")
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


def _positive(kind: str, amount: Money) -> Money:
    if not isinstance(amount, Money) or amount.amount_minor <= 0:
        raise InvalidInput(f"a {kind} moves a positive amount, got {amount!r}")
    return Money(-amount.amount_minor, amount.currency)


def _move(
    kind: str, source: str, target: str, amount: Money, memo: Memo | None
) -> LedgerTransaction:
    postings = (Posting(source, _positive(kind, amount)), Posting(target, amount))
    return LedgerTransaction(kind, postings, memo or {})


def deposit(requester_id: Id, amount: Money, memo: Memo | None = None) -> LedgerTransaction:
    """``world`` → requester funds: money arrives from outside."""
    return _move("deposit", WORLD, requester_funds(requester_id), amount, memo)


def fund(
    requester_id: Id, project_id: Id, amount: Money, memo: Memo | None = None,
    *, fee: Money | None = None,
) -> LedgerTransaction:  # fmt: skip
    """Requester funds → project escrow, plus an optional positive ``fee`` → platform fees."""
    source, escrow = requester_funds(requester_id), project_escrow(project_id)
    if fee is None:
        return _move("fund", source, escrow, amount, memo)
    _positive("fund", amount)
    total = _positive("fund fee", fee) - amount
    postings = (Posting(source, total), Posting(escrow, amount), Posting(PLATFORM_FEES, fee))
    return LedgerTransaction("fund", postings, memo or {})


def hold(project_id: Id, amount: Money, memo: Memo | None = None) -> LedgerTransaction:
    """Project escrow → reserved: the answers' hold grows (see ``domain.holds``)."""
    return _move("hold", project_escrow(project_id), project_reserved(project_id), amount, memo)


def release(project_id: Id, amount: Money, memo: Memo | None = None) -> LedgerTransaction:
    """Project reserved → escrow: the answers' hold shrinks, or the project was settled."""
    return _move("release", project_reserved(project_id), project_escrow(project_id), amount, memo)


def earn(
    project_id: Id, worker_id: Id, price: Money, hold_change: Money, memo: Memo | None = None
) -> LedgerTransaction:  # fmt: skip
    """Work submitted: its price goes from the project's escrow to the worker's pending
    balance, and the answers' hold changes by ``hold_change`` (escrow → reserved when
    positive, back when negative). The lease itself moved no money; see
    ``services.assignment``."""
    paid = _positive("earn", price)  # the price, negated
    postings = [Posting(account, part) for account, part in (
        (project_escrow(project_id), paid - hold_change),
        (worker_pending(worker_id), price),
        (project_reserved(project_id), hold_change)) if part.amount_minor]
    return LedgerTransaction("earn", tuple(postings), memo or {})


def approve(worker_id: Id, amount: Money, memo: Memo | None = None) -> LedgerTransaction:
    """Worker pending → available: approved by a person or after the review window."""
    return _move("approve", worker_pending(worker_id), worker_available(worker_id), amount, memo)


def topup(
    project_id: Id, worker_id: Id, amount: Money, memo: Memo | None = None, *, approved: bool,
    from_reserve: bool = False,
) -> LedgerTransaction:  # fmt: skip
    """Project escrow (or, ``from_reserve``, the answer's reserve) → worker available if
    ``approved``, else pending (pay floor, rule 1)."""
    target = worker_available(worker_id) if approved else worker_pending(worker_id)
    source = project_reserved(project_id) if from_reserve else project_escrow(project_id)
    return _move("topup", source, target, amount, memo)


def notice_pay(
    project_id: Id, worker_id: Id, amount: Money, memo: Memo | None = None
) -> LedgerTransaction:
    """Project escrow → worker available: a project ended without notice (rule 4)."""
    source, target = project_escrow(project_id), worker_available(worker_id)
    return _move("notice_pay", source, target, amount, memo)


def withhold(
    project_id: Id, worker_id: Id, amount: Money, memo: Memo | None = None
) -> LedgerTransaction:
    """Worker pending → project escrow: a rejection withholds an answer's pay, on evidence
    of bad faith (rule 6); the evidence goes in the memo and the decision."""
    return _move("withhold", worker_pending(worker_id), project_escrow(project_id), amount, memo)


def appeal_pay(
    project_id: Id, worker_id: Id, amount: Money, memo: Memo | None = None,
    *, requester_id: Id | None = None,
) -> LedgerTransaction:  # fmt: skip
    """Project escrow → worker available: an appeal overturned a rejection that withheld pay.
    With ``requester_id``, from the requester's funds (when the escrow no longer holds it)."""
    source = project_escrow(project_id) if requester_id is None else requester_funds(requester_id)
    return _move("appeal_pay", source, worker_available(worker_id), amount, memo)


def payout_batch(worker_id: Id, amount: Money, memo: Memo | None = None) -> LedgerTransaction:
    """Worker available → payout: put in a payout file, not yet sent."""
    source, target = worker_available(worker_id), worker_payout(worker_id)
    return _move("payout_batch", source, target, amount, memo)


def payout_sent(worker_id: Id, amount: Money, memo: Memo | None = None) -> LedgerTransaction:
    """Worker payout → paid: the money left the platform for the worker's bank."""
    return _move("payout_sent", worker_payout(worker_id), worker_paid(worker_id), amount, memo)


def payout_returned(
    worker_id: Id, amount: Money, memo: Memo | None = None, *, after_sent: bool = False
) -> LedgerTransaction:
    """Worker payout → available (batch cancelled); from ``paid`` if the bank sent it back."""
    source = worker_paid(worker_id) if after_sent else worker_payout(worker_id)
    return _move("payout_returned", source, worker_available(worker_id), amount, memo)


def refund(requester_id: Id, amount: Money, memo: Memo | None = None) -> LedgerTransaction:
    """Requester funds → ``world``: money sent back to a requester."""
    return _move("refund", requester_funds(requester_id), WORLD, amount, memo)


def withdraw(
    requester_id: Id, project_id: Id, amount: Money, memo: Memo | None = None
) -> LedgerTransaction:
    """Project escrow → requester funds: a requester takes back what the project no longer
    needs to hold."""
    return _move("withdraw", project_escrow(project_id), requester_funds(requester_id), amount,
                 memo)


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
            raise too_large(currency, (
                f"this would take {account} to {format_minor(balance, currency)}"
                if account != WORLD else "this would take the money brought onto the "
                f"platform to {format_minor(-balance, currency)} in all") + "; nothing was "
                "recorded")
    return after


# --- entries and hash chains ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One posting as stored: a link in its account's hash chain.

    ``seq`` is the 1-based position in the chain, ``prev_hash`` the previous link's ``hash``
    (:data:`ZERO_HASH` for seq 1) and ``hash`` the SHA-256 of :func:`canonical_bytes`.
    """

    account: str
    seq: int
    tx_id: str
    kind: str
    amount_minor: int
    currency: str
    memo: dict[str, JSONValue] = field(hash=False)
    created_at: datetime
    prev_hash: str
    hash: str

    @property
    def amount(self) -> Money:
        """The signed amount as Money."""
        return Money(self.amount_minor, self.currency)


def format_time(moment: datetime) -> str:
    """Canonical time: UTC with microseconds and ``Z``, e.g. ``2025-01-31T09:00:00.000000Z``."""
    if moment.utcoffset() is None:
        raise InvalidInput("ledger times must be timezone-aware")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _fields(entry: Entry) -> dict[str, JSONValue]:
    names = ENTRY_FIELDS[:-1]
    values = {name: getattr(entry, name) for name in names}
    return {**values, "created_at": format_time(entry.created_at)}


def _dumps(value: Mapping[str, JSONValue]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_bytes(entry: Entry) -> bytes:
    """UTF-8 JSON (sorted keys, no spaces, raw Unicode) of every field but ``hash``."""
    return _dumps(_fields(entry)).encode("utf-8")


def entry_hash(entry: Entry) -> str:
    """Hex SHA-256 of :func:`canonical_bytes` (``entry.hash`` itself is ignored)."""
    return hashlib.sha256(canonical_bytes(entry)).hexdigest()


def append(heads: Heads, tx: LedgerTransaction, tx_id: str, now: datetime) -> list[Entry]:
    """Chain a transaction's postings onto their accounts.

    Args:
        heads: each account's current ``(seq, hash)``; a missing account has no entries yet.
        tx: the transaction to record.
        tx_id: its identifier, stored on each entry.
        now: an aware time, stored in UTC.

    Returns:
        One sealed entry per posting, in posting order; postings on one account chain in order.
    """
    if not isinstance(tx_id, str) or not tx_id:
        raise InvalidInput("tx_id must be non-empty text")
    format_time(now)
    current, entries = dict(heads), []
    for posting in tx.postings:
        account, amount = posting.account, posting.amount
        seq, last = current.get(account, (0, ZERO_HASH))
        draft = Entry(account, seq + 1, tx_id, tx.kind, amount.amount_minor, amount.currency,
                      memo_object(tx.memo), now.astimezone(UTC), last, "")  # fmt: skip
        entries.append(replace(draft, hash=entry_hash(draft)))
        current[account] = (seq + 1, entries[-1].hash)
    return entries


def heads_of(entries: Iterable[Entry], heads: Heads | None = None) -> dict[str, tuple[int, str]]:
    """Each account's last ``(seq, hash)`` after ``entries``, starting from ``heads``."""
    result = dict(heads or {})
    result.update((entry.account, (entry.seq, entry.hash)) for entry in entries)
    return result


# --- statements (JSON Lines) ----------------------------------------------------------------


def entry_to_json(entry: Entry) -> str:
    """A statement line, without newline: canonical JSON of every field, ``hash`` included."""
    return _dumps({**_fields(entry), "hash": entry.hash})


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({key for key, _ in pairs}) != len(pairs):
        raise StatementError("unparsable: the same field appears twice")
    return dict(pairs)


_SHAPES: dict[str, tuple[type, re.Pattern[str] | None]] = {
    "account": (str, _ACCOUNT), "seq": (int, None), "tx_id": (str, re.compile(r".+", re.S)),
    "kind": (str, re.compile("|".join(sorted(KINDS)))), "amount_minor": (int, None),
    "currency": (str, re.compile(r"[A-Z]{3}")), "memo": (dict, None),
    "created_at": (str, _TIME), "prev_hash": (str, _HEX64), "hash": (str, _HEX64),
}  # fmt: skip


def _check_field(name: str, value: object) -> None:
    kind, pattern = _SHAPES[name]
    if isinstance(value, bool) or not isinstance(value, kind):
        what = {int: "a whole number", str: "text", dict: "a JSON object"}[kind]
        raise StatementError(f"wrong type: {name} must be {what}")
    if pattern is not None and isinstance(value, str) and not pattern.fullmatch(value):
        raise StatementError(f"wrong value: {name} {value!r} is not valid")
    if name == "seq" and isinstance(value, int) and value < 1:
        raise StatementError("wrong value: seq starts at 1")
    if name == "amount_minor" and isinstance(value, int) and abs(value) > MAX_AMOUNT_MINOR:
        raise StatementError(f"wrong value: amount_minor is beyond {MAX_AMOUNT_MINOR}")
    if name == "currency" and value not in CURRENCIES:
        raise StatementError(f"wrong value: currency {value!r} is not an ISO 4217 code")
    if name == "memo":
        try:
            memo_object(value)
        except InvalidInput as error:
            raise StatementError(f"wrong type: {error.message}") from None


def entry_from_json(text: str) -> Entry:
    """Read one statement line written by :func:`entry_to_json`.

    Raises:
        StatementError: Not JSON, a missing or unknown field, or a wrong type or value.
    """
    try:
        data = json.loads(text, object_pairs_hook=_object)
    except (ValueError, RecursionError):
        raise StatementError("unparsable: not valid JSON") from None
    if not isinstance(data, dict):
        raise StatementError("unparsable: not a JSON object")
    for name in ENTRY_FIELDS:
        if name not in data:
            raise StatementError(f"missing field {name!r}")
        _check_field(name, data[name])
    if len(data) != len(ENTRY_FIELDS):
        raise StatementError(f"unknown field {sorted(set(data) - set(ENTRY_FIELDS))[0]!r}")
    try:
        moment = datetime.fromisoformat(data["created_at"][:-1]).replace(tzinfo=UTC)
    except ValueError:
        raise StatementError(f"wrong value: created_at {data['created_at']!r}") from None
    return Entry(**{**data, "created_at": moment})


def parse_statement_line(line: str | bytes) -> Entry:
    """Read one statement line (UTF-8 bytes or text; one trailing newline is allowed).

    Raises:
        StatementError: If the line is not an entry exactly as :func:`entry_to_json` wrote it.
    """
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError:
            raise StatementError("unparsable: not UTF-8 text") from None
    line = line.removesuffix("\n").removesuffix("\r")
    entry = entry_from_json(line)
    if entry_to_json(entry) != line:
        raise StatementError("not in canonical form: the line was reformatted or edited")
    return entry


# --- verification ---------------------------------------------------------------------------


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
            _violation(f"{entry.account} went below zero in tx {entry.tx_id}")
    for (tx_id, currency), total in per_tx.items():
        if total:
            _violation(f"tx {tx_id} does not balance in {currency}: off by {total}")
    totals: dict[str, int] = defaultdict(int)
    for (_, currency), amount in running.items():
        totals[currency] += amount
    for currency, total in totals.items():
        if total:
            _violation(f"the ledger does not sum to zero in {currency}: off by {total}")


def _violation(message: str) -> NoReturn:
    raise InvalidInput(message, code="ledger_invariant")

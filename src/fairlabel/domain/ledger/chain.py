"""Entries and hash chains: each posting as stored, sealed by SHA-256 and linked to the
previous entry of its account, and the statement lines (JSON Lines) that carry them."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeAlias

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.ledger.accounts import ACCOUNT_PATTERN
from fairlabel.domain.ledger.transactions import KINDS, JSONValue, LedgerTransaction, memo_object
from fairlabel.domain.messages import N_, Msg, shown
from fairlabel.domain.money import CURRENCIES, MAX_AMOUNT_MINOR, Money

Heads: TypeAlias = Mapping[str, tuple[int, str]]

ZERO_HASH = "0" * 64
# The fields of an entry, in the order of the dataclass; ``hash`` is last.
ENTRY_FIELDS = ("account", "seq", "tx_id", "kind", "amount_minor", "currency", "memo",
                "created_at", "prev_hash", "hash")  # fmt: skip

_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")


class StatementError(InvalidInput):
    """A statement line cannot be read as a ledger entry; the message says why."""

    code = "bad_statement"


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
    "account": (str, ACCOUNT_PATTERN), "seq": (int, None), "tx_id": (str, re.compile(r".+", re.S)),
    "kind": (str, re.compile("|".join(sorted(KINDS)))), "amount_minor": (int, None),
    "currency": (str, re.compile(r"[A-Z]{3}")), "memo": (dict, None),
    "created_at": (str, _TIME), "prev_hash": (str, _HEX64), "hash": (str, _HEX64),
}  # fmt: skip


def _check_field(name: str, value: object) -> None:
    kind, pattern = _SHAPES[name]
    if isinstance(value, bool) or not isinstance(value, kind):
        what = {int: N_("a whole number"), str: N_("text"), dict: N_("a JSON object")}[kind]
        raise StatementError("wrong type: {name} must be {what}", name=name, what=Msg(what))
    if pattern is not None and isinstance(value, str) and not pattern.fullmatch(value):
        raise StatementError("wrong value: {name} “{value}” is not valid", name=name,
                             value=shown(value))
    if name == "seq" and isinstance(value, int) and value < 1:
        raise StatementError("wrong value: seq starts at 1")
    if name == "amount_minor" and isinstance(value, int) and abs(value) > MAX_AMOUNT_MINOR:
        raise StatementError("wrong value: amount_minor is beyond {limit}",
                             limit=MAX_AMOUNT_MINOR)
    if name == "currency" and value not in CURRENCIES:
        raise StatementError("wrong value: currency “{value}” is not an ISO 4217 code",
                             value=shown(value))
    if name == "memo":
        try:
            memo_object(value)
        except InvalidInput as error:
            raise StatementError("wrong type: {reason}", reason=error.msg) from None


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
            raise StatementError("missing field “{name}”", name=name)
        _check_field(name, data[name])
    if len(data) != len(ENTRY_FIELDS):
        raise StatementError("unknown field “{name}”",
                             name=sorted(set(data) - set(ENTRY_FIELDS))[0])
    try:
        moment = datetime.fromisoformat(data["created_at"][:-1]).replace(tzinfo=UTC)
    except ValueError:
        raise StatementError("wrong value: created_at “{value}”",
                             value=shown(data["created_at"])) from None
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

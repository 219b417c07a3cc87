"""The money ledger: flows, validation, hash chains, statements and their verification."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairlabel.domain import ledger as L
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.ledger import Entry, LedgerTransaction, Posting
from fairlabel.domain.money import CurrencyMismatch, Money

NOW = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def moves(tx: LedgerTransaction) -> list[tuple[str, int]]:
    return [(p.account, p.amount.amount_minor) for p in tx.postings]


class Book:
    """A whole ledger built through `append`, as the database adapter will."""

    def __init__(self) -> None:
        self.heads: dict[str, tuple[int, str]] = {}
        self.entries: list[Entry] = []

    def post(self, tx: LedgerTransaction, at: datetime = NOW) -> list[Entry]:
        new = L.append(self.heads, tx, f"tx-{len(self.entries)}", at)
        self.heads = L.heads_of(new, self.heads)
        self.entries += new
        return new

    def statement(self, worker_id: int) -> list[str]:
        mine = [e for e in self.entries if L.owner_of(e.account) == ("worker", str(worker_id))]
        return [L.entry_to_json(e) for e in mine]


def sample_book() -> Book:
    book = Book()
    for tx in (
        L.deposit(1, usd(10_000)),
        L.fund(1, 7, usd(5_000), fee=usd(250)),
        L.hold(7, usd(1_000)),
        L.earn(7, 9, usd(300), usd(-300), {"task": 11, "note": "réponse ✓"}),
        L.earn(7, 8, usd(200), usd(0), {"task": 12}),
        L.approve(9, usd(300), {"by": "auto", "after_hours": 72}),
        L.topup(7, 9, usd(50), {"floor": True}, approved=True),
        L.payout_batch(9, usd(350)),
        L.payout_sent(9, usd(350), {"file": "sepa-1"}),
    ):
        book.post(tx)
    return book


# --- accounts -----------------------------------------------------------------------------


def test_account_names_follow_the_grammar() -> None:
    assert L.requester_funds(1) == "requester:1:funds"
    assert L.project_escrow("p-7") == "project:p-7:escrow"
    assert L.project_reserved(7) == "project:7:reserved"
    assert [L.worker_account(9, b) for b in L.WORKER_ACCOUNTS] == [
        L.worker_pending(9),
        L.worker_available(9),
        L.worker_payout(9),
        L.worker_paid(9),
    ]
    assert L.worker_paid(9) == "worker:9:paid"


@pytest.mark.parametrize(
    ("account", "owner", "bucket"),
    [
        ("world", ("world", ""), ""),
        ("platform:fees", ("platform", ""), "fees"),
        ("requester:1:funds", ("requester", "1"), "funds"),
        ("project:a.b_c-1:reserved", ("project", "a.b_c-1"), "reserved"),
        ("worker:42:available", ("worker", "42"), "available"),
    ],
)
def test_owner_of_parses_every_kind(account: str, owner: tuple[str, str], bucket: str) -> None:
    assert L.owner_of(account) == owner
    assert L.parse_account(account).bucket == bucket


@pytest.mark.parametrize(
    "account",
    [
        "",
        "World",
        "world\n",
        "worker:9:spent",
        "worker::paid",
        "worker:a:b:paid",
        "platform",
        "project:7:funds",
        "requester:1:funds ",
        "worker:é:paid",
    ],
)
def test_malformed_account_names_are_refused(account: str) -> None:
    with pytest.raises(InvalidInput, match="not a ledger account"):
        L.parse_account(account)


@pytest.mark.parametrize("bad", ["", "a:b", "x y", True, 1.5])
def test_bad_owner_ids_are_refused(bad: Any) -> None:
    with pytest.raises(InvalidInput):
        L.worker_pending(bad)
    with pytest.raises(InvalidInput, match="not a worker account"):
        L.worker_account(1, "spent")


def test_world_and_paid_accounts_are_outside_the_platform() -> None:
    assert L.is_outside("world") and L.is_outside("worker:3:paid")
    assert not any(L.is_outside(a) for a in ("platform:fees", "worker:3:payout"))


# --- flows ----------------------------------------------------------------------------------

FLOWS: list[tuple[Callable[[Money], LedgerTransaction], str, str, str]] = [
    (lambda m: L.deposit(1, m), "deposit", "world", "requester:1:funds"),
    (lambda m: L.fund(1, 7, m), "fund", "requester:1:funds", "project:7:escrow"),
    (lambda m: L.hold(7, m), "hold", "project:7:escrow", "project:7:reserved"),
    (lambda m: L.release(7, m), "release", "project:7:reserved", "project:7:escrow"),
    (lambda m: L.earn(7, 9, m, Money(0, m.currency)), "earn", "project:7:escrow",
     "worker:9:pending"),
    (lambda m: L.approve(9, m), "approve", "worker:9:pending", "worker:9:available"),
    (lambda m: L.topup(7, 9, m, approved=False), "topup", "project:7:escrow", "worker:9:pending"),
    (lambda m: L.topup(7, 9, m, approved=True), "topup", "project:7:escrow", "worker:9:available"),
    (lambda m: L.notice_pay(7, 9, m), "notice_pay", "project:7:escrow", "worker:9:available"),
    (lambda m: L.payout_batch(9, m), "payout_batch", "worker:9:available", "worker:9:payout"),
    (lambda m: L.payout_sent(9, m), "payout_sent", "worker:9:payout", "worker:9:paid"),
    (lambda m: L.payout_returned(9, m), "payout_returned", "worker:9:payout", "worker:9:available"),
    (
        lambda m: L.payout_returned(9, m, after_sent=True),
        "payout_returned",
        "worker:9:paid",
        "worker:9:available",
    ),
    (lambda m: L.withdraw(1, 7, m), "withdraw", "project:7:escrow", "requester:1:funds"),
]


@pytest.mark.parametrize(("make", "kind", "source", "target"), FLOWS)
def test_each_flow_moves_money_from_source_to_target(
    make: Callable[[Money], LedgerTransaction], kind: str, source: str, target: str
) -> None:
    tx = make(usd(5))
    assert tx.kind == kind
    assert moves(tx) == [(source, -5), (target, 5)]
    assert tx.accounts == (source, target)


def test_funding_can_carry_a_platform_fee() -> None:
    tx = L.fund(1, 7, usd(1_000), {"invoice": "A-1"}, fee=usd(30))
    assert moves(tx) == [
        ("requester:1:funds", -1_030),
        ("project:7:escrow", 1_000),
        ("platform:fees", 30),
    ]
    assert tx.memo == {"invoice": "A-1"}
    with pytest.raises(CurrencyMismatch):
        L.fund(1, 7, usd(1_000), fee=Money(30, "EUR"))
    with pytest.raises(InvalidInput, match="positive"):
        L.fund(1, 7, usd(1_000), fee=usd(0))


@pytest.mark.parametrize("minor", [0, -1, -500])
@pytest.mark.parametrize(("make", "kind", "source", "target"), FLOWS)
def test_flows_take_positive_amounts_only(
    make: Callable[[Money], LedgerTransaction], kind: str, source: str, target: str, minor: int
) -> None:
    with pytest.raises(InvalidInput, match=f"a {kind} moves a positive amount"):
        make(usd(minor))


def test_flows_refuse_a_non_money_amount() -> None:
    with pytest.raises(InvalidInput, match="positive amount"):
        L.deposit(1, 500)  # type: ignore[arg-type]


# --- transaction validation -----------------------------------------------------------------


def test_a_transaction_must_balance() -> None:
    with pytest.raises(InvalidInput, match="sum to zero") as caught:
        LedgerTransaction(
            "deposit", (Posting("world", usd(-5)), Posting("requester:1:funds", usd(4)))
        )
    assert caught.value.code == "ledger_unbalanced"


def test_a_transaction_moves_one_currency() -> None:
    with pytest.raises(CurrencyMismatch):
        LedgerTransaction(
            "deposit", (Posting("world", usd(-5)), Posting("requester:1:funds", Money(5, "EUR")))
        )


def test_unknown_kinds_and_lone_postings_are_refused() -> None:
    pair = (Posting("world", usd(-5)), Posting("requester:1:funds", usd(5)))
    with pytest.raises(InvalidInput, match="unknown transaction kind “gift”"):
        LedgerTransaction("gift", pair)
    with pytest.raises(InvalidInput, match="at least two postings"):
        LedgerTransaction("deposit", pair[:1])


def test_postings_need_a_valid_account_and_a_non_zero_amount() -> None:
    with pytest.raises(InvalidInput, match="non-zero"):
        Posting("world", usd(0))
    with pytest.raises(InvalidInput, match="not a ledger account"):
        Posting("bank", usd(5))


@pytest.mark.parametrize(
    "memo", [{"rate": 1.5}, {"a": [1, {"b": 0.1}]}, {1: "x"}, {"s": "\ud800"}, {"x": {1, 2}}]
)
def test_memos_are_json_without_floats(memo: Any) -> None:
    with pytest.raises(InvalidInput, match="memo"):
        L.deposit(1, usd(5), memo)


def test_the_memo_of_a_transaction_cannot_be_changed() -> None:
    source = {"task": [1, 2]}
    tx = L.deposit(1, usd(5), source)
    source["task"].append(3)
    assert tx.memo == {"task": [1, 2]}
    with pytest.raises(TypeError):
        tx.memo["task"] = 0  # type: ignore[index]


# --- chains ---------------------------------------------------------------------------------


def test_append_starts_chains_at_seq_one_and_links_them() -> None:
    book = Book()
    first = book.post(L.deposit(1, usd(100)))
    assert [(e.account, e.seq, e.prev_hash) for e in first] == [
        ("world", 1, L.ZERO_HASH),
        ("requester:1:funds", 1, L.ZERO_HASH),
    ]
    second = book.post(L.deposit(1, usd(50), {"ref": "wire 2"}))
    assert [e.seq for e in second] == [2, 2]
    assert [e.prev_hash for e in second] == [e.hash for e in first]
    assert second[1].memo == {"ref": "wire 2"} and second[1].amount == usd(50)
    assert all(e.tx_id == "tx-2" and e.kind == "deposit" for e in second)


def test_two_postings_on_one_account_chain_in_order() -> None:
    account = "worker:9:available"
    tx = LedgerTransaction(
        "approve",
        (Posting("worker:9:pending", usd(-3)), Posting(account, usd(1)), Posting(account, usd(2))),
    )
    entries = L.append({account: (4, "a" * 64)}, tx, "t", NOW)
    assert [(e.account, e.seq) for e in entries] == [
        ("worker:9:pending", 1),
        (account, 5),
        (account, 6),
    ]
    assert entries[1].prev_hash == "a" * 64 and entries[2].prev_hash == entries[1].hash


def test_append_stores_time_in_utc_and_needs_an_aware_time_and_an_id() -> None:
    paris = timezone(timedelta(hours=1))
    entry = L.append({}, L.deposit(1, usd(1)), "t", datetime(2025, 1, 1, 13, tzinfo=paris))[0]
    assert L.format_time(entry.created_at) == "2025-01-01T12:00:00.000000Z"
    with pytest.raises(InvalidInput, match="timezone-aware"):
        L.append({}, L.deposit(1, usd(1)), "t", datetime(2025, 1, 1))
    with pytest.raises(InvalidInput, match="tx_id"):
        L.append({}, L.deposit(1, usd(1)), "", NOW)


def test_canonical_bytes_and_hash_are_pinned() -> None:
    entry = Entry(
        "worker:9:pending",
        1,
        "t1",
        "earn",
        300,
        "USD",
        {"z": 1, "a": "é"},
        NOW,
        L.ZERO_HASH,
        "ignored",
    )
    expected = (
        '{"account":"worker:9:pending","amount_minor":300,"created_at":'
        '"2025-03-01T12:00:00.123456Z","currency":"USD","kind":"earn","memo":{"a":"é","z":1},'
        f'"prev_hash":"{L.ZERO_HASH}","seq":1,"tx_id":"t1"}}'
    ).encode()
    assert L.canonical_bytes(entry) == expected
    assert L.entry_hash(entry) == hashlib.sha256(expected).hexdigest()


def test_statement_lines_round_trip_exactly() -> None:
    for entry in sample_book().entries:
        line = L.entry_to_json(entry)
        assert L.entry_from_json(line) == entry
        assert L.entry_to_json(L.entry_from_json(line)) == line
        assert L.parse_statement_line(line.encode() + b"\r\n") == entry


# --- verification ---------------------------------------------------------------------------


def test_a_whole_ledger_and_a_worker_statement_verify() -> None:
    book = sample_book()
    result = L.verify(book.entries)
    assert (result.ok, result.checked, result.first_bad, result.line) == (
        True,
        len(book.entries),
        None,
        None,
    )
    assert result.heads == book.heads
    assert result.balances["world"] == {"USD": usd(-10_000)}
    L.check_invariants(book.entries)
    statement = L.verify_statement_lines(book.statement(9))
    assert statement.ok and set(statement.balances) == {
        "worker:9:pending",
        "worker:9:available",
        "worker:9:payout",
        "worker:9:paid",
    }
    assert statement.balances["worker:9:paid"] == {"USD": usd(350)}
    assert statement.balances["worker:9:available"] == {"USD": usd(0)}


def test_world_plus_paid_is_minus_the_money_held() -> None:
    totals = L.balances(sample_book().entries)
    assert L.held_on_platform(totals) == {"USD": usd(10_000 - 350)}
    assert totals["world"]["USD"] + totals["worker:9:paid"]["USD"] == usd(-(10_000 - 350))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda e: replace(e, amount_minor=e.amount_minor + 1), "entry changed or forged"),
        (lambda e: replace(e, memo={"task": 99}), "entry changed or forged"),
        (lambda e: replace(e, hash="f" * 64), "entry changed or forged"),
        (lambda e: replace(e, prev_hash="f" * 64), "broken link"),
        (lambda e: replace(e, seq=e.seq + 1), "gap in seq"),
        (lambda e: replace(e, seq=e.seq - 1), "seq repeated or out of order"),
    ],
)
def test_verify_names_the_first_bad_entry(change: Callable[[Entry], Entry], reason: str) -> None:
    entries = sample_book().entries
    index = next(i for i, e in enumerate(entries) if e.seq == 2)
    entries[index] = change(entries[index])
    result = L.verify(entries)
    assert not result.ok and result.first_bad == index and result.checked == index
    assert result.reason.startswith(reason)


def test_a_removed_entry_leaves_a_gap_and_a_naive_time_is_reported() -> None:
    lines = sample_book().statement(9)
    assert lines[2].startswith('{"account":"worker:9:available"')
    result = L.verify_statement_lines(lines[:2] + lines[3:])
    assert (result.ok, result.line) == (False, 3)
    assert result.reason == "gap in seq: worker:9:available expects entry 1, found 2"
    entry = replace(sample_book().entries[0], created_at=datetime(2025, 1, 1))
    assert L.verify([entry]).reason.startswith("entry cannot be hashed")


def _edit(line: str, **changes: Any) -> str:
    data = json.loads(line)
    data.update(changes)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (lambda line: line[:-1], "unparsable: not valid JSON"),
        (lambda line: "[1, 2]", "unparsable: not a JSON object"),
        (lambda line: line.encode().replace(b"\xc3\xa9", b"\xc3"), "unparsable: not UTF-8"),
        (lambda line: "", "unparsable"),
        (lambda line: _edit(line, extra=1), "unknown field “extra”"),
        (
            lambda line: json.dumps({k: v for k, v in json.loads(line).items() if k != "memo"}),
            "missing field “memo”",
        ),
        (lambda line: _edit(line, seq="2"), "wrong type: seq"),
        (lambda line: _edit(line, amount_minor=3.0), "wrong type: amount_minor"),
        (lambda line: _edit(line, amount_minor=True), "wrong type: amount_minor"),
        (lambda line: _edit(line, memo={"x": 0.5}), "wrong type: memo"),
        (lambda line: _edit(line, account="bank"), "wrong value: account"),
        (lambda line: _edit(line, created_at="2025-03-01T12:00:00Z"), "wrong value: created_at"),
        (
            lambda line: _edit(line, created_at="2025-13-01T12:00:00.000000Z"),
            "wrong value: created_at",
        ),
        (lambda line: _edit(line, hash="ABC"), "wrong value: hash"),
        (lambda line: _edit(line, kind="gift"), "wrong value: kind"),
        (lambda line: _edit(line, seq=0), "wrong value: seq"),
        (lambda line: line.replace(",", ", ", 1), "not in canonical form"),
        (lambda line: line.replace("é", "\\u00e9"), "not in canonical form"),
        (lambda line: line[:-1] + ',"seq":2}', "unparsable: the same field appears twice"),
        (lambda line: _edit(line, amount_minor=1), "entry changed or forged"),
    ],
)
def test_statement_problems_are_reported_at_their_line(
    bad: Callable[[str], str | bytes], reason: str
) -> None:
    lines: list[str | bytes] = list(sample_book().statement(9))
    lines[0] = bad(str(lines[0]))
    result = L.verify_statement_lines(lines)
    assert (result.ok, result.line, result.checked) == (False, 1, 0)
    assert result.reason.startswith(reason), result.reason


def test_check_extends_detects_rewritten_or_cut_history() -> None:
    book = sample_book()
    old = L.verify(book.entries[:9]).heads
    book.post(L.deposit(1, usd(1)))
    assert L.check_extends(old, book.entries) == []
    rewritten = book.entries[:]
    rewritten[0] = replace(rewritten[0], hash="e" * 64)
    assert L.check_extends(old, rewritten) == ["world entry 1 differs from the earlier statement"]
    cut = [e for e in book.entries if e.account != "project:7:reserved"]
    assert L.check_extends(old, cut) == [
        "project:7:reserved entry 2 is missing from the earlier statement"
    ]


def test_check_invariants_catches_unbalanced_and_negative_accounts() -> None:
    book = sample_book()
    L.check_invariants(book.entries)
    with pytest.raises(InvalidInput, match="does not balance") as caught:
        L.check_invariants(book.entries[:-1])
    assert caught.value.code == "ledger_invariant"
    overdraw = L.append(book.heads, L.approve(8, usd(201)), "over", NOW)
    with pytest.raises(InvalidInput, match="worker:8:pending went below zero"):
        L.check_invariants(book.entries + overdraw)


# --- properties -----------------------------------------------------------------------------

REQUESTERS, PROJECTS, WORKERS = ("r1", "r2"), (1, 2), (5, 6)
FLOW_NAMES = (
    "deposit",
    "fund",
    "hold",
    "release",
    "earn",
    "approve",
    "topup",
    "notice_pay",
    "payout_batch",
    "payout_sent",
    "payout_returned",
    "bounce",
    "unfund",
)
ops = st.lists(
    st.tuples(
        st.integers(0, len(FLOW_NAMES) - 1),
        st.integers(0, 7),
        st.sampled_from(["USD", "EUR"]),
        st.integers(1, 10**9),
    ),
    min_size=10,
    max_size=80,
)


def _plan(name: str, pick: int) -> tuple[str, Callable[[Money], LedgerTransaction]]:
    """The account a flow draws from, and the flow, for the chosen owners."""
    r, p, w = REQUESTERS[pick % 2], PROJECTS[pick // 2 % 2], WORKERS[pick // 4 % 2]
    plans: dict[str, tuple[str, Callable[[Money], LedgerTransaction]]] = {
        "deposit": ("world", lambda m: L.deposit(r, m)),
        "fund": (L.requester_funds(r), lambda m: L.fund(r, p, m)),
        "hold": (L.project_escrow(p), lambda m: L.hold(p, m)),
        "release": (L.project_reserved(p), lambda m: L.release(p, m)),
        "earn": (L.project_reserved(p),
                 lambda m: L.earn(p, w, m, Money(-m.amount_minor, m.currency), {"task": pick})),
        "approve": (L.worker_pending(w), lambda m: L.approve(w, m, {"auto": True})),
        "topup": (L.project_escrow(p), lambda m: L.topup(p, w, m, approved=pick % 2 == 0)),
        "notice_pay": (L.project_escrow(p), lambda m: L.notice_pay(p, w, m, {"days": 7})),
        "payout_batch": (L.worker_available(w), lambda m: L.payout_batch(w, m)),
        "payout_sent": (L.worker_payout(w), lambda m: L.payout_sent(w, m)),
        "payout_returned": (L.worker_payout(w), lambda m: L.payout_returned(w, m)),
        "bounce": (L.worker_paid(w), lambda m: L.payout_returned(w, m, after_sent=True)),
        "unfund": (L.project_escrow(p), lambda m: L.withdraw(r, p, m)),
    }
    return plans[name]


def run_ops(steps: list[tuple[int, int, str, int]]) -> tuple[Book, dict[tuple[str, str], int]]:
    """Apply each drawn flow, or the nearest earlier one in the pipeline that has money to
    move (a deposit always has); amounts never exceed what the modelled source holds."""
    book, model = Book(), dict[tuple[str, str], int]()
    for index, pick, currency, raw in steps:
        for back in range(len(FLOW_NAMES)):
            source, make = _plan(FLOW_NAMES[index - back], pick)
            held = model.get((source, currency), 0)
            if source == "world" or held > 0:
                break
        tx = make(Money(raw if source == "world" else 1 + raw % held, currency))
        assert sum(p.amount.amount_minor for p in tx.postings) == 0
        for posting in tx.postings:
            key = (posting.account, currency)
            model[key] = model.get(key, 0) + posting.amount.amount_minor
            assert posting.account == "world" or model[key] >= 0
        book.post(tx, NOW + timedelta(seconds=len(book.entries)))
    return book, model


@settings(max_examples=60, deadline=None)
@given(ops)
def test_random_flows_keep_the_books_balanced_and_verifiable(
    steps: list[tuple[int, int, str, int]],
) -> None:
    book, model = run_ops(steps)
    L.check_invariants(book.entries)
    totals = L.balances(book.entries)
    assert {(a, c): m.amount_minor for a, per in totals.items() for c, m in per.items()} == model
    for currency in ("USD", "EUR"):
        assert sum(v for (_, c), v in model.items() if c == currency) == 0
        outside = sum(v for (a, c), v in model.items() if c == currency and L.is_outside(a))
        assert L.held_on_platform(totals).get(currency, Money(0, currency)).amount_minor == (
            -outside
        )
    assert all(v >= 0 for (a, _), v in model.items() if a.endswith(":available"))
    assert L.verify(book.entries).ok
    for worker in WORKERS:
        assert L.verify_statement_lines(book.statement(worker)).ok


@settings(max_examples=80, deadline=None)
@given(ops, st.data())
def test_any_changed_byte_fails_at_its_line(
    steps: list[tuple[int, int, str, int]], data: st.DataObject
) -> None:
    book, _ = run_ops(steps)
    lines = [L.entry_to_json(e) for e in book.entries]
    index = data.draw(st.integers(0, len(lines) - 1), label="line")
    raw = bytearray(lines[index].encode("utf-8"))
    position = data.draw(st.integers(0, len(raw) - 1), label="byte")
    raw[position] ^= data.draw(st.integers(1, 255), label="xor")
    tampered: list[str | bytes] = [*lines[:index], bytes(raw), *lines[index + 1 :]]
    result = L.verify_statement_lines(tampered)
    assert not result.ok and result.line is not None and result.line <= index + 1
    assert result.line == index + 1  # nothing before the change is affected


FIELD_CHANGES: dict[str, Callable[[Entry], dict[str, Any]]] = {
    "account": lambda e: {"account": "worker:zz:paid"},
    "seq": lambda e: {"seq": e.seq + 1},
    "tx_id": lambda e: {"tx_id": e.tx_id + "x"},
    "kind": lambda e: {"kind": "refund" if e.kind != "refund" else "deposit"},
    "amount_minor": lambda e: {"amount_minor": e.amount_minor - 1},
    "currency": lambda e: {"currency": "GBP"},
    "memo": lambda e: {"memo": {**e.memo, "added": 1}},
    "created_at": lambda e: {"created_at": e.created_at + timedelta(microseconds=1)},
    "prev_hash": lambda e: {"prev_hash": hashlib.sha256(e.prev_hash.encode()).hexdigest()},
    "hash": lambda e: {"hash": hashlib.sha256(e.hash.encode()).hexdigest()},
}


@settings(max_examples=80, deadline=None)
@given(
    ops,
    st.sampled_from(sorted(FIELD_CHANGES)),
    st.data(),
)
def test_any_changed_field_fails_exactly_at_its_line(
    steps: list[tuple[int, int, str, int]], name: str, data: st.DataObject
) -> None:
    book, _ = run_ops(steps)
    index = data.draw(st.integers(0, len(book.entries) - 1), label="line")
    entries = book.entries[:]
    entries[index] = replace(entries[index], **FIELD_CHANGES[name](entries[index]))
    result = L.verify_statement_lines([L.entry_to_json(e) for e in entries])
    assert (result.ok, result.line) == (False, index + 1), result.reason
    assert L.verify(entries).first_bad == index


def test_an_earn_pays_the_price_from_escrow_and_moves_the_answers_hold_either_way() -> None:
    tx = L.earn(7, 9, usd(5), usd(45), {"assignment_id": 1})
    assert tx.kind == "earn"
    assert {(p.account, p.amount.amount_minor) for p in tx.postings} == {
        ("project:7:escrow", -50), ("worker:9:pending", 5), ("project:7:reserved", 45)}
    # The hold can shrink: what the reserved account no longer needs goes back to the escrow.
    assert {(p.account, p.amount.amount_minor) for p in L.earn(7, 9, usd(5), usd(-3)).postings
            } == {("project:7:escrow", -2), ("worker:9:pending", 5), ("project:7:reserved", -3)}
    # A leg of nothing is left out.
    assert [p.account for p in L.earn(7, 9, usd(5), usd(0)).postings] == [
        "project:7:escrow", "worker:9:pending"]
    assert [p.account for p in L.earn(7, 9, usd(5), usd(-5)).postings] == [
        "worker:9:pending", "project:7:reserved"]


@pytest.mark.parametrize(("price", "hold"), [(0, 0), (0, 3), (-1, 5)])
def test_earning_nothing_or_a_negative_price_is_refused(price: int, hold: int) -> None:
    with pytest.raises(InvalidInput):
        L.earn(7, 9, usd(price), usd(hold))

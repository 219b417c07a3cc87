"""Sums are checked before they are written: no balance passes MAX_AMOUNT_MINOR, and a
statement that does is reported, never a crash."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairlabel.domain import ledger as L
from fairlabel.domain.charter import FloorTable
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.money import MAX_AMOUNT_MINOR, AmountTooLarge, Money

MAX = MAX_AMOUNT_MINOR
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def usd(minor: int) -> Money:
    return Money(minor, "USD")


def test_the_balances_after_a_transaction_are_its_sums() -> None:
    tx = L.fund(1, 7, usd(500))
    after = L.balances_after({"requester:1:funds": 800, "other": 5}, tx)
    assert after == {"requester:1:funds": 300, "project:7:escrow": 500}


@given(st.integers(min_value=0, max_value=MAX), st.integers(min_value=1, max_value=MAX))
def test_a_sum_past_the_maximum_is_refused_either_side(held: int, more: int) -> None:
    tx = L.deposit(1, usd(more))
    current = {"requester:1:funds": held, "world": -held}
    if held + more <= MAX:
        assert L.balances_after(current, tx)["world"] == -(held + more)
        return
    with pytest.raises(AmountTooLarge, match="nothing was recorded") as refused:
        L.balances_after(current, tx)
    assert "1000000000000" in refused.value.message and refused.value.code == "amount_too_large"


def test_world_is_bounded_too_so_no_stored_sum_nears_bigint() -> None:
    # Two requesters each under the maximum: the platform as a whole may not pass it either.
    with pytest.raises(AmountTooLarge, match=r"the money brought onto the platform to "
                                             r"10000000000\.01 USD in all"):
        L.balances_after({"world": -(MAX - 10)}, L.deposit(2, usd(11)))


def _statement(amounts: list[int], currency: str = "USD") -> list[str]:
    heads: dict[str, tuple[int, str]] = {}
    lines = []
    for number, amount in enumerate(amounts):
        tx = L.deposit(1, Money(amount, currency))
        entries = L.append(heads, tx, f"tx-{number}", NOW)
        heads = L.heads_of(entries, heads)
        lines += [L.entry_to_json(e) for e in entries if e.account != L.WORLD]
    return lines


def test_a_statement_whose_balance_passes_the_maximum_does_not_verify() -> None:
    lines = _statement([MAX, 1])  # chains fine, but no real ledger ever wrote it
    result = L.verify_statement_lines(lines)
    assert (result.ok, result.line) == (False, 2)
    assert "passes the largest balance" in result.reason
    assert result.balances == {"requester:1:funds": {"USD": usd(MAX)}}


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("amount_minor", 2**63, "wrong value: amount_minor is beyond 1000000000000"),
    ("amount_minor", -(10**40), "wrong value: amount_minor is beyond"),
    ("currency", "XYZ", "wrong value: currency “XYZ” is not an ISO 4217 code"),
])
def test_a_statement_line_beyond_money_is_a_reported_problem(
        field: str, value: object, reason: str) -> None:
    line = json.loads(_statement([5])[0])
    line[field] = value
    result = L.verify_statement_lines([json.dumps(line, sort_keys=True, separators=(",", ":"))])
    assert (result.ok, result.line) == (False, 1)
    assert result.reason.startswith(reason), result.reason


def test_a_currency_without_a_floor_is_refused_in_plain_words() -> None:
    floors = FloorTable({"USD": 1500, "EUR": 0}, {"DE": {"JPY": 2000}})
    floors.require("USD")
    for currency in ("JPY", "EUR"):  # a country floor alone, or a floor of 0, is none
        with pytest.raises(InvalidInput, match=f"no floor is set for {currency}; an operator "
                                             "sets one with FAIRLABEL_FLOORS"):
            floors.require(currency)

"""`fairlabel ledger verify` end to end on statement files: verified, tampered, unreadable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fairlabel.adapters.cli.ledger import ledger
from fairlabel.domain import ledger as L
from fairlabel.domain.ledger import Entry
from fairlabel.domain.money import Money

START = datetime(2025, 4, 1, 9, 30, tzinfo=UTC)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(ledger, ["verify", *map(str, args)])


def build(pay: int = 1_250) -> list[Entry]:
    """A small platform history; worker 9 earns, is approved, topped up and paid out."""
    txs = [
        L.deposit(1, Money(100_000, "USD")),
        L.fund(1, 7, Money(50_000, "USD"), fee=Money(1_000, "USD")),
        L.hold(7, Money(10_000, "USD")),
        L.earn(7, 9, Money(pay, "USD"), Money(-pay, "USD"), {"task": 1, "project": "Nova ✓"}),
        L.earn(7, 8, Money(900, "USD"), Money(-900, "USD"), {"task": 2}),
        L.approve(9, Money(pay, "USD"), {"by": "auto"}),
        L.topup(7, 9, Money(75, "USD"), {"floor": "USD 15.00/h"}, approved=True),
        L.payout_batch(9, Money(pay, "USD")),
        L.payout_sent(9, Money(pay, "USD"), {"file": "payouts-2025-04.csv"}),
    ]
    heads: dict[str, tuple[int, str]] = {}
    entries: list[Entry] = []
    for number, tx in enumerate(txs, start=1):
        new = L.append(heads, tx, f"tx{number}", START + timedelta(minutes=number))
        heads = L.heads_of(new, heads)
        entries += new
    return entries


def statement(entries: list[Entry], worker: str = "9") -> list[str]:
    return [L.entry_to_json(e) for e in entries if L.owner_of(e.account) == ("worker", worker)]


def write(path: Path, lines: list[str], end: str = "\n") -> Path:
    path.write_bytes("".join(line + end for line in lines).encode("utf-8"))
    return path


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(tmp_path / "statement.jsonl", statement(build()))


def test_a_good_statement_verifies_and_shows_balances(good: Path) -> None:
    result = run(good)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "verified 8 entries in 4 accounts"
    shown = {line.split()[0]: " ".join(line.split()[1:]) for line in lines[1:]}
    assert shown == {
        "worker:9:available": "0.75 USD",
        "worker:9:paid": "12.50 USD",
        "worker:9:payout": "0.00 USD",
        "worker:9:pending": "0.00 USD",
    }


def test_a_whole_ledger_with_crlf_line_ends_verifies(tmp_path: Path) -> None:
    lines = [L.entry_to_json(e) for e in build()]
    result = run(write(tmp_path / "all.jsonl", lines, end="\r\n"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"verified {len(lines)} entries in 10 accounts\n")
    assert ["world", "-1000.00", "USD"] in [line.split() for line in result.output.splitlines()]


def test_an_empty_statement_has_nothing_to_verify(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    result = run(empty)
    assert (result.exit_code, result.output) == (0, "verified 0 entries in 0 accounts\n")


def test_a_changed_amount_is_caught_at_its_line(tmp_path: Path) -> None:
    lines = statement(build())
    assert '"amount_minor":1250' in lines[2]
    lines[2] = lines[2].replace('"amount_minor":1250', '"amount_minor":9250')
    result = run(write(tmp_path / "tampered.jsonl", lines))
    assert result.exit_code == 1
    assert result.output == "line 3: entry changed or forged: its hash does not match its content\n"


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (lambda ls: ls[:3] + ls[4:], "line 4: gap in seq"),
        (lambda ls: [ls[1], ls[0], *ls[2:]], "line 1: gap in seq"),
        (lambda ls: [*ls[:5], "{not json", *ls[5:]], "line 6: unparsable: not valid JSON"),
        (lambda ls: [*ls[:4], "", *ls[4:]], "line 5: unparsable: not valid JSON"),
        (lambda ls: [ls[0].replace('":', '": '), *ls[1:]], "line 1: not in canonical form"),
        (
            lambda ls: [*ls[:1], ls[1].replace('"memo":{', '"memo":{"x":1.5,'), *ls[2:]],
            "line 2: wrong type: memo",
        ),
    ],
)
def test_tampering_is_reported_with_its_line(
    tmp_path: Path, tamper: Callable[[list[str]], list[str]], expected: str
) -> None:
    result = run(write(tmp_path / "tampered.jsonl", tamper(statement(build()))))
    assert result.exit_code == 1, result.output
    assert result.output.startswith(expected), result.output


def test_a_byte_that_is_not_utf8_is_reported_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "statement.jsonl", statement(build()))
    data = path.read_bytes().replace("✓".encode(), b"\xe2\x9c", 1)
    path.write_bytes(data)
    result = run(path)
    assert (result.exit_code, result.output) == (1, "line 1: unparsable: not UTF-8 text\n")


def test_a_missing_or_unreadable_file_exits_2(tmp_path: Path) -> None:
    result = run(tmp_path / "nope.jsonl")
    assert result.exit_code == 2
    assert "cannot read" in result.output and "nope.jsonl" in result.output
    assert "No such file or directory" in result.output
    assert run(tmp_path).exit_code == 2


def test_previous_statement_proves_history_was_kept(tmp_path: Path, good: Path) -> None:
    earlier = write(tmp_path / "march.jsonl", statement(build())[:5])
    result = run(good, "--previous", earlier)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("history kept: all 5 entries of the earlier statement\n")


def test_previous_statement_reveals_rewritten_history(tmp_path: Path, good: Path) -> None:
    # The platform re-chains a history where worker 9 earned less: every hash is consistent,
    # so the new file verifies on its own, but not against what the worker saved before.
    rewritten = write(tmp_path / "rewritten.jsonl", statement(build(pay=1_000)))
    assert run(rewritten).exit_code == 0
    result = run(rewritten, "--previous", good)
    assert result.exit_code == 1
    assert "history changed: worker:9:pending entry 2 differs" in result.output
    cut = write(tmp_path / "cut.jsonl", statement(build())[:2])
    result = run(cut, "--previous", good)
    assert result.exit_code == 1
    assert "history changed: worker:9:paid entry 1 is missing" in result.output


def test_a_bad_previous_statement_is_reported(tmp_path: Path, good: Path) -> None:
    bad = write(tmp_path / "bad.jsonl", ["{"])
    result = run(good, "--previous", bad)
    assert (result.exit_code, result.output) == (
        1,
        "earlier statement, line 1: unparsable: not valid JSON\n",
    )
    assert run(good, "--previous", tmp_path / "missing.jsonl").exit_code == 2


def test_help_describes_the_command() -> None:
    result = CliRunner().invoke(ledger, ["verify", "--help"])
    assert result.exit_code == 0
    assert "STATEMENT.jsonl" in result.output and "--previous" in result.output

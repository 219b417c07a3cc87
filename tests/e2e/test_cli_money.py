"""`fairlabel funds deposit`, `sweep`, `payouts export` and `payouts mark-sent`."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import assignment, pay, payouts, projects, schedule
from tests.conftest import Accounts
from tests.support.cli import run_cli
from tests.support.funding import OPERATOR, operator


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("FAIRLABEL_DATABASE_URL", database_url)
    monkeypatch.setenv("FAIRLABEL_REVIEW_WINDOW_HOURS", "0")
    monkeypatch.setenv("FAIRLABEL_PAYOUT_THRESHOLDS", '{"EUR": 100}')
    monkeypatch.setenv("FAIRLABEL_SEPA_DEBTOR_NAME", "fairlabel cooperative")
    monkeypatch.setenv("FAIRLABEL_SEPA_DEBTOR_IBAN", "DE89370400440532013000")
    return database_url


def run(*args: str) -> tuple[int, str]:
    result = run_cli(list(args))
    return result.exit_code, result.output


def test_deposit_then_sweep_then_pay_out(cli_env: str, container: Container,
                                        people: Accounts, tmp_path: Path) -> None:
    operator(container)
    requester = people.make(Role.REQUESTER)[0]
    worker = people.make(Role.WORKER)[0]
    code, out = run("funds", "deposit", requester.email, "50.00", "--currency", "EUR",
                    "--as", OPERATOR)
    assert code == 0 and "50.00 EUR" in out
    code, out = run("funds", "deposit", requester.email, "-5", "--currency", "EUR",
                    "--as", OPERATOR)
    assert code != 0
    code, out = run("funds", "deposit", requester.email, "5", "--as", requester.email)
    assert code == 1 and "not an admin" in out
    now = container.clock()
    project = projects.create_project(container.db, requester, ProjectTerms(
        "p", "", parse_schema({"type": "single_choice", "choices": ["a", "b"]}), 1,
        Money(150, "EUR"), 60), policy=container.charter, now=now)
    projects.import_tasks(container.db, requester, project.id, [{"t": 1}], max_rows=5, now=now)
    pay.fund_project(container.db, requester, project.id, Money(40_00, "EUR"), now=now)
    projects.launch_project(container.db, requester, project.id, now=now, policy=container.charter)
    lease = assignment.request_next(container.db, worker, project.id, now=now,
                                    policy=container.charter)
    assert lease is not None
    assignment.submit_answer(container.db, worker, lease.assignment_id, "a",
                             idempotency_key=None, now=now, policy=container.charter)
    payouts.set_details(container.db, worker, name="Ada Worker",
                        iban="DE44 5001 0517 5407 3249 31", bic=None, country="DE")
    code, out = run("sweep")
    assert code == 0 and "approved 1 answers" in out and "1 payouts" in out
    target = tmp_path / "payouts.csv"
    code, out = run("payouts", "export", "--format", "csv", "--as", OPERATOR, "--out",
                    str(target))
    [row] = list(csv.DictReader(target.open(newline="")))
    assert row["amount"] == "1.50" and row["currency"] == "EUR"
    sepa = tmp_path / "payouts.xml"
    code, out = run("payouts", "export", "--format", "sepa", "--as", OPERATOR, "--out",
                    str(sepa))
    assert code == 0, out
    amounts = [e.text for e in ET.parse(sepa).iter() if e.tag.endswith("InstdAmt")]
    assert amounts == ["1.50"]
    code, out = run("payouts", "mark-sent", row["payout_id"], "--as", OPERATOR)
    assert code == 0
    earned = pay.earnings(container.db, worker, container.charter).balances
    assert earned["paid"]["EUR"] == Money(150, "EUR")
    assert earned["available"]["EUR"] == Money(0, "EUR")
    code, out = run("payouts", "mark-sent", row["payout_id"], "--as", OPERATOR)
    assert code == 1 and "already sent" in out


def test_deposits_read_a_decimal_comma_and_refuse_what_money_cannot_be(
        cli_env: str, container: Container, people: Accounts) -> None:
    operator(container)
    requester = people.make(Role.REQUESTER)[0]
    code, out = run("funds", "deposit", requester.email, "12,50", "--currency", "eur",
                    "--as", OPERATOR)
    assert code == 0 and "12.50 EUR" in out, out
    for amount, currency, words in [
            ("10000000000.01", "EUR", "no amount may exceed 1000000000000 minor units"),
            ("9999999999", "EUR", "would take requester:"),  # 12.50 + this passes the maximum
            ("500", "JPY", "no floor is set for JPY; an operator sets one with FAIRLABEL_FLOORS"),
            ("5", "XYZ", "not an ISO 4217 currency")]:
        code, out = run("funds", "deposit", requester.email, amount, "--currency", currency,
                        "--as", OPERATOR)
        assert code == 1 and words in out, out
    from fairlabel.domain import ledger

    with container.db.read() as tx:
        assert tx.ledger.balance(ledger.requester_funds(requester.id), "EUR") == 12_50
        assert tx.ledger.balance(ledger.WORLD, "EUR") == -12_50


def test_sweep_runs_every_job_each_time_and_records_the_runs(cli_env: str,
                                                               container: Container) -> None:
    """Though nothing is due the second time, `fairlabel sweep` runs everything again; each
    run is recorded in job_runs as that period's, so servers that sweep wait for the next."""
    for _ in range(2):
        code, out = run("sweep")
        assert code == 0 and out.startswith("expired 0 leases"), out
    runs = schedule.job_runs(container.db)
    assert [(r.name, r.runs) for r in runs] == [("measure", 2), ("sweep", 2)]
    assert all(r.claimed_by is not None and r.claimed_by.endswith("(fairlabel sweep)")
               and r.finished_at is not None and r.report == out.strip() for r in runs)
    assert all(r.claimed_at is not None and r.due_at > r.claimed_at for r in runs)

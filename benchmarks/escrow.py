"""What escrow first costs a requester, and whether workers wait: realistic projects run
through the real use cases on a fresh SQLite file, with simulated workers on a simulated
clock.

For each scenario it prints what the project held at its peak and at its end, how much of the
escrow could be withdrawn after it ended, how often a worker was told to wait for funds, how
far the reserved account ever fell below the answers' hold and the escrow at its lowest, and
— from the same run — what the rules before answer holds would have kept (each answer's
allowance of the whole lease at the floor, kept until approval 72 hours later). Every figure
is in the project's currency.

    .venv/bin/python benchmarks/escrow.py [--seed 7]
"""

from __future__ import annotations

import argparse
import heapq
import random
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from math import ceil
from pathlib import Path

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.migrate import upgrade
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.commitments import EndMode
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import accounts, assignment, ending, funding, jobs, pay, projects
from fairlabel.services.assignment import EscrowExhausted
from fairlabel.services.steps import holds

HOUR_MS = 3_600_000


@dataclass(frozen=True)
class Scenario:
    name: str
    tasks: int
    redundancy: int
    price: int  # minor units
    lease_seconds: int
    funding: int
    workers: int
    median_seconds: float  # of a log-normal working time
    # A requester funding as they go: each time a worker is told to wait for funds, this
    # much more (0: all of it up front).
    step: int = 0


SCENARIOS = [
    Scenario("48 tasks × 1 at 0.01, 60 s lease, 5.00 funded", 48, 1, 1, 60, 5_00, 8, 3.0),
    Scenario("40 tasks × 3 at 0.05, 60 s lease, 15.00 funded", 40, 3, 5, 60, 15_00, 8, 5.0),
    Scenario("53 tasks × 1 at 0.30, 600 s lease, 60.00 funded", 53, 1, 30, 600, 60_00, 4, 45.0),
    Scenario("300 tasks × 3 at 0.05, 300 s lease, 80.00 funded", 300, 3, 5, 300, 80_00,
             16, 12.0),
    Scenario("300 tasks × 3 at 0.05, 120 s lease, 130.00 funded", 300, 3, 5, 120, 130_00,
             16, 12.0),
    # Priced under the floor (top-ups while leases at the old price are live) and funded
    # just in time: what the answers' hold must keep whole with no free escrow to spare.
    Scenario("200 tasks × 3 at 0.02, 60 s lease, 3.00 funded, then 0.50 at a time", 200, 3,
             2, 60, 3_00, 12, 12.0, step=50),
]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Figures:
    answers: int = 0
    waited: int = 0
    peak_held: int = 0
    peak_old_rules: int = 0
    funded: int = 0  # added as the project went
    short: int = 0  # the most the reserved account was ever below the answers' hold
    lowest_escrow: int = 0  # the project's escrow at its lowest (below 0: a broken promise)


def held(container: Container, pid: int) -> int:
    with container.db.read() as tx:
        return (tx.escrow.held(pid)
                + tx.ledger.balance(ledger.project_reserved(pid), "USD"))


def run(scenario: Scenario, seed: int) -> None:
    directory = Path(tempfile.mkdtemp(prefix="fairlabel-escrow-"))
    url = f"sqlite:///{directory / 'bench.db'}"
    clock = Clock()
    settings = Settings(database_url=url, sweep_seconds=0, consensus_process=False)
    upgrade_engine(url)
    container = bootstrap(settings, clock=clock)
    rng = random.Random(seed)
    db, now = container.db, clock()
    admin = accounts.add_user(db, email="op@x.org", password="password-1", role=Role.ADMIN,
                              now=now)
    requester = accounts.add_user(db, email="r@x.org", password="password-1",
                                  role=Role.REQUESTER, now=now)
    workers = [accounts.add_user(db, email=f"w{i}@x.org", password="password-1",
                                 role=Role.WORKER, now=now) for i in range(scenario.workers)]
    project = projects.create_project(db, requester, ProjectTerms(
        scenario.name, "Choose.", parse_schema({"type": "single_choice", "choices": ["a", "b"]}),
        scenario.redundancy, Money(scenario.price, "USD"), scenario.lease_seconds),
        policy=container.charter, now=now)
    projects.import_tasks(db, requester, project.id,
                          [{"text": str(i)} for i in range(scenario.tasks)],
                          max_rows=100_000, now=now)
    pay.deposit(db, admin, requester_email="r@x.org", amount=Money(scenario.funding, "USD"),
                policy=container.charter, now=now)
    pay.fund_project(db, requester, project.id, Money(scenario.funding, "USD"), now=now)
    projects.launch_project(db, requester, project.id, now=now, policy=container.charter)
    print(f"\n{scenario.name} — {scenario.workers} workers, median {scenario.median_seconds} s")
    figures = crowd(container, clock, workers, project.id, scenario, rng, admin, requester)
    jobs.run_due_work(db, container.charter, now=clock())
    before_end = funding.project_funding(db, requester, project.id, policy=container.charter,
                                         now=clock())
    ended = ending.end_project(db, requester, project.id, reason="All tasks are answered.",
                               mode=EndMode.IMMEDIATE, policy=container.charter, now=clock())
    after = funding.project_funding(db, requester, project.id, policy=container.charter,
                                    now=clock())
    notice = sum(m.amount_minor for m in ended.notice_pay.values())
    work = scenario.tasks * scenario.redundancy
    print(f"  answers {figures.answers}/{work}; requests told to wait for funds: "
          f"{figures.waited}")
    if scenario.step:
        print(f"  funded as it went: {usd(figures.funded)} more")
    print(f"  reserved account below the answers' hold by at most {usd(figures.short)}; "
          f"escrow at its lowest {usd(figures.lowest_escrow)}")
    print(f"  held at peak: {usd(figures.peak_held)} (rules before: "
          f"{usd(figures.peak_old_rules)}, or the project stops)")
    print(f"  held when the work was done: {before_end.held}; free {before_end.free_escrow}; "
          f"kept for notice pay {before_end.notice_liability}")
    print(f"  ended at once: notice pay {usd(notice)}; settled: {after.settled}; "
          f"withdrawable {after.withdrawable} of {usd(scenario.funding + figures.funded)} "
          "funded")
    container.close()


def watch(container: Container, pid: int, figures: Figures) -> None:
    """Whether the reserved account holds the answers' hold, and the escrow stays whole."""
    with container.db.read() as tx:
        project = tx.projects.get(pid)
        assert project is not None
        hold = holds.hold_for(project, tx.holds.totals(pid), container.charter)
        reserved = tx.ledger.balance(ledger.project_reserved(pid), "USD")
        escrow = tx.ledger.balance(ledger.project_escrow(pid), "USD")
    figures.short = max(figures.short, hold - reserved)
    figures.lowest_escrow = min(figures.lowest_escrow, escrow)


def crowd(container: Container, clock: Clock, workers: list[User], pid: int,
          scenario: Scenario, rng: random.Random, admin: User, requester: User) -> Figures:
    figures = Figures()
    floor = container.charter.floors.hourly("USD")
    old_allowance = max(0, ceil(floor * scenario.lease_seconds * 1000 / HOUR_MS)
                        - scenario.price)
    queue: list[tuple[datetime, int, str, int]] = [
        (clock() + timedelta(milliseconds=97 * i), i, "next", 0) for i in range(len(workers))]
    answered_at: list[datetime] = []
    while queue:
        when, index, step, lease_id = heapq.heappop(queue)
        clock.now = max(clock.now, when)
        if step == "next":
            try:
                lease = assignment.request_next(container.db, workers[index], pid,
                                                now=clock(), policy=container.charter)
            except EscrowExhausted:
                figures.waited += 1
                if scenario.step:  # the requester adds a little more, as they go
                    add = Money(scenario.step, "USD")
                    pay.deposit(container.db, admin, requester_email="r@x.org", amount=add,
                                policy=container.charter, now=clock())
                    pay.fund_project(container.db, requester, pid, add, now=clock())
                    figures.funded += scenario.step
                if figures.waited > 50 * len(workers) + figures.answers * len(workers):
                    print("  stopped: the project waits for funds for good")
                    return figures
                heapq.heappush(queue, (clock() + timedelta(seconds=5), index, "next", 0))
                continue
            if lease is None:
                continue
            took = min(rng.lognormvariate(0, 0.6) * scenario.median_seconds,
                       scenario.lease_seconds - 1)
            heapq.heappush(queue, (clock() + timedelta(seconds=took), index, "submit",
                                   lease.assignment_id))
        else:
            assignment.submit_answer(container.db, workers[index], lease_id, "a",
                                     idempotency_key=None, now=clock(), policy=container.charter)
            figures.answers += 1
            answered_at.append(clock())
            if figures.answers % 50 == 0:  # measurement and top-ups, as the sweep does
                jobs.run_due_work(container.db, container.charter, now=clock(),
                                  consensus_interval=timedelta(days=1))
            heapq.heappush(queue, (clock(), index, "next", 0))
        figures.peak_held = max(figures.peak_held, held(container, pid))
        watch(container, pid, figures)
        # Before: each lease held the whole lease at the floor, and each answer kept its
        # allowance until approved, 72 hours after it was submitted.
        live = sum(1 for _, _, s, _ in queue if s == "submit")
        recent = len(answered_at)  # every run here lasts less than the 72-hour window
        figures.peak_old_rules = max(figures.peak_old_rules,
                                     live * (scenario.price + old_allowance)
                                     + recent * old_allowance)
    return figures


def upgrade_engine(url: str) -> None:
    from fairlabel.adapters.db.engine import make_engine

    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def usd(minor: int) -> str:
    return str(Money(minor, "USD"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for scenario in SCENARIOS:
        run(scenario, args.seed)


if __name__ == "__main__":
    main()

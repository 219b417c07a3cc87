"""Consensus upkeep: incremental update on each answer vs periodic refit — which is cheaper.

Runs the real use cases in process on a fresh SQLite file (and on PostgreSQL when
FAIRLABEL_BENCH_POSTGRES_URL names an empty database): simulated workers answer every task of
a project, once with a confidence target (the consensus is updated in each answer's
transaction) and once without (only counted); then the periodic refit runs over the whole
project. Prints the extra cost of the incremental update per answer, the cost of one refit, and
what refitting at various intervals costs per answer.

    .venv/bin/python benchmarks/consensus.py [--tasks 1500] [--workers 12]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.migrate import upgrade
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import QualityTerms
from fairlabel.services import accounts, assignment, pay, projects, quality


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=500)
        return self.now


def run_project(
    container: Container,
    requester: User,
    workers: list[User],
    *,
    tasks: int,
    target: float | None,
    seed: int,
) -> tuple[list[float], int]:
    """Every worker labels the project until nothing is left; returns per-submit seconds."""
    clock = container.clock
    terms = ProjectTerms(
        f"bench {target}",
        "",
        parse_schema({"type": "single_choice", "choices": ["a", "b"]}),
        5,
        Money(5, "USD"),
        600,
        quality=QualityTerms(consensus_method="ds", confidence_target=target),
    )
    project = projects.create_project(container.db, requester, terms,
                                      policy=container.charter, now=clock())
    projects.import_tasks(
        container.db,
        requester,
        project.id,
        [{"text": f"t{i}"} for i in range(tasks)],
        max_rows=tasks,
        now=clock(),
    )
    operator = accounts.find_user(container.db, "op@bench.example") or accounts.add_user(
        container.db,
        email="op@bench.example",
        password="bench-password",
        role=Role.ADMIN,
        now=clock(),
    )
    amount = Money(tasks * 5 * 300, "USD")  # each lease sets aside up to 2.50 USD
    pay.deposit(container.db, operator, requester_email=requester.email, amount=amount,
                policy=container.charter, now=clock())
    pay.fund_project(container.db, requester, project.id, amount, now=clock())
    projects.launch_project(container.db, requester, project.id, now=clock(),
                            policy=container.charter)
    rng = random.Random(seed)
    truth = {i: rng.choice("ab") for i in range(tasks)}
    skill = {w.id: rng.uniform(0.6, 0.95) for w in workers}
    timings: list[float] = []
    active = list(workers)
    while active:
        for worker in list(active):
            lease = assignment.request_next(
                container.db, worker, project.id, now=clock(), policy=container.charter, rng=rng
            )
            if lease is None:
                active.remove(worker)
                continue
            right = truth[int(lease.data["text"][1:])]
            value = right if rng.random() < skill[worker.id] else ("b" if right == "a" else "a")
            started = time.perf_counter()
            assignment.submit_answer(
                container.db, worker, lease.assignment_id, value, idempotency_key=None, now=clock(),
                                     policy=container.charter)
            timings.append(time.perf_counter() - started)
    return timings, project.id


def bench(url: str, *, tasks: int, n_workers: int) -> None:
    container = bootstrap(Settings(database_url=url, sweep_seconds=0), clock=Clock())
    upgrade(container.engine)
    clock = container.clock
    requester = accounts.add_user(
        container.db,
        email="req@bench.example",
        password="bench-password",
        role=Role.REQUESTER,
        now=clock(),
    )
    workers = [
        accounts.add_user(
            container.db,
            email=f"w{i}@bench.example",
            password="bench-password",
            role=Role.WORKER,
            now=clock(),
        )
        for i in range(n_workers)
    ]
    plain, plain_id = run_project(container, requester, workers, tasks=tasks, target=None, seed=1)
    adaptive, adaptive_id = run_project(
        container, requester, workers, tasks=tasks, target=0.95, seed=1
    )
    refits = []
    for _ in range(3):
        with container.engine.begin() as conn:  # make the project stale again
            from sqlalchemy import update

            from fairlabel.adapters.db.tables import projects as projects_table

            conn.execute(
                update(projects_table)
                .where(projects_table.c.id == plain_id)
                .values(consensus_until=None)
            )
        gc.collect()  # a full collection of the run so far would land in one refit or another
        started = time.perf_counter()
        quality.refresh_consensus(container.db, now=clock(), project_id=plain_id)
        refits.append(time.perf_counter() - started)
    refit = statistics.median(refits)
    base, incr = statistics.median(plain) * 1000, statistics.median(adaptive) * 1000
    saved = quality.project_quality(container.db, requester, adaptive_id, now=clock()).summary
    name = container.engine.dialect.name
    print(f"\n{name}: {tasks} tasks, redundancy 5, {n_workers} workers, Dawid–Skene")
    print(f"  submit without consensus  median {base:7.3f} ms  ({len(plain)} answers)")
    print(
        f"  submit + incremental      median {incr:7.3f} ms  ({len(adaptive)} answers; "
        f"adaptive stop at 0.95 saved {saved.answers_saved} answers)"
    )
    print(f"  incremental update cost   {incr - base:+7.3f} ms per answer")
    print(f"  one refit of the project  {refit * 1000:7.1f} ms over {len(plain)} answers")
    print(
        f"  refit after every answer  {refit * 1000:7.1f} ms per answer "
        f"({refit * 1000 / max(incr - base, 1e-3):.0f}x the incremental update)"
    )
    for rate, every in ((10, 10), (100, 10), (100, 60)):
        per = refit * 1000 / (rate * every)
        print(f"  refit every {every:>2} s at {rate:>3} answers/s  {per:7.3f} ms per answer")
    container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1500)
    parser.add_argument("--workers", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        bench(f"sqlite:///{Path(scratch) / 'bench.db'}", tasks=args.tasks, n_workers=args.workers)
    if os.environ.get("FAIRLABEL_BENCH_POSTGRES_URL"):
        bench(os.environ["FAIRLABEL_BENCH_POSTGRES_URL"], tasks=args.tasks, n_workers=args.workers)


if __name__ == "__main__":
    main()

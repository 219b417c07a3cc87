"""One sweep (``services.jobs.run_due_work``) on a platform with --answers answers awaiting
approval, of which only a few are due, and --requesters requesters each with a project, on
SQLite and PostgreSQL.

The platform is built with bulk inserts through the project's own tables (users, projects and
their holds, tasks, submitted answers, workers' balances), not through the use cases. Half the
projects serve work and share the answers; a quarter have ended (settled), a quarter are
drafts. Every answer was submitted less than the review window ago, --due of them just
inside it. Then:

1. ``catch-up``: a first sweep measures every project, refits its consensus and brings every
   periodic figure up to date (what a platform upgraded to this version does once);
2. between sweeps, --due answers reach the end of their review window and --new answers are
   submitted to a few projects (their totals updated as a submission updates them);
3. ``sweep``: the sweep that is timed, job by job; the target is < 2 s in all, and a cost
   independent of the answers that are not due, shown by the same sweep on a platform with
   10x fewer answers (--no-independence to skip it).

Each job is timed by wrapping the functions ``run_due_work`` calls (a job called inside
another is counted in both). PostgreSQL runs when FAIRLABEL_TEST_POSTGRES_URL is set (an
admin URL: a fresh database is created and dropped). Usage::

    .venv/bin/python benchmarks/sweep.py                    # 100,000 answers, 1,000 requesters
    .venv/bin/python benchmarks/sweep.py --answers 1000000 --requesters 10000
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import func, insert, select, update  # noqa: E402
from tests.support.databases import (  # noqa: E402
    fresh_postgres_database,
    migrated_sqlite_template,
    postgres_admin_url,
)

from fairlabel.adapters.db.earnings import Change, EarningsByHour  # noqa: E402
from fairlabel.adapters.db.tables import (  # noqa: E402
    assignments,
    ledger_accounts,
    ledger_balances,
    project_holds,
    projects,
    tasks,
    users,
)
from fairlabel.bootstrap import bootstrap  # noqa: E402
from fairlabel.config import Settings  # noqa: E402
from fairlabel.domain import ledger  # noqa: E402
from fairlabel.domain.label_schema import parse_schema  # noqa: E402
from fairlabel.services import appeals, ending, jobs  # noqa: E402

LABELS = ["positive", "negative", "neutral"]
SCHEMA = parse_schema({"type": "single_choice", "choices": LABELS}).to_dict()
REDUNDANCY = 5
PRICE = 20  # USD cents for about 30 s: above the floor, so the catch-up pays no top-ups
WORKED = timedelta(seconds=30)
BATCH = 20_000
TARGET_S = 2.0

# The functions run_due_work calls, timed where they are looked up (module, attribute).
# Before 0013 the notice liability and the block rules ran over every serving project
# (each_serving_project) and every project with answers was measured (_projects_with_answers).
TIMED = [(appeals, "overturn_overdue"), (jobs, "expire_leases"), (ending, "close_due"),
         (ending, "settle_due"), (ending, "refresh_notice_liability"),
         (jobs, "refresh_notice_liabilities"), (jobs, "apply_due_prices"),
         (jobs, "_projects_with_answers"), (jobs, "_projects_to_measure"),
         (jobs, "measure_and_top_up"), (jobs, "approve_due"),
         (jobs, "propose_blocks_where_due"), (jobs, "batch_payouts"),
         (jobs, "refresh_consensus"), (jobs, "each_serving_project")]


def _settings(url: str, media: str) -> Settings:
    return Settings(database_url=url, sweep_seconds=0, consensus_process=False,
                    media_dir=media)


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


class Platform:
    """Builds the platform's rows and the changes between two sweeps."""

    def __init__(self, engine: Any, *, n_answers: int, n_requesters: int, n_workers: int,
                 t0: datetime) -> None:
        self.engine, self.t0 = engine, t0
        self.n_answers, self.n_requesters, self.n_workers = n_answers, n_requesters, n_workers
        self.serving: list[int] = []
        self.workers: list[int] = []

    def build(self, n_due: int) -> None:
        t0 = self.t0
        with self.engine.begin() as conn:
            people = [{"email": f"r{i}@bench.example.org", "password_hash": "x",
                       "role": "requester", "pseudonym": f"r{i}", "created_at": t0}
                      for i in range(self.n_requesters)]
            people += [{"email": f"w{i}@bench.example.org", "password_hash": "x",
                        "role": "worker", "pseudonym": f"w{i}", "created_at": t0}
                       for i in range(self.n_workers)]
            for chunk in _chunks(people):
                conn.execute(insert(users), chunk)
            ids = dict(conn.execute(select(users.c.pseudonym, users.c.id)).all())
            self.workers = [ids[f"w{i}"] for i in range(self.n_workers)]
            rows = []
            for i in range(self.n_requesters):
                kind = ("open", "open", "ended", "draft")[i % 4]
                rows.append({
                    "requester_id": ids[f"r{i}"], "name": f"Project {i}",
                    "instructions": "Is the review positive?", "label_schema": SCHEMA,
                    "redundancy": REDUNDANCY, "pay_amount_minor": PRICE, "pay_currency": "USD",
                    "lease_seconds": 600, "status": kind, "created_at": t0 - timedelta(days=30),
                    "launched_at": None if kind == "draft" else t0 - timedelta(days=30),
                    "ended_at": t0 - timedelta(days=20) if kind == "ended" else None,
                    "end_mode": "immediate" if kind == "ended" else None})
            for chunk in _chunks(rows):
                conn.execute(insert(projects), chunk)
            found = conn.execute(select(projects.c.id, projects.c.status)
                                 .order_by(projects.c.id)).all()
            conn.execute(insert(project_holds), [
                {"project_id": pid, "answers": 0, "bound_ms": 0, "lowest_paid_minor": PRICE,
                 "settled_at": t0 - timedelta(days=20) if status == "ended" else None}
                for pid, status in found])
            self.serving = [pid for pid, status in found if status == "open"]
            # Workers' available balances, below the payout threshold (each sweep looks).
            accounts = [ledger.worker_available(w) for w in self.workers]
            conn.execute(insert(ledger_accounts), [
                {"account": a, "seq": 0, "head_hash": ledger.ZERO_HASH} for a in accounts])
            conn.execute(insert(ledger_balances), [
                {"account": a, "currency": "USD", "balance_minor": 500} for a in accounts])
        # Answers: spread over the serving projects; all inside the review window, the
        # first n_due just inside it (due by the timed sweep).
        window = timedelta(hours=72)
        span = (window - timedelta(hours=2)).total_seconds()
        times = [t0 - window + timedelta(minutes=10) if k < n_due
                 else t0 - timedelta(seconds=60 + span * k / self.n_answers)
                 for k in range(self.n_answers)]
        per_project: dict[int, list[datetime]] = defaultdict(list)
        for k, at in enumerate(times):
            per_project[self.serving[k % len(self.serving)]].append(at)
        self.add_answers(per_project)

    def add_answers(self, per_project: dict[int, list[datetime]]) -> None:
        """Tasks and submitted answers (REDUNDANCY per task, distinct workers), and the
        project's totals as each submission updates them."""
        offset = 0
        for project_id, times in per_project.items():
            n_tasks = -(-len(times) // REDUNDANCY)
            with self.engine.begin() as conn:
                first = conn.execute(select(func.coalesce(func.max(tasks.c.id), 0))).scalar_one()
                conn.execute(insert(tasks), [
                    {"project_id": project_id, "data": {"text": f"review {j}"},
                     "max_answers": REDUNDANCY, "taken": REDUNDANCY, "answered": REDUNDANCY,
                     "created_at": self.t0 - timedelta(days=30)} for j in range(n_tasks)])
                task_ids = list(conn.execute(
                    select(tasks.c.id).where(tasks.c.project_id == project_id,
                                             tasks.c.id > first).order_by(tasks.c.id)).scalars())
                rows = []
                for k, at in enumerate(times):
                    task_id = task_ids[k // REDUNDANCY]
                    worker = self.workers[(offset + k) % len(self.workers)]
                    rows.append({"task_id": task_id, "project_id": project_id,
                                 "worker_id": worker, "status": "submitted",
                                 "leased_at": at - WORKED, "lease_expires_at": at + WORKED,
                                 "submitted_at": at, "answer": LABELS[(k * 7) % 3],
                                 "price_minor": PRICE,
                                 "worked_ms": int(WORKED.total_seconds() * 1000)})
                for chunk in _chunks(rows):
                    conn.execute(insert(assignments), chunk)
                earnings = EarningsByHour(conn)  # as each submission counts its pay
                for row in rows:
                    earnings.add(project_id=project_id, worker_id=row["worker_id"],
                                 submitted_at=row["submitted_at"],
                                 change=Change(1, PRICE, row["worked_ms"]))
                earnings.write()
                offset += len(times)
                worked = int(WORKED.total_seconds() * 1000)
                conn.execute(update(project_holds)
                             .where(project_holds.c.project_id == project_id)
                             .values(answers=project_holds.c.answers + len(times),
                                     bound_ms=project_holds.c.bound_ms
                                     + len(times) * 2 * worked,
                                     work_tasks=project_holds.c.work_tasks + n_tasks,
                                     work_capacity=project_holds.c.work_capacity
                                     + n_tasks * REDUNDANCY,
                                     work_answered=project_holds.c.work_answered
                                     + n_tasks * REDUNDANCY))

    def between_sweeps(self, n_new: int, at: datetime) -> None:
        """--new answers submitted to a few projects since the catch-up."""
        changed = self.serving[:max(1, min(5, len(self.serving)))]
        per_project: dict[int, list[datetime]] = defaultdict(list)
        for k in range(n_new):
            per_project[changed[k % len(changed)]].append(at)
        self.add_answers(per_project)


class Timer:
    """Wraps the jobs' functions and adds up the seconds each takes."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._saved: list[tuple[Any, str, Callable[..., Any]]] = []

    def __enter__(self) -> Timer:
        for module, name in TIMED:
            original = getattr(module, name, None)
            if original is None:
                continue
            self._saved.append((module, name, original))
            setattr(module, name, self._wrap(name, original))
        return self

    def _wrap(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
                self.calls[name] += 1
        return timed

    def __exit__(self, *exc: object) -> None:
        for module, name, original in self._saved:
            setattr(module, name, original)


def one_platform(url: str, a: argparse.Namespace, n_answers: int) -> dict[str, Any]:
    t0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as media:
        container = bootstrap(_settings(url, media))
        try:
            platform = Platform(container.engine, n_answers=n_answers,
                                n_requesters=a.requesters, n_workers=a.workers, t0=t0)
            start = time.perf_counter()
            platform.build(a.due)
            built = time.perf_counter() - start
            start = time.perf_counter()
            caught_up = jobs.run_due_work(container.db, container.charter, now=t0)
            catch_up = time.perf_counter() - start
            t1 = t0 + timedelta(minutes=20)
            platform.between_sweeps(a.new, t1 - timedelta(minutes=1))
            with Timer() as timer:
                start = time.perf_counter()
                report = jobs.run_due_work(container.db, container.charter, now=t1)
                total = time.perf_counter() - start
        finally:
            container.close()
    return {"answers": n_answers, "requesters": a.requesters, "workers": a.workers,
            "serving_projects": len(platform.serving), "build_s": round(built, 1),
            "catch_up_s": round(catch_up, 2), "catch_up": caught_up.summary(),
            "sweep_s": round(total, 3), "sweep": report.summary(), "approved": report.approved,
            "jobs": {k: {"s": round(v, 3), "calls": timer.calls[k]}
                     for k, v in sorted(timer.seconds.items(), key=lambda kv: -kv[1])}}


@contextmanager
def _database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as directory:
            yield f"sqlite:///{migrated_sqlite_template(Path(directory))}"
    else:
        with fresh_postgres_database() as url:
            yield url


def _show(backend: str, figures: dict[str, Any]) -> None:
    verdict = "PASS" if figures["sweep_s"] < TARGET_S else "FAIL"
    print(f"{backend}: {figures['answers']:,} answers awaiting approval, "
          f"{figures['requesters']:,} requesters ({figures['serving_projects']:,} serving "
          f"projects), {figures['workers']:,} workers; built in {figures['build_s']} s, "
          f"catch-up sweep {figures['catch_up_s']} s", flush=True)
    print(f"  sweep {figures['sweep_s']:.3f} s  {verdict} (< {TARGET_S:g} s): "
          f"{figures['sweep']}", flush=True)
    for name, job in figures["jobs"].items():
        print(f"    {name:<28}{job['s']:>8.3f} s  ({job['calls']} calls)", flush=True)


def run(a: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for backend in a.backends.split(","):
        if backend == "postgres" and not postgres_admin_url():
            print("postgres: skipped (FAIRLABEL_TEST_POSTGRES_URL is not set)", flush=True)
            continue
        sizes = [a.answers] + ([a.answers // 10] if a.independence else [])
        results[backend] = []
        for n in sizes:
            with _database(backend) as url:
                figures = one_platform(url, a, n)
            _show(backend, figures)
            results[backend].append(figures)
        if len(sizes) == 2:
            big, small = (r["sweep_s"] for r in results[backend])
            print(f"  {backend}: {big:.3f} s with {sizes[0]:,} answers, {small:.3f} s with "
                  f"{sizes[1]:,}: ratio {big / small:.2f}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--answers", type=int, default=100_000,
                    help="answers awaiting approval (target: 1000000)")
    ap.add_argument("--requesters", type=int, default=1_000,
                    help="requesters, one project each (target: 10000)")
    ap.add_argument("--workers", type=int, default=2_000)
    ap.add_argument("--due", type=int, default=100, help="answers due for approval")
    ap.add_argument("--new", type=int, default=100,
                    help="answers submitted between the two sweeps (to 5 projects)")
    ap.add_argument("--no-independence", dest="independence", action="store_false",
                    help="skip the same sweep with 10x fewer answers")
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--out", help="write the figures as JSON here")
    a = ap.parse_args(argv)
    results = run(a)
    if a.out:
        Path(a.out).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

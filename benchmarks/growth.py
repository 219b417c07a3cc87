#!/usr/bin/env python3
"""Growth benchmark: `next` and `submit` latency on a fresh database and on a grown one.

For each database (SQLite, PostgreSQL), over real HTTP against a real `fairlabel serve`, with
the same client as loop.py:

  fresh   a fresh database, a requester and workers made with the CLI, a 3,000-task project
          (imported in one POST, funded, launched), then --clients phases of next+submit.
  grown   a fresh database again, the same users, and a project P created through the API;
          then, with the server stopped, bulk SQL into the real tables: --scale x 1,000,000
          tasks in P (the first --done-share of them answered --redundancy times by synthetic
          workers, the rest open), and synthetic answers in many ended, settled projects by
          many synthetic workers until the database holds --scale x 10,000,000 answers. The
          server starts again, P is funded and launched through the API, and the same phases
          run on P (whose open tasks come after its answered ones, as in a project that has
          been worked on for a while).

It prints each phase's figures and the grown/fresh ratio of next and submit p50 and p95
(target: within 1.5x), and records them with --out. The synthetic answers are approved and
older than the review window and the fast-answer rule's week, and have no ledger entries;
the measured project's own flow (fund, launch, next, submit, its ledger) is the real one.
The server's periodic jobs are off in both runs unless --with-jobs (they read every answer
on their own schedule: the sweep is measured apart).

    .venv/bin/python benchmarks/growth.py           # 1/10: 100,000 tasks, 1,000,000 answers
    .venv/bin/python benchmarks/growth.py --full    # 1,000,000 tasks, 10,000,000 answers
    .venv/bin/python benchmarks/growth.py --scale 0.01 --backends sqlite   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loopbench.client import CLIENTS, one_shot
from loopbench.common import WORK, add_server_options, log
from loopbench.fairlabel_backend import (
    FairlabelDB,
    fairlabel_available,
    fairlabel_serve_argv,
    fl_project,
    make_fl_worker,
    make_users,
)
from loopbench.phase import run_phase
from loopbench.procs import Server, free_port

FULL_TASKS = 1_000_000
FULL_ANSWERS = 10_000_000
FULL_PROJECTS = 1_000
FULL_WORKERS = 10_000
TARGET_RATIO = 1.5
DAY = 86_400


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--backends", default="sqlite,postgres", help="comma list of sqlite, postgres")
    ap.add_argument("--scale", type=float, default=0.1,
                    help="fraction of the full size (1,000,000 tasks in the project, 10,000,000 "
                         "answers in the database)")
    ap.add_argument("--full", action="store_true", help="the full size (--scale 1)")
    ap.add_argument("--tasks", type=int, default=3000, help="tasks of the fresh project")
    ap.add_argument("--redundancy", type=int, default=3)
    ap.add_argument("--done-share", type=float, default=0.6,
                    help="share of the grown project's tasks already answered")
    ap.add_argument("--clients", default="1,8", help="client counts, one phase each")
    ap.add_argument("--cycles", type=int, default=1000, help="max cycles per phase")
    ap.add_argument("--phase-seconds", type=float, default=15.0)
    ap.add_argument("--with-jobs", action="store_true",
                    help="leave the server's periodic jobs on (FAIRLABEL_SWEEP_SECONDS as set "
                         "or its default) instead of FAIRLABEL_SWEEP_SECONDS=0")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--pass-workers-1", action="store_true", help=argparse.SUPPRESS)
    add_server_options(ap)
    a = ap.parse_args(argv)
    if a.full:
        a.scale = 1.0
    a.backend_list = [b.strip() for b in a.backends.split(",") if b.strip()]
    if set(a.backend_list) - {"sqlite", "postgres"}:
        ap.error("--backends: sqlite, postgres")
    a.client_counts = [int(x) for x in a.clients.split(",") if x.strip()]
    if not 0 < a.scale <= 1 or not 0 <= a.done_share < 1:
        ap.error("--scale must be in (0, 1] and --done-share in [0, 1)")
    return a


# --------------------------------------------------------------------------- bulk SQL


class Bulk:
    """Bulk inserts into the real tables, written once for both databases."""

    def __init__(self, db: FairlabelDB) -> None:
        self.pg = db.backend == "postgres"
        if self.pg:
            import psycopg

            self.conn: Any = psycopg.connect(db.url, autocommit=False)
            self.conn.execute("SET synchronous_commit TO off")
            self.conn.execute("SET maintenance_work_mem TO '256MB'")
            # No per-row foreign-key triggers: the rows are consistent by construction (and
            # the counts are checked after). Needs a superuser; without one the checks run.
            try:
                self.conn.execute("SET session_replication_role = replica")
            except psycopg.Error:
                self.conn.rollback()
                self.conn.execute("SET synchronous_commit TO off")
        else:
            self.conn = sqlite3.connect(str(db.path), isolation_level=None)
            self.conn.execute("PRAGMA busy_timeout = 30000")
            # The server is stopped: a rollback journal instead of the write-ahead log (which
            # would hold a copy of every page written), put back when done.
            self.conn.execute("PRAGMA journal_mode = DELETE")
            self.conn.execute("PRAGMA cache_size = -262144")
            self.conn.execute("BEGIN")
        self.now = int(time.time())

    def ts(self, seconds_expr: str) -> str:
        """A timestamp column value: epoch seconds (an SQL expression) as each table stores
        it (SQLite: SQLAlchemy's text form in UTC; PostgreSQL: timestamptz)."""
        if self.pg:
            return f"to_timestamp({seconds_expr})"
        return f"(strftime('%Y-%m-%d %H:%M:%S', {seconds_expr}, 'unixepoch') || '.000000')"

    def js(self, text_expr: str) -> str:
        return f"({text_expr})::json" if self.pg else f"({text_expr})"

    def series(self, count: int, select: str) -> str:
        """``select`` (using n, 0-based) over n in [0, count)."""
        if self.pg:
            return select.replace("{FROM}", f"FROM generate_series(0, {count - 1}) AS s(n)")
        return (f"WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s "
                f"WHERE n < {count - 1}) " + select.replace("{FROM}", "FROM s"))

    def run(self, sql: str) -> int:
        cur = self.conn.execute(sql)
        return int(cur.rowcount or 0)

    def one(self, sql: str) -> Any:
        return self.conn.execute(sql).fetchone()

    def commit(self) -> None:
        if self.pg:
            self.conn.commit()
        else:
            self.conn.execute("COMMIT")
            self.conn.execute("PRAGMA journal_mode = WAL")

    def close(self) -> None:
        self.conn.close()


def grow(db: FairlabelDB, project_id: int, a: argparse.Namespace,
         step: Callable[[str, float], None]) -> dict[str, Any]:
    """Fill the database: P's tasks (answered ones first), synthetic users, ended projects
    and their answers. Returns the counts."""
    b = Bulk(db)
    s = a.scale
    n_tasks = int(FULL_TASKS * s)
    n_answers = int(FULL_ANSWERS * s)
    n_done = int(n_tasks * a.done_share)
    n_open = n_tasks - n_done
    n_projects = max(10, int(FULL_PROJECTS * s))
    n_workers = max(200, int(FULL_WORKERS * s))
    n_requesters = max(5, n_projects // 10)
    other_red = 5
    other_answers = max(0, n_answers - a.redundancy * n_done)
    other_tasks = -(-other_answers // other_red)
    t0 = b.now
    old = t0 - 60 * DAY  # synthetic work happened 60 to 8 days ago
    span = 52 * DAY
    out: dict[str, Any] = {"project_tasks": n_tasks, "project_answered_tasks": n_done,
                           "project_open_tasks": n_open, "synthetic_projects": n_projects,
                           "synthetic_workers": n_workers,
                           "synthetic_requesters": n_requesters}
    text = ("'{\"text\": \"Review ' || n || ': the service was quick and friendly but the "
            "food arrived cold and the bill was higher than expected\"}'")
    answer = ("CASE n % 3 WHEN 0 THEN '\"positive\"' WHEN 1 THEN '\"negative\"' "
              "ELSE '\"neutral\"' END")

    def timed(label: str, sql: str) -> int:
        t = time.perf_counter()
        rows = b.run(sql)
        step(label, time.perf_counter() - t)
        return rows

    # Users: synthetic workers and requesters (they never sign in).
    for role, prefix, count in (("worker", "w", n_workers), ("requester", "r", n_requesters)):
        timed(f"{count} synthetic {role}s", b.series(count, (
            "INSERT INTO users (email, password_hash, role, pseudonym, created_at, "
            f"email_skeleton) SELECT 'syn-{prefix}' || n || '@bench.example', '!', '{role}', "
            f"'{prefix}_syn' || n, {b.ts(str(old - 30 * DAY))}, "
            f"'syn-{prefix}' || n || '@bench.example' {{FROM}}")))
    w0, w1 = b.one("SELECT min(id), max(id) FROM users WHERE email LIKE 'syn-w%'")
    r0, _ = b.one("SELECT min(id), max(id) FROM users WHERE email LIKE 'syn-r%'")
    assert w1 - w0 + 1 == n_workers, "synthetic worker ids are not contiguous"
    # Ended, settled projects of the synthetic requesters.
    schema = '{"type": "single_choice", "choices": ["positive", "negative", "neutral"]}'
    timed(f"{n_projects} ended projects", b.series(n_projects, (
        "INSERT INTO projects (requester_id, name, instructions, label_schema, redundancy, "
        "pay_amount_minor, pay_currency, lease_seconds, status, created_at, launched_at, "
        "ended_at, end_mode, consensus_until, measured_median_ms, measured_answers) "
        f"SELECT {r0} + n % {n_requesters}, 'Synthetic project ' || n, 'Classify the review.', "
        f"{b.js(chr(39) + schema + chr(39))}, {other_red}, 5, 'USD', 900, 'ended', "
        f"{b.ts(str(old - DAY))}, {b.ts(str(old))}, {b.ts(str(old + span + DAY))}, 'notice', "
        f"{b.ts(str(old + span + DAY))}, 6000, 0 {{FROM}}")))
    k0, k1 = b.one("SELECT min(id), max(id) FROM projects WHERE name LIKE 'Synthetic project %'")
    timed("their settled holds", (
        "INSERT INTO project_holds (project_id, answers, bound_ms, lowest_paid_minor, pivot_ms, "
        f"settled_at) SELECT id, 0, 0, 5, 0, {b.ts(str(old + span + DAY))} FROM projects "
        f"WHERE id BETWEEN {k0} AND {k1}"))
    # P's tasks: answered first (their answers below), then open, in id order.
    timed(f"{n_done} answered tasks of the project", b.series(n_done, (
        "INSERT INTO tasks (project_id, data, max_answers, taken, answered, created_at) "
        f"SELECT {project_id}, {b.js(text)}, {a.redundancy}, {a.redundancy}, {a.redundancy}, "
        f"{b.ts(str(old - DAY))} {{FROM}}")))
    timed(f"{n_open} open tasks of the project", b.series(n_open, (
        "INSERT INTO tasks (project_id, data, max_answers, created_at) "
        f"SELECT {project_id}, {b.js(text)}, {a.redundancy}, {b.ts(str(t0 - DAY))} {{FROM}}")))
    # P's progress, as its imports and submissions would have kept it.
    b.run(f"UPDATE project_holds SET work_tasks = work_tasks + {n_tasks}, work_capacity = "
          f"work_capacity + {n_tasks * a.redundancy}, work_answered = work_answered + "
          f"{n_done * a.redundancy} WHERE project_id = {project_id}")
    timed(f"{other_tasks} answered tasks of the ended projects", b.series(other_tasks, (
        "INSERT INTO tasks (project_id, data, max_answers, taken, answered, created_at) "
        f"SELECT {k0} + (n * {n_projects}) / {other_tasks}, {b.js(text)}, {other_red}, "
        f"{other_red}, {other_red}, {b.ts(str(old - DAY))} {{FROM}}")))

    def answers(where: str, per_task: int) -> str:
        ks = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(per_task))
        # Leased somewhere in the 52 days, answered 2-10 s later (so the measured median
        # asks for no top-up), approved when the 72-hour review window ended.
        leased = f"({old} + (t.id * 7919 + k * 104729) % {span})"
        took = "(2 + (t.id + k * 13) % 9)"
        ans = answer.replace("n % 3", "(t.id + k) % 3")
        return (
            "INSERT INTO assignments (task_id, project_id, worker_id, status, leased_at, "
            "lease_expires_at, submitted_at, answer, price_minor, allowance_minor, "
            "topped_up_minor, approved_at, purpose, review, worked_ms) "
            f"SELECT t.id, t.project_id, {w0} + (t.id * 7 + k * 1009) % {n_workers}, "
            f"'submitted', {b.ts(leased)}, {b.ts(leased + ' + 900')}, "
            f"{b.ts(leased + ' + ' + took)}, {b.js(ans)}, 5, 0, 0, "
            f"{b.ts(leased + ' + ' + took + f' + {3 * DAY}')}, 'work', 'auto_approved', "
            f"{took} * 1000 "
            f"FROM tasks t, ({ks}) ks WHERE {where}")

    a_p = timed(f"{a.redundancy * n_done} answers in the project",
                answers(f"t.project_id = {project_id} AND t.taken = t.max_answers",
                        a.redundancy))
    a_o = timed(f"{other_red * other_tasks} answers in the ended projects",
                answers(f"t.project_id BETWEEN {k0} AND {k1}", other_red))
    # What the app keeps of every paid answer by hour (migration 0021 sums them alike): each
    # submission adds to its row, so its index is as large as a real database's.
    hour = ("floor(extract(epoch from submitted_at) / 3600)::bigint" if b.pg
            else "CAST(strftime('%s', submitted_at) AS INTEGER) / 3600")
    timed("earnings by hour of those answers", (
        "INSERT INTO hourly_earnings (project_id, hour, worker_id, answers, earned_minor, "
        f"worked_ms) SELECT project_id, {hour}, worker_id, count(*), "
        "sum(price_minor + topped_up_minor), sum(worked_ms) FROM assignments "
        f"WHERE status = 'submitted' GROUP BY project_id, {hour}, worker_id"))
    timed("measured answers of the ended projects", (
        "UPDATE projects SET measured_answers = (SELECT count(*) FROM assignments a WHERE "
        f"a.project_id = projects.id) WHERE id BETWEEN {k0} AND {k1}"))
    # P's consensus is current as of the generation (the jobs would refit it otherwise).
    b.run(f"UPDATE projects SET consensus_until = {b.ts(str(t0))} WHERE id = {project_id}")
    t = time.perf_counter()
    b.commit()
    step("commit", time.perf_counter() - t)
    if b.pg:
        # What autovacuum does after a bulk load; done now so the run does not wait for it.
        b.conn.autocommit = True
        t = time.perf_counter()
        b.conn.execute("VACUUM ANALYZE")
        step("VACUUM ANALYZE", time.perf_counter() - t)
    out["project_answers"] = a_p
    out["other_answers"] = a_o
    out["answers_total"] = int(b.one("SELECT count(*) FROM assignments")[0])
    out["tasks_total"] = int(b.one("SELECT count(*) FROM tasks")[0])
    b.close()
    return out


def db_size_mib(db: FairlabelDB) -> float:
    if db.backend == "sqlite":
        total = sum(Path(str(db.path) + sfx).stat().st_size for sfx in ("", "-wal")
                    if Path(str(db.path) + sfx).exists())
        return round(total / 2**20, 1)
    import psycopg

    with psycopg.connect(db.url) as c:
        row = c.execute("SELECT pg_database_size(current_database())").fetchone()
        return round(row[0] / 2**20, 1) if row else 0.0


# --------------------------------------------------------------------------- the runs


def start_server(backend: str, db: FairlabelDB, a: argparse.Namespace, run_dir: Path,
                 tag: str) -> tuple[Server, int, dict[str, str]]:
    env = dict(os.environ, FAIRLABEL_DATABASE_URL=db.url)
    if not a.with_jobs:
        env["FAIRLABEL_SWEEP_SECONDS"] = "0"
    port = free_port()
    srv = Server(f"{backend} {tag}", fairlabel_serve_argv(a, port), env, port,
                 run_dir / f"growth-{backend}-{tag}.log", db_needle=db.needle)
    srv.start()
    srv.wait_ready("/openapi.json", a.startup_timeout)
    return srv, port, env


def measure(backend: str, label: str, srv: Server, port: int, requester: str,
            workers: list[str], pid: int, a: argparse.Namespace) -> list[dict[str, Any]]:
    """Warm-up on a small project of its own, then one phase on P per client count."""
    cls = CLIENTS["http.client"]

    def conns(c: int) -> list[Any]:
        return [cls(port, {"Authorization": f"Bearer {workers[i]}"}, a.req_timeout)
                for i in range(c)]

    wpid, _ = fl_project(port, requester, 200, 7, f"{backend} {label} warm-up", a, True)
    run_phase(f"{backend} {label} warm-up", conns(2), make_fl_worker(wpid, 7), 100, 20, srv)
    phases = []
    for j, c in enumerate(a.client_counts):
        ph = run_phase(f"{backend} {label} c={c}", conns(c), make_fl_worker(pid, 300 + j),
                       a.cycles, a.phase_seconds, srv)
        phases.append(ph)
    return phases


def fund_and_launch(port: int, token: str, pid: int, a: argparse.Namespace) -> None:
    H = {"Authorization": f"Bearer {token}"}
    major, _, minor = a.fund_per_project.partition(".")
    amount = int(major) * 100 + int((minor + "00")[:2])
    st, body = one_shot(port, "POST", f"/api/v1/projects/{pid}/fund",
                        {"amount": {"amount_minor": amount, "currency": "USD"}}, H)
    if st != 200:
        raise RuntimeError(f"fund -> {st}: {str(body)[:300]}")
    st, body = one_shot(port, "POST", f"/api/v1/projects/{pid}/launch", None, H)
    if st != 200:
        raise RuntimeError(f"launch -> {st}: {str(body)[:300]}")


def run_fresh(backend: str, a: argparse.Namespace, run_dir: Path) -> dict[str, Any]:
    db = FairlabelDB(backend, run_dir, a, tag="_fresh")
    db.create()
    res: dict[str, Any] = {"database": db.url}
    srv, port, env = start_server(backend, db, a, run_dir, "fresh")
    try:
        requester, workers = make_users(a, env, max(2, *a.client_counts), res)
        pid, info = fl_project(port, requester, a.tasks, 100, f"{backend} fresh", a, True)
        res["project"] = {"id": pid, **info}
        res["db_size_mib"] = db_size_mib(db)  # before the measured phases, as for grown
        res["phases"] = measure(backend, "fresh", srv, port, requester, workers, int(pid), a)
    finally:
        res["server"] = srv.stop()
        db.drop()
    return res


def run_grown(backend: str, a: argparse.Namespace, run_dir: Path) -> dict[str, Any]:
    db = FairlabelDB(backend, run_dir, a, tag="_grown")
    db.create()
    res: dict[str, Any] = {"database": db.url, "generation_steps_s": {}}
    srv, port, env = start_server(backend, db, a, run_dir, "grown-setup")
    try:
        requester, workers = make_users(a, env, max(2, *a.client_counts), res)
        st, pj = one_shot(port, "POST", "/api/v1/projects", {
            "name": f"{backend} grown", "instructions": "Is the review positive, negative or "
            "neutral?", "schema": {"type": "single_choice",
                                   "choices": ["positive", "negative", "neutral"]},
            "redundancy": a.redundancy, "pay_per_task": {"amount_minor": 5, "currency": "USD"}},
            {"Authorization": f"Bearer {requester}"})
        if st != 201:
            raise RuntimeError(f"POST /api/v1/projects -> {st}: {str(pj)[:300]}")
        pid = int(pj["id"])
    finally:
        srv.stop()

    def step(label: str, seconds: float) -> None:
        res["generation_steps_s"][label] = round(seconds, 1)
        log(f"  {backend} grow: {label} in {seconds:.1f} s")

    try:
        t = time.perf_counter()
        res["counts"] = grow(db, pid, a, step)
        res["generation_s"] = round(time.perf_counter() - t, 1)
        res["db_size_mib"] = db_size_mib(db)
        log(f"{backend}: grown in {res['generation_s']} s: {res['counts']}, "
            f"{res['db_size_mib']} MiB")
        srv, port, env = start_server(backend, db, a, run_dir, "grown")
        try:
            t = time.perf_counter()
            fund_and_launch(port, requester, pid, a)
            res["fund_and_launch_s"] = round(time.perf_counter() - t, 3)
            res["project"] = {"id": pid}
            res["phases"] = measure(backend, "grown", srv, port, requester, workers, pid, a)
        finally:
            res["server"] = srv.stop()
    finally:
        db.drop()
    return res


def _lat(ph: dict[str, Any], key: str, q: str) -> float | None:
    v = ph.get("latency", {}).get(key, {}).get(q)
    return float(v) if v is not None else None


def compare(name: str, fresh: dict[str, Any], grown: dict[str, Any]) -> dict[str, Any]:
    """Grown/fresh ratios per client count, printed with PASS/FAIL on p50."""
    out: dict[str, Any] = {}
    for pf, pg in zip(fresh.get("phases", []), grown.get("phases", []), strict=False):
        c = pf["clients"]
        row: dict[str, Any] = {"cycles_per_s": [pf.get("ok_per_s"), pg.get("ok_per_s")],
                               "errors": [pf.get("errors"), pg.get("errors")]}
        for key in ("next", "submit"):
            for q in ("p50_ms", "p95_ms"):
                f, g = _lat(pf, key, q), _lat(pg, key, q)
                row[f"{key}_{q}"] = [f, g]
                row[f"{key}_{q}_ratio"] = round(g / f, 2) if f and g else None
        out[str(c)] = row
        verdict = all((row[f"{k}_p50_ms_ratio"] or 99) <= TARGET_RATIO for k in ("next", "submit"))
        print(f"  {name:<8} @{c:>2} clients  fresh -> grown   "
              f"next p50 {row['next_p50_ms'][0]} -> {row['next_p50_ms'][1]} ms "
              f"({row['next_p50_ms_ratio']}x), p95 {row['next_p95_ms'][0]} -> "
              f"{row['next_p95_ms'][1]} ms ({row['next_p95_ms_ratio']}x);  "
              f"submit p50 {row['submit_p50_ms'][0]} -> {row['submit_p50_ms'][1]} ms "
              f"({row['submit_p50_ms_ratio']}x), p95 {row['submit_p95_ms'][0]} -> "
              f"{row['submit_p95_ms'][1]} ms ({row['submit_p95_ms_ratio']}x);  "
              f"cycles/s {row['cycles_per_s'][0]} -> {row['cycles_per_s'][1]}; errors "
              f"{row['errors']}   (target p50 within {TARGET_RATIO}x: "
              f"{'PASS' if verdict else 'FAIL'})")
        row["pass"] = verdict
    return out


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    run_dir = WORK / f"growth-{time.strftime('%Y%m%d-%H%M%S')}"
    run_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                               "params": dict(vars(a)),
                               "cpus": os.cpu_count(), "backends": {}}
    reason = fairlabel_available(a)
    if reason:
        log(f"SKIPPED: fairlabel serve not usable: {reason}")
        results["skipped"] = reason
    for backend in [] if reason else a.backend_list:
        r: dict[str, Any] = {}
        results["backends"][backend] = r
        try:
            log(f"{backend}: fresh database, {a.tasks}-task project")
            r["fresh"] = run_fresh(backend, a, run_dir)
            log(f"{backend}: grown database, scale {a.scale}")
            r["grown"] = run_grown(backend, a, run_dir)
        except Exception as ex:  # report, go on with the other backend
            log(f"{backend}: FAILED: {ex!r}")
            r["failed"] = repr(ex)[:1000]
    print("\n" + "=" * 30 + " GROWTH " + "=" * 30)
    print(f"scale {a.scale}: a project of {int(FULL_TASKS * a.scale):,} tasks, "
          f"{int(FULL_ANSWERS * a.scale):,} answers in the database; periodic jobs "
          f"{'on' if a.with_jobs else 'off'}; p50/p95 in ms")
    for backend, r in results["backends"].items():
        if "fresh" in r and "grown" in r:
            g = r["grown"]
            print(f"  {backend:<8} grown database: {g.get('counts')}, {g.get('db_size_mib')} "
                  f"MiB, generated in {g.get('generation_s')} s")
            r["ratios"] = compare(backend, r["fresh"], g)
        elif "failed" in r:
            print(f"  {backend:<8} FAILED: {r['failed']}")
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(results, indent=2, default=str))
        log(f"results written to {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

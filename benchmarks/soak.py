#!/usr/bin/env python3
"""Soak: several app processes on one PostgreSQL database under many clients, then checks.

Starts `fairlabel serve --workers N` (N app processes behind one port, each running the
periodic jobs) on a fresh PostgreSQL database, makes a requester and --clients workers with
the CLI, imports --projects projects of --tasks tasks (funded, launched), and runs --clients
simulated workers (the next+submit loop of loop.py, spread over the projects) for --seconds.
Afterwards it checks, by SQL on the database:

  - errors: requests the clients saw fail (and server log lines with a 5xx or a traceback);
  - over-assignment: no task with more submitted answers than its redundancy, no worker twice
    on a task, each task's `taken`/`answered` equal to its live leases + answers / answers;
  - the ledger: every transaction sums to zero per currency, each account's chain numbered
    1..n with its head where `ledger_accounts` says; and every worker's statement
    (`GET /api/v1/me/statement`) verifies with `fairlabel ledger verify`.

    .venv/bin/python benchmarks/soak.py                       # 2 processes, 64 clients, 2 min
    .venv/bin/python benchmarks/soak.py --seconds 20 --clients 16   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from loopbench.client import CLIENTS
from loopbench.common import WORK, add_server_options, log
from loopbench.fairlabel_backend import (
    FairlabelDB,
    fairlabel_available,
    fairlabel_serve_argv,
    fl_project,
    make_fl_worker,
    make_users,
)
from loopbench.phase import Rec, run_phase
from loopbench.procs import Server, free_port


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--seconds", type=float, default=120.0, help="length of the soak")
    ap.add_argument("--clients", type=int, default=64, help="simulated workers")
    ap.add_argument("--workers", type=int, default=2, help="app processes (serve --workers)")
    ap.add_argument("--projects", type=int, default=2)
    ap.add_argument("--tasks", type=int, default=10000, help="tasks per project")
    ap.add_argument("--redundancy", type=int, default=3)
    add_server_options(ap)
    a = ap.parse_args(argv)
    a.pass_workers_1 = False
    if a.clients < 1 or a.projects < 1:
        ap.error("--clients and --projects must be at least 1")
    return a


CHECKS = {
    "tasks_over_redundancy": (
        "SELECT count(*) FROM (SELECT a.task_id FROM assignments a JOIN tasks t ON t.id = "
        "a.task_id WHERE a.status = 'submitted' GROUP BY a.task_id, t.max_answers "
        "HAVING count(*) > t.max_answers) x"),
    "worker_twice_on_a_task": (
        "SELECT count(*) FROM (SELECT task_id, worker_id FROM assignments "
        "GROUP BY task_id, worker_id HAVING count(*) > 1) x"),
    "tasks_taken_mismatch": (
        "SELECT count(*) FROM tasks t WHERE t.taken <> (SELECT count(*) FROM assignments a "
        "WHERE a.task_id = t.id AND a.status IN ('leased', 'submitted'))"),
    "tasks_answered_mismatch": (
        "SELECT count(*) FROM tasks t WHERE t.answered <> (SELECT count(*) FROM assignments a "
        "WHERE a.task_id = t.id AND a.status = 'submitted')"),
    "ledger_unbalanced_transactions": (
        "SELECT count(*) FROM (SELECT tx_id, currency FROM ledger_entries "
        "GROUP BY tx_id, currency HAVING sum(amount_minor) <> 0) x"),
    "ledger_chains_with_gaps": (
        "SELECT count(*) FROM (SELECT account FROM ledger_entries GROUP BY account "
        "HAVING min(seq) <> 1 OR max(seq) <> count(*)) x"),
    "ledger_heads_not_at_last_entry": (
        "SELECT count(*) FROM ledger_accounts la WHERE la.head_hash <> (SELECT e.hash FROM "
        "ledger_entries e WHERE e.account = la.account ORDER BY e.seq DESC LIMIT 1) "
        "OR la.seq <> (SELECT max(e.seq) FROM ledger_entries e WHERE e.account = la.account)"),
}
FIGURES = {
    "answers": "SELECT count(*) FROM assignments WHERE status = 'submitted'",
    "live_leases": "SELECT count(*) FROM assignments WHERE status = 'leased'",
    "ledger_entries": "SELECT count(*) FROM ledger_entries",
    "ledger_accounts": "SELECT count(*) FROM ledger_accounts",
}


def sql_checks(url: str) -> dict[str, Any]:
    import psycopg

    out: dict[str, Any] = {"checks": {}, "figures": {}}
    with psycopg.connect(url) as c:
        for name, sql in CHECKS.items():
            row = c.execute(sql).fetchone()
            out["checks"][name] = int(row[0]) if row else None
        for name, sql in FIGURES.items():
            row = c.execute(sql).fetchone()
            out["figures"][name] = int(row[0]) if row else None
    return out


def verify_statements(a: argparse.Namespace, port: int, tokens: list[str],
                      run_dir: Path) -> dict[str, Any]:
    """Each worker's statement over HTTP; all of them (distinct accounts, each chain complete)
    in one file, verified with `fairlabel ledger verify`."""
    cls = CLIENTS["http.client"]
    failed: list[str] = []
    bodies = []
    for i, tok in enumerate(tokens):
        conn = cls(port, {"Authorization": f"Bearer {tok}"}, 120.0)
        try:
            st, body = conn.request("GET", "/api/v1/me/statement")
        finally:
            conn.close()
        if st != 200:
            failed.append(f"worker {i}: GET /api/v1/me/statement -> {st}")
        elif body.strip():
            bodies.append(body if body.endswith(b"\n") else body + b"\n")
    path = run_dir / "statements.jsonl"
    path.write_bytes(b"".join(bodies))
    p = subprocess.run([a.fairlabel, "ledger", "verify", str(path)], capture_output=True,
                       timeout=300, stdin=subprocess.DEVNULL)
    said = (p.stdout or p.stderr).decode(errors="replace").strip()
    if p.returncode != 0:
        failed.append(f"fairlabel ledger verify {path}: exit {p.returncode}: {said[:300]}")
    return {"statements": len(bodies), "entries": sum(b.count(b"\n") for b in bodies),
            "verify_said": said.splitlines()[0] if said else "", "file": str(path),
            "failed": failed}


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    run_dir = WORK / f"soak-{time.strftime('%Y%m%d-%H%M%S')}"
    run_dir.mkdir(parents=True, exist_ok=True)
    res: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                           "params": dict(vars(a)), "cpus": os.cpu_count()}
    reason = fairlabel_available(a)
    if reason:
        log(f"SKIPPED: fairlabel serve not usable: {reason}")
        res["skipped"] = reason
        return finish(a, res)
    db = FairlabelDB("postgres", run_dir, a, tag="_soak")
    db.create()
    env = dict(os.environ, FAIRLABEL_DATABASE_URL=db.url)
    port = free_port()
    argv_ = fairlabel_serve_argv(a, port)
    if a.workers == 1:
        argv_ += ["--workers", "1"]
    srv = Server("soak", argv_, env, port, run_dir / "soak-server.log", db_needle=db.needle)
    log(f"soak: {' '.join(argv_)} on {db.url}")
    srv.start()
    try:
        res["startup_s"] = round(srv.wait_ready("/openapi.json", a.startup_timeout), 3)
        requester, workers = make_users(a, env, a.clients, res)
        pids = []
        for j in range(a.projects):
            pid, info = fl_project(port, requester, a.tasks, 500 + j, f"soak {j}", a, True)
            pids.append(pid)
            log(f"  project {pid}: {info['imported']} tasks, import {info['import_s']} s")
        fns = [make_fl_worker(pid, 500 + j) for j, pid in enumerate(pids)]

        def worker(i: int, conn: Any, rec: Rec, claim: Any) -> None:
            fns[i % len(fns)](i, conn, rec, claim)

        cls = CLIENTS["http.client"]
        conns = [cls(port, {"Authorization": f"Bearer {workers[i]}"}, a.req_timeout)
                 for i in range(a.clients)]
        ph = run_phase(f"soak {a.workers} processes c={a.clients}", conns, worker,
                       10_000_000, a.seconds, srv, max_errors=10_000_000)
        res["phase"] = ph
        log("soak: checks by SQL")
        res.update(sql_checks(db.url))
        res["statements"] = verify_statements(a, port, workers, run_dir)
    finally:
        res["server"] = srv.stop()
        db.drop()
    return finish(a, res)


def finish(a: argparse.Namespace, res: dict[str, Any]) -> int:
    print("\n" + "=" * 30 + " SOAK " + "=" * 30)
    if "skipped" in res:
        print(f"SKIPPED: {res['skipped']}")
    elif "phase" in res:
        ph = res["phase"]
        lf = res.get("server", {}).get("log_findings", {})
        lat = ph.get("latency", {}).get("cycle", {})
        print(f"{a.workers} app processes on PostgreSQL, {a.clients} clients, "
              f"{ph['wall_s']} s: {ph['ok']} cycles ({ph['ok_per_s']}/s), cycle p50/p95 "
              f"{lat.get('p50_ms')}/{lat.get('p95_ms')} ms, {ph['workers_exhausted']} workers ran "
              f"out of work; server processes {res['server'].get('server_processes')}, peak RSS "
              f"{res['server'].get('server_peak_rss_vmhwm_sum_mib')} MiB")
        errors = ph["errors"]
        print(f"  client errors: {errors} {json.dumps(ph['error_counts']) if errors else ''}  "
              f"({'PASS' if errors == 0 else 'FAIL'}: target 0)")
        for s in ph.get("error_samples", [])[:5]:
            print(f"      {s}")
        print(f"  server log lines matching error patterns: {lf.get('matching_lines')}")
        for s in lf.get("samples", [])[:5]:
            print(f"      {s}")
        for name, n in res.get("checks", {}).items():
            print(f"  {name:<32} {n}   ({'PASS' if n == 0 else 'FAIL'}: target 0)")
        print(f"  figures: {res.get('figures')}")
        st = res.get("statements", {})
        print(f"  worker statements: {st.get('statements')} ({st.get('entries')} entries) in one "
              f"file; `fairlabel ledger verify`: {st.get('verify_said')!r}   "
              f"({'PASS' if not st.get('failed') else 'FAIL'})")
        for s in st.get("failed", [])[:5]:
            print(f"      {s}")
        res["pass"] = (errors == 0 and all(n == 0 for n in res.get("checks", {}).values())
                       and not st.get("failed") and not lf.get("matching_lines"))
        print(f"  soak: {'PASS' if res['pass'] else 'FAIL'}")
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(res, indent=2, default=str))
        log(f"results written to {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

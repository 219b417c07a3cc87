#!/usr/bin/env python3
"""Labeling-loop benchmark: fairlabel vs Label Studio vs a hello-world ceiling, over HTTP.

Everything runs on this machine, against servers this script starts itself on loopback ports,
side by side in one run (absolute figures drift with machine load; the ratios are the point):

  hello        benchmarks/hello_app.py: one async FastAPI GET served by uvicorn the way
               `fairlabel serve` serves; requests/s and latency = the stack's ceiling.
  pgbench      (with postgres) PostgreSQL's own pgbench, simple-update, on a scratch
               database of the same server: transactions/s = the database's ceiling.
  sqlite       `fairlabel serve` on a fresh SQLite file.
  postgres     `fairlabel serve` on a fresh PostgreSQL database (created and dropped here).
  labelstudio  Label Studio 1.23 from its own venv (--ls-venv), fresh data dir, SQLite.

Per fairlabel backend: start-up time (spawn on a fresh database -> first 200 from /openapi.json),
then a requester + N workers (CLI), and per client count a fresh project with --tasks tasks
imported in one POST, launched, and N simulated workers (threads, one persistent connection
each, one worker user each) doing next+submit cycles until --cycles cycles or --phase-seconds.
Per Label Studio: start-up, import, sequential GET next, and POST annotation with --ls-clients.
Server peak RSS (VmHWM, summed over the server's process tree; and sampled VmRSS sums), server
CPU seconds and this client's own CPU seconds are recorded per phase.

    .venv/bin/python benchmarks/loop.py [--backends sqlite,postgres,labelstudio] \
        [--clients 1,8,32] [--tasks 3000] [--cycles 2000] [--phase-seconds 30] [--out r.json]

See benchmarks/README.md. Loops are bounded in count and time; only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from loopbench.client import CLIENTS
from loopbench.common import REPO, WORK, log
from loopbench.fairlabel_backend import bench_fairlabel, fairlabel_available
from loopbench.hello import bench_hello, uvicorn_calls
from loopbench.labelstudio import bench_labelstudio
from loopbench.pgbench import bench_pgbench
from loopbench.report import summarize


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--backends", default="sqlite,postgres,labelstudio",
                    help="comma list of sqlite, postgres, labelstudio")
    ap.add_argument("--skip-hello", action="store_true", help="do not run the hello-world ceiling")
    ap.add_argument("--clients", default="1,8,32", help="simulated workers per phase")
    ap.add_argument("--tasks", type=int, default=3000, help="tasks imported per fairlabel phase")
    ap.add_argument("--redundancy", type=int, default=3)
    ap.add_argument("--cycles", type=int, default=2000, help="max cycles per fairlabel phase")
    ap.add_argument("--hello-requests", type=int, default=15000,
                    help="max requests per hello-world phase")
    ap.add_argument("--phase-seconds", type=float, default=30.0,
                    help="deadline per phase (no new cycle starts after it)")
    ap.add_argument("--warmup-tasks", type=int, default=200)
    ap.add_argument("--warmup-cycles", type=int, default=100)
    ap.add_argument("--req-timeout", type=float, default=30.0, help="per-request timeout, s")
    ap.add_argument("--startup-timeout", type=float, default=120.0)
    ap.add_argument("--startup-runs", type=int, default=3,
                    help="fairlabel cold starts per backend, each on a fresh database; the "
                         "median is reported (the last one is the server that is measured)")
    ap.add_argument("--workers", type=int, default=1,
                    help="uvicorn worker processes for fairlabel serve and hello-world")
    ap.add_argument("--pass-workers-1", action="store_true",
                    help="pass --workers 1 explicitly (default: omit the flag when 1)")
    ap.add_argument("--client", choices=sorted(CLIENTS), default="http.client",
                    help="HTTP client library for the simulated workers")
    ap.add_argument("--compare-clients", type=int, default=8,
                    help="clients for the http.client-vs-httpx cost phase on hello-world "
                         "(0 = skip)")
    ap.add_argument("--fairlabel", default=str(REPO / ".venv" / "bin" / "fairlabel"))
    ap.add_argument("--deposit", default="1000000.00",
                    help="USD an admin deposits for the requester (when the server has "
                         "`fairlabel funds deposit`); empty = no funding")
    ap.add_argument("--fund-per-project", default="50000.00",
                    help="USD moved into each project's escrow before launch")
    ap.add_argument("--cli-parallel", type=int, default=2,
                    help="concurrent `fairlabel user add/token create` subprocesses")
    ap.add_argument("--pg-port", type=int, default=5432)
    ap.add_argument("--pg-user", default="root", help="role fairlabel connects as")
    ap.add_argument("--pg-admin", default="postgres", help="role for createdb/dropdb")
    ap.add_argument("--skip-pgbench", action="store_true",
                    help="do not measure pgbench (run only when postgres is among --backends)")
    ap.add_argument("--pgbench-clients", default="1,8,32",
                    help="clients per pgbench simple-update phase")
    ap.add_argument("--pgbench-seconds", type=int, default=5, help="length of each pgbench phase")
    ap.add_argument("--pgbench-scale", type=int, default=1, help="pgbench -i scale factor")
    ap.add_argument("--ls-venv", default=str(WORK / "ls-venv"))
    ap.add_argument("--ls-clients", default="1,8")
    ap.add_argument("--ls-tasks", type=int, default=None,
                    help="tasks imported into the LS project (default: --tasks)")
    ap.add_argument("--ls-annotations", type=int, default=300,
                    help="max annotations per LS phase (each on a distinct task)")
    ap.add_argument("--ls-next-calls", type=int, default=50,
                    help="sequential LS GET next calls (0 = skip)")
    ap.add_argument("--ls-startup-timeout", type=float, default=300.0)
    ap.add_argument("--wait-fairlabel", type=float, default=0.0,
                    help="seconds to wait for `fairlabel serve --help` to work before skipping")
    ap.add_argument("--keep-data", action="store_true",
                    help="keep the SQLite files, PostgreSQL databases and LS data dir")
    ap.add_argument("--out", help="write all results as JSON here")
    a = ap.parse_args(argv)
    a.backend_list = [b.strip() for b in a.backends.split(",") if b.strip()]
    bad = set(a.backend_list) - {"sqlite", "postgres", "labelstudio"}
    if bad:
        ap.error(f"unknown backends: {sorted(bad)}")
    a.client_counts = [int(x) for x in a.clients.split(",") if x.strip()]
    if a.ls_tasks is None:
        a.ls_tasks = a.tasks
    a.ls_client_counts = [int(x) for x in a.ls_clients.split(",") if x.strip()]
    a.pgbench_client_counts = [int(x) for x in a.pgbench_clients.split(",") if x.strip()]
    if not a.client_counts or min(a.client_counts) < 1 or max(a.client_counts) > 256:
        ap.error("--clients must be between 1 and 256")
    return a


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    run_dir = WORK / f"run-{time.strftime('%Y%m%d-%H%M%S')}"
    run_dir.mkdir(parents=True, exist_ok=True)
    log(f"run dir (server logs, data): {run_dir}")
    results: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                               "params": dict(vars(a).items()),
                               "cpus": os.cpu_count(), "backends": {},
                               "uvicorn_calls": uvicorn_calls()}
    fl_wanted = [b for b in a.backend_list if b in ("sqlite", "postgres")]
    fl_reason = None
    if fl_wanted:
        deadline = time.monotonic() + a.wait_fairlabel
        for _ in range(10000):
            fl_reason = fairlabel_available(a)
            if fl_reason is None or time.monotonic() > deadline:
                break
            log(f"waiting for fairlabel serve: {fl_reason[:200]}")
            time.sleep(min(60.0, max(1.0, deadline - time.monotonic())))
    pgbench = ["pgbench"] if "postgres" in fl_wanted and not a.skip_pgbench else []
    order = (["hello"] if not a.skip_hello else []) + pgbench + fl_wanted + \
        (["labelstudio"] if "labelstudio" in a.backend_list else [])
    for name in order:
        # Partial results (start-up, finished phases) survive a failure later on.
        r: dict[str, Any] = {"backend": name}
        results["backends"][name] = r
        try:
            if name == "hello":
                bench_hello(a, run_dir, r)
            elif name == "pgbench":
                bench_pgbench(a, run_dir, r)
            elif name == "labelstudio":
                bench_labelstudio(a, run_dir, r)
            elif fl_reason:
                log(f"{name}: SKIPPED - fairlabel serve not usable: {fl_reason}")
                r["skipped"] = f"fairlabel serve not usable: {fl_reason}"
            else:
                bench_fairlabel(name, a, run_dir, r)
        except Exception as ex:  # report and go on with the other backends
            log(f"{name}: FAILED: {ex!r}")
            r["failed"] = repr(ex)[:1000]
    results["targets"] = summarize(results, a)
    if a.out:
        Path(a.out).write_text(json.dumps(results, indent=2, default=str))
        log(f"results written to {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

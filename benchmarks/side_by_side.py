#!/usr/bin/env python3
"""Servers measured side by side, in alternation: CPU per cycle and rates whose ratios hold
on a host whose speed drifts.

On shared cores the same run of `loop.py` can serve 170 or 440 cycles/s a few minutes apart,
so two figures measured one after the other cannot be compared. Here every contender is a
`fairlabel serve` of its own, on a fresh database of its backend, with environment variables
of its own (a setting, or `PYTHONPATH` to another copy of `src`), all started at once. Then,
round after round, each one serves the same closed loop of clients (next + submit, as in
`loop.py`) for a short block in turn, in an order rotated each round, while the others sit
idle. A drift of the host moves the blocks of one round alike, so the script reports, beside
each contender's medians, the ratio of each round's figures to the first contender's in the
same round (median and range).

    FAIRLABEL_... .venv/bin/python benchmarks/side_by_side.py sqlite=sqlite postgres=postgres \\
        [--clients 8,32] [--rounds 8] [--block-seconds 4]

A contender is NAME=BACKEND[,VARIABLE=VALUE...], BACKEND sqlite or postgres; for example
`pg2=postgres,FAIRLABEL_LOOP_CONCURRENCY=2` or `before=postgres,PYTHONPATH=/tmp/old/src`.
PostgreSQL databases are created and dropped on the loopback server (`--pg-*`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loopbench.client import CLIENTS
from loopbench.common import add_server_options, log
from loopbench.fairlabel_backend import (
    FairlabelDB,
    fairlabel_serve_argv,
    fl_project,
    make_fl_worker,
    make_users,
)
from loopbench.phase import run_phase
from loopbench.procs import Server, free_port


def contender(spec: str) -> dict[str, Any]:
    name, _, rest = spec.partition("=")
    backend, *assignments = rest.split(",")
    if not name or backend not in ("sqlite", "postgres"):
        raise argparse.ArgumentTypeError(
            f"{spec!r}: write NAME=BACKEND[,VARIABLE=VALUE...], BACKEND sqlite or postgres")
    env = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise argparse.ArgumentTypeError(f"{item!r} in {spec!r}: write VARIABLE=VALUE")
        env[key] = value
    return {"name": name, "backend": backend, "env": env}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("contenders", nargs="+", type=contender, metavar="NAME=BACKEND[,VAR=VALUE]")
    ap.add_argument("--clients", default="8,32", help="closed-loop clients of each block")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--block-seconds", type=float, default=4.0)
    ap.add_argument("--tasks", type=int, default=20_000, help="tasks of each server's project")
    ap.add_argument("--redundancy", type=int, default=3)
    add_server_options(ap)
    a = ap.parse_args(argv)
    a.client_counts = [int(x) for x in a.clients.split(",") if x.strip()]
    if not a.client_counts or min(a.client_counts) < 1 or max(a.client_counts) > 256:
        ap.error("--clients must be between 1 and 256")
    if len({c["name"] for c in a.contenders}) != len(a.contenders):
        ap.error("contender names must differ")
    # What the loop's helpers read.
    a.workers, a.pass_workers_1, a.client = 1, False, "http.client"
    return a


def start(c: dict[str, Any], a: argparse.Namespace, run_dir: Path) -> dict[str, Any]:
    db = FairlabelDB(c["backend"], run_dir, a, tag=f"_{len(c['name'])}{abs(hash(c['name']))}")
    db.create()
    env = dict(os.environ, **c["env"], FAIRLABEL_DATABASE_URL=db.url)
    port = free_port()
    srv = Server(c["name"], fairlabel_serve_argv(a, port), env, port,
                 run_dir / f"{c['name']}.log", db_needle=db.needle)
    srv.start()
    srv.wait_ready("/openapi.json", a.startup_timeout)
    requester, workers = make_users(a, env, max(a.client_counts), {})
    pid, _ = fl_project(port, requester, a.tasks, 11, c["name"], a, fund=bool(a.deposit))
    return {**c, "db": db, "server": srv, "port": port, "workers": workers, "project": pid}


def block(c: dict[str, Any], clients: int, seconds: float, a: argparse.Namespace,
          label: str) -> dict[str, Any]:
    cls = CLIENTS[a.client]
    conns = [cls(c["port"], {"Authorization": f"Bearer {c['workers'][i]}"}, a.req_timeout)
             for i in range(clients)]
    ph = run_phase(f"{c['name']} c={clients} {label}", conns, make_fl_worker(c["project"], 11),
                   10_000_000, seconds, c["server"])
    app = ph.get("server_cpu_ms_per_op")
    db = ph.get("db_cpu_ms_per_op") or 0.0
    return {"ok": ph["ok"], "rate": ph["ok_per_s"], "errors": ph["errors"],
            "exhausted": ph["workers_exhausted"], "app_ms": app, "db_ms": db,
            "cpu_ms": None if app is None else app + db,
            "p95_ms": ph["latency"].get("cycle", {}).get("p95_ms")}


def summary(names: list[str], rounds: list[dict[str, dict[str, Any]]]) -> list[str]:
    lines = [f"{'contender':14} {'cycles/s':>9} {'p95 ms':>8} {'app ms':>7} {'db ms':>7} "
             f"{'CPU ms':>7}  {'CPU / first (min-max)':>24}  {'rate / first (min-max)':>24}"]
    first = names[0]

    def med(name: str, key: str) -> float:
        return statistics.median(r[name][key] for r in rounds)

    def ratio(name: str, key: str) -> str:
        values = sorted(r[name][key] / r[first][key] for r in rounds)
        return (f"{statistics.median(values):.2f}x ({values[0]:.2f}-{values[-1]:.2f})"
                f"{'':>4}")

    for name in names:
        lines.append(f"{name:14} {med(name, 'rate'):9.1f} {med(name, 'p95_ms'):8.1f} "
                     f"{med(name, 'app_ms'):7.3f} {med(name, 'db_ms'):7.3f} "
                     f"{med(name, 'cpu_ms'):7.3f}  {ratio(name, 'cpu_ms'):>24}  "
                     f"{ratio(name, 'rate'):>24}")
    return lines


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    names = [c["name"] for c in a.contenders]
    results: dict[str, Any] = {"contenders": [{k: c[k] for k in ("name", "backend", "env")}
                                              for c in a.contenders], "blocks": {}}
    with tempfile.TemporaryDirectory(prefix="side-by-side-") as folder:
        running: list[dict[str, Any]] = []
        try:
            for c in a.contenders:
                running.append(start(c, a, Path(folder)))
            for c in running:  # imports, caches and pools settle
                block(c, max(a.client_counts), a.block_seconds, a, "warm-up")
            for clients in a.client_counts:
                rounds: list[dict[str, dict[str, Any]]] = []
                for k in range(a.rounds):
                    order = running[k % len(running):] + running[:k % len(running)]
                    rounds.append({c["name"]: block(c, clients, a.block_seconds, a,
                                                    f"round {k + 1}") for c in order})
                bad = [(n, r[n]) for r in rounds for n in names
                       if r[n]["errors"] or r[n]["exhausted"] or not r[n]["ok"]]
                results["blocks"][str(clients)] = rounds
                print(f"\n{clients} clients, {a.rounds} rounds of {a.block_seconds} s blocks:")
                print("\n".join(summary(names, rounds)))
                if bad:
                    print(f"  blocks with errors or a project run dry: {len(bad)}")
        finally:
            for c in running:
                c["server"].stop()
                c["db"].drop()
    if a.out:
        Path(a.out).write_text(json.dumps(results, indent=2, default=str))
        log(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

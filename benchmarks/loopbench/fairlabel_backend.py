"""fairlabel serve on SQLite or PostgreSQL: fresh database, start-up timing, users and tokens
through the CLI, funding, and the next+submit phases."""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .client import CLIENTS, one_shot
from .common import HOST, log, make_tasks
from .phase import Rec, WorkerFn, run_phase
from .procs import Server, checkpoint, free_port

CHOICES = ["positive", "negative", "neutral"]


def fairlabel_available(a: argparse.Namespace) -> str | None:
    """None when `fairlabel serve --help` works, else the reason it does not."""
    if not Path(a.fairlabel).exists():
        return f"{a.fairlabel} does not exist"
    try:
        p = subprocess.run([a.fairlabel, "serve", "--help"], capture_output=True, timeout=60,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as ex:
        return repr(ex)
    if p.returncode != 0:
        lines = (p.stderr or p.stdout).decode(errors="replace").strip().splitlines() or ["?"]
        return f"`fairlabel serve --help` exited {p.returncode}: {lines[-1][:300]}"
    return None


class FairlabelDB:
    """A fresh database for one backend; dropped (PostgreSQL) or deleted (SQLite) after."""

    def __init__(self, backend: str, run_dir: Path, a: argparse.Namespace, tag: str = "") -> None:
        self.backend, self.a = backend, a
        self.needle: str | None = None
        if backend == "sqlite":
            self.path = run_dir / "sqlite" / f"fairlabel{tag}.db"
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            self.url = f"sqlite:///{self.path}"
        else:
            self.name = f"fl_bench_{os.getpid()}_{int(time.time())}{tag}"
            self.url = f"postgresql://{a.pg_user}@{HOST}:{a.pg_port}/{self.name}"
            # Its backends' process titles: 'postgres: [15/main: ]USER DBNAME 127.0.0.1(port) ...'
            self.needle = f" {a.pg_user} {self.name} "

    def create(self) -> None:
        if self.backend == "postgres":
            subprocess.run(["createdb", "-h", HOST, "-p", str(self.a.pg_port), "-U",
                            self.a.pg_admin, self.name], check=True, timeout=60,
                           stdin=subprocess.DEVNULL)

    def drop(self) -> None:
        if self.backend == "postgres" and self.a.keep_data:
            log(f"kept database {self.name} (--keep-data); drop it with: dropdb -h {HOST} "
                f"-U {self.a.pg_admin} --force {self.name}")
        elif self.backend == "postgres":
            p = subprocess.run(["dropdb", "-h", HOST, "-p", str(self.a.pg_port), "-U",
                                self.a.pg_admin, "--force", "--if-exists", self.name],
                               capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
            if p.returncode:
                log(f"dropdb {self.name} failed: {p.stderr.decode(errors='replace').strip()}")
        elif not self.a.keep_data:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)


def cli(a: argparse.Namespace, env: dict[str, str], args: list[str], stdin: str | None = None,
        tries: int = 3) -> str:
    """Run a fairlabel CLI command (retried: SQLite may be busy while the server writes)."""
    last = ""
    for attempt in range(tries):
        p = subprocess.run([a.fairlabel, *args], env=env, capture_output=True, timeout=120,
                           input=(stdin or "").encode())
        if p.returncode == 0:
            return p.stdout.decode().strip()
        last = (p.stderr or p.stdout).decode(errors="replace").strip()[-500:]
        time.sleep(0.5 * (attempt + 1))
    raise RuntimeError(f"fairlabel {' '.join(args)} failed {tries}x: {last}")


def make_users(a: argparse.Namespace, env: dict[str, str], n_workers: int,
               res: dict[str, Any]) -> tuple[str, list[str]]:
    t0 = time.perf_counter()
    password = "bench-password-123"

    def make(email: str, role: str) -> str:
        cli(a, env, ["user", "add", email, "--role", role, "--password-stdin"], password + "\n")
        tok = cli(a, env, ["token", "create", email])
        return tok.splitlines()[-1].strip()

    with ThreadPoolExecutor(max_workers=a.cli_parallel) as ex:
        fut_req = ex.submit(make, "requester@bench.example", "requester")
        futs = [ex.submit(make, f"worker{i:03d}@bench.example", "worker")
                for i in range(n_workers)]
        requester = fut_req.result()
        workers = [f.result() for f in futs]
    res["user_setup_s"] = round(time.perf_counter() - t0, 2)
    log(f"  created requester + {n_workers} workers with tokens via the CLI in "
        f"{res['user_setup_s']} s")
    # Servers with escrow serve work only while the project's escrow covers it: an admin
    # records a deposit for the requester (CLI), and each project is funded from it (API).
    res["funding"] = None
    if a.deposit and cli_has(a, env, ["funds", "deposit", "--help"]):
        cli(a, env, ["user", "add", "admin@bench.example", "--role", "admin",
                     "--password-stdin"], password + "\n")
        out = cli(a, env, ["funds", "deposit", "requester@bench.example", a.deposit,
                           "--currency", "USD", "--as", "admin@bench.example"])
        res["funding"] = {"deposit": a.deposit, "cli": out, "per_project": a.fund_per_project}
        log(f"  deposit via the CLI: {out}")
    return requester, workers


def cli_has(a: argparse.Namespace, env: dict[str, str], args: list[str]) -> bool:
    """Whether this fairlabel has a command (its --help exits 0)."""
    p = subprocess.run([a.fairlabel, *args], env=env, capture_output=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    return p.returncode == 0


def fl_project(port: int, token: str, n_tasks: int, seed: int, name: str,
               a: argparse.Namespace, fund: bool = False) -> tuple[int | str, dict[str, Any]]:
    H = {"Authorization": f"Bearer {token}"}
    info: dict[str, Any] = {}
    st, pj = one_shot(port, "POST", "/api/v1/projects", {
        "name": name, "instructions": "Is the review positive, negative or neutral?",
        "schema": {"type": "single_choice", "choices": CHOICES}, "redundancy": a.redundancy,
        "pay_per_task": {"amount_minor": 5, "currency": "USD"}}, H)
    if st != 201:
        raise RuntimeError(f"POST /api/v1/projects -> {st}: {str(pj)[:500]}")
    pid = pj["id"]
    body = json.dumps(make_tasks(n_tasks, seed)).encode()
    t0 = time.perf_counter()
    st, ij = one_shot(port, "POST", f"/api/v1/projects/{pid}/tasks", body, H)
    info["import_s"] = round(time.perf_counter() - t0, 3)
    info["import_bytes"] = len(body)
    if st != 201:
        raise RuntimeError(f"POST /api/v1/projects/{pid}/tasks -> {st}: {str(ij)[:500]}")
    info["imported"] = ij.get("imported") if isinstance(ij, dict) else ij
    if fund:
        major, _, minor = a.fund_per_project.partition(".")
        amount_minor = int(major) * 100 + int((minor + "00")[:2])
        st, fj = one_shot(port, "POST", f"/api/v1/projects/{pid}/fund",
                          {"amount": {"amount_minor": amount_minor, "currency": "USD"}}, H)
        if st != 200:
            raise RuntimeError(f"POST /api/v1/projects/{pid}/fund -> {st}: {str(fj)[:500]}")
        info["escrow"] = fj.get("escrow") if isinstance(fj, dict) else fj
    t0 = time.perf_counter()
    st, lj = one_shot(port, "POST", f"/api/v1/projects/{pid}/launch", None, H)
    info["launch_s"] = round(time.perf_counter() - t0, 3)
    if st != 200:
        raise RuntimeError(f"POST /api/v1/projects/{pid}/launch -> {st}: {str(lj)[:500]}")
    return pid, info


def make_fl_worker(pid: int | str, seed: int) -> WorkerFn:
    next_path = f"/api/v1/projects/{pid}/next"

    def worker(i: int, conn: Any, rec: Rec, claim: Callable[[], int | None]) -> None:
        rnd = random.Random(seed * 1000 + i)
        bad = 0
        for _ in range(10_000_000):
            if claim() is None:
                return
            if bad > 50:  # this worker's connection or server is hopeless; stop it
                return
            sent = rec.send(conn, "GET next", "GET", next_path)
            if sent is None:
                bad += 1
                continue
            st, data, t0, took = sent
            if st == 204:
                rec.exhausted = True
                return
            if st != 200:
                rec.error("GET next", st, data)
                bad += 1
                continue
            rec.lat.setdefault("next", []).append(took)
            try:
                aid = json.loads(data)["assignment_id"]
            except (ValueError, KeyError, TypeError):
                rec.error("GET next", "bad-body", data)
                bad += 1
                continue
            body = json.dumps({"answer": rnd.choice(CHOICES)}).encode()
            sent = rec.send(conn, "POST submit", "POST", f"/api/v1/assignments/{aid}/submit",
                            body)
            if sent is None:
                bad += 1
                continue
            st, data, t1, took = sent
            if st not in (200, 201):
                rec.error("POST submit", st, data)
                bad += 1
                continue
            rec.lat.setdefault("submit", []).append(took)
            rec.succeeded("cycle", t0, t1 + took - t0)

    return worker


def fairlabel_serve_argv(a: argparse.Namespace, port: int) -> list[str]:
    argv = [a.fairlabel, "serve", "--host", HOST, "--port", str(port)]
    if a.workers != 1 or a.pass_workers_1:
        argv += ["--workers", str(a.workers)]
    return argv


def cold_start(backend: str, a: argparse.Namespace, run_dir: Path, k: int) -> float:
    """Spawn `fairlabel serve` on a fresh database, time it to the first 200, stop it."""
    db = FairlabelDB(backend, run_dir, a, tag=f"_s{k}")
    db.create()
    port = free_port()
    srv = Server(f"{backend} start-up {k}", fairlabel_serve_argv(a, port),
                 dict(os.environ, FAIRLABEL_DATABASE_URL=db.url), port,
                 run_dir / f"fairlabel-{backend}-startup{k}.log")
    srv.start()
    try:
        return round(srv.wait_ready("/openapi.json", a.startup_timeout), 3)
    finally:
        srv.stop()
        db.drop()


def bench_fairlabel(backend: str, a: argparse.Namespace, run_dir: Path,
                    res: dict[str, Any]) -> dict[str, Any]:
    # Extra cold starts (each on its own fresh database) before the measured server's own.
    runs = [cold_start(backend, a, run_dir, k) for k in range(1, a.startup_runs)]
    db = FairlabelDB(backend, run_dir, a)
    db.create()
    env = dict(os.environ, FAIRLABEL_DATABASE_URL=db.url)
    res["database_url"] = db.url
    port = free_port()
    argv = fairlabel_serve_argv(a, port)
    res["argv"] = argv
    srv = Server(backend, argv, env, port, run_dir / f"fairlabel-{backend}.log",
                 db_needle=db.needle)
    log(f"{backend}: starting {' '.join(argv)} on a fresh database ({db.url})")
    srv.start()
    try:
        runs.append(round(srv.wait_ready("/openapi.json", a.startup_timeout), 3))
        res["startup_runs_s"] = runs
        res["startup_s"] = sorted(runs)[(len(runs) - 1) // 2]  # median (lower)
        if len(runs) > 1:
            log(f"{backend}: start-up on fresh databases, in order: {runs} s")
        checkpoint(srv, res, "after_startup")
        log(f"{backend}: first 200 from /openapi.json {runs[-1]} s after spawn")
        n_workers = max(a.client_counts)
        requester, workers = make_users(a, env, n_workers, res)
        checkpoint(srv, res, "after_user_setup")
        cls = CLIENTS[a.client]

        def conns(c: int) -> list[Any]:
            return [cls(port, {"Authorization": f"Bearer {workers[i]}"}, a.req_timeout)
                    for i in range(c)]

        # Warm-up on its own small project: imports, caches and connection pools settle.
        fund = res.get("funding") is not None
        wpid, _ = fl_project(port, requester, a.warmup_tasks, 7, f"{backend} warm-up", a, fund)
        wu = run_phase(f"{backend} warm-up", conns(min(2, n_workers)), make_fl_worker(wpid, 7),
                       a.warmup_cycles, 20, srv)
        res["warmup"] = {k: wu[k] for k in ("ok", "errors", "error_samples")}
        checkpoint(srv, res, "after_warmup")
        res["phases"] = []
        for j, c in enumerate(a.client_counts):
            pid, info = fl_project(port, requester, a.tasks, 100 + j, f"{backend} c={c}", a,
                                   fund)
            log(f"  project {pid}: imported {info['imported']} tasks in {info['import_s']} s "
                f"(one POST, {info['import_bytes']} bytes), launch {info['launch_s']} s"
                + (f", escrow {info['escrow']}" if "escrow" in info else ""))
            ph = run_phase(f"{backend} c={c}", conns(c), make_fl_worker(pid, 100 + j),
                           a.cycles, a.phase_seconds, srv)
            ph.update(info)
            res["phases"].append(ph)
            checkpoint(srv, res, f"after_c{c}")
    finally:
        res.update(srv.stop())
        db.drop()
    return res

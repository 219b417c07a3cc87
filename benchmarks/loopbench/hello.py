"""The hello-world ceiling (benchmarks/hello_app.py) and its uvicorn settings beside fairlabel's."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .client import CLIENTS
from .common import HERE, HOST, REPO, log
from .phase import Rec, run_phase
from .procs import Server, free_port


def hello_worker(i: int, conn: Any, rec: Rec, claim: Callable[[], int | None]) -> None:
    bad = 0
    for _ in range(10_000_000):
        if claim() is None:
            return
        sent = rec.send(conn, "GET /hello", "GET", "/hello")
        if sent is None:
            bad += 1
            if bad > 50:
                return
            continue
        st, data, start, took = sent
        if st == 200:
            rec.succeeded("request", start, took)
        else:
            rec.error("GET /hello", st, data)


def bench_hello(a: argparse.Namespace, run_dir: Path, res: dict[str, Any]) -> dict[str, Any]:
    port = free_port()
    argv = [sys.executable, str(HERE / "hello_app.py"), "--host", HOST, "--port", str(port),
            "--workers", str(a.workers)]
    srv = Server("hello", argv, dict(os.environ), port, run_dir / "hello.log", cwd=HERE)
    res["argv"] = argv
    log(f"hello: starting {' '.join(argv)}")
    srv.start()
    try:
        res["startup_s"] = round(srv.wait_ready("/hello", a.startup_timeout), 3)
        log(f"hello: up in {res['startup_s']} s")
        cls = CLIENTS[a.client]
        run_phase("hello warm-up", [cls(port, {}, a.req_timeout) for _ in range(2)],
                  hello_worker, 300, 10, srv)
        res["phases"] = []
        for c in a.client_counts:
            ph = run_phase(f"hello c={c}", [cls(port, {}, a.req_timeout) for _ in range(c)],
                           hello_worker, a.hello_requests, a.phase_seconds, srv)
            res["phases"].append(ph)
        if a.compare_clients:
            # Same load with each client library: client CPU per request decides which is cheaper.
            cmp: dict[str, Any] = {}
            c = a.compare_clients
            for kind, k_cls in CLIENTS.items():
                ph = run_phase(f"hello client-cost {kind} c={c}",
                               [k_cls(port, {}, a.req_timeout) for _ in range(c)],
                               hello_worker, a.hello_requests, a.phase_seconds, srv)
                cmp[kind] = {k: ph.get(k) for k in ("ok_per_s", "client_cpu_ms_per_op",
                                                     "server_cpu_ms_per_op", "latency")}
            res["client_cost"] = cmp
    finally:
        res.update(srv.stop())
    return res


def uvicorn_calls() -> dict[str, str]:
    """The uvicorn.run(...) calls of `fairlabel serve` and of hello_app.py, as source text,
    so that a drift between the two servers' settings shows in the output."""
    out = {}
    for name, path in (("fairlabel", REPO / "src/fairlabel/adapters/cli/serve.py"),
                       ("hello", HERE / "hello_app.py")):
        try:
            m = re.search(r"^[ \t]+uvicorn\.run\((.*?)\)[ \t]*(?:#[^\n]*)?$", path.read_text(),
                          re.DOTALL | re.MULTILINE)
            out[name] = " ".join(m.group(1).split()) if m else "?"
        except OSError:
            out[name] = "?"
    try:
        src = (HERE / "hello_app.py").read_text()
        m = re.search(r"^UVICORN_SETTINGS[^=]*=\s*\{(.*?)\}", src, re.DOTALL | re.MULTILINE)
        if m:
            out["hello"] += "; UVICORN_SETTINGS = {" + " ".join(m.group(1).split()) + "}"
    except OSError:
        pass
    return out

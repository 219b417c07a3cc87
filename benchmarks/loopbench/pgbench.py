"""The database's raw ceiling: PostgreSQL's own `pgbench` (simple-update) on the same server."""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from .common import HOST, log


def find_pgbench() -> str | None:
    """`pgbench` on PATH, else the newest one under /usr/lib/postgresql/*/bin."""
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"),
                        key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
    return candidates[-1] if candidates else None


def _run(argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def bench_pgbench(a: argparse.Namespace, run_dir: Path, res: dict[str, Any]) -> dict[str, Any]:
    """`pgbench -i` on a fresh scratch database, then `pgbench -b simple-update` for
    --pgbench-seconds at each of --pgbench-clients; the database is dropped afterwards."""
    exe = find_pgbench()
    if exe is None:
        res["skipped"] = ("pgbench not found (PATH, /usr/lib/postgresql/*/bin): install "
                          "PostgreSQL's client programs (Debian: postgresql-client) to measure "
                          "the database's raw ceiling")
        log(f"pgbench: SKIPPED - {res['skipped']}")
        return res
    name = f"fl_pgbench_{os.getpid()}_{int(time.time())}"
    conn = ["-h", HOST, "-p", str(a.pg_port), "-U", a.pg_admin]
    res.update({"pgbench": exe, "database": name, "phases": []})
    subprocess.run(["createdb", *conn, name], check=True, timeout=60, stdin=subprocess.DEVNULL)
    log_path = run_dir / "pgbench.log"
    try:
        p = _run([exe, *conn, "-i", "-q", "-s", str(a.pgbench_scale), name], 300)
        log_path.write_text(p.stdout + p.stderr)
        if p.returncode:
            raise RuntimeError(f"pgbench -i exited {p.returncode}: {p.stderr.strip()[-300:]}")
        for c in a.pgbench_client_counts:
            argv = [exe, *conn, "-b", "simple-update", "-c", str(c), "-j", str(min(c, 2)),
                    "-T", str(a.pgbench_seconds), "-n", name]
            p = _run(argv, a.pgbench_seconds + 120)
            with open(log_path, "a") as f:
                f.write(f"$ {' '.join(argv)}\n{p.stdout}{p.stderr}\n")
            if p.returncode:
                raise RuntimeError(f"pgbench exited {p.returncode}: {p.stderr.strip()[-300:]}")
            tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", p.stdout)
            lat = re.search(r"latency average = ([\d.]+) ms", p.stdout)
            ph = {"phase": f"pgbench simple-update c={c}", "clients": c,
                  "ok_per_s": round(float(tps.group(1)), 1) if tps else None,
                  "latency_avg_ms": float(lat.group(1)) if lat else None,
                  "seconds": a.pgbench_seconds, "errors": 0}
            res["phases"].append(ph)
            log(f"  pgbench simple-update c={c}: {ph['ok_per_s']} transactions/s, latency avg "
                f"{ph['latency_avg_ms']} ms")
    finally:
        subprocess.run(["dropdb", *conn, "--force", "--if-exists", name], timeout=60,
                       capture_output=True, stdin=subprocess.DEVNULL)
    return res

#!/usr/bin/env python3
"""The whole benchmark in one run (`make bench`): results as JSON and PNG in one folder.

Runs, one after the other, each as its own process with its output shown and kept:

  loop.py    hello-world, pgbench, fairlabel on SQLite and PostgreSQL, Label Studio (when its
             venv exists; else its reference rate, labelled)          -> loop.json, loop.txt
  growth.py  next/submit on a fresh and on a grown database, both databases
             (1/10 size by default, --growth-full for 1,000,000 tasks / 10,000,000 answers)
                                                                        -> growth.json, growth.txt
  soak.py    2 app processes on PostgreSQL, 64 clients, then SQL and ledger checks
                                                                        -> soak.json, soak.txt
  plots.py   cycles_per_client.png, growth_latency.png from the JSON

and writes summary.json (the headline figures of each part) in the results folder,
benchmarks/results/<date>-<time>/ unless --out-dir (git-ignored scratch).

    .venv/bin/python benchmarks/bench_all.py                 # about 20 minutes
    .venv/bin/python benchmarks/bench_all.py --quick         # a few minutes, smaller figures
    .venv/bin/python benchmarks/bench_all.py --growth-full --soak-seconds 120
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PARTS = ("loop", "growth", "soak")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--out-dir", type=Path,
                    help="results folder (default benchmarks/results/<date>-<time>)")
    ap.add_argument("--skip", default="", help=f"comma list of parts to leave out: {PARTS}")
    ap.add_argument("--quick", action="store_true",
                    help="short phases everywhere (loop: 1,8 clients, 10 s; growth: 1/100 "
                         "size; soak: 16 clients, 20 s): a smoke run, not figures to record")
    ap.add_argument("--growth-scale", type=float, default=0.1,
                    help="growth.py --scale (1 = 1,000,000 tasks, 10,000,000 answers)")
    ap.add_argument("--growth-full", action="store_true", help="growth.py at full size")
    ap.add_argument("--soak-seconds", type=float, default=120.0)
    ap.add_argument("--soak-clients", type=int, default=64)
    ap.add_argument("--loop-args", default="", help="more arguments for loop.py (one string)")
    ap.add_argument("--growth-args", default="", help="more arguments for growth.py")
    ap.add_argument("--soak-args", default="", help="more arguments for soak.py")
    a = ap.parse_args(argv)
    a.skip_parts = {p.strip() for p in a.skip.split(",") if p.strip()}
    if a.skip_parts - set(PARTS):
        ap.error(f"--skip: choose from {PARTS}")
    return a


def run_part(name: str, argv: list[str], out_dir: Path) -> int:
    """Run one script, its output shown as it comes and kept in <name>.txt."""
    print(f"\n######## {name}: {' '.join(shlex.quote(x) for x in argv)}", flush=True)
    t = time.perf_counter()
    with open(out_dir / f"{name}.txt", "w") as log, subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            cwd=HERE.parent, stdin=subprocess.DEVNULL) as p:
        assert p.stdout is not None
        for line in p.stdout:
            sys.stdout.write(line)
            log.write(line)
        rc = p.wait()
    print(f"######## {name}: exit {rc} after {time.perf_counter() - t:.0f} s", flush=True)
    return rc


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
        return data
    except (OSError, ValueError):
        return None


def summary(out_dir: Path) -> dict[str, Any]:
    """The headline figures of each part, from their JSON."""
    s: dict[str, Any] = {"folder": str(out_dir)}
    loop = _load(out_dir / "loop.json")
    if loop:
        rates: dict[str, Any] = {}
        for name, res in loop.get("backends", {}).items():
            if res.get("skipped") or res.get("failed"):
                rates[name] = res.get("skipped") or res.get("failed")
                continue
            rates[name] = {str(p["clients"]): p.get("ok_per_s") for p in res.get("phases", [])}
        s["loop"] = {"started": loop.get("started"), "ops_per_s_by_clients": rates,
                     "targets": loop.get("targets")}
    growth = _load(out_dir / "growth.json")
    if growth:
        s["growth"] = {"scale": growth.get("params", {}).get("scale"), "backends": {
            b: {"counts": r.get("grown", {}).get("counts"),
                "db_size_mib": r.get("grown", {}).get("db_size_mib"),
                "ratios": r.get("ratios"), "failed": r.get("failed")}
            for b, r in growth.get("backends", {}).items()}}
    soak = _load(out_dir / "soak.json")
    if soak:
        ph = soak.get("phase", {})
        s["soak"] = {"pass": soak.get("pass"), "skipped": soak.get("skipped"),
                     "seconds": ph.get("wall_s"), "clients": ph.get("clients"),
                     "cycles": ph.get("ok"), "cycles_per_s": ph.get("ok_per_s"),
                     "errors": ph.get("errors"), "checks": soak.get("checks"),
                     "statements": {k: v for k, v in (soak.get("statements") or {}).items()
                                    if k != "file"}}
    return s


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    out_dir = a.out_dir or HERE / "results" / time.strftime("%Y-%m-%d-%H%M%S")
    out_dir.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    codes: dict[str, int] = {}
    if "loop" not in a.skip_parts:
        argv_ = [py, str(HERE / "loop.py"), "--out", str(out_dir / "loop.json")]
        if a.quick:
            argv_ += ["--clients", "1,8", "--phase-seconds", "10", "--startup-runs", "1",
                      "--pgbench-seconds", "3"]
        codes["loop"] = run_part("loop", argv_ + shlex.split(a.loop_args), out_dir)
    if "growth" not in a.skip_parts:
        argv_ = [py, str(HERE / "growth.py"), "--out", str(out_dir / "growth.json"),
                 "--scale", str(1.0 if a.growth_full else 0.01 if a.quick else a.growth_scale)]
        if a.quick:
            argv_ += ["--clients", "1", "--cycles", "300", "--phase-seconds", "5"]
        codes["growth"] = run_part("growth", argv_ + shlex.split(a.growth_args), out_dir)
    if "soak" not in a.skip_parts:
        argv_ = [py, str(HERE / "soak.py"), "--out", str(out_dir / "soak.json"),
                 "--seconds", str(20.0 if a.quick else a.soak_seconds),
                 "--clients", str(16 if a.quick else a.soak_clients)]
        codes["soak"] = run_part("soak", argv_ + shlex.split(a.soak_args), out_dir)
    plots = run_part("plots", [py, str(HERE / "plots.py"), str(out_dir)], out_dir)
    s = summary(out_dir)
    s["exit_codes"] = {**codes, "plots": plots}
    (out_dir / "summary.json").write_text(json.dumps(s, indent=2, default=str))
    print(f"\nresults: {out_dir} (summary.json, loop/growth/soak .json and .txt, PNG plots)")
    return 0 if all(c == 0 for c in codes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""One load phase: N threads driving a server, latency records, percentiles, CPU figures."""

from __future__ import annotations

import http.client
import itertools
import math
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from .common import log
from .procs import Server, machine_busy_cpu_s


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile, q in 0..100."""
    if not values:
        return None
    s = sorted(values)
    return s[max(1, math.ceil(q / 100.0 * len(s))) - 1]


def lat_summary(seconds: list[float]) -> dict[str, Any]:
    if not seconds:
        return {"n": 0}
    ms = [x * 1000.0 for x in seconds]
    return {"n": len(ms), "p50_ms": round(pct(ms, 50), 2), "p95_ms": round(pct(ms, 95), 2),
            "p99_ms": round(pct(ms, 99), 2), "max_ms": round(max(ms), 2),
            "mean_ms": round(sum(ms) / len(ms), 2)}


# --------------------------------------------------------------------------- load phases

class Rec:
    """Per-thread record (merged after the phase, so no locking on the hot path)."""

    def __init__(self) -> None:
        self.lat: dict[str, list[float]] = {}
        self.status: dict[str, int] = {}
        self.errors: dict[str, int] = {}
        self.error_samples: list[str] = []
        self.ok = 0
        self.exhausted = False
        self.series: list[tuple[float, float]] = []  # (start, latency) of each successful op

    def count(self, endpoint: str, status: int | str) -> None:
        k = f"{endpoint} {status}"
        self.status[k] = self.status.get(k, 0) + 1

    def send(self, conn: Any, endpoint: str, method: str, path: str,
             body: bytes | None = None) -> tuple[int, bytes, float, float] | None:
        """One request, counted under ``endpoint``: (status, body, start, seconds taken), or
        None when the connection failed (recorded as an error)."""
        start = time.perf_counter()
        try:
            status, data = conn.request(method, path, body)
        except (OSError, http.client.HTTPException) as ex:
            self.error(endpoint, type(ex).__name__, repr(ex))
            return None
        took = time.perf_counter() - start
        self.count(endpoint, status)
        return status, data, start, took

    def succeeded(self, key: str, start: float, took: float) -> None:
        """A successful operation: its latency under ``key`` and in the time series."""
        self.lat.setdefault(key, []).append(took)
        self.series.append((start, took))
        self.ok += 1

    def error(self, endpoint: str, status: int | str, body: bytes | str = b"") -> None:
        k = f"{endpoint} {status}"
        self.errors[k] = self.errors.get(k, 0) + 1
        if len(self.error_samples) < 5:
            text = body.decode(errors="replace") if isinstance(body, bytes) else body
            self.error_samples.append(f"{k}: {text[:300]}")


WorkerFn = Callable[[int, Any, Rec, Callable[[], int | None]], None]


def run_phase(name: str, conns: list[Any], worker: WorkerFn, max_ops: int, seconds: float,
              server: Server | None, max_errors: int = 500) -> dict[str, Any]:
    """Run len(conns) threads; each calls worker(i, conn, rec, claim) which loops while
    claim() returns an op index (None once max_ops ops were claimed or the deadline passed,
    or when the phase's error budget is spent)."""
    n = len(conns)
    recs = [Rec() for _ in range(n)]
    counter = itertools.count()
    errs_seen = [0]
    for c in conns:
        c.connect()
    start = threading.Barrier(n + 1)
    t0_box: list[float] = []

    def claim() -> int | None:
        i = next(counter)  # atomic under the GIL
        if i >= max_ops or time.perf_counter() > t0_box[0] + seconds:
            return None
        if errs_seen[0] > max_errors:
            return None
        return i

    def body(i: int) -> None:
        start.wait()
        try:
            worker(i, conns[i], recs[i], claim)
        except Exception as ex:  # a worker must never take the phase down
            recs[i].error("worker", type(ex).__name__, repr(ex))

    def watch_errors() -> None:
        # Errors are summed from the records now and then (bounded by the phase deadline).
        for _ in range(int(seconds * 4) + 40):
            if all(not t.is_alive() for t in threads):
                return
            errs_seen[0] = sum(sum(r.errors.values()) for r in recs)
            time.sleep(0.25)

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    cpu_s0 = server.monitor.cpu_total() if server and server.monitor else None
    db0 = server.monitor.db_cpu_total() if server and server.monitor else 0.0
    mach0 = machine_busy_cpu_s()
    load0 = os.getloadavg()[0]
    cli0 = time.process_time()
    t0 = time.perf_counter()
    t0_box.append(t0)
    start.wait()
    w = threading.Thread(target=watch_errors, daemon=True)
    w.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    t1 = time.perf_counter()
    cli1 = time.process_time()
    mach1 = machine_busy_cpu_s()
    cpu_s1 = server.monitor.cpu_total() if server and server.monitor else None
    db1 = server.monitor.db_cpu_total() if server and server.monitor else 0.0
    for c in conns:
        c.close()

    lat: dict[str, list[float]] = {}
    status: dict[str, int] = {}
    errors: dict[str, int] = {}
    samples: list[str] = []
    for r in recs:
        for k, v in r.lat.items():
            lat.setdefault(k, []).extend(v)
        for k, v in r.status.items():
            status[k] = status.get(k, 0) + v
        for k, v in r.errors.items():
            errors[k] = errors.get(k, 0) + v
        for s in r.error_samples:
            if len(samples) < 10 and s not in samples:
                samples.append(s)
    ok = sum(r.ok for r in recs)
    wall = t1 - t0
    series = sorted(x for r in recs for x in r.series)
    fifths = []
    for k in range(5):  # p50 of the op latency per fifth of the phase (in start order)
        chunk = [lat_ for _, lat_ in series[k * len(series) // 5:(k + 1) * len(series) // 5]]
        fifths.append(round(pct(chunk, 50) * 1000, 2) if chunk else None)
    out: dict[str, Any] = {
        "phase": name, "clients": n, "client_lib": getattr(conns[0], "kind", "?"),
        "wall_s": round(wall, 3), "ok": ok, "ok_per_s": round(ok / wall, 2) if wall > 0 else None,
        "errors": sum(errors.values()), "error_counts": errors, "error_samples": samples,
        "status_counts": status, "workers_exhausted": sum(r.exhausted for r in recs),
        "reconnects": sum(getattr(c, "reconnects", 0) for c in conns),
        "client_cpu_s": round(cli1 - cli0, 3),
        "client_cpu_ms_per_op": round((cli1 - cli0) * 1000 / ok, 3) if ok else None,
        "latency": {k: lat_summary(v) for k, v in lat.items()},
        "op_p50_ms_by_fifth": fifths,
        "machine_busy_cpu_s": round(mach1 - mach0, 2),
        "machine_cpu_util": (round((mach1 - mach0) / wall / (os.cpu_count() or 1), 3)
                             if wall else None),
        "loadavg_1m_start_end": [round(load0, 2), round(os.getloadavg()[0], 2)],
    }
    if cpu_s0 is not None and cpu_s1 is not None and server and server.monitor:
        out["server_cpu_s"] = round(cpu_s1 - cpu_s0, 3)
        if server.db_needle:
            out["db_cpu_s"] = round(db1 - db0, 3)
            out["db_cpu_ms_per_op"] = round((db1 - db0) * 1000 / ok, 3) if ok else None
        # CPU of everything else on the machine (other people's jobs, system): noise indicator
        out["other_cpu_s"] = round((mach1 - mach0) - (cpu_s1 - cpu_s0) - (db1 - db0)
                                   - (cli1 - cli0), 2)
        out["server_cpu_ms_per_op"] = round((cpu_s1 - cpu_s0) * 1000 / ok, 3) if ok else None
        m = server.monitor.rss_max_kib(t0 - 0.3, t1 + 0.3)
        out["server_rss_max_sampled_mib"] = round(m / 1024, 1) if m else None
        out["server_vmhwm_sum_mib_after"] = round(server.monitor.hwm_sum_kib() / 1024, 1)
    lat_txt = ", ".join(f"{k} p50/p95 {v.get('p50_ms')}/{v.get('p95_ms')} ms"
                        for k, v in out["latency"].items())
    log(f"  {name}: {ok} ok in {out['wall_s']} s = {out['ok_per_s']}/s; {lat_txt}; "
        f"errors {out['errors']}; CPU s: server {out.get('server_cpu_s')}, "
        + (f"db {out.get('db_cpu_s')}, " if "db_cpu_s" in out else "")
        + f"client {out['client_cpu_s']}, other {out.get('other_cpu_s')}; "
        f"op p50 by fifth {fifths}")
    return out

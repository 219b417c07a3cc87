"""One load phase: N threads driving a server, latency records, percentiles, CPU figures."""

from __future__ import annotations

import http.client
import itertools
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Readings:
    """CPU seconds and wall time at one end of a phase (server figures need a monitor)."""

    server_cpu_s: float | None
    db_cpu_s: float
    machine_cpu_s: float
    client_cpu_s: float
    wall_s: float


def _server_cpu(server: Server | None) -> tuple[float | None, float]:
    if server and server.monitor:
        return server.monitor.cpu_total(), server.monitor.db_cpu_total()
    return None, 0.0


def run_phase(name: str, conns: list[Any], worker: WorkerFn, max_ops: int, seconds: float,
              server: Server | None, max_errors: int = 500) -> dict[str, Any]:
    """Run len(conns) threads; each calls worker(i, conn, rec, claim) which loops while
    claim() returns an op index (None once max_ops ops were claimed or the deadline passed,
    or when the phase's error budget is spent)."""
    recs = [Rec() for _ in conns]
    for c in conns:
        c.connect()
    before, load0, after = _drive(conns, recs, worker, max_ops, seconds, server, max_errors)
    for c in conns:
        c.close()
    out = _phase_figures(name, conns, recs, before, load0, after)
    if before.server_cpu_s is not None and after.server_cpu_s is not None and server \
            and server.monitor:
        _add_server_figures(out, server, before, after)
    _log_phase(name, out)
    return out


def _drive(conns: list[Any], recs: list[Rec], worker: WorkerFn, max_ops: int, seconds: float,
           server: Server | None, max_errors: int) -> tuple[Readings, float, Readings]:
    """The threads of one phase, started together; the readings before (and the 1-minute
    load average) and after."""
    n = len(conns)
    counter = itertools.count()
    errs_seen = [0]
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
    cpu_s0, db0 = _server_cpu(server)
    mach0 = machine_busy_cpu_s()
    load0 = os.getloadavg()[0]
    before = Readings(cpu_s0, db0, mach0, time.process_time(), time.perf_counter())
    t0_box.append(before.wall_s)
    start.wait()
    threading.Thread(target=watch_errors, daemon=True).start()
    for t in threads:
        t.join(timeout=seconds + 120)
    t1 = time.perf_counter()
    cli1 = time.process_time()
    mach1 = machine_busy_cpu_s()
    cpu_s1, db1 = _server_cpu(server)
    return before, load0, Readings(cpu_s1, db1, mach1, cli1, t1)


def _merge(recs: list[Rec]) -> tuple[dict[str, list[float]], dict[str, int], dict[str, int],
                                     list[str]]:
    """The threads' records together: latencies, status counts, error counts, samples."""
    lat: dict[str, list[float]] = {}
    status: dict[str, int] = {}
    errors: dict[str, int] = {}
    samples: list[str] = []
    for r in recs:
        for key, seconds in r.lat.items():
            lat.setdefault(key, []).extend(seconds)
        for key, n in r.status.items():
            status[key] = status.get(key, 0) + n
        for key, n in r.errors.items():
            errors[key] = errors.get(key, 0) + n
        for s in r.error_samples:
            if len(samples) < 10 and s not in samples:
                samples.append(s)
    return lat, status, errors, samples


def _p50_by_fifth(recs: list[Rec]) -> list[float | None]:
    """p50 of the op latency per fifth of the phase (ops in start order)."""
    series = sorted(x for r in recs for x in r.series)
    fifths = []
    for k in range(5):
        chunk = [lat_ for _, lat_ in series[k * len(series) // 5:(k + 1) * len(series) // 5]]
        fifths.append(round(pct(chunk, 50) * 1000, 2) if chunk else None)
    return fifths


def _phase_figures(name: str, conns: list[Any], recs: list[Rec], before: Readings,
                   load0: float, after: Readings) -> dict[str, Any]:
    """What the client measured: rates, latencies, errors, its own and the machine's CPU."""
    lat, status, errors, samples = _merge(recs)
    ok = sum(r.ok for r in recs)
    wall = after.wall_s - before.wall_s
    cli = after.client_cpu_s - before.client_cpu_s
    mach = after.machine_cpu_s - before.machine_cpu_s
    return {
        "phase": name, "clients": len(conns), "client_lib": getattr(conns[0], "kind", "?"),
        "wall_s": round(wall, 3), "ok": ok, "ok_per_s": round(ok / wall, 2) if wall > 0 else None,
        "errors": sum(errors.values()), "error_counts": errors, "error_samples": samples,
        "status_counts": status, "workers_exhausted": sum(r.exhausted for r in recs),
        "reconnects": sum(getattr(c, "reconnects", 0) for c in conns),
        "client_cpu_s": round(cli, 3),
        "client_cpu_ms_per_op": round(cli * 1000 / ok, 3) if ok else None,
        "latency": {k: lat_summary(v) for k, v in lat.items()},
        "op_p50_ms_by_fifth": _p50_by_fifth(recs),
        "machine_busy_cpu_s": round(mach, 2),
        "machine_cpu_util": (round(mach / wall / (os.cpu_count() or 1), 3) if wall else None),
        "loadavg_1m_start_end": [round(load0, 2), round(os.getloadavg()[0], 2)],
    }


def _add_server_figures(out: dict[str, Any], server: Server, before: Readings,
                        after: Readings) -> None:
    """The server's (and its database's) CPU per op, the rest of the machine, server memory."""
    assert server.monitor is not None and before.server_cpu_s is not None
    assert after.server_cpu_s is not None
    ok = out["ok"]
    cpu = after.server_cpu_s - before.server_cpu_s
    db = after.db_cpu_s - before.db_cpu_s
    out["server_cpu_s"] = round(cpu, 3)
    if server.db_needle:
        out["db_cpu_s"] = round(db, 3)
        out["db_cpu_ms_per_op"] = round(db * 1000 / ok, 3) if ok else None
    # CPU of everything else on the machine (other people's jobs, system): noise indicator
    out["other_cpu_s"] = round((after.machine_cpu_s - before.machine_cpu_s) - cpu - db
                               - (after.client_cpu_s - before.client_cpu_s), 2)
    out["server_cpu_ms_per_op"] = round(cpu * 1000 / ok, 3) if ok else None
    m = server.monitor.rss_max_kib(before.wall_s - 0.3, after.wall_s + 0.3)
    out["server_rss_max_sampled_mib"] = round(m / 1024, 1) if m else None
    out["server_vmhwm_sum_mib_after"] = round(server.monitor.hwm_sum_kib() / 1024, 1)


def _log_phase(name: str, out: dict[str, Any]) -> None:
    lat_txt = ", ".join(f"{k} p50/p95 {v.get('p50_ms')}/{v.get('p95_ms')} ms"
                        for k, v in out["latency"].items())
    log(f"  {name}: {out['ok']} ok in {out['wall_s']} s = {out['ok_per_s']}/s; {lat_txt}; "
        f"errors {out['errors']}; CPU s: server {out.get('server_cpu_s')}, "
        + (f"db {out.get('db_cpu_s')}, " if "db_cpu_s" in out else "")
        + f"client {out['client_cpu_s']}, other {out.get('other_cpu_s')}; "
        f"op p50 by fifth {out['op_p50_ms_by_fifth']}")

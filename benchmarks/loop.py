#!/usr/bin/env python3
"""Labeling-loop benchmark: fairlabel vs Label Studio vs a hello-world ceiling, over HTTP.

Everything runs on this machine, against servers this script starts itself on loopback ports,
side by side in one run (absolute figures drift with machine load; the ratios are the point):

  hello        benchmarks/hello_app.py: one sync FastAPI GET served by uvicorn the way
               `fairlabel serve` serves; requests/s and latency = the stack's ceiling.
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
import contextlib
import http.client
import itertools
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
HOST = "127.0.0.1"  # loopback only, never configurable to anything else
CHOICES = ["positive", "negative", "neutral"]
LS_CLASSES = ["Positive", "Negative", "Neutral"]
LS_LABEL_CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single" showInline="true">
    <Choice value="Positive"/>
    <Choice value="Negative"/>
    <Choice value="Neutral"/>
  </Choices>
</View>"""
WORDS = (
    "the", "service", "was", "quick", "and", "friendly", "but", "the", "food", "arrived", "cold",
    "and", "the", "bill", "was", "higher", "than", "expected", "overall", "I", "would", "come",
    "back", "again", "maybe", "next", "week", "delivery", "package", "broken", "refund", "support",
    "great", "terrible", "average", "okay", "fine",
)
# Reference figures from ../shared/benchmarks/label_studio.md (used only when LS is not run).
LS_REFERENCE = {"answer_rate_8_clients": 10.8, "peak_rss_mib": 433}
LS_INSTALL_HINT = ("python3 -m venv benchmarks/.work/ls-venv && "
                   "benchmarks/.work/ls-venv/bin/pip install 'label-studio==1.23.*'")
SERVER_LOG_PATTERNS = re.compile(
    r"Traceback|\bERROR\b|Exception|database is locked|OperationalError|IntegrityError|"
    r"deadlock|could not serialize|\" 5\d\d\b| 5\d\d Internal", re.IGNORECASE)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- statistics

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


# --------------------------------------------------------------------------- process tree

def _ppid_map() -> dict[int, int]:
    out: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                out[int(name)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return out


def tree_pids(root: int) -> list[int]:
    ppids = _ppid_map()
    kids: dict[int, list[int]] = {}
    for pid, ppid in ppids.items():
        kids.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    for _ in range(10000):  # bounded walk
        if not todo:
            break
        p = todo.pop()
        if p in ppids or p == root:
            out.append(p)
        todo.extend(kids.get(p, []))
    return out


def read_mem_kib(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    k, v = line.split(":", 1)
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def find_pids_by_cmdline(needle: str) -> list[int]:
    """PostgreSQL server processes whose title contains `needle` (the backends of one
    database show as 'postgres: 15/main: USER DBNAME 127.0.0.1(port) idle')."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
                if cmd.startswith("postgres:") and needle in cmd:
                    out.append(int(name))
        except OSError:
            pass
    return out


def machine_busy_cpu_s() -> float:
    """CPU seconds spent busy by the whole machine (all CPUs) since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    busy = sum(v[:8]) - idle  # user nice system idle iowait irq softirq steal
    return busy / os.sysconf("SC_CLK_TCK")


def read_cpu_s(pid: int) -> float | None:
    """utime+stime of one process (not its children) in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class ProcMonitor:
    """Samples a server's process tree: summed VmRSS every `interval` s, per-process VmHWM
    and CPU (last value seen per pid, so processes that exit keep their share)."""

    def __init__(self, root: int, interval: float = 0.25, max_samples: int = 40000,
                 db_needle: str | None = None) -> None:
        self.root, self.interval, self.max_samples = root, interval, max_samples
        self.db_needle = db_needle  # cmdline marker of the database server's processes
        self.db_pids: list[int] = []
        self.db_cpu: dict[int, float] = {}
        self.pids: list[int] = [root]
        self.hwm: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self.rss_samples: list[tuple[float, int]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample(self, refresh_tree: bool = False) -> None:
        if refresh_tree:
            self.pids = tree_pids(self.root) or [self.root]
            if self.db_needle:
                self.db_pids = find_pids_by_cmdline(self.db_needle)
        total = 0
        with self._lock:
            for pid in self.db_pids:
                c = read_cpu_s(pid)
                if c is not None:
                    self.db_cpu[pid] = c
            for pid in self.pids:
                mem = read_mem_kib(pid)
                if "VmRSS" in mem:
                    total += mem["VmRSS"]
                    self.hwm[pid] = max(self.hwm.get(pid, 0), mem.get("VmHWM", 0))
                c = read_cpu_s(pid)
                if c is not None:
                    self.cpu[pid] = c
            if total:
                self.rss_samples.append((time.perf_counter(), total))

    def _run(self) -> None:
        for i in range(self.max_samples):
            if self._stop.is_set():
                return
            self.sample(refresh_tree=(i % 8 == 0))
            self._stop.wait(self.interval)

    def start(self) -> ProcMonitor:
        self.sample(refresh_tree=True)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def cpu_total(self) -> float:
        self.sample(refresh_tree=True)
        with self._lock:
            return sum(self.cpu.values())

    def db_cpu_total(self) -> float:
        with self._lock:
            return sum(self.db_cpu.values())

    def hwm_sum_kib(self) -> int:
        with self._lock:
            return sum(self.hwm.values())

    def rss_max_kib(self, t0: float = 0.0, t1: float = float("inf")) -> int | None:
        with self._lock:
            vals = [r for (t, r) in self.rss_samples if t0 <= t <= t1]
        return max(vals) if vals else None

    def nprocs(self) -> int:
        return len(self.hwm)


# --------------------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    """A server subprocess in its own session (so its whole tree can be signalled)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int,
                 log_path: Path, cwd: Path | None = None, db_needle: str | None = None) -> None:
        self.name, self.argv, self.env, self.port, self.log_path = name, argv, env, port, log_path
        self.cwd, self.db_needle = cwd, db_needle
        self.proc: subprocess.Popen[bytes] | None = None
        self.monitor: ProcMonitor | None = None
        self.spawn_t = 0.0

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        logf = open(self.log_path, "wb")  # noqa: SIM115 - lives as long as the server
        self.spawn_t = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, env=self.env, stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=self.cwd, start_new_session=True)
        logf.close()
        self.monitor = ProcMonitor(self.proc.pid, db_needle=self.db_needle).start()
        log(f"  {self.name}: pid {self.proc.pid}, port {self.port}, log {self.log_path}")

    def wait_ready(self, path: str, timeout_s: float,
                   headers: dict[str, str] | None = None) -> float:
        """Poll `path` with fresh connections until HTTP 200; return seconds since spawn."""
        assert self.proc is not None
        deadline = self.spawn_t + timeout_s
        for _ in range(1_000_000):  # bounded by the deadline as well
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} before "
                                   f"answering; see {self.log_path}")
            try:
                c = http.client.HTTPConnection(HOST, self.port, timeout=5)
                c.request("GET", path, headers=headers or {})
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    return time.perf_counter() - self.spawn_t
            except (OSError, http.client.HTTPException):
                pass
            if time.perf_counter() > deadline:
                break
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} not ready after {timeout_s}s; see {self.log_path}")

    def stop(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.monitor:
            out["server_cpu_total_s"] = round(self.monitor.cpu_total(), 2)
            if self.db_needle:
                out["db_cpu_total_s"] = round(self.monitor.db_cpu_total(), 2)
            out["server_peak_rss_vmhwm_sum_mib"] = round(self.monitor.hwm_sum_kib() / 1024, 1)
            m = self.monitor.rss_max_kib()
            out["server_peak_rss_sampled_mib"] = round(m / 1024, 1) if m else None
            out["server_processes"] = self.monitor.nprocs()
            self.monitor.stop()
        if self.proc and self.proc.poll() is None:
            pgid = self.proc.pid  # own session: pgid == pid
            try:
                os.killpg(pgid, signal.SIGINT)
                self.proc.wait(timeout=15)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        out["log_findings"] = scan_log(self.log_path)
        return out


def scan_log(path: Path, max_samples: int = 8) -> dict[str, Any]:
    """Count suspicious lines in a server log; keep a few distinct samples."""
    n, samples = 0, []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if SERVER_LOG_PATTERNS.search(line):
                    n += 1
                    s = line.strip()[:300]
                    if s not in samples and len(samples) < max_samples:
                        samples.append(s)
    except OSError:
        pass
    return {"matching_lines": n, "samples": samples, "log": str(path)}


# --------------------------------------------------------------------------- HTTP clients

RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
             http.client.CannotSendRequest)


class StdlibConn:
    """One persistent http.client connection (one per simulated worker)."""

    kind = "http.client"

    def __init__(self, port: int, headers: dict[str, str], timeout: float) -> None:
        self.port, self.timeout = port, timeout
        self.headers = {"Content-Type": "application/json", "Accept": "application/json",
                        **headers}
        self.conn: http.client.HTTPConnection | None = None
        self.used = False
        self.reconnects = 0

    def _connect(self) -> http.client.HTTPConnection:
        c = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        c.connect()
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.used = False
        return c

    def connect(self) -> None:
        if self.conn is None:
            self.conn = self._connect()

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        for attempt in range(2):
            if self.conn is None:
                self.conn = self._connect()
                self.reconnects += 1
            reused = self.used
            try:
                self.conn.request(method, path, body=body, headers=self.headers)
                r = self.conn.getresponse()
                data = r.read()
            except RETRYABLE:
                self.close()
                # Only the keep-alive race (server closed an idle connection) is retried.
                if attempt == 0 and reused:
                    continue
                raise
            except BaseException:
                self.close()
                raise
            self.used = True
            if r.will_close:
                self.close()
            return r.status, data
        raise RuntimeError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class HttpxConn:
    """One httpx.Client limited to one connection (for the client-cost comparison)."""

    kind = "httpx"

    def __init__(self, port: int, headers: dict[str, str], timeout: float) -> None:
        import httpx

        self.client = httpx.Client(
            base_url=f"http://{HOST}:{port}", timeout=timeout,
            headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1))
        self.reconnects = 0

    def connect(self) -> None:
        pass

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        r = self.client.request(method, path, content=body)
        return r.status_code, r.content

    def close(self) -> None:
        self.client.close()


CLIENTS: dict[str, type] = {"http.client": StdlibConn, "httpx": HttpxConn}


def one_shot(port: int, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None, timeout: float = 600.0) -> tuple[int, Any]:
    """A single request on its own connection; JSON-decodes the answer when it can."""
    c = StdlibConn(port, headers or {}, timeout)
    try:
        raw = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        st, data = c.request(method, path, raw)
    finally:
        c.close()
    try:
        return st, json.loads(data) if data else None
    except ValueError:
        return st, data.decode(errors="replace")


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


# --------------------------------------------------------------------------- hello-world

def hello_worker(i: int, conn: Any, rec: Rec, claim: Callable[[], int | None]) -> None:
    bad = 0
    for _ in range(10_000_000):
        if claim() is None:
            return
        s = time.perf_counter()
        try:
            st, data = conn.request("GET", "/hello")
        except (OSError, http.client.HTTPException) as ex:
            rec.error("GET /hello", type(ex).__name__, repr(ex))
            bad += 1
            if bad > 50:
                return
            continue
        e = time.perf_counter()
        rec.count("GET /hello", st)
        if st == 200:
            rec.lat.setdefault("request", []).append(e - s)
            rec.series.append((s, e - s))
            rec.ok += 1
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


# --------------------------------------------------------------------------- fairlabel

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


def make_tasks(n: int, seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    return [{"data": {"text": f"Review {i}: " + " ".join(
        rnd.choice(WORDS) for _ in range(rnd.randint(15, 40)))}} for i in range(n)]


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
            t0 = time.perf_counter()
            try:
                st, data = conn.request("GET", next_path)
            except (OSError, http.client.HTTPException) as ex:
                rec.error("GET next", type(ex).__name__, repr(ex))
                bad += 1
                continue
            t1 = time.perf_counter()
            rec.count("GET next", st)
            if st == 204:
                rec.exhausted = True
                return
            if st != 200:
                rec.error("GET next", st, data)
                bad += 1
                continue
            rec.lat.setdefault("next", []).append(t1 - t0)
            try:
                aid = json.loads(data)["assignment_id"]
            except (ValueError, KeyError, TypeError):
                rec.error("GET next", "bad-body", data)
                bad += 1
                continue
            body = json.dumps({"answer": rnd.choice(CHOICES)}).encode()
            try:
                st, data = conn.request("POST", f"/api/v1/assignments/{aid}/submit", body)
            except (OSError, http.client.HTTPException) as ex:
                rec.error("POST submit", type(ex).__name__, repr(ex))
                bad += 1
                continue
            t2 = time.perf_counter()
            rec.count("POST submit", st)
            if st not in (200, 201):
                rec.error("POST submit", st, data)
                bad += 1
                continue
            rec.lat.setdefault("submit", []).append(t2 - t1)
            rec.lat.setdefault("cycle", []).append(t2 - t0)
            rec.series.append((t0, t2 - t0))
            rec.ok += 1

    return worker


def fairlabel_serve_argv(a: argparse.Namespace, port: int) -> list[str]:
    argv = [a.fairlabel, "serve", "--host", HOST, "--port", str(port)]
    if a.workers != 1 or a.pass_workers_1:
        argv += ["--workers", str(a.workers)]
    return argv


def checkpoint(srv: Server, res: dict[str, Any], label: str) -> None:
    """Record the server's current RSS and peak-so-far (VmHWM) at a point of the run."""
    if not srv.monitor:
        return
    srv.monitor.sample(refresh_tree=True)
    now = sum(read_mem_kib(p).get("VmRSS", 0) for p in srv.monitor.pids)
    res.setdefault("rss_checkpoints_mib", {})[label] = {
        "rss": round(now / 1024, 1), "vmhwm_so_far": round(srv.monitor.hwm_sum_kib() / 1024, 1)}


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


# --------------------------------------------------------------------------- Label Studio

def ls_worker_factory(task_ids: list[int]) -> WorkerFn:
    def worker(i: int, conn: Any, rec: Rec, claim: Callable[[], int | None]) -> None:
        bad = 0
        for _ in range(len(task_ids) + 1):
            k = claim()
            if k is None or k >= len(task_ids) or bad > 50:
                return
            payload = json.dumps({"result": [{
                "from_name": "sentiment", "to_name": "text", "type": "choices",
                "value": {"choices": [LS_CLASSES[k % 3]]}}], "lead_time": 1.0}).encode()
            s = time.perf_counter()
            try:
                st, data = conn.request("POST", f"/api/tasks/{task_ids[k]}/annotations/", payload)
            except (OSError, http.client.HTTPException) as ex:
                rec.error("POST annotation", type(ex).__name__, repr(ex))
                bad += 1
                continue
            e = time.perf_counter()
            rec.count("POST annotation", st)
            if st == 201:
                rec.lat.setdefault("annotation", []).append(e - s)
                rec.series.append((s, e - s))
                rec.ok += 1
            else:
                rec.error("POST annotation", st, data)
                bad += 1

    return worker


def ls_next_worker(pid: int) -> WorkerFn:
    def worker(i: int, conn: Any, rec: Rec, claim: Callable[[], int | None]) -> None:
        for _ in range(1_000_000):
            if claim() is None:
                return
            s = time.perf_counter()
            try:
                st, data = conn.request("GET", f"/api/projects/{pid}/next/")
            except (OSError, http.client.HTTPException) as ex:
                rec.error("GET next", type(ex).__name__, repr(ex))
                continue
            e = time.perf_counter()
            rec.count("GET next", st)
            if st == 200:
                rec.lat.setdefault("next", []).append(e - s)
                rec.series.append((s, e - s))
                rec.ok += 1
            else:
                rec.error("GET next", st, data)

    return worker


def bench_labelstudio(a: argparse.Namespace, run_dir: Path,
                      res: dict[str, Any]) -> dict[str, Any]:
    exe = Path(a.ls_venv) / "bin" / "label-studio"
    if not exe.exists():
        reason = f"no Label Studio at {exe}; install with: {LS_INSTALL_HINT}"
        log(f"labelstudio: SKIPPED - {reason}")
        res["skipped"] = reason
        return res
    try:
        ver = subprocess.run([str(Path(a.ls_venv) / "bin" / "python"), "-c",
                              "import importlib.metadata as m; print(m.version('label-studio'))"],
                             capture_output=True, timeout=60).stdout.decode().strip()
    except (OSError, subprocess.TimeoutExpired):
        ver = "?"
    res["version"] = ver
    data_dir = run_dir / "ls-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    token = "b3nch" + "0" * 35  # 40 chars, like LS's legacy tokens
    env = dict(os.environ, LABEL_STUDIO_USERNAME="bench@example.com",
               LABEL_STUDIO_PASSWORD="bench-password-123", LABEL_STUDIO_USER_TOKEN=token,
               SENTRY_DSN="", FRONTEND_SENTRY_DSN="", COLLECT_ANALYTICS="false",
               LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true")
    port = free_port()
    argv = [str(exe), "start", "--no-browser", "--internal-host", HOST, "--port", str(port),
            "--data-dir", str(data_dir), "--enable-legacy-api-token"]
    res["argv"] = argv
    srv = Server("labelstudio", argv, env, port, run_dir / "labelstudio.log")
    log(f"labelstudio {ver}: starting on a fresh data dir (first start runs its migrations; "
        f"30-70 s)")
    srv.start()
    H = {"Authorization": f"Token {token}"}
    try:
        res["startup_s"] = round(srv.wait_ready("/health", a.ls_startup_timeout), 3)
        log(f"labelstudio: first 200 from /health {res['startup_s']} s after spawn")
        checkpoint(srv, res, "after_startup")
        st, v = (0, None)
        for _ in range(60):  # the token user may land a moment after /health answers
            st, v = one_shot(port, "GET", "/api/version", None, H)
            if st == 200:
                break
            time.sleep(0.5)
        if st != 200:
            raise RuntimeError(f"LS /api/version with token -> {st}: {str(v)[:300]}")
        st, pj = one_shot(port, "POST", "/api/projects/", {
            "title": "bench", "label_config": LS_LABEL_CONFIG}, H)
        if st != 201:
            raise RuntimeError(f"LS POST /api/projects/ -> {st}: {str(pj)[:300]}")
        pid = pj["id"]
        n_tasks = max(a.ls_tasks, a.ls_annotations * len(a.ls_client_counts))
        body = json.dumps(make_tasks(n_tasks, 1)).encode()
        t0 = time.perf_counter()
        st, ij = one_shot(port, "POST", f"/api/projects/{pid}/import?return_task_ids=true",
                          body, H)
        res["import_s"] = round(time.perf_counter() - t0, 3)
        res["import_tasks"] = n_tasks
        if st != 201:
            raise RuntimeError(f"LS import -> {st}: {str(ij)[:300]}")
        task_ids = list(ij.get("task_ids") or [])
        log(f"  LS project {pid}: imported {n_tasks} tasks in {res['import_s']} s (one POST)")
        checkpoint(srv, res, "after_import")
        if len(task_ids) < a.ls_annotations * len(a.ls_client_counts):
            raise RuntimeError(f"LS import returned {len(task_ids)} task ids")
        cls = CLIENTS[a.client]
        if a.ls_next_calls:
            res["next_seq"] = run_phase("labelstudio GET next c=1", [cls(port, H, a.req_timeout)],
                                        ls_next_worker(pid), a.ls_next_calls, a.phase_seconds,
                                        srv)
        res["phases"] = []
        off = 0
        for c in a.ls_client_counts:
            ids = task_ids[off:off + a.ls_annotations]
            off += a.ls_annotations
            ph = run_phase(f"labelstudio c={c}", [cls(port, H, a.req_timeout) for _ in range(c)],
                           ls_worker_factory(ids), len(ids), a.phase_seconds, srv)
            res["phases"].append(ph)
            checkpoint(srv, res, f"after_c{c}")
    finally:
        res.update(srv.stop())
        if not a.keep_data:
            shutil.rmtree(data_dir, ignore_errors=True)
    return res


# --------------------------------------------------------------------------- report

def _lat(ph: dict[str, Any], key: str) -> str:
    lat = ph.get("latency", {}).get(key)
    if not lat or not lat.get("n"):
        return "-"
    return f"{lat['p50_ms']:.1f}/{lat['p95_ms']:.1f}"


def _num(v: float | None, width: int, digits: int) -> str:
    return f"{v:>{width}.{digits}f}" if isinstance(v, (int, float)) else f"{'-':>{width}}"


def _other_pct(ph: dict[str, Any]) -> float | None:
    if ph.get("other_cpu_s") is None or not ph.get("wall_s"):
        return None
    # Small negative values are sampling error (CPU is read at 1/100 s granularity).
    return max(0.0, 100.0 * ph["other_cpu_s"] / ph["wall_s"] / (os.cpu_count() or 1))


def _phase(res: dict[str, Any], c: int) -> dict[str, Any] | None:
    for ph in res.get("phases", []) or []:
        if ph.get("clients") == c:
            return ph
    return None


def summarize(results: dict[str, Any], a: argparse.Namespace) -> dict[str, Any]:
    backends = results["backends"]
    lines = []
    hdr = (f"{'backend':<12} {'cli':>3} {'ops/s':>9} {'unit':<11} {'next p50/p95':>14} "
           f"{'submit p50/p95':>15} {'op p50/p95 ms':>15} {'err':>4} {'srv ms/op':>9} "
           f"{'db ms/op':>8} {'cli ms/op':>9} {'other%':>6} {'RSS MiB':>7}")
    lines.append(hdr)
    lines.append("-" * len(hdr))
    for name, res in backends.items():
        if res.get("skipped") or res.get("failed"):
            lines.append(f"{name:<12} {'skipped' if res.get('skipped') else 'FAILED'}: "
                         f"{res.get('skipped') or res.get('failed')}")
            continue
        for ph in res.get("phases", []):
            if name == "hello":
                unit, nx, sb, op = "req", "-", "-", _lat(ph, "request")
            elif name == "labelstudio":
                unit, nx, sb, op = "annotation", "-", _lat(ph, "annotation"), _lat(ph, "annotation")
            else:
                unit, nx, sb, op = "cycle", _lat(ph, "next"), _lat(ph, "submit"), _lat(ph, "cycle")
            lines.append(
                f"{name:<12} {ph['clients']:>3} {ph['ok_per_s'] or 0:>9.1f} {unit:<11} {nx:>14} "
                f"{sb:>15} {op:>15} {ph['errors']:>4} {ph.get('server_cpu_ms_per_op') or 0:>9.2f} "
                f"{_num(ph.get('db_cpu_ms_per_op'), 8, 2)} "
                f"{ph.get('client_cpu_ms_per_op') or 0:>9.3f} "
                f"{_num(_other_pct(ph), 6, 0)} "
                f"{ph.get('server_rss_max_sampled_mib') or 0:>7.1f}")
    lines.append("")
    lines.append("  (srv/db/cli ms/op: CPU per op of the server tree, of the PostgreSQL backends "
                 "serving it, of this client; other%: CPU of everything else on the machine during "
                 "the phase, % of all cores: noise)")
    drift = []
    for res in backends.values():
        for ph in res.get("phases", []) or []:
            if any(ph.get("op_p50_ms_by_fifth") or []):
                drift.append(f"  {ph['phase']:<18} {ph['op_p50_ms_by_fifth']}")
    if drift:
        lines.append("op p50 (ms) per fifth of each phase, in start order (growth = slows down "
                     "as work accumulates):")
        lines += drift
    lines.append("")
    hdr2 = (f"{'backend':<12} {'start-up s':>10} {'peak RSS MiB (VmHWM sum / sampled)':>36} "
            f"{'procs':>5} {'server CPU s':>12} {'db CPU s':>8} {'import s (per phase)':<28} "
            f"{'log lines':>9}")
    lines.append(hdr2)
    lines.append("-" * len(hdr2))
    for name, res in backends.items():
        if res.get("skipped") or "startup_s" not in res:
            continue
        if name == "labelstudio":
            imp = f"{res.get('import_s')} ({res.get('import_tasks')} tasks)"
        else:
            imp = ", ".join(str(ph.get("import_s")) for ph in res.get("phases", [])
                            if "import_s" in ph) or "-"
        rss = (f"{res.get('server_peak_rss_vmhwm_sum_mib')} / "
               f"{res.get('server_peak_rss_sampled_mib')}")
        lines.append(f"{name:<12} {res['startup_s']:>10.2f} {rss:>36} "
                     f"{res.get('server_processes', '-'):>5} "
                     f"{res.get('server_cpu_total_s', 0):>12.1f} "
                     f"{_num(res.get('db_cpu_total_s'), 8, 1)} {imp:<28} "
                     f"{res.get('log_findings', {}).get('matching_lines', 0):>9}")
    for name, res in backends.items():
        if len(res.get("startup_runs_s") or []) > 1:
            lines.append(f"{name} start-up runs (each on a fresh database, in order; median "
                         f"above): {res['startup_runs_s']} s")
    for name, res in backends.items():
        if res.get("rss_checkpoints_mib"):
            cp = res["rss_checkpoints_mib"]
            lines.append(f"{name} RSS MiB now / peak-so-far: " + ", ".join(
                f"{k} {v['rss']}/{v['vmhwm_so_far']}" for k, v in cp.items()))
    if "labelstudio" in backends and backends["labelstudio"].get("next_seq"):
        ns = backends["labelstudio"]["next_seq"]
        lines.append(f"labelstudio GET next (sequential, {ns['ok']} calls): p50/p95 "
                     f"{_lat(ns, 'next')} ms")
    hc = backends.get("hello", {}).get("client_cost")
    if hc:
        lines.append("")
        lines.append(f"client cost at {a.compare_clients} clients against hello-world "
                     "(client CPU ms per request; lower is cheaper):")
        for kind, d in hc.items():
            lines.append(f"  {kind:<12} {d.get('client_cpu_ms_per_op')} ms/req, "
                         f"{d.get('ok_per_s')} req/s")

    noisy = [f"{ph['phase']} {_other_pct(ph):.0f}%" for res in backends.values()
             for ph in res.get("phases", []) or [] if (_other_pct(ph) or 0) > 25]
    if noisy:
        lines.append("")
        lines.append("WARNING: other processes on this machine used more than 25% of all cores "
                     "during: " + ", ".join(noisy) + ". Rates there are depressed and latencies "
                     "inflated; compare ratios within the run, or re-run on a quiet machine.")

    # ---- targets
    t: dict[str, Any] = {}
    out = ["", "TARGETS"]
    ls = backends.get("labelstudio", {})
    ls8 = _phase(ls, 8) if not ls.get("skipped") else None
    ls_rate = ls8["ok_per_s"] if ls8 and ls8.get("ok") else None
    ls_rss = ls.get("server_peak_rss_vmhwm_sum_mib")
    hello = backends.get("hello", {})
    for name in ("sqlite", "postgres"):
        res = backends.get(name)
        if not res or res.get("skipped") or res.get("failed") or not res.get("phases"):
            continue
        d: dict[str, Any] = {}
        p8 = _phase(res, 8)
        if p8 and p8.get("ok"):
            if ls_rate:
                d["rate_vs_ls_at_8"] = round(p8["ok_per_s"] / ls_rate, 1)
                basis = f"LS measured now: {ls_rate}/s"
            else:
                d["rate_vs_ls_at_8_reference"] = round(
                    p8["ok_per_s"] / LS_REFERENCE["answer_rate_8_clients"], 1)
                basis = (f"LS NOT RUN - vs reference {LS_REFERENCE['answer_rate_8_clients']}/s "
                         "from label_studio.md")
            x = d.get("rate_vs_ls_at_8", d.get("rate_vs_ls_at_8_reference"))
            out.append(f"  {name:<8} cycle rate / LS answer rate @8 clients: "
                       f"{p8['ok_per_s']}/s / {ls_rate or LS_REFERENCE['answer_rate_8_clients']}"
                       f"/s = {x}x   (target >= 20x: {'PASS' if x >= 20 else 'FAIL'}; {basis})")
        p32 = _phase(res, 32)
        if p32 and p32.get("latency", {}).get("cycle", {}).get("n"):
            v = p32["latency"]["cycle"]["p95_ms"]
            d["p95_cycle_ms_at_32"] = v
            out.append(f"  {name:<8} p95 cycle latency @32 clients: {v} ms   "
                       f"(target < 100 ms: {'PASS' if v < 100 else 'FAIL'})")
        rss = res.get("server_peak_rss_vmhwm_sum_mib")
        if rss:
            d["peak_rss_mib"] = rss
            rel = f"; LS measured now: {ls_rss} MiB = {round(ls_rss / rss, 2)}x" if ls_rss else ""
            out.append(f"  {name:<8} server peak RSS (VmHWM, {res.get('server_processes')} "
                       f"process(es)): {rss} MiB   (target < 144 MiB: "
                       f"{'PASS' if rss < 144 else 'FAIL'}{rel})")
        d["startup_s"] = res.get("startup_s")
        d["startup_runs_s"] = res.get("startup_runs_s")
        out.append(f"  {name:<8} start-up on a fresh database: {res.get('startup_s')} s median of "
                   f"{res.get('startup_runs_s')}   "
                   f"(target < 2 s: {'PASS' if res.get('startup_s', 99) < 2 else 'FAIL'})")
        fr = {}
        for ph in res["phases"]:
            hp = _phase(hello, ph["clients"])
            if hp and hp.get("ok_per_s") and ph.get("ok_per_s"):
                c = ph["clients"]
                f1 = ph["ok_per_s"] / hp["ok_per_s"]
                f2 = 2 * ph["ok_per_s"] / hp["ok_per_s"]
                fr[c] = {"cycles_per_hello_req": round(f1, 3),
                         "requests_per_hello_req": round(f2, 3)}
                out.append(f"  {name:<8} @{c:>2} clients: cycles/s / hello req/s = "
                           f"{ph['ok_per_s']}/{hp['ok_per_s']} = {f1:.1%};  "
                           f"requests/s (2 x cycles/s) / hello req/s = {f2:.1%}")
        d["fraction_of_hello"] = fr
        t[name] = d
    if len(out) == 2:
        out.append("  (no fairlabel backend ran)")
    lines += out
    # ---- server log findings
    lines.append("")
    lines.append("SERVER LOGS (lines matching error patterns)")
    for name, res in backends.items():
        lf = res.get("log_findings")
        if not lf:
            continue
        lines.append(f"  {name}: {lf['matching_lines']} matching lines ({lf['log']})")
        for s in lf["samples"]:
            lines.append(f"      {s}")
        for ph in res.get("phases", []) or []:
            if ph.get("error_counts"):
                lines.append(f"      client errors [{ph['phase']}]: "
                             f"{json.dumps(ph['error_counts'])} "
                             f"of {json.dumps(ph['status_counts'])}")
            for s in ph.get("error_samples", [])[:5]:
                lines.append(f"      client saw [{ph['phase']}] {s}")
    text = "\n".join(lines)
    print("\n" + "=" * 30 + " SUMMARY " + "=" * 30)
    for k, v in results.get("uvicorn_calls", {}).items():
        print(f"uvicorn.run in {k}: {v}")
    print(f"machine: {os.cpu_count()} CPUs; client library {a.client}; uvicorn workers "
          f"{a.workers}; {a.tasks} tasks/phase, redundancy {a.redundancy}; phases capped at "
          f"{a.cycles} cycles / {a.hello_requests} hello requests / {a.ls_annotations} LS "
          f"annotations or {a.phase_seconds} s. 'ops/s' = cycles/s (fairlabel: one GET next + "
          f"one POST submit), requests/s (hello), annotations/s (LS). Latencies in ms.")
    print(text, flush=True)
    return t


# --------------------------------------------------------------------------- main

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
    order = (["hello"] if not a.skip_hello else []) + fl_wanted + \
        (["labelstudio"] if "labelstudio" in a.backend_list else [])
    for name in order:
        # Partial results (start-up, finished phases) survive a failure later on.
        r: dict[str, Any] = {"backend": name}
        results["backends"][name] = r
        try:
            if name == "hello":
                bench_hello(a, run_dir, r)
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

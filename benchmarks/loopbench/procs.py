"""Server subprocesses and their process trees: CPU and memory from /proc, log scanning."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from .common import HOST, log

SERVER_LOG_PATTERNS = re.compile(
    r"Traceback|\bERROR\b|Exception|database is locked|OperationalError|IntegrityError|"
    r"deadlock|could not serialize|\" 5\d\d\b| 5\d\d Internal", re.IGNORECASE)


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


def checkpoint(srv: Server, res: dict[str, Any], label: str) -> None:
    """Record the server's current RSS and peak-so-far (VmHWM) at a point of the run."""
    if not srv.monitor:
        return
    srv.monitor.sample(refresh_tree=True)
    now = sum(read_mem_kib(p).get("VmRSS", 0) for p in srv.monitor.pids)
    res.setdefault("rss_checkpoints_mib", {})[label] = {
        "rss": round(now / 1024, 1), "vmhwm_so_far": round(srv.monitor.hwm_sum_kib() / 1024, 1)}

"""32 workers label a funded project over HTTP against a real server process while faults are
injected: the server is killed with SIGKILL mid-load and restarted on the same database, and
(on PostgreSQL) every database connection of the server is terminated mid-load, twice.

Clients behave as a careful client should: on a connection error or a 5xx they retry the same
request, a submission with its `Idempotency-Key`. At the end every submission the server
acknowledged (201, or 200 for a replay) is stored exactly once, every stored answer was
acknowledged, no task has more answers than its redundancy, no worker answered a task twice,
every answer was paid its price exactly once, and the ledger verifies and keeps its
invariants.

Run alone with `pytest -m reliability`; `make test` runs it with everything else.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, make_url, select, text

from fairlabel.adapters.db.engine import normalize_url
from fairlabel.adapters.db.tables import assignments, tasks
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain import ledger
from tests.support.databases import (
    postgres_admin_url,
)
from tests.support.funding import tokens
from tests.support.server import free_port

WORKERS, TASKS, K = 32, 600, 3
KILL_AT, PG_KILLS_AT = 0.2, (0.45, 0.7)  # fractions of the answers acknowledged
SETTLE_SECONDS = 1.0  # requests sent this long after a connection kill must not fail
DEADLINE_SECONDS = 75
SERVER_ENV = {"FAIRLABEL_SWEEP_SECONDS": "1", "FAIRLABEL_CONSENSUS_PROCESS": "false"}

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(240)]


class Server:
    """`fairlabel serve` on a fixed port, in a process group of its own, so that it can be
    killed with SIGKILL (children included) and started again on the same port."""

    def __init__(self, database_url: str, log_dir: Path) -> None:
        self.database_url = database_url
        self.log_dir = log_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> float:
        """Start the server and wait for its health check; returns the seconds it took."""
        began = time.monotonic()
        self.starts += 1
        log = self.log_dir / f"server-{self.starts}.log"
        environment = {**os.environ, "FAIRLABEL_DATABASE_URL": self.database_url,
                       **SERVER_ENV}
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "fairlabel", "serve", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                stdout=out, stderr=subprocess.STDOUT, env=environment,
                start_new_session=True)
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {log.read_text()}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return time.monotonic() - began
            except httpx.HTTPError:
                pass
            if time.monotonic() - began > 30:
                raise RuntimeError(f"server did not start: {log.read_text()}")
            time.sleep(0.05)

    def kill_hard(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def terminate_connections(database_url: str) -> int:
    """Terminate every connection to the database but our own, from an admin connection."""
    admin_url = postgres_admin_url()
    assert admin_url
    name = make_url(normalize_url(database_url)).database
    admin = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return len(conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": name}).all())
    finally:
        admin.dispose()


@dataclass
class Record:
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: list[tuple[int, int, int, int]] = field(default_factory=list)
    # (worker, task, assignment, status)
    responses: list[tuple[float, str, int]] = field(default_factory=list)
    # (monotonic time the request was sent, route, status); 0 = connection error
    errors: list[str] = field(default_factory=list)
    connection_kills: list[float] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)


def _project(url: str, requester: str, admin: str) -> int:
    with httpx.Client(base_url=f"{url}/api/v1", timeout=30,
                      headers={"Authorization": f"Bearer {requester}"}) as api:
        project = api.post("/projects", json={
            "name": "faults", "instructions": "", "redundancy": K,
            "schema": {"type": "single_choice", "choices": ["a", "b"]},
            "pay_per_task": {"amount_minor": 5, "currency": "USD"}, "lease_seconds": 600})
        assert project.status_code == 201, project.text
        pid = int(project.json()["id"])
        money = {"amount_minor": 10**9, "currency": "USD"}
        deposit = api.post("/admin/deposits", headers={"Authorization": f"Bearer {admin}"},
                           json={"requester": "requester0@example.org", "amount": money})
        assert deposit.status_code == 201, deposit.text
        assert api.post(f"/projects/{pid}/fund", json={"amount": money}).status_code == 200
        imported = api.post(f"/projects/{pid}/tasks",
                            json=[{"data": {"n": i}} for i in range(TASKS)])
        assert imported.json()["imported"] == TASKS, imported.text
        assert api.post(f"/projects/{pid}/launch").status_code == 200
        return pid


def _send(client: httpx.Client, record: Record, route: str, method: str, path: str,
          deadline: float, **kwargs: object) -> httpx.Response | None:
    """Send until the server answers with something other than a 5xx; None at the deadline.
    The same request is sent again each time (a submission keeps its Idempotency-Key)."""
    while time.monotonic() < deadline:
        sent = time.monotonic()
        try:
            response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError:
            with record.lock:
                record.responses.append((sent, route, 0))
            time.sleep(0.1)
            continue
        with record.lock:
            record.responses.append((sent, route, response.status_code))
        if response.status_code < 500:
            return response
        time.sleep(0.1)
    return None


def _work(index: int, token: str, url: str, pid: int, record: Record, deadline: float) -> None:
    with httpx.Client(base_url=f"{url}/api/v1", timeout=10,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        while time.monotonic() < deadline:
            got = _send(client, record, "next", "GET", f"/projects/{pid}/next", deadline)
            if got is None:
                return
            if got.status_code == 204:
                progress = _send(client, record, "project", "GET", f"/projects/{pid}", deadline)
                if progress is None or progress.json()["progress"]["answers"] >= TASKS * K:
                    return
                time.sleep(0.3)  # leases held by others may still be answered
                continue
            if got.status_code != 200:
                record.errors.append(f"next {got.status_code} {got.text}")
                return
            lease = got.json()
            aid, task = int(lease["assignment_id"]), int(lease["task"]["id"])
            sent = _send(client, record, "submit", "POST", f"/assignments/{aid}/submit",
                         deadline, json={"answer": "ab"[(index + task) % 2]},
                         headers={"Idempotency-Key": f"w{index}-a{aid}"})
            if sent is None:
                return
            if sent.status_code not in (200, 201):
                record.errors.append(f"submit {sent.status_code} {sent.text}")
                return
            with record.lock:
                record.acknowledged.append((index, task, aid, sent.status_code))


def _inject_faults(server: Server, database_url: str, record: Record, stop: threading.Event,
                   postgres: bool) -> None:
    total = TASKS * K

    def wait_for(fraction: float) -> bool:
        while not stop.is_set():
            if len(record.acknowledged) >= fraction * total:
                return True
            stop.wait(0.02)
        return False

    if not wait_for(KILL_AT):
        return
    server.kill_hard()
    record.faults.append(f"SIGKILL at {len(record.acknowledged)} acknowledged answers")
    time.sleep(0.5)  # clients see refused connections meanwhile
    took = server.start()
    record.faults.append(f"restarted in {took:.2f} s")
    if not postgres:
        return
    for fraction in PG_KILLS_AT:
        if not wait_for(fraction):
            return
        record.connection_kills.append(time.monotonic())
        killed = terminate_connections(database_url)
        record.faults.append(f"terminated {killed} connections at "
                             f"{len(record.acknowledged)} acknowledged answers")


def test_32_workers_survive_a_killed_server_and_killed_connections(
        server_db: str, tmp_path: Path) -> None:
    postgres = server_db.startswith("postgresql")
    requester, workers, admin = tokens(server_db, WORKERS)
    server = Server(server_db, tmp_path)
    record = Record()
    stop = threading.Event()
    started = time.monotonic()
    try:
        server.start()
        pid = _project(server.url, requester, admin)
        deadline = time.monotonic() + DEADLINE_SECONDS
        threads = [threading.Thread(target=_work,
                                    args=(i, workers[i], server.url, pid, record, deadline))
                   for i in range(WORKERS)]
        faults = threading.Thread(target=_inject_faults,
                                  args=(server, server_db, record, stop, postgres))
        for t in [faults, *threads]:
            t.start()
        for t in threads:
            t.join()
        stop.set()
        faults.join()
    finally:
        stop.set()
        server.stop()
    seconds = time.monotonic() - started

    statuses = Counter(status for _, _, status in record.responses)
    server_errors = [(t, route, s) for t, route, s in record.responses if s >= 500]
    # Late: sent after a kill, and not within SETTLE_SECONDS of any kill (a request still in
    # flight when a later kill lands may lose its connection while committing: that one is
    # not retried, by design, and the client's retry absorbs it).
    late = [(t, route, s) for t, route, s in server_errors
            if any(t >= kill for kill in record.connection_kills)
            and all(abs(t - kill) >= SETTLE_SECONDS for kill in record.connection_kills)]
    after_kill = [(t, route, s) for t, route, s in server_errors
                  if any(t >= kill for kill in record.connection_kills)]
    print(f"\n{'postgres' if postgres else 'sqlite'}: {len(record.acknowledged)} answers "
          f"acknowledged in {seconds:.1f} s; faults: {'; '.join(record.faults)}")
    print(f"  responses by status (0 = connection error): {dict(sorted(statuses.items()))}")
    print(f"  5xx in all: {len(server_errors)}; after a connection kill: {len(after_kill)} "
          f"({Counter(route for _, route, _ in after_kill)}); sent more than "
          f"{SETTLE_SECONDS} s after one: {len(late)}")

    assert record.errors == []
    assert any(f.startswith("SIGKILL") for f in record.faults), record.faults
    if postgres:
        assert len(record.connection_kills) == len(PG_KILLS_AT), record.faults
    acknowledged = Counter(aid for _, _, aid, _ in record.acknowledged)
    assert set(acknowledged.values()) == {1}  # each lease submitted (and acknowledged) once
    assert len(acknowledged) == TASKS * K, "the load did not finish before the deadline"
    pairs = Counter((worker, task) for worker, task, _, _ in record.acknowledged)
    assert set(pairs.values()) == {1}  # no worker was acknowledged twice for one task
    _check_database(server_db, set(acknowledged))
    # The app replaces connections that die under a request (web/retries.py) and runs the
    # request again; a connection that dies during a commit still yields a 5xx, which the
    # client's retry with its Idempotency-Key absorbs. Requests sent after a short settle
    # time must see no server error at all: if this fails, the dead-connection retry is
    # missing or incomplete (the printed counts say where).
    assert late == [], late


def _check_database(database_url: str, acknowledged: set[int]) -> None:
    container = bootstrap(Settings(database_url=database_url, sweep_seconds=0,
                                   consensus_process=False))
    try:
        with container.engine.connect() as conn:
            stored = conn.execute(select(assignments.c.id, assignments.c.task_id,
                                         assignments.c.worker_id)
                                  .where(assignments.c.status == "submitted")).all()
            per_pair = conn.execute(
                select(func.count()).select_from(assignments)
                .group_by(assignments.c.task_id, assignments.c.worker_id)).scalars().all()
            over = conn.execute(select(func.count()).select_from(tasks).where(
                (tasks.c.answered > tasks.c.max_answers) | (tasks.c.answered != K))).scalar_one()
            per_task = Counter(row.task_id for row in stored)
        with container.db.read() as tx:
            entries = tx.ledger.all_entries()
    finally:
        container.close()
    assert {row.id for row in stored} == acknowledged  # stored exactly once, nothing extra
    assert max(per_task.values()) <= K and len(per_task) == TASKS
    assert over == 0
    assert set(per_pair) == {1}  # no worker holds two assignments of one task
    assert ledger.verify(entries).ok
    ledger.check_invariants(entries)
    earned = Counter(int(str(e.memo["assignment_id"])) for e in entries
                     if e.kind == "earn" and e.account.startswith("worker:"))
    assert earned == Counter(acknowledged)  # every answer paid its price exactly once

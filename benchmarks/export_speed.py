"""Export throughput: a project of --tasks tasks with --answers answers each, exported as JSON
Lines through the service, on SQLite and on PostgreSQL.

The project is built quickly: tasks through the task repository (``add_many``), answers as
bulk inserts of submitted assignments (--workers distinct workers, spread over the tasks).
Each export runs in a child process of its own, so its peak RSS (``ru_maxrss``) is the
export's alone; the child reads the records through ``services.exports.export_dataset`` and
writes them with the JSON Lines writer to /dev/null. Timed per backend:

- ``refit``: the consensus refreshed first, as the API and the CLI do; the project was never
  refit, so this includes a fit of the whole project (in the same process, hence its RSS);
- ``records``: the consensus now current: the streaming of the records alone;
- ``records (before)``, with --baseline-src: the same on an older tree of the package;
- ``http``, with --http: the same file downloaded from a real ``fairlabel serve`` (on either
  database), with the server's peak RSS (VmHWM); after --skip-refit it includes the server's
  first refit (in its worker process, with the default FAIRLABEL_CONSENSUS_PROCESS);
- ``http (live)``, with --live N: the last answer of N tasks is held back while the project
  is built and refit. Half of them are then submitted (stamped now, as answers arriving after
  the sweep's last refit) and one upkeep of the consensus is timed in this process (an update
  of those tasks: ``domain/consensus_upkeep.py``); then the other half, and the download
  includes the server's update of those tasks — the export of a project in use.

PostgreSQL runs when FAIRLABEL_TEST_POSTGRES_URL is set (an admin URL: a fresh database is
created and dropped). Usage::

    .venv/bin/python benchmarks/export_speed.py                 # 200,000 tasks
    .venv/bin/python benchmarks/export_speed.py --tasks 1000000 --backends sqlite
    .venv/bin/python benchmarks/export_speed.py --tasks 1000000 --skip-refit --http
    .venv/bin/python benchmarks/export_speed.py --tasks 1000000 --backends sqlite --live 5000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import insert, select, update  # noqa: E402
from tests.support.databases import (  # noqa: E402
    fresh_postgres_database,
    migrated_sqlite_template,
    postgres_admin_url,
)

from fairlabel.adapters.db.earnings import Change, EarningsByHour  # noqa: E402
from fairlabel.adapters.db.engine import make_engine  # noqa: E402
from fairlabel.adapters.db.tables import (  # noqa: E402
    assignments,
    project_holds,
    tasks,
)
from fairlabel.adapters.db.tables import projects as project_rows  # noqa: E402
from fairlabel.bootstrap import bootstrap  # noqa: E402
from fairlabel.config import Settings  # noqa: E402
from fairlabel.domain.accounts import Role  # noqa: E402
from fairlabel.domain.label_schema import parse_schema  # noqa: E402
from fairlabel.domain.money import Money  # noqa: E402
from fairlabel.domain.projects import ProjectTerms  # noqa: E402
from fairlabel.services import accounts, exports, projects, quality  # noqa: E402
from fairlabel.services.ports.work import NewTask  # noqa: E402

LABELS = ["positive", "negative", "neutral"]
REQUESTER = "requester@bench.example.org"
PASSWORD = "correct horse battery"
BATCH = 20_000


def _settings(url: str, media: str) -> Settings:
    return Settings(database_url=url, sweep_seconds=0, consensus_process=False,
                    media_dir=media)


def build(url: str, n_tasks: int, n_answers: int, n_workers: int,
          held: list[dict[str, Any]] | None = None, hold_back: int = 0) -> int:
    """The project's id, after building it with its tasks and answers; the last answer of the
    last ``hold_back`` tasks is put in ``held`` instead of the database (see ``deliver``)."""
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as media:
        container = bootstrap(_settings(url, media))
        try:
            owner = accounts.add_user(container.db, email=REQUESTER, password=PASSWORD,
                                      role=Role.REQUESTER, now=now)
            workers = [accounts.add_user(container.db, email=f"w{i}@bench.example.org",
                                         password=PASSWORD, role=Role.WORKER, now=now).id
                       for i in range(n_workers)]
            project = projects.create_project(container.db, owner, ProjectTerms(
                "Export bench", "Is the review positive?",
                parse_schema({"type": "single_choice", "choices": LABELS}), n_answers,
                Money(5, "USD"), 600), policy=container.charter, now=now)
            done = 0
            while done < n_tasks:
                size = min(BATCH, n_tasks - done)
                with container.db.write() as tx:
                    tx.tasks.add_many(project_id=project.id, max_answers=n_answers, now=now,
                                      new_tasks=[NewTask({"text": f"review {done + i}: a fine "
                                                                  "product, would buy again"})
                                                 for i in range(size)])
                    tx.commit()
                done += size
            with container.engine.begin() as conn:
                ids = [r.id for r in conn.execute(
                    tasks.select().with_only_columns(tasks.c.id)
                    .where(tasks.c.project_id == project.id).order_by(tasks.c.id))]
                conn.execute(update(tasks).where(tasks.c.project_id == project.id)
                             .values(taken=n_answers, answered=n_answers))
            rows: list[dict[str, Any]] = []
            with container.engine.begin() as conn:
                earnings = EarningsByHour(conn)
                for k, task_id in enumerate(ids):
                    for j in range(n_answers):
                        at = now - timedelta(seconds=n_tasks - k, milliseconds=j)
                        target = rows
                        if held is not None and j == n_answers - 1 and k >= n_tasks - hold_back:
                            target = held
                        target.append({
                            "task_id": task_id, "project_id": project.id,
                            "worker_id": workers[(k + j) % n_workers], "status": "submitted",
                            "leased_at": at, "lease_expires_at": at + timedelta(minutes=10),
                            "submitted_at": at, "answer": LABELS[(k * 7 + j * (k % 3)) % 3],
                            "price_minor": 5, "worked_ms": 0})
                        if target is rows:  # what it earned, by hour, as a submission counts it
                            earnings.add(project_id=project.id, submitted_at=at,
                                         worker_id=workers[(k + j) % n_workers],
                                         change=Change(1, 5, 0))
                    if len(rows) >= BATCH:
                        conn.execute(insert(assignments), rows)
                        rows.clear()
                if rows:
                    conn.execute(insert(assignments), rows)
                earnings.write()
                # The count each submission raises (a refit sizes its arrays by it, and the
                # app server sends a refit of 50,000 answers or more to its worker process).
                # ...and the project's progress, as the import and each submission keep it.
                conn.execute(update(project_holds)
                             .where(project_holds.c.project_id == project.id)
                             .values(answers=n_tasks * n_answers - len(held or ()),
                                     work_answered=n_tasks * n_answers - len(held or ())))
            return project.id
        finally:
            container.close()


def deliver(url: str, project_id: int, held: list[dict[str, Any]]) -> None:
    """The held-back answers, submitted now (and counted, as each submission counts)."""
    now = datetime.now(UTC)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(assignments), [
                dict(row, leased_at=now, lease_expires_at=now + timedelta(minutes=10),
                     submitted_at=now) for row in held])
            conn.execute(update(project_holds).where(project_holds.c.project_id == project_id)
                         .values(answers=project_holds.c.answers + len(held),
                                 work_answered=project_holds.c.work_answered + len(held)))
            earnings = EarningsByHour(conn)
            for row in held:
                earnings.add(project_id=project_id, worker_id=row["worker_id"],
                             submitted_at=now,
                             change=Change(1, row["price_minor"], row["worked_ms"]))
            earnings.write()
    finally:
        engine.dispose()


def upkeep(url: str, project_id: int) -> dict[str, Any]:
    """One consensus upkeep of the project in this process, timed (as the sweep runs it)."""
    with tempfile.TemporaryDirectory() as media:
        container = bootstrap(_settings(url, media))
        try:
            start = time.perf_counter()
            done = quality.refit_consensus(container.db, project_id, now=datetime.now(UTC),
                                           seed=0)
            seconds = time.perf_counter() - start
        finally:
            container.close()
    return {"kind": done.kind.value, "tasks": done.tasks, "written": done.written,
            "s": round(seconds, 3)}


def _fitted(url: str, project_id: int) -> tuple[int | None, int | None]:
    """The answers the project's consensus covers, and those its last whole refit fitted
    (the second stays as it was after an update)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(project_rows.c.consensus_answers,
                                      project_rows.c.consensus_fit_answers)
                               .where(project_rows.c.id == project_id)).one()
    finally:
        engine.dispose()
    return row[0], row[1]


def measure(url: str, project_id: int, refit: bool) -> dict[str, Any]:
    """One export in this process: seconds, tasks, bytes, peak RSS."""
    from fairlabel.adapters.io.exporters import jsonl_lines

    with tempfile.TemporaryDirectory() as media:
        container = bootstrap(_settings(url, media))
        try:
            with container.db.read() as tx:
                [user] = tx.users.with_role(Role.REQUESTER)
            start = time.perf_counter()
            dataset = exports.export_dataset(container.db, user, project_id,
                                             now=datetime.now(UTC) if refit else None)
            count = size = 0
            with open(os.devnull, "wb") as out:
                for line in jsonl_lines(_counted(dataset.records, counter := [0])):
                    data = line.encode("utf-8")
                    size += len(data)
                    out.write(data)
            count = counter[0]
            seconds = time.perf_counter() - start
        finally:
            container.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"tasks": count, "s": round(seconds, 3), "tasks_per_s": round(count / seconds),
            "mb": round(size / 1e6, 1), "peak_rss_mib": round(rss, 1)}


def _counted(records: Iterator[dict[str, Any]], counter: list[int]) -> Iterator[dict[str, Any]]:
    for record in records:
        counter[0] += 1
        yield record


def _child(url: str, project_id: int, refit: bool, src: str | None = None) -> dict[str, Any]:
    """``measure`` in a child process; with ``src``, on the package found there (an older
    tree, for the figure before a change)."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    out = subprocess.run(
        [sys.executable, __file__, "--measure", url, str(project_id),
         *(["--refit"] if refit else [])],
        check=True, capture_output=True, text=True, cwd=REPO, env=env)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _vm_hwm_mib(pid: int) -> float:
    """The peak RSS of a running process (Linux), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def http(url: str, project_id: int, port: int) -> dict[str, Any]:
    """The JSON Lines export downloaded from a ``fairlabel serve`` process on ``url``. After
    ``refit`` the consensus is current and this is the streaming; with --skip-refit the
    server fits the whole project first (in its consensus process), as a first export does."""
    with tempfile.TemporaryDirectory() as media:
        container = bootstrap(_settings(url, media))
        try:
            token = accounts.create_token(container.db, email=REQUESTER, name="bench",
                                          now=datetime.now(UTC))
        finally:
            container.close()
        env = dict(os.environ, FAIRLABEL_DATABASE_URL=url, FAIRLABEL_MEDIA_DIR=media)
        server = subprocess.Popen([str(REPO / ".venv" / "bin" / "fairlabel"), "serve",
                                   "--port", str(port)], env=env, cwd=REPO,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{base}/api/v1/health", timeout=2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("the server did not start") from None
                    time.sleep(0.2)
            before = _vm_hwm_mib(server.pid)
            request = urllib.request.Request(
                f"{base}/api/v1/projects/{project_id}/export?format=jsonl",
                headers={"Authorization": f"Bearer {token}"})
            start = time.perf_counter()
            size = lines = 0
            with urllib.request.urlopen(request, timeout=600) as response:
                while piece := response.read(1 << 16):
                    size += len(piece)
                    lines += piece.count(b"\n")
            seconds = time.perf_counter() - start
            peak = _vm_hwm_mib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {"tasks": lines, "s": round(seconds, 3), "tasks_per_s": round(lines / seconds),
            "mb": round(size / 1e6, 1), "peak_rss_mib": round(peak, 1),
            "rss_before_mib": round(before, 1)}


@contextmanager
def _database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as directory:
            template = migrated_sqlite_template(Path(directory))
            yield f"sqlite:///{template}"
    else:
        with fresh_postgres_database() as url:
            yield url


def _show(backend: str, kind: str, figures: dict[str, Any]) -> None:
    print(f"{backend:<9}{kind:<16}{figures['tasks']:>9} tasks {figures['s']:>8.2f} s"
          f" {figures['tasks_per_s']:>9} tasks/s {figures['mb']:>8.1f} MB  "
          f"peak RSS {figures['peak_rss_mib']:.0f} MiB", flush=True)


def run(a: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"tasks": a.tasks, "answers_per_task": a.answers}
    for backend in a.backends:
        if backend == "postgres" and not postgres_admin_url():
            print("postgres: skipped (FAIRLABEL_TEST_POSTGRES_URL is not set)", flush=True)
            continue
        with _database(backend) as url:
            start = time.perf_counter()
            held: list[dict[str, Any]] = []
            project_id = build(url, a.tasks, a.answers, a.workers, held, a.live)
            print(f"{backend}: built {a.tasks} tasks x {a.answers} answers in "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
            got: dict[str, Any] = {}
            if not a.skip_refit or a.live:
                got["refit"] = _child(url, project_id, True)
                _show(backend, "refit", got["refit"])
            got["records"] = _child(url, project_id, False)
            _show(backend, "records", got["records"])
            if a.baseline_src:
                got["records_before"] = _child(url, project_id, False, a.baseline_src)
                _show(backend, "records (before)", got["records_before"])
            if a.http:
                got["http"] = http(url, project_id, a.port)
                _show(backend, "http", got["http"])
            if a.live:
                deliver(url, project_id, held[:len(held) // 2])
                got["upkeep"] = upkeep(url, project_id)
                print(f"{backend:<9}upkeep after {len(held) // 2} answers: "
                      f"{got['upkeep']['kind']} of {got['upkeep']['tasks']} tasks in "
                      f"{got['upkeep']['s']:.3f} s", flush=True)
                held = held[len(held) // 2:]
                before = _fitted(url, project_id)
                deliver(url, project_id, held)
                got["http_live"] = http(url, project_id, a.port)
                after = _fitted(url, project_id)
                got["http_live"]["upkeep"] = "update" if after[1] == before[1] else "refit"
                _show(backend, "http (live)", got["http_live"])
                print(f"{'':9}the server's upkeep before it: {got['http_live']['upkeep']} "
                      f"(answers covered {before[0]} -> {after[0]}, fitted {before[1]} -> "
                      f"{after[1]})")
            results[backend] = got
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=200_000)
    ap.add_argument("--answers", type=int, default=3, help="answers per task")
    ap.add_argument("--workers", type=int, default=50, help="distinct workers answering")
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--baseline-src", help="also time the records with the package of this "
                    "src directory (e.g. `git archive <rev> src | tar -x -C /tmp/old` then "
                    "/tmp/old/src): the figure before a change")
    ap.add_argument("--http", action="store_true",
                    help="also download the export from a `fairlabel serve`")
    ap.add_argument("--skip-refit", action="store_true",
                    help="export without the first consensus fit (records without consensus)")
    ap.add_argument("--live", type=int, default=0, metavar="N",
                    help="hold back the last answer of N tasks; after the rest, submit half "
                    "of them and time one consensus upkeep, then the other half and download "
                    "the export again (the server updates those tasks' consensus first)")
    ap.add_argument("--port", type=int, default=8828, help="the port of that server")
    ap.add_argument("--out", help="write the figures as JSON here")
    ap.add_argument("--measure", nargs=2, metavar=("URL", "PROJECT"), help=argparse.SUPPRESS)
    ap.add_argument("--refit", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.measure:
        print(json.dumps(measure(a.measure[0], int(a.measure[1]), a.refit)))
        return 0
    a.backends = [b.strip() for b in a.backends.split(",") if b.strip()]
    results = run(a)
    if a.out:
        Path(a.out).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

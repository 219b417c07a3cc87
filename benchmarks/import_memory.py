"""Memory and speed of a large task import through the service, on SQLite and PostgreSQL.

    .venv/bin/python -m benchmarks.import_memory [--tasks 1000000] [--backends sqlite,postgres]

Writes a JSON Lines file of N tasks, then imports it into a fresh database in a process of its
own, twice per backend: "whole" parses the file into a list first (as imports did before they
streamed), "stream" feeds ``task_files.stream_tasks`` to ``projects.import_tasks``. Prints
tasks/s and the importing process's peak RSS (``resource.getrusage``). PostgreSQL runs when
FAIRLABEL_TEST_POSTGRES_URL names a server (a fresh database per run).
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
from pathlib import Path

from tests.support.databases import fresh_postgres_database, postgres_admin_url

from fairlabel.adapters.db.migrate import upgrade
from fairlabel.adapters.io.task_files import parse_tasks, stream_tasks
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import accounts, projects


def write_file(path: Path, count: int) -> None:
    with path.open("w") as out:
        for n in range(count):
            out.write(json.dumps({"text": f"Review number {n}: the parcel came on time, well "
                                          "packed, and the product works as described."}))
            out.write("\n")


def import_once(database_url: str, path: Path, mode: str, count: int) -> dict[str, object]:
    """One import in this process (run as a child: its peak RSS is the import's)."""
    container = bootstrap(Settings(database_url=database_url, sweep_seconds=0,
                                   consensus_process=False))
    try:
        upgrade(container.engine)  # a fresh SQLite file (PostgreSQL's comes migrated)
        now = container.clock()
        user = accounts.add_user(container.db, email="bench@example.org", password="x" * 12,
                                 role=Role.REQUESTER, now=now)
        project = projects.create_project(container.db, user, ProjectTerms(
            "Reviews", "Is it positive?",
            parse_schema({"type": "single_choice", "choices": ["yes", "no"]}),
            3, Money(10, "EUR"), 600), policy=container.charter, now=now)
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        with path.open("rb") as source:
            rows = (parse_tasks(source.read(), "jsonl") if mode == "whole"
                    else stream_tasks(source, "jsonl"))
            done = projects.import_tasks(container.db, user, project.id, rows,
                                         max_rows=count, now=now)
        seconds = time.perf_counter() - started
    finally:
        container.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"tasks": done, "seconds": round(seconds, 2), "tasks_per_s": round(done / seconds),
            "peak_rss_mib": round(peak / 1024), "rss_before_import_mib": round(base / 1024)}


def child(database_url: str, path: Path, mode: str, count: int) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-m", "benchmarks.import_memory", "--child", mode,
                          "--database-url", database_url, "--file", str(path),
                          "--tasks", str(count)], check=True, capture_output=True, text=True)
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=200_000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--modes", default="whole,stream")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(import_once(args.database_url, Path(args.file), args.child,
                                     args.tasks)))
        return
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "tasks.jsonl"
        write_file(path, args.tasks)
        print(f"{args.tasks:,} tasks, {path.stat().st_size / 2**20:.0f} MiB of JSON Lines")
        for backend in args.backends.split(","):
            if backend == "postgres" and not postgres_admin_url():
                print("postgres: skipped (set FAIRLABEL_TEST_POSTGRES_URL)")
                continue
            for mode in args.modes.split(","):
                if backend == "sqlite":
                    url = f"sqlite:///{work}/{mode}.db"
                    os.environ.pop("FAIRLABEL_DATABASE_URL", None)
                    result = child(url, path, mode, args.tasks)
                else:
                    with fresh_postgres_database() as url:
                        result = child(url, path, mode, args.tasks)
                print(f"{backend:8} {mode:6} " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

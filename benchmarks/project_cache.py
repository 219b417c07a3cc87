"""What a server keeps of the projects it reads: RSS growth after reading many projects once.

    .venv/bin/python -m benchmarks.project_cache [--projects 10000] [--characters 20000]

Makes a fresh SQLite database with `--projects` projects whose instructions hold
`--characters` characters each (copies of one project's row, inserted at once), then reads
each project once through the repositories, as the sweep and the pages do, and prints the
process's RSS growth over the reads. Run it with `PYTHONPATH=<another copy of src>` to
compare two versions of the cache (`adapters/db/project_cache.py`).
"""

from __future__ import annotations

import argparse
import gc
import re
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

from fairlabel.adapters.db.tables import projects
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import accounts
from fairlabel.services import projects as project_service


def rss_mib() -> float:
    status = Path("/proc/self/status").read_text()
    found = re.search(r"VmRSS:\s+(\d+)", status)
    assert found is not None
    return int(found.group(1)) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=10_000)
    ap.add_argument("--characters", type=int, default=20_000,
                    help="characters of each project's instructions (at most 100,000)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        container = bootstrap(Settings(database_url=f"sqlite:///{folder}/cache.db",
                                       sweep_seconds=0), upgrade_schema=True)
        now = container.clock()
        requester = accounts.add_user(container.db, email="requester@example.org",
                                      password="correct horse", role=Role.REQUESTER, now=now)
        first = project_service.create_project(container.db, requester, ProjectTerms(
            "P", "x", parse_schema({"type": "single_choice", "choices": ["a", "b"]}), 3,
            Money(20, "USD"), 600), policy=container.charter, now=now)
        text = ("word " * (a.characters // 5 + 1))[:a.characters]
        with container.engine.begin() as conn:
            row = conn.execute(select(projects).where(projects.c.id == first.id)).mappings()
            base = {k: v for k, v in row.one().items() if k != "id"}
            for start in range(0, a.projects, 1000):
                conn.execute(insert(projects), [dict(base, name=f"P{i}", instructions=text)
                                                for i in range(start, min(start + 1000,
                                                                          a.projects))])
            ids = list(conn.execute(select(projects.c.id)).scalars())
        gc.collect()
        before, started = rss_mib(), time.perf_counter()
        for project_id in ids:
            with container.db.read() as tx:
                tx.projects.get(project_id)
        gc.collect()
        print(f"{len(ids):,} projects of {a.characters:,} characters of instructions, each read "
              f"once: RSS +{rss_mib() - before:.1f} MiB ({before:.1f} MiB before), "
              f"{time.perf_counter() - started:.1f} s")
        container.close()


if __name__ == "__main__":
    main()

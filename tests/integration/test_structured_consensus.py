"""The consensus of boxes, spans and rankings as the app server refits it: whole in its worker
process (scipy stays out of the server), exactly as the fit in process computes it."""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import sys, tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from sqlalchemy import insert, select
from fairlabel.adapters.compute import ProcessRefit
from fairlabel.adapters.db.tables import assignments, tasks
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import QualityTerms
from fairlabel.services import accounts, projects, quality
from fairlabel.services.ports.quality import TaskAnswer
from fairlabel.services.ports.work import NewTask
from fairlabel.services.steps import fitting
from tests.support.databases import migrated_sqlite_template

car = {"label": "car", "x": 0.1, "y": 0.1, "width": 0.2, "height": 0.2}
moved = {**car, "x": 0.12}
text = "Ada Lovelace was born in London."
ada = [{"start": 0, "end": 12, "label": "PER"}]
cases = [
    ({"type": "bounding_boxes", "labels": ["car"]}, "iou", [[car], [moved], []]),
    ({"type": "spans", "labels": ["PER"]}, "token", [ada, ada, ada]),
    ({"type": "ranking"}, "pl", [{"order": [1, 0]}, {"order": [1, 0]}, {"order": [0, 1]}]),
]
now = datetime(2026, 12, 6, tzinfo=UTC)
directory = Path(tempfile.mkdtemp())
url = f"sqlite:///{migrated_sqlite_template(directory)}"
container = bootstrap(Settings(database_url=url, sweep_seconds=0, media_dir=str(directory)),
                      clock=lambda: now)
assert isinstance(container.consensus_refit, ProcessRefit)
db = container.db
owner = accounts.add_user(db, email="r@example.org", password="correct horse",
                          role=Role.REQUESTER, now=now)
workers = [accounts.add_user(db, email=f"w{i}@example.org", password="correct horse",
                             role=Role.WORKER, now=now).id for i in range(3)]
ids = []
for schema, method, answers in cases:
    project = projects.create_project(db, owner, ProjectTerms(
        "Structured", "Mark.", parse_schema(schema), 3, Money(5, "USD"), 600,
        quality=QualityTerms(consensus_method=method)), policy=container.charter, now=now)
    with db.write() as tx:
        tx.tasks.add_many(project_id=project.id, max_answers=3, now=now,
                          new_tasks=[NewTask({"text": text})])
        tx.commit()
    with container.engine.begin() as conn:
        [task_id] = conn.execute(select(tasks.c.id).where(tasks.c.project_id == project.id)
                                 ).scalars()
        conn.execute(insert(assignments), [
            {"task_id": task_id, "project_id": project.id, "worker_id": w,
             "status": "submitted", "leased_at": now - timedelta(minutes=1),
             "lease_expires_at": now + timedelta(minutes=9), "submitted_at": now,
             "answer": answer, "price_minor": 5, "worked_ms": 1000}
            for w, answer in zip(workers, answers)])
    ids.append(project.id)
try:
    refits = [quality.refresh_consensus(db, now=now, project_id=pid,
                                        refit=container.consensus_refit) for pid in ids]
    assert container.consensus_refit._pool is not None  # the worker refit them
    assert "scipy" not in sys.modules, "a structured refit ran in the server process"
    assert [[r.written for r in refit] for refit in refits] == [[1], [1], [1]]
    results = []
    for pid in ids:
        with db.read() as tx:
            facts = tx.projects.facts(pid)
            answers = [TaskAnswer(a.task_id, a.worker_id, a.answer, text=text)
                       for a in tx.consensus.project_answers(pid)]
            rows = list(tx.consensus.stored_consensus(pid).rows(range(1)))
            skills = tx.consensus.skills(pid)
        fitted, fitted_skills = fitting.fit_consensus(facts, answers, {}, 0)
        assert rows == fitted and skills == fitted_skills, (rows, fitted)
        results.append(rows[0])
finally:
    container.close()
box, span, rank = results
assert box.consensus == [{**car, "x": 0.11}]  # two of three drew it: median edges
assert span.consensus == ada and span.confidence == 1.0
assert rank.consensus == {"order": [1, 0]}
print("ok")
"""


def test_structured_refits_run_in_the_worker_process_exactly_as_in_process() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"

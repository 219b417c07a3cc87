"""An export reads its project a batch of tasks at a time, lazily: its memory stays flat however
large the project (benchmarks/formats.py measures it on 10,000 tasks)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import assignments
from fairlabel.adapters.media.images import PillowImages
from fairlabel.domain.accounts import Role
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import QualityTerms
from fairlabel.services import accounts, exports, media, projects
from fairlabel.services.ports.media import RawFile
from fairlabel.services.ports.quality import TaskConsensus
from tests.support.formats import png
from tests.support.statements import statements

TASKS = 4_500
BATCH = 2_000  # TaskRepository.export_rows' default
LABELS = ["cat", "dog", "fox"]


def _reads(seen: list[str], table: str) -> int:
    return sum(bool(re.search(rf"\bFROM {table}\b", s)) for s in seen)


def test_an_export_reads_tasks_and_their_images_in_batches_as_it_goes(
        container: Container) -> None:
    now = container.clock()
    owner = accounts.add_user(container.db, email="r@example.org", password="correct horse",
                              role=Role.REQUESTER, now=now)
    project = projects.create_project(container.db, owner, ProjectTerms(
        "Streets", "Draw the cars.", parse_schema({"type": "bounding_boxes", "labels": ["car"]}),
        1, Money(5, "USD"), 600, quality=QualityTerms(consensus_method="iou")),
        policy=container.charter, now=now)
    [item] = media.add_media(container.db, owner, project.id, [RawFile("a.png", png(8, 6))],
                             images=PillowImages(), store=container.media_store,
                             limits=container.media_limits, now=now)
    projects.import_tasks(container.db, owner, project.id,
                          [{"image": item.ref, "n": i} for i in range(TASKS)], max_rows=TASKS,
                          now=now)
    with statements(container) as seen:
        dataset = exports.export_dataset(container.db, owner, project.id, media=True)
        records = iter(dataset.records)
        first = next(records)
        reads_for_the_first = _reads(seen, "tasks")
        rest = sum(1 for _ in records)
    assert first["data"] == {"image": item.ref, "n": 0}
    assert first["media"] == {item.ref: {"id": item.id, "name": "a.png", "width": 8,
                                         "height": 6}}
    assert rest == TASKS - 1
    assert reads_for_the_first == 1  # one batch, not the project
    batches = -(-TASKS // BATCH)
    assert _reads(seen, "tasks") == batches + 1  # and the empty one that ends
    assert _reads(seen, "media") == -(-TASKS // exports.MEDIA_BATCH)


def _answer(task_id: int, project_id: int, worker_id: int, answer: Any, at: datetime, *,
            status: str = "submitted") -> dict[str, Any]:
    return {"task_id": task_id, "project_id": project_id, "worker_id": worker_id,
            "status": status, "leased_at": at, "lease_expires_at": at + timedelta(minutes=10),
            "submitted_at": at if status == "submitted" else None, "answer": answer,
            "worked_ms": 0 if status == "submitted" else None}


def test_a_project_of_several_batches_exports_every_task_once_in_order_with_its_answers(
        container: Container) -> None:
    now = container.clock()
    owner = accounts.add_user(container.db, email="r@example.org", password="correct horse",
                              role=Role.REQUESTER, now=now)
    workers = [accounts.add_user(container.db, email=f"w{i}@example.org",
                                 password="correct horse", role=Role.WORKER, now=now)
               for i in range(3)]

    def project(name: str) -> int:
        return projects.create_project(container.db, owner, ProjectTerms(
            name, "Which animal?", parse_schema({"type": "single_choice", "choices": LABELS}),
            3, Money(5, "USD"), 600), policy=container.charter, now=now).id

    ours, theirs = project("Animals"), project("Other animals")
    # The other project's tasks sit between ours: the id ranges of our batches hold theirs.
    for pid, first, count in ((ours, 0, 3_000), (theirs, 0, 500), (ours, 3_000, 3_500)):
        projects.import_tasks(container.db, owner, pid,
                              [{"text": f"animal {first + i} «é»"} for i in range(count)],
                              max_rows=count, now=now)
    with container.db.read() as tx:
        ids = [r.task_id for r in tx.tasks.export_rows(ours)]
        other_ids = [r.task_id for r in tx.tasks.export_rows(theirs)]
    assert len(ids) == 6_500 > 3 * BATCH
    rows, expected = [], {}
    for k, task_id in enumerate(ids):
        # Later workers answer first on odd tasks: answers come in submission order.
        order = workers if k % 2 else workers[::-1]
        given = [(w, LABELS[(k + j * (k % 3)) % 3]) for j, w in enumerate(order[:k % 4])]
        for j, (w, label) in enumerate(given):
            rows.append(_answer(task_id, ours, w.id, label, now + timedelta(seconds=j)))
        expected[task_id] = given
    assert [w for w, _ in expected[ids[1]]] == [workers[0]]
    rows.append(_answer(ids[1], ours, workers[2].id, "fox", now, status="leased"))  # not shown
    rows += [_answer(t, theirs, workers[0].id, "dog", now) for t in other_ids]
    with container.engine.begin() as conn:
        conn.execute(insert(assignments), rows)
    with container.db.write() as tx:
        tx.consensus.save([TaskConsensus(t, "cat", 0.75) for t in ids[::7]])
        tx.commit()

    records = list(exports.export_records(container.db, owner, ours))

    assert [r["task_id"] for r in records] == ids == sorted(ids)
    names = {w.id: w.pseudonym for w in workers}
    schema = parse_schema({"type": "single_choice", "choices": LABELS})
    for k, record in enumerate(records):
        given = expected[record["task_id"]]
        assert record["data"] == {"text": f"animal {k} «é»"}
        assert record["answers"] == [{"worker": names[w.id], "answer": a} for w, a in given]
        assert record["majority"] == schema.majority([a for _, a in given])
        if k % 7 == 0:
            assert (record["consensus"], record["confidence"]) == ("cat", 0.75)
        else:
            assert (record["consensus"], record["confidence"]) == (None, None)
        assert record["settled"] is False and record["gold"] is None

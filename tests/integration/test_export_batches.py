"""An export reads its project a batch of tasks at a time, lazily: its memory stays flat however
large the project (benchmarks/formats.py measures it on 10,000 tasks)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from fairlabel.adapters.container import Container
from fairlabel.adapters.media.images import PillowImages
from fairlabel.domain.accounts import Role
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import QualityTerms
from fairlabel.services import accounts, exports, media, projects
from fairlabel.services.ports.media import RawFile
from tests.support.formats import png

TASKS = 4_500
BATCH = 2_000  # TaskRepository.export_rows' default


@contextmanager
def statements(container: Container) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(container.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(container.engine, "before_cursor_execute", record)


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

"""Task imports read as a stream (SQLite and PostgreSQL): validated and inserted a batch at a
time inside one transaction, still all or nothing, ``max_rows`` enforced as rows arrive, and
media names resolved in every batch."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from fairlabel.adapters.container import Container
from fairlabel.adapters.io.task_files import stream_tasks
from fairlabel.adapters.media.images import PillowImages
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.errors import ImportRejected, TooLarge
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import media, projects
from fairlabel.services.ports.media import RawFile
from fairlabel.services.projects import IMPORT_BATCH
from tests.conftest import Accounts
from tests.support.images import png

ROWS = IMPORT_BATCH + 2000  # the bad row comes after a whole batch was inserted


@pytest.fixture
def requester(people: Accounts) -> User:
    return people.make(Role.REQUESTER)[0]


@pytest.fixture
def project_id(container: Container, requester: User) -> int:
    return projects.create_project(container.db, requester, ProjectTerms(
        "Pets", "Which animal is it?",
        parse_schema({"type": "single_choice", "choices": ["cat", "dog"]}),
        2, Money(5, "USD"), 600), policy=container.charter, now=container.clock()).id


def task_count(container: Container, user: User, project_id: int) -> int:
    return projects.get_project(container.db, user, project_id).counts.tasks


def run(container: Container, user: User, project_id: int, rows: Any, *,
        max_rows: int = 1_000_000) -> int:
    return projects.import_tasks(container.db, user, project_id, rows, max_rows=max_rows,
                                 now=container.clock())


def jsonl(rows: list[Any]) -> io.BytesIO:
    return io.BytesIO(b"".join(json.dumps(r).encode() + b"\n" for r in rows))


def test_a_bad_row_after_the_first_batch_leaves_nothing_written(
        container: Container, requester: User, project_id: int) -> None:
    rows: list[Any] = [{"text": f"t{n}"} for n in range(ROWS)]
    rows[IMPORT_BATCH + 500] = ["not", "an object"]
    with pytest.raises(ImportRejected) as caught:
        run(container, requester, project_id, stream_tasks(jsonl(rows), "jsonl"))
    assert caught.value.row == IMPORT_BATCH + 501
    assert task_count(container, requester, project_id) == 0


def test_a_syntax_error_after_the_first_batch_leaves_nothing_written(
        container: Container, requester: User, project_id: int) -> None:
    good = b",".join(b'{"data": {"text": "t%d"}}' % n for n in range(ROWS))
    body = io.BytesIO(b"[" + good + b', {"data": {"text": "broken"}')  # never closed
    with pytest.raises(ImportRejected, match="invalid JSON") as caught:
        run(container, requester, project_id, stream_tasks(body, "json"))
    assert caught.value.row == ROWS + 1
    assert task_count(container, requester, project_id) == 0
    assert run(container, requester, project_id,
               stream_tasks(io.BytesIO(b"[" + good + b"]"), "json")) == ROWS
    assert task_count(container, requester, project_id) == ROWS


def test_max_rows_is_enforced_while_streaming(container: Container, requester: User,
                                              project_id: int) -> None:
    def rows(count: int) -> Iterator[dict[str, str]]:  # not Sized: counted as it streams
        return ({"text": f"t{n}"} for n in range(count))
    with pytest.raises(TooLarge, match=f"more than {IMPORT_BATCH + 10} tasks"):
        run(container, requester, project_id, rows(IMPORT_BATCH + 11),
            max_rows=IMPORT_BATCH + 10)
    assert task_count(container, requester, project_id) == 0
    assert run(container, requester, project_id, rows(IMPORT_BATCH + 10),
               max_rows=IMPORT_BATCH + 10) == IMPORT_BATCH + 10
    with pytest.raises(ImportRejected, match="holds no tasks"):
        run(container, requester, project_id, rows(0))


def test_media_names_resolve_in_every_batch(container: Container, requester: User,
                                            project_id: int) -> None:
    [cat] = media.add_media(container.db, requester, project_id, [RawFile("cat.png", png())],
                            images=PillowImages(), store=container.media_store,
                            limits=container.media_limits, now=container.clock())
    rows: list[Any] = [{"text": f"t{n}"} for n in range(ROWS)]
    rows[IMPORT_BATCH + 3] = {"image": "cat.png"}
    assert run(container, requester, project_id, stream_tasks(jsonl(rows), "jsonl")) == ROWS
    samples = container.db.read  # the stored row names the item, not the upload's name
    with samples() as tx:
        stored = [d for d in tx.tasks.sample_data(project_id, ROWS) if "image" in d]
    assert stored == [{"image": f"media:{cat.id}"}]
    rows[IMPORT_BATCH + 3] = {"image": "dog.png"}
    with pytest.raises(ImportRejected) as caught:
        run(container, requester, project_id, stream_tasks(jsonl(rows), "jsonl"))
    assert caught.value.row == IMPORT_BATCH + 4
    assert task_count(container, requester, project_id) == ROWS

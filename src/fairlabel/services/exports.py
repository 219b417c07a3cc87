"""Use case: a project's dataset, one record per task, streamed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, Protocol

from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.domain.label_schema import IMAGE_FIELD, LabelSchema, media_id
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.media import HasMedia
from fairlabel.services.ports.quality import HasConsensus, HasConsensusUpkeep, HasGold
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.work import ExportRow, HasProjects, HasTasks
from fairlabel.services.quality import RefitConsensus, refresh_consensus
from fairlabel.services.steps.access import own_project

MEDIA_BATCH = 500
"""Tasks whose images an export looks up in one statement."""


class ExportRecordsTx(HasUsers, HasProjects, HasTasks, HasMedia, HasGold, HasConsensus,
                      HasConsensusUpkeep, Commits, Protocol):
    """The transaction of ``export_records``, ``export_dataset``."""


class RecordsTx(HasUsers, HasProjects, HasTasks, HasMedia, Protocol):
    """The transaction of ``_records``."""


@dataclass(frozen=True, slots=True)
class Dataset:
    """A project's export: its schema (what its answers are) and its records, read lazily."""

    schema: LabelSchema
    records: Iterator[dict[str, Any]]


def export_dataset(db: Database[ExportRecordsTx], user: User, project_id: int, *,
                   now: datetime | None = None, refit: RefitConsensus | None = None,
                   media: bool = False,
                   check: Callable[[LabelSchema], None] | None = None) -> Dataset:
    """The project's schema and records (as ``export_records``). ``check`` may refuse the
    schema (a format that does not fit it) before anything is computed; with ``media``, each
    record also has ``media``: its uploaded image by reference, ``{"media:12": {"id",
    "name", "width", "height"}}`` (empty when it shows none)."""
    require_role(user, Role.REQUESTER, Role.ADMIN)
    with db.read() as tx:
        schema = own_project(tx, user, project_id).terms.schema
    if check is not None:
        check(schema)
    if now is not None:
        refresh_consensus(db, now=now, project_id=project_id, refit=refit)
    return Dataset(schema, _records(db, user, project_id, media=media))


def export_records(db: Database[ExportRecordsTx], user: User, project_id: int, *,
                   now: datetime | None = None,
                   refit: RefitConsensus | None = None) -> Iterator[dict[str, Any]]:
    """Records ``{"task_id", "data", "answers": [{"worker", "answer"}], "majority",
    "consensus", "confidence", "settled", "gold"}``, per task.

    Access is checked at once (so a refusal comes before any output); given ``now``, the
    consensus is refreshed first; the records are then read lazily from one consistent
    snapshot. Workers appear under their pseudonym, never their e-mail. The majority follows
    the project's schema (``None`` on a tie); the consensus is the project's chosen method
    with its posterior probability as confidence; ``gold`` is the expected answer of a gold
    task (``None`` for ordinary tasks).
    """
    return export_dataset(db, user, project_id, now=now, refit=refit).records


def _chunks(rows: Iterable[ExportRow], size: int) -> Iterator[list[ExportRow]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _image_id(row: ExportRow) -> int | None:
    ref = row.data.get(IMAGE_FIELD) if isinstance(row.data, dict) else None
    return media_id(ref) if isinstance(ref, str) else None


def _images(tx: RecordsTx, project_id: int,
            chunk: list[ExportRow]) -> dict[int, dict[str, Any]]:
    ids = {i for i in map(_image_id, chunk) if i is not None}
    return {i: {"id": i, "name": m.name, "width": m.width, "height": m.height}
            for i, m in tx.media.by_ids(project_id, ids).items()}


def _records(db: Database[RecordsTx], user: User, project_id: int, *,
             media: bool = False) -> Iterator[dict[str, Any]]:
    with db.read() as tx:
        project = own_project(tx, user, project_id)
        majority = _Majority(project.terms.schema)
        names: dict[int, str] = {}
        for chunk in _chunks(tx.tasks.export_rows(project_id), MEDIA_BATCH):
            images = _images(tx, project_id, chunk) if media else {}
            missing = {w for row in chunk for w, _ in row.answers} - names.keys()
            if missing:
                names.update(tx.users.pseudonyms(missing))
            for row in chunk:
                record = _record(row, names, majority)
                if media:
                    image = _image_id(row)
                    record["media"] = ({f"media:{image}": images[image]}
                                       if image in images else {})
                yield record


_SCALARS = (str, int, float, bool, type(None))


class _Majority:
    """The schema's majority of a task's answers, remembered for answers of plain values
    (the same few combinations of labels recur over a whole project; lists and objects are
    computed each time)."""

    LIMIT = 10_000

    def __init__(self, schema: LabelSchema) -> None:
        self._schema = schema
        self._known: dict[tuple[Any, ...], Any] = {}

    def __call__(self, answers: list[Any]) -> Any:
        if not all(type(a) in _SCALARS for a in answers):
            return self._schema.majority(answers)
        # The types are part of the key: True, 1 and 1.0 are equal but different answers.
        key = (*answers, *map(type, answers))
        try:
            return self._known[key]
        except KeyError:
            pass
        found = self._schema.majority(answers)
        if type(found) in _SCALARS and len(self._known) < self.LIMIT:
            self._known[key] = found
        return found


def _record(row: ExportRow, names: dict[int, str], majority: _Majority) -> dict[str, Any]:
    return {
        "task_id": row.task_id,
        "data": row.data,
        "answers": [{"worker": names[w], "answer": a} for w, a in row.answers],
        "majority": majority([a for _, a in row.answers]),
        "consensus": row.consensus,
        "confidence": row.confidence,
        "settled": row.settled,
        "gold": row.gold_answer,
    }

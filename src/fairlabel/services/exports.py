"""Use case: a project's dataset, one record per task, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol

from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.quality import HasConsensus, HasGold
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.work import HasProjects, HasTasks
from fairlabel.services.quality import FitConsensus, refresh_consensus
from fairlabel.services.steps.access import own_project


class ExportRecordsTx(HasUsers, HasProjects, HasTasks, HasGold, HasConsensus, Commits, Protocol):
    """The transaction of ``export_records``."""


class RecordsTx(HasUsers, HasProjects, HasTasks, Protocol):
    """The transaction of ``_records``."""


def export_records(db: Database[ExportRecordsTx], user: User, project_id: int, *,
                   now: datetime | None = None,
                   fit: FitConsensus | None = None) -> Iterator[dict[str, Any]]:
    """Records ``{"task_id", "data", "answers": [{"worker", "answer"}], "majority",
    "consensus", "confidence", "settled", "gold"}``, per task.

    Access is checked at once (so a refusal comes before any output); given ``now``, the
    consensus is refreshed first; the records are then read lazily from one consistent
    snapshot. Workers appear under their pseudonym, never their e-mail. The majority follows
    the project's schema (``None`` on a tie); the consensus is the project's chosen method
    with its posterior probability as confidence; ``gold`` is the expected answer of a gold
    task (``None`` for ordinary tasks).
    """
    require_role(user, Role.REQUESTER, Role.ADMIN)
    with db.read() as tx:
        own_project(tx, user, project_id)
    if now is not None:
        refresh_consensus(db, now=now, project_id=project_id, fit=fit)
    return _records(db, user, project_id)


def _records(db: Database[RecordsTx], user: User, project_id: int) -> Iterator[dict[str, Any]]:
    with db.read() as tx:
        project = own_project(tx, user, project_id)
        schema = project.terms.schema
        names: dict[int, str] = {}
        for row in tx.tasks.export_rows(project_id):
            missing = {w for w, _ in row.answers if w not in names}
            if missing:
                names.update(tx.users.pseudonyms(missing))
            answers = [a for _, a in row.answers]
            yield {
                "task_id": row.task_id,
                "data": row.data,
                "answers": [{"worker": names[w], "answer": a} for w, a in row.answers],
                "majority": schema.majority(answers),
                "consensus": row.consensus,
                "confidence": row.confidence,
                "settled": row.settled,
                "gold": row.gold_answer,
            }

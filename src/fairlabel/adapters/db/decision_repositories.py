"""Repositories of decisions (append-only), appeals and access blocks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from fairlabel.adapters.db import statements as sql
from fairlabel.adapters.db.rows import stored_msg
from fairlabel.adapters.db.tables import access_blocks, appeals, decisions
from fairlabel.domain.decisions import (
    AlreadyAppealed,
    AlreadyResolved,
    Appeal,
    AppealStatus,
    Decision,
    DecisionKind,
    DecisionStatus,
)
from fairlabel.domain.messages import Msg


def _decision(row: Any) -> Decision:
    return Decision(id=row.id, worker_id=row.worker_id, project_id=row.project_id,
                    assignment_id=row.assignment_id, kind=DecisionKind(row.kind),
                    rule=row.rule, decided_by=row.decided_by, inputs=dict(row.inputs),
                    outcome=row.outcome, explanation=stored_msg(row.explanation_msg,
                                                                row.explanation),
                    status=DecisionStatus(row.status), follows_id=row.follows_id,
                    created_at=row.created_at)


def _appeal(row: Any) -> Appeal:
    return Appeal(id=row.id, decision_id=row.decision_id, worker_id=row.worker_id,
                  message=row.message, created_at=row.created_at, deadline_at=row.deadline_at,
                  status=AppealStatus(row.status), resolved_by=row.resolved_by,
                  reason=row.reason, resolved_at=row.resolved_at)


class DecisionRepository:
    """Decisions are inserted, never updated or deleted (a PostgreSQL trigger refuses both)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, *, worker_id: int, kind: DecisionKind, outcome: str, explanation: Msg,
            inputs: dict[str, Any], rule: str | None, decided_by: int | None,
            project_id: int | None, assignment_id: int | None, status: DecisionStatus,
            follows_id: int | None, now: datetime) -> Decision:
        values = {"worker_id": worker_id, "project_id": project_id,
                  "assignment_id": assignment_id, "kind": kind.value, "rule": rule,
                  "decided_by": decided_by, "inputs": inputs, "outcome": outcome,
                  "explanation": str(explanation), "explanation_msg": explanation.to_json(),
                  "status": status.value,
                  "follows_id": follows_id, "created_at": now}
        try:
            new_id = self._conn.execute(
                insert(decisions).values(**values).returning(decisions.c.id)).scalar_one()
        except IntegrityError:
            if follows_id is None:
                raise
            raise AlreadyResolved("another moderator decided on this proposal at the same "
                                  "moment") from None
        return Decision(new_id, worker_id, project_id, assignment_id, kind, rule, decided_by,
                        inputs, outcome, explanation, status, follows_id, now)

    def get(self, decision_id: int) -> Decision | None:
        row = self._conn.execute(select(decisions).where(decisions.c.id == decision_id)).first()
        return _decision(row) if row else None

    def for_worker(self, worker_id: int) -> list[Decision]:
        return [_decision(r) for r in self._conn.execute(
            select(decisions).where(decisions.c.worker_id == worker_id)
            .order_by(decisions.c.id.desc()))]

    def open_proposals(self, *, limit: int) -> list[Decision]:
        """Proposals no moderator has decided on yet, oldest first."""
        followed = select(decisions.c.follows_id).where(decisions.c.follows_id.is_not(None))
        return [_decision(r) for r in self._conn.execute(
            select(decisions).where(decisions.c.status == DecisionStatus.PROPOSED.value,
                                    decisions.c.id.not_in(followed))
            .order_by(decisions.c.id).limit(limit))]

    def follow_up(self, proposal_id: int) -> Decision | None:
        row = self._conn.execute(
            select(decisions).where(decisions.c.follows_id == proposal_id)).first()
        return _decision(row) if row else None

    def latest_proposal(self, *, worker_id: int, project_id: int,
                        rule: str) -> datetime | None:
        found: datetime | None = self._conn.execute(
            select(func.max(decisions.c.created_at)).where(
                decisions.c.worker_id == worker_id, decisions.c.project_id == project_id,
                decisions.c.rule == rule,
                decisions.c.status == DecisionStatus.PROPOSED.value)).scalar_one()
        return found


class AppealRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, *, decision_id: int, worker_id: int, message: str, now: datetime,
            deadline: datetime) -> Appeal:
        try:
            new_id = self._conn.execute(insert(appeals).values(
                decision_id=decision_id, worker_id=worker_id, message=message, created_at=now,
                deadline_at=deadline, status=AppealStatus.OPEN.value).returning(appeals.c.id)
            ).scalar_one()
        except IntegrityError:
            raise AlreadyAppealed("this decision was already appealed; each decision can be "
                                  "appealed once") from None
        return Appeal(new_id, decision_id, worker_id, message, now, deadline, AppealStatus.OPEN,
                      None, None, None)

    def get(self, appeal_id: int, *, for_update: bool = False) -> Appeal | None:
        query = select(appeals).where(appeals.c.id == appeal_id)
        if for_update:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return _appeal(row) if row else None

    def of_decisions(self, decision_ids: Sequence[int]) -> dict[int, Appeal]:
        if not decision_ids:
            return {}
        rows = self._conn.execute(select(appeals).where(appeals.c.decision_id.in_(decision_ids)))
        return {r.decision_id: _appeal(r) for r in rows}

    def open(self, *, limit: int) -> list[Appeal]:
        return [_appeal(r) for r in self._conn.execute(
            select(appeals).where(appeals.c.status == AppealStatus.OPEN.value)
            .order_by(appeals.c.created_at, appeals.c.id).limit(limit))]

    def overdue(self, *, now: datetime, limit: int) -> list[Appeal]:
        """Open appeals past their deadline, locked (SKIP LOCKED: one sweeper each)."""
        return [_appeal(r) for r in self._conn.execute(
            select(appeals).where(appeals.c.status == AppealStatus.OPEN.value,
                                  appeals.c.deadline_at <= now)
            .order_by(appeals.c.id).limit(limit).with_for_update(skip_locked=True))]

    def resolve(self, appeal_id: int, *, status: AppealStatus, resolved_by: int | None,
                reason: str, now: datetime) -> None:
        self._conn.execute(update(appeals).where(appeals.c.id == appeal_id).values(
            status=status.value, resolved_by=resolved_by, reason=reason, resolved_at=now))

    def for_worker(self, worker_id: int) -> list[Appeal]:
        return [_appeal(r) for r in self._conn.execute(
            select(appeals).where(appeals.c.worker_id == worker_id).order_by(appeals.c.id))]

    def outcomes(self, project_ids: Sequence[int]) -> dict[str, int]:
        """Appeals of decisions on these projects: open, upheld, overturned, and of those
        overturned, how many because no moderator decided in time."""
        if not project_ids:
            return {}
        rows = self._conn.execute(
            select(appeals.c.status, appeals.c.resolved_by.is_(None).label("by_deadline"),
                   func.count())
            .join(decisions, decisions.c.id == appeals.c.decision_id)
            .where(decisions.c.project_id.in_(project_ids))
            .group_by(appeals.c.status, appeals.c.resolved_by.is_(None)))
        counts: dict[str, int] = {}
        for status, by_deadline, count in rows:
            counts[status] = counts.get(status, 0) + int(count)
            if status == AppealStatus.OVERTURNED.value and by_deadline:
                counts["overturned_by_deadline"] = int(count)
        return counts


class BlockRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, *, project_id: int, worker_id: int, decision_id: int, now: datetime) -> None:
        self.remove(project_id=project_id, worker_id=worker_id)
        self._conn.execute(insert(access_blocks).values(
            project_id=project_id, worker_id=worker_id, decision_id=decision_id, created_at=now))

    def remove(self, *, project_id: int, worker_id: int) -> None:
        self._conn.execute(delete(access_blocks).where(access_blocks.c.project_id == project_id,
                                                       access_blocks.c.worker_id == worker_id))

    def blocking(self, *, worker_id: int, project_id: int) -> int | None:
        """The decision that keeps the worker from the project's work, if any."""
        found: int | None = self._conn.execute(
            sql.blocking_decision, {"project_id": project_id, "worker_id": worker_id}
        ).scalar_one_or_none()
        return found

"""The repository of continuation cases (charter rule 5 across requester accounts). It works
over one open transaction and never commits: the unit of work does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from fairlabel.adapters.db.tables import continuation_cases
from fairlabel.domain.continuation import CaseScores, CaseStatus, ContinuationCase
from fairlabel.domain.money import Money


def _case(row: Any) -> ContinuationCase:
    return ContinuationCase(
        id=row.id, project_id=row.project_id, earlier_id=row.earlier_id,
        requester_id=row.requester_id, earlier_requester_id=row.earlier_requester_id,
        price=Money(row.price_minor, row.currency),
        earlier_price=Money(row.earlier_price_minor, row.currency),
        earlier_median_ms=row.earlier_median_ms,
        scores=CaseScores(row.score_instructions, row.score_schema, row.score_data, row.score),
        found_at=row.found_at, status=CaseStatus(row.status), decided_by=row.decided_by,
        decided_at=row.decided_at, reason=row.reason, back_paid_minor=row.back_paid_minor,
        back_pay_owed_minor=row.back_pay_owed_minor)


class ContinuationCaseRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, *, project_id: int, earlier_id: int, requester_id: int,
            earlier_requester_id: int, price_minor: int, earlier_price_minor: int,
            currency: str, earlier_median_ms: int | None, scores: CaseScores,
            now: datetime) -> ContinuationCase:
        new_id = self._conn.execute(insert(continuation_cases).values(
            project_id=project_id, earlier_id=earlier_id, requester_id=requester_id,
            earlier_requester_id=earlier_requester_id, price_minor=price_minor,
            earlier_price_minor=earlier_price_minor, currency=currency,
            earlier_median_ms=earlier_median_ms, score_instructions=scores.instructions,
            score_schema=scores.schema, score_data=scores.data, score=scores.combined,
            found_at=now, status=CaseStatus.OPEN.value, back_paid_minor=0,
            back_pay_owed_minor=0).returning(continuation_cases.c.id)).scalar_one()
        found = self.get(new_id)
        assert found is not None
        return found

    def get(self, case_id: int, *, for_update: bool = False) -> ContinuationCase | None:
        query = select(continuation_cases).where(continuation_cases.c.id == case_id)
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return _case(row) if row else None

    def open(self, *, limit: int) -> list[ContinuationCase]:
        """Open cases, oldest first (the index on status and id)."""
        return [_case(r) for r in self._conn.execute(
            select(continuation_cases)
            .where(continuation_cases.c.status == CaseStatus.OPEN.value)
            .order_by(continuation_cases.c.id).limit(limit))]

    def decide(self, case_id: int, *, status: CaseStatus, decided_by: int, reason: str,
               now: datetime) -> None:
        self._conn.execute(update(continuation_cases)
                           .where(continuation_cases.c.id == case_id)
                           .values(status=status.value, decided_by=decided_by, reason=reason,
                                   decided_at=now))

    def set_back_pay(self, case_id: int, *, paid_minor: int, owed_minor: int) -> None:
        self._conn.execute(update(continuation_cases)
                           .where(continuation_cases.c.id == case_id)
                           .values(back_paid_minor=paid_minor, back_pay_owed_minor=owed_minor))

    def owing(self, project_id: int) -> list[ContinuationCase]:
        """Confirmed cases of the project whose back pay is not all paid yet."""
        return [_case(r) for r in self._conn.execute(
            select(continuation_cases)
            .where(continuation_cases.c.project_id == project_id,
                   continuation_cases.c.status == CaseStatus.CONFIRMED.value,
                   continuation_cases.c.back_pay_owed_minor > 0)
            .order_by(continuation_cases.c.id))]

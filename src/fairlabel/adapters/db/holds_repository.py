"""The totals of each project's submitted answers that the answers' hold is computed from
(``domain/holds.py``), and when the project was settled.

A submission adds its answer in one ``UPDATE … RETURNING``, which also locks the project's
row of this table until the transaction ends: everything that then moves money to or from the
project's reserved account (submissions, top-ups, rebalancing, settlement) takes this row
first, after the project's own row (``EscrowRepository.lock``) and before any ledger chain
head, so that the reserved account always follows the totals it was computed from.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, bindparam, case, func, select, update

from fairlabel.adapters.db.earnings import UPSERT, EarningsByHour
from fairlabel.adapters.db.ledger_repository import LedgerRepository
from fairlabel.adapters.db.quality_totals import UPSERT as QUALITY_UPSERT
from fairlabel.adapters.db.quality_totals import QualityTotals
from fairlabel.adapters.db.statements import PAID
from fairlabel.adapters.db.tables import assignments, project_holds, projects
from fairlabel.domain.assignment import AssignmentStatus
from fairlabel.domain.holds import AnswerTotals

_of_project = project_holds.c.project_id == bindparam("holds_project")
_columns = (project_holds.c.answers, project_holds.c.bound_ms,
            project_holds.c.lowest_paid_minor, project_holds.c.pivot_ms,
            project_holds.c.deficit_minor)
_totals = select(*_columns).where(_of_project)
_totals_for_update = _totals.with_for_update()
# One answer's part of bound_ms, max(pivot, 2·t − pivot), with the pivot the row has when the
# update runs (after any lock wait), in SQL both databases speak.
_twice = 2 * bindparam("worked", type_=BigInteger)
_part = case((_twice - project_holds.c.pivot_ms > project_holds.c.pivot_ms,
              _twice - project_holds.c.pivot_ms), else_=project_holds.c.pivot_ms)
# The answer's shortfall below the bound's lowest pay, max(0, c − paid), likewise.
_paid = bindparam("paid", type_=BigInteger)
_short = case((project_holds.c.lowest_paid_minor > _paid,
               project_holds.c.lowest_paid_minor - _paid), else_=0)
_add_answer = (update(project_holds).where(_of_project)
               .values(answers=project_holds.c.answers + 1,
                       bound_ms=project_holds.c.bound_ms + _part,
                       deficit_minor=project_holds.c.deficit_minor + _short,
                       work_answered=project_holds.c.work_answered
                       + bindparam("work", type_=BigInteger))
               .returning(*_columns))
_received = assignments.c.price_minor + assignments.c.topped_up_minor
_submitted = (assignments.c.project_id == bindparam("holds_project"),
              assignments.c.status == AssignmentStatus.SUBMITTED.value)
# What the submitted answers whose pay stands have received, at the least (for raising c).
_lowest_paid = select(func.min(_received)).where(*_submitted, PAID)
# Σ max(0, c − received) over the submitted answers: the deficit at a lowest pay c.
_level = bindparam("level", type_=BigInteger)
_deficit = select(func.coalesce(func.sum(_level - _received), 0)).where(
    *_submitted, _received < _level)


def _to_totals(row: Any) -> AnswerTotals:
    return AnswerTotals(int(row.answers), int(row.bound_ms), int(row.lowest_paid_minor),
                        int(row.pivot_ms), int(row.deficit_minor))


class HoldsRepository:
    def __init__(self, conn: Connection, ledger: LedgerRepository,
                 earnings: EarningsByHour, quality: QualityTotals) -> None:
        self._conn = conn
        self._ledger = ledger
        # The transaction's earnings by hour and quality tally, which a submission writes here.
        self._earnings = earnings
        self._quality = quality

    def totals(self, project_id: int, *, for_update: bool = False) -> AnswerTotals:
        query = _totals_for_update if for_update else _totals
        return _to_totals(self._conn.execute(query, {"holds_project": project_id}).one())

    def add_answer(self, project_id: int, *, worked_ms: int, paid_minor: int, work: bool,
                   then_lock: tuple[Sequence[str], str] | None = None) -> AnswerTotals:
        """Count one more submitted answer, which took ``worked_ms`` and has received
        ``paid_minor`` (``work``: on an ordinary task, which counts in the project's progress
        too); returns the new totals (the row stays locked).
        ``then_lock`` (accounts, currency): then ``Ledger.lock`` them, and write the
        transaction's earnings by hour (the answer's) and quality tally (its task's), in
        the same round trip on PostgreSQL."""
        params = {"holds_project": project_id, "worked": worked_ms, "paid": paid_minor,
                  "work": int(work)}
        if then_lock is None:
            return _to_totals(self._conn.execute(_add_answer, params).one())
        accounts, currency = then_lock
        dialect = self._conn.dialect.name
        then = [*((UPSERT[dialect], row) for row in self._earnings.pending()),
                *((QUALITY_UPSERT[dialect], row) for row in self._quality.pending())]
        return _to_totals(self._ledger.lock_after(_add_answer, params, accounts, currency,
                                                  then=then)[0])

    def lowest_paid_so_far(self, project_id: int) -> int | None:
        """The least that any submitted answer of the project whose pay stands (not
        withheld) has received."""
        value = self._conn.execute(_lowest_paid, {"holds_project": project_id}).scalar()
        return None if value is None else int(value)

    def deficit_at(self, project_id: int, lowest_paid_minor: int) -> int:
        """``Σ max(0, lowest_paid_minor − q)`` over the project's submitted answers, ``q``
        what each has received."""
        return int(self._conn.execute(_deficit, {"holds_project": project_id,
                                                 "level": lowest_paid_minor}).scalar_one())

    def set_pivot(self, project_id: int, *, pivot_ms: int, bound_ms: int) -> None:
        """Move the pivot, with ``bound_ms`` recomputed from every answer for it."""
        self._conn.execute(update(project_holds).where(_of_project)
                           .values(pivot_ms=pivot_ms, bound_ms=bound_ms),
                           {"holds_project": project_id})

    def set_lowest_paid(self, project_id: int, lowest_paid_minor: int, *,
                        deficit_minor: int | None = None) -> None:
        """Move the bound's lowest pay; with ``deficit_minor``, the deficit at it too (kept
        otherwise: a lower one is never larger)."""
        values: dict[str, int] = {"lowest_paid_minor": lowest_paid_minor}
        if deficit_minor is not None:
            values["deficit_minor"] = deficit_minor
        self._conn.execute(update(project_holds).where(_of_project).values(**values),
                           {"holds_project": project_id})

    def live_leases(self, project_id: int) -> int:
        """Leases of the project not yet submitted, skipped or swept as expired."""
        return int(self._conn.execute(
            select(func.count()).select_from(assignments).where(
                assignments.c.project_id == bindparam("holds_project"),
                assignments.c.status == AssignmentStatus.LEASED.value),
            {"holds_project": project_id}).scalar_one())

    def widen_live_leases(self, project_id: int, by_minor: int) -> None:
        """Raise the allowance of the project's live leases (their answers may now add more
        to the answers' hold)."""
        self._conn.execute(
            update(assignments).where(assignments.c.project_id == bindparam("holds_project"),
                                      assignments.c.status == AssignmentStatus.LEASED.value)
            .values(allowance_minor=assignments.c.allowance_minor + bindparam("by")),
            {"holds_project": project_id, "by": by_minor})

    def unsettled_ended(self) -> list[int]:
        """Ended projects not settled yet."""
        return list(self._conn.execute(
            select(project_holds.c.project_id)
            .join(projects, projects.c.id == project_holds.c.project_id)
            .where(projects.c.ended_at.is_not(None), project_holds.c.settled_at.is_(None))
            .order_by(project_holds.c.project_id)).scalars())

    def settled_at(self, project_id: int) -> datetime | None:
        value: datetime | None = self._conn.execute(
            select(project_holds.c.settled_at).where(_of_project),
            {"holds_project": project_id}).scalar()
        return value

    def mark_settled(self, project_id: int, *, now: datetime) -> None:
        self._conn.execute(update(project_holds).where(_of_project).values(settled_at=now),
                           {"holds_project": project_id})

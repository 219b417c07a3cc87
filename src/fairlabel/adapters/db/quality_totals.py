"""What each project's quality summary shows, kept as its ordinary tasks change
(``project_quality``): how many have a consensus, how many are settled, the answers their
redundancy wanted that settling saved (what each settled task wanted beyond the answers it
got), and how many have a confidence with the sum of those confidences.

The summary was summed over every task of the project on each view of the requester's
project page (0.21–0.26 s on SQLite at 1,000,000 tasks). It now reads one row.

Every statement that changes a task's consensus, confidence or settlement, or counts an answer
on a settled task, tells what the task was before and is after (``TaskPart``), in the
statement itself: ``RETURNING`` gives the new values, and the old ones come from the rows
locked in the same statement on PostgreSQL (``UPDATE … FROM (SELECT … FOR NO KEY UPDATE)``),
or are read just before on SQLite, where the write transaction has the database to itself. The
differences are kept here while the transaction runs and added to the project's row when it
commits (``write``): the last row a transaction locks, after every task row it changed, so a
refit's chunk and a submission never wait for each other in a circle. A submission's are
written sooner, in the round trip that locks its posting's chain heads
(``HoldsRepository.add_answer``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, select

from fairlabel.adapters.db.statements import adding_to
from fairlabel.adapters.db.tables import project_quality


class Tally(NamedTuple):
    """One project's sums over its ordinary tasks (or a change to them)."""

    with_consensus: int = 0
    settled: int = 0
    answers_saved: int = 0  # Σ (max_answers − answered) over the settled tasks
    confidences: int = 0  # tasks with a confidence
    confidence_sum: float = 0.0

    def plus(self, other: Tally, sign: int = 1) -> Tally:
        return Tally(self.with_consensus + sign * other.with_consensus,
                     self.settled + sign * other.settled,
                     self.answers_saved + sign * other.answers_saved,
                     self.confidences + sign * other.confidences,
                     self.confidence_sum + sign * other.confidence_sum)

    def minus(self, other: Tally) -> Tally:
        return self.plus(other, -1)


_NOTHING = Tally()


class TaskPart(NamedTuple):
    """What one ordinary task adds to its project's tally."""

    consensus: bool
    confidence: float | None
    settled: bool
    answered: int
    max_answers: int

    def tally(self) -> Tally:
        settled = int(self.settled)
        return Tally(int(self.consensus), settled, settled * (self.max_answers - self.answered),
                     int(self.confidence is not None), self.confidence or 0.0)


# Adds to a project's row, by dialect.
UPSERT = adding_to(project_quality, ("project_id",), Tally._fields)
_row = select(*(project_quality.c[name] for name in Tally._fields)).where(
    project_quality.c.project_id == bindparam("project_id"))


class QualityTotals:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._pending: dict[int, Tally] = {}

    def changed(self, project_id: int, *, is_gold: bool, before: TaskPart,
                after: TaskPart) -> None:
        """Count a change to one task (gold tasks count in no summary)."""
        if not is_gold:
            self.add(project_id, after.tally().minus(before.tally()))

    def answered(self, project_id: int, *, is_gold: bool, settled: bool) -> None:
        """Count one more answer on a task, which only a settled one's tally holds."""
        if settled and not is_gold:
            self.add(project_id, Tally(answers_saved=-1))

    def add(self, project_id: int, change: Tally) -> None:
        if change != _NOTHING:
            self._pending[project_id] = self._pending.get(project_id, _NOTHING).plus(change)

    def of_project(self, project_id: int) -> Tally:
        """The project's tally, this transaction's changes included."""
        row = self._conn.execute(_row, {"project_id": project_id}).first()
        stored = _NOTHING if row is None else Tally(
            int(row[0]), int(row[1]), int(row[2]), int(row[3]), float(row[4]))
        return stored.plus(self._pending.get(project_id, _NOTHING))

    def pending(self) -> list[dict[str, Any]]:
        """The rows that add this transaction's changes (one per project, in id order) with
        ``UPSERT[dialect]``, which are then no longer pending."""
        rows = [{"project_id": project_id} | change._asdict()
                for project_id, change in sorted(self._pending.items()) if change != _NOTHING]
        self._pending.clear()
        return rows

    def write(self) -> None:
        """Add what is pending to its rows (the unit of work calls it just before it
        commits, last)."""
        rows = self.pending()
        if rows:
            self._conn.execute(UPSERT[self._conn.dialect.name], rows)

"""Repositories of the worker's voice (ratings, testimonies) and the public record's figures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from fairlabel.adapters.db.tables import (
    ledger_entries,
    project_holds,
    project_reviews,
    projects,
    ratings,
    testimonies,
    users,
)
from fairlabel.domain.assignment import Review
from fairlabel.domain.voice import AlreadyRated, Scores, TestimonyStatus
from fairlabel.services.ports.voice import RatingRecord, RequesterEntry, TestimonyRecord


def _rating(row: Any) -> RatingRecord:
    return RatingRecord(row.id, row.project_id, row.worker_id,
                        Scores(row.pay, row.communication, row.fairness, row.promptness),
                        row.comment, row.created_at)


def _testimony(row: Any) -> TestimonyRecord:
    return TestimonyRecord(row.id, row.project_id, row.requester_id, row.worker_id, row.text,
                           TestimonyStatus(row.status), row.created_at, row.moderation_reason,
                           row.reply, row.replied_at)


class VoiceRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_rating(self, *, project_id: int, requester_id: int, worker_id: int,
                   scores: Scores, comment: str | None, now: datetime) -> int:
        try:
            new_id: int = self._conn.execute(insert(ratings).values(
                project_id=project_id, requester_id=requester_id, worker_id=worker_id,
                pay=scores.pay, communication=scores.communication, fairness=scores.fairness,
                promptness=scores.promptness, comment=comment, created_at=now,
            ).returning(ratings.c.id)).scalar_one()
        except IntegrityError:
            raise AlreadyRated("you already rated this project's requester; one rating per "
                               "project") from None
        return new_id

    def has_rated(self, *, worker_id: int, project_id: int) -> bool:
        return self._conn.execute(select(ratings.c.id).where(
            ratings.c.worker_id == worker_id, ratings.c.project_id == project_id)
        ).first() is not None

    def ratings_of_requester(self, requester_id: int) -> list[RatingRecord]:
        return [_rating(r) for r in self._conn.execute(
            select(ratings).where(ratings.c.requester_id == requester_id)
            .order_by(ratings.c.id))]

    def ratings_by(self, worker_id: int) -> list[RatingRecord]:
        return [_rating(r) for r in self._conn.execute(
            select(ratings).where(ratings.c.worker_id == worker_id).order_by(ratings.c.id))]

    def add_testimony(self, *, project_id: int, requester_id: int, worker_id: int, text: str,
                      now: datetime) -> int:
        new_id: int = self._conn.execute(insert(testimonies).values(
            project_id=project_id, requester_id=requester_id, worker_id=worker_id, text=text,
            status=TestimonyStatus.PENDING.value, created_at=now,
        ).returning(testimonies.c.id)).scalar_one()
        return new_id

    def testimony(self, testimony_id: int, *,
                  for_update: bool = False) -> TestimonyRecord | None:
        query = select(testimonies).where(testimonies.c.id == testimony_id)
        if for_update:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return _testimony(row) if row else None

    def pending_testimonies(self, *, limit: int) -> list[TestimonyRecord]:
        return [_testimony(r) for r in self._conn.execute(
            select(testimonies).where(testimonies.c.status == TestimonyStatus.PENDING.value)
            .order_by(testimonies.c.id).limit(limit))]

    def moderate(self, testimony_id: int, *, status: TestimonyStatus, by: int, reason: str,
                 now: datetime) -> None:
        self._conn.execute(update(testimonies).where(testimonies.c.id == testimony_id).values(
            status=status.value, moderated_by=by, moderation_reason=reason or None,
            moderated_at=now))

    def approved_testimonies(self, requester_id: int) -> list[TestimonyRecord]:
        return [_testimony(r) for r in self._conn.execute(
            select(testimonies).where(testimonies.c.requester_id == requester_id,
                                      testimonies.c.status == TestimonyStatus.APPROVED.value)
            .order_by(testimonies.c.id))]

    def testimonies_by(self, worker_id: int) -> list[TestimonyRecord]:
        return [_testimony(r) for r in self._conn.execute(
            select(testimonies).where(testimonies.c.worker_id == worker_id)
            .order_by(testimonies.c.id))]

    def reply(self, testimony_id: int, *, text: str, now: datetime) -> None:
        self._conn.execute(update(testimonies).where(testimonies.c.id == testimony_id)
                           .values(reply=text, replied_at=now))


class RecordQueries:
    """Counts for the public record, computed from the platform's own rows."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def requesters(self, *, after: int = 0, limit: int | None = None) -> list[RequesterEntry]:
        """Requesters with at least one launched project, by id, from the first after
        ``after`` (at most ``limit``), by their public name (the display name they chose,
        else their pseudonym). It reads the projects of those requesters only (the
        requester index, in order), never every requester's."""
        launched = (select(projects.c.requester_id, func.count().label("n"))
                    .where(projects.c.launched_at.is_not(None),
                           projects.c.requester_id > after)
                    .group_by(projects.c.requester_id).order_by(projects.c.requester_id))
        if limit is not None:
            launched = launched.limit(limit)
        counts = {int(r.requester_id): int(r.n) for r in self._conn.execute(launched)}
        return self._entries(counts)

    def requester(self, requester_id: int) -> RequesterEntry | None:
        """One requester, if they have a launched project."""
        count = int(self._conn.execute(
            select(func.count()).select_from(projects)
            .where(projects.c.requester_id == requester_id,
                   projects.c.launched_at.is_not(None))).scalar_one())
        found = self._entries({requester_id: count} if count else {})
        return found[0] if found else None

    def _entries(self, counts: dict[int, int]) -> list[RequesterEntry]:
        if not counts:
            return []
        rows = self._conn.execute(
            select(users.c.id, users.c.pseudonym, users.c.display_name)
            .where(users.c.id.in_(list(counts))).order_by(users.c.id))
        return [RequesterEntry(r.id, r.display_name or r.pseudonym, counts[r.id]) for r in rows]

    def reviews(self, project_ids: Sequence[int]) -> dict[str, int]:
        """Submitted answers of these projects by review (``unreviewed`` when none yet), from
        the tallies each review keeps and the count each submission raises: nothing here
        counts a project's answers."""
        if not project_ids:
            return {}
        names = [review.value for review in Review]
        tallied = self._conn.execute(
            select(*(func.coalesce(func.sum(project_reviews.c[name]), 0) for name in names))
            .where(project_reviews.c.project_id.in_(project_ids))).one()
        submitted = self._conn.execute(
            select(func.coalesce(func.sum(project_holds.c.answers), 0))
            .where(project_holds.c.project_id.in_(project_ids))).scalar_one()
        counts = dict(zip(names, map(int, tallied), strict=True))
        counts["unreviewed"] = int(submitted) - sum(counts.values())
        return {name: count for name, count in counts.items() if count}

    def kind_total(self, account: str, kind: str) -> int:
        """The sum of an account's entries of one kind (e.g. notice pay out of an escrow)."""
        return int(self._conn.execute(
            select(func.coalesce(func.sum(ledger_entries.c.amount_minor), 0)).where(
                ledger_entries.c.account == account, ledger_entries.c.kind == kind)
        ).scalar_one())

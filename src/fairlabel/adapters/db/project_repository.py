"""The project repository and its per-process cache. It works over one open transaction
and never commits: the unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    insert,
    or_,
    select,
    true,
    update,
)

from fairlabel.adapters.db import statements as sql
from fairlabel.adapters.db.project_cache import ProjectCache
from fairlabel.adapters.db.rows import (
    FixedProject,
    fixed_project,
    quality_columns,
    to_project,
    to_quality,
    with_state,
)
from fairlabel.adapters.db.tables import (
    fingerprint_bands,
    price_changes,
    project_fingerprints,
    project_holds,
    projects,
)
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.pay import PriceChangeKind
from fairlabel.domain.projects import Project, ProjectStatus, ProjectTerms
from fairlabel.services.ports.work import GuardCandidate, ProjectCounts, ProjectFacts


def _in_guard_window(since: datetime) -> ColumnElement[bool]:
    """Projects the continuation guard compares a new one with: serving, paused or ending,
    ended since ``since``, or with a price cut announced since ``since``."""
    cut = select(price_changes.c.id).where(price_changes.c.project_id == projects.c.id,
                                           price_changes.c.kind == PriceChangeKind.CUT.value,
                                           price_changes.c.announced_at >= since).exists()
    live = and_(projects.c.ended_at.is_(None),
                or_(projects.c.ending_at.is_not(None),
                    projects.c.status.in_((ProjectStatus.OPEN.value,
                                           ProjectStatus.PAUSED.value))))
    return or_(projects.c.ended_at >= since, live, cut)


class ProjectRepository:
    def __init__(self, conn: Connection, cache: ProjectCache | None = None) -> None:
        self._conn = conn
        self._cache = cache if cache is not None else ProjectCache()

    def facts(self, project_id: int) -> ProjectFacts:
        """What never changes about an existing project (its schema, currency, own floor and
        lease length), cached per process."""
        found = self._cache.facts(project_id)
        if found is None:
            row = self._conn.execute(sql.project_facts, {"project_id": project_id}).one()
            found = ProjectFacts(parse_schema(row.label_schema), row.pay_currency,
                                 row.redundancy, to_quality(row), row.floor_hourly_minor,
                                 row.lease_seconds)
            self._cache.keep_facts(project_id, found)
        return found

    def currency(self, project_id: int) -> str:
        return self.facts(project_id).currency

    def add(self, *, requester_id: int, terms: ProjectTerms, now: datetime) -> Project:
        new_id = self._conn.execute(insert(projects).values(
            requester_id=requester_id,
            name=terms.name,
            instructions=terms.instructions,
            label_schema=terms.schema.to_dict(),
            redundancy=terms.redundancy,
            pay_amount_minor=terms.pay_per_task.amount_minor,
            pay_currency=terms.pay_per_task.currency,
            lease_seconds=terms.lease_seconds,
            floor_hourly_minor=terms.own_floor_hourly,
            notice_days=terms.commitment.notice_days,
            ends_on=terms.commitment.ends_on,
            status=ProjectStatus.DRAFT.value,
            created_at=now,
            **quality_columns(terms.quality),
        ).returning(projects.c.id)).scalar_one()
        # Every project has the totals its answers' hold is computed from (holds_repository).
        self._conn.execute(insert(project_holds).values(
            project_id=new_id, answers=0, bound_ms=0,
            lowest_paid_minor=terms.pay_per_task.amount_minor))
        return Project(new_id, requester_id, terms, ProjectStatus.DRAFT, now, None)

    def get(self, project_id: int, *, for_update: bool = False,
            for_spending: bool = False) -> Project | None:
        """The project; ``for_update`` locks its row, ``for_spending`` takes its escrow's
        lock (``EscrowRepository.lock``) in the same statement."""
        fixed = self._cache.fixed(project_id)
        if fixed is not None:  # read only what can change
            query = (sql.project_state_for_spending if for_spending
                     else sql.project_state_for_update if for_update else sql.project_state)
            row = self._conn.execute(query, {"project_id": project_id}).first()
            return with_state(fixed, row) if row else None
        query = (sql.project_by_id.with_for_update(key_share=True) if for_spending
                 else sql.project_by_id_for_update if for_update else sql.project_by_id)
        read = self._read_whole(query, project_id)
        return with_state(*read) if read is not None else None

    def fixed(self, project_id: int) -> FixedProject | None:
        """What never changes about the project (None: no such project): from this
        process's cache, read when it is not there."""
        found = self._cache.fixed(project_id)
        if found is None:
            read = self._read_whole(sql.project_by_id, project_id)
            found = read[0] if read is not None else None
        return found

    def _read_whole(self, query: Any, project_id: int) -> tuple[FixedProject, Any] | None:
        """The project's whole row and what never changes in it, kept in the cache."""
        row = self._conn.execute(query, {"project_id": project_id}).first()
        if row is None:
            return None
        fixed = fixed_project(row)
        self._cache.keep_fixed(project_id, fixed)
        return fixed, row

    def find(self, *, requester_id: int | None = None,
             status: ProjectStatus | None = None) -> list[Project]:
        query = select(projects).order_by(projects.c.id.desc())
        if requester_id is not None:
            query = query.where(projects.c.requester_id == requester_id)
        if status is not None:
            query = query.where(projects.c.status == status.value)
        return [to_project(r) for r in self._conn.execute(query)]

    def set_status(self, project_id: int, status: ProjectStatus,
                   *, launched_at: datetime | None = None) -> None:
        values: dict[str, Any] = {"status": status.value}
        if launched_at is not None:
            values["launched_at"] = launched_at
        self._conn.execute(update(projects).where(projects.c.id == project_id).values(**values))

    def set_ending(self, project_id: int, **values: Any) -> None:
        """Record an ending, a pause or a resumption (ending_at, end_mode, end_reason,
        ended_at, paused_at, status)."""
        allowed = {"ending_at", "end_mode", "end_reason", "ended_at", "paused_at", "status"}
        assert set(values) <= allowed, set(values) - allowed
        self._conn.execute(update(projects).where(projects.c.id == project_id).values(**values))

    def save_fingerprint(self, project_id: int, fingerprint: bytes, *, now: datetime,
                         bands: Sequence[int] = ()) -> None:
        """Store a project's fingerprint and its LSH band keys (replacing earlier ones)."""
        for table in (project_fingerprints, fingerprint_bands):
            self._conn.execute(table.delete().where(table.c.project_id == project_id))
        self._conn.execute(insert(project_fingerprints).values(
            project_id=project_id, fingerprint=fingerprint, taken_at=now))
        keys = sorted(set(bands))
        if keys:
            self._conn.execute(insert(fingerprint_bands),
                               [{"band_key": k, "project_id": project_id} for k in keys])

    def guard_candidates(self, *, requester_id: int, since: datetime,
                         exclude: int) -> list[GuardCandidate]:
        """The requester's projects that are serving, ended since ``since``, are ending or
        paused, or had a price cut announced since ``since``, with their fingerprints."""
        rows = self._conn.execute(
            select(projects.c.id, project_fingerprints.c.fingerprint)
            .join(project_fingerprints, project_fingerprints.c.project_id == projects.c.id)
            .where(projects.c.requester_id == requester_id, projects.c.id != exclude,
                   _in_guard_window(since))
            .order_by(projects.c.id))
        return [GuardCandidate(r.id, bytes(r.fingerprint)) for r in rows]

    def other_candidates(self, *, requester_id: int, since: datetime, exclude: int,
                         bands: Sequence[int]) -> list[GuardCandidate]:
        """Other requesters' projects in the guard's window (as ``guard_candidates``) that
        share an LSH band key with ``bands``: the index on the keys finds them, however many
        projects are stored."""
        if not bands:
            return []
        sharing = (select(fingerprint_bands.c.project_id)
                   .where(fingerprint_bands.c.band_key.in_(sorted(set(bands)))).distinct())
        rows = self._conn.execute(
            select(projects.c.id, project_fingerprints.c.fingerprint)
            .join(project_fingerprints, project_fingerprints.c.project_id == projects.c.id)
            .where(projects.c.id.in_(sharing), projects.c.requester_id != requester_id,
                   projects.c.id != exclude, _in_guard_window(since))
            .order_by(projects.c.id))
        return [GuardCandidate(r.id, bytes(r.fingerprint)) for r in rows]

    def set_continuation(self, project_id: int, *, continuation_of: int,
                         first_access_until: datetime) -> None:
        self._conn.execute(update(projects).where(projects.c.id == project_id).values(
            continuation_of=continuation_of, first_access_until=first_access_until))

    def set_notice_liability(self, project_id: int, amount_minor: int, *,
                             answers: int | None = None,
                             due_at: datetime | None = None) -> None:
        """Store what ending now would owe; with ``answers``, the count of submitted answers
        it was computed from, and ``due_at``, when it may change with no new answer (the
        oldest answer it counts leaves the window)."""
        self._conn.execute(update(projects).where(projects.c.id == project_id)
                           .values(notice_liability_minor=amount_minor, notice_answers=answers,
                                   notice_due_at=due_at))

    def due_endings(self, *, now: datetime) -> list[int]:
        """Projects whose notice has run out, or whose pause has outlasted it."""
        return list(self._conn.execute(
            select(projects.c.id).where(projects.c.ended_at.is_(None),
                                        or_(projects.c.ending_at <= now,
                                            projects.c.paused_at.is_not(None)))
            .order_by(projects.c.id)).scalars())

    def set_price(self, project_id: int, amount_minor: int) -> None:
        self._conn.execute(update(projects).where(projects.c.id == project_id)
                           .values(pay_amount_minor=amount_minor))

    def set_measurement(self, project_id: int, *, median_ms: int, answers: int) -> None:
        self._conn.execute(update(projects).where(projects.c.id == project_id)
                           .values(measured_median_ms=median_ms, measured_answers=answers,
                                   pay_recheck=False))

    def to_measure(self) -> list[int]:
        """Projects whose answers changed since their last measurement (their count of
        submitted answers is not the one measured), or asked to be measured again."""
        return list(self._conn.execute(
            select(projects.c.id).join(project_holds, project_holds.c.project_id == projects.c.id)
            .where(project_holds.c.answers > 0,
                   (project_holds.c.answers != projects.c.measured_answers)
                   | (projects.c.pay_recheck == true()))
            .order_by(projects.c.id)).scalars())

    def recheck_pay(self, project_id: int, *, measure: bool = True) -> None:
        """What the project's answers were paid changed outside a measurement: its notice
        liability is computed again at the next sweep and, with ``measure``, its top-ups."""
        values: dict[str, Any] = {"notice_answers": None}
        if measure:
            values["pay_recheck"] = True
        self._conn.execute(update(projects).where(projects.c.id == project_id).values(**values))

    def notice_due(self, *, now: datetime) -> list[int]:
        """Serving projects whose notice liability may have changed: answers came since it
        was computed, or the oldest answer it counts has left the window, or it never was."""
        return list(self._conn.execute(
            select(projects.c.id).join(project_holds, project_holds.c.project_id == projects.c.id)
            .where(projects.c.status == ProjectStatus.OPEN.value,
                   projects.c.notice_answers.is_(None)
                   | (projects.c.notice_answers != project_holds.c.answers)
                   | (projects.c.notice_due_at <= now))
            .order_by(projects.c.id)).scalars())

    def proposals_due(self, *, now: datetime) -> list[int]:
        """Serving projects the rules that propose blocks must look at: their measurement
        changed since the rules last looked, or a time the rules set to look again has come."""
        return list(self._conn.execute(
            select(projects.c.id)
            .where(projects.c.status == ProjectStatus.OPEN.value,
                   projects.c.proposals_answers.is_(None)
                   | (projects.c.proposals_answers != projects.c.measured_answers)
                   | (projects.c.proposals_due_at <= now))
            .order_by(projects.c.id)).scalars())

    def set_proposals_checked(self, project_id: int, *, answers: int,
                              due_at: datetime | None) -> None:
        self._conn.execute(update(projects).where(projects.c.id == project_id)
                           .values(proposals_answers=answers, proposals_due_at=due_at))

    def counts(self, project_ids: Sequence[int]) -> dict[int, ProjectCounts]:
        if not project_ids:
            return {}
        rows = self._conn.execute(  # kept by each import and submission (tables/work.py)
            select(project_holds.c.project_id, project_holds.c.work_tasks,
                   project_holds.c.work_capacity, project_holds.c.work_answered)
            .where(project_holds.c.project_id.in_(project_ids)))
        found = {r[0]: ProjectCounts(int(r[1]), int(r[2]), int(r[3])) for r in rows}
        return {pid: found.get(pid, ProjectCounts(0, 0, 0)) for pid in project_ids}

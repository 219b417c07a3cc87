"""Repositories over one open transaction. They never commit: the unit of work does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, false, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from fairlabel.adapters.db import statements as sql
from fairlabel.adapters.db.rows import (
    FixedProject,
    fixed_project,
    quality_columns,
    to_assignment,
    to_project,
    to_quality,
    to_user,
    with_state,
)
from fairlabel.adapters.db.tables import (
    api_tokens,
    assignments,
    instance_settings,
    price_changes,
    project_fingerprints,
    project_holds,
    projects,
    sessions,
    tasks,
    users,
)
from fairlabel.domain.accounts import ApiToken, Role, User
from fairlabel.domain.assignment import Assignment, AssignmentStatus, Review
from fairlabel.domain.errors import Conflict
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.projects import Project, ProjectStatus, ProjectTerms
from fairlabel.services.ports import (
    ClaimedTask,
    ConsensusUpdate,
    ExportRow,
    NewTask,
    ProjectCounts,
    ProjectFacts,
)

GOLD_MAX_ANSWERS = 1_000_000_000
"""A gold task may be answered by every worker once; its slot count is never the limit."""

# Answers whose pay stands: all but those a rejection withheld on evidence.
_PAID = or_(assignments.c.review.is_(None), assignments.c.review != Review.WITHHELD.value)


def _worked_ms(row: Any) -> int:
    """An answer's measured working time: lease issued → submitted, in milliseconds."""
    worked: timedelta = row.submitted_at - row.leased_at
    return round(worked.total_seconds() * 1000)


class UserRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, *, email: str, password_hash: str, role: Role, pseudonym: str,
            now: datetime, skeleton: str | None = None) -> User:
        try:
            new_id = self._conn.execute(
                insert(users).values(email=email, password_hash=password_hash, role=role.value,
                                     pseudonym=pseudonym, created_at=now,
                                     email_skeleton=skeleton).returning(users.c.id)
            ).scalar_one()
        except IntegrityError:
            raise Conflict(f"a user with the e-mail {email} already exists",
                           code="email_taken") from None
        return User(new_id, email, role, pseudonym, now)

    def get(self, user_id: int) -> User | None:
        row = self._conn.execute(select(users).where(users.c.id == user_id)).first()
        return to_user(row) if row else None

    def with_password_hash(self, email: str) -> tuple[User, str] | None:
        row = self._conn.execute(select(users).where(users.c.email == email)).first()
        return (to_user(row), row.password_hash) if row else None

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._conn.execute(
            update(users).where(users.c.id == user_id).values(password_hash=password_hash)
        )

    def by_token_hash(self, token_hash: str) -> tuple[User, ApiToken] | None:
        row = self._conn.execute(sql.user_by_token, {"token_hash": token_hash}).first()
        if row is None:
            return None
        return to_user(row), ApiToken(row.token_id, row.id, row.token_name,
                                      row.token_created_at, row.token_expires_at,
                                      row.token_last_used_at, row.token_revoked_at)

    def touch_token(self, token_id: int, now: datetime) -> None:
        self._conn.execute(sql.touch_token, {"token_id": token_id, "last_used_at": now})

    def add_token(self, *, user_id: int, token_hash: str, name: str, now: datetime,
                  expires_at: datetime | None = None) -> int:
        return int(self._conn.execute(insert(api_tokens).values(
            user_id=user_id, token_hash=token_hash, name=name, created_at=now,
            expires_at=expires_at).returning(api_tokens.c.id)).scalar_one())

    def tokens(self, user_id: int) -> list[ApiToken]:
        rows = self._conn.execute(select(api_tokens).where(api_tokens.c.user_id == user_id)
                                  .order_by(api_tokens.c.id))
        return [ApiToken(r.id, r.user_id, r.name, r.created_at, r.expires_at, r.last_used_at,
                         r.revoked_at) for r in rows]

    def revoke_tokens(self, *, now: datetime, token_id: int | None = None,
                      user_id: int | None = None) -> list[str]:
        """Revoke one token (by id, of that user if given) or all of a user's; return the
        hashes of those revoked now."""
        where: list[ColumnElement[bool]] = [api_tokens.c.revoked_at.is_(None)]
        if token_id is not None:
            where.append(api_tokens.c.id == token_id)
        if user_id is not None:
            where.append(api_tokens.c.user_id == user_id)
        if token_id is None and user_id is None:
            raise ValueError("revoke a token by id, or a user's tokens")
        return list(self._conn.execute(update(api_tokens).where(*where)
                                       .values(revoked_at=now)
                                       .returning(api_tokens.c.token_hash)).scalars())

    def add_session(self, *, token_hash: str, user_id: int, now: datetime,
                    expires_at: datetime) -> None:
        self._conn.execute(insert(sessions).values(
            token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires_at))

    def by_session_hash(self, token_hash: str, now: datetime) -> User | None:
        row = self._conn.execute(sql.user_by_session,
                                 {"token_hash": token_hash, "now": now}).first()
        return to_user(row) if row else None

    def revoke_session(self, token_hash: str, now: datetime) -> None:
        self._conn.execute(update(sessions).where(sessions.c.token_hash == token_hash,
                                                  sessions.c.revoked_at.is_(None))
                           .values(revoked_at=now))

    def skeleton_taken(self, skeleton: str) -> bool:
        return self._conn.execute(select(users.c.id).where(users.c.email_skeleton == skeleton)
                                  .limit(1)).first() is not None

    def pseudonyms(self, user_ids: Iterable[int]) -> dict[int, str]:
        ids = list(set(user_ids))
        if not ids:
            return {}
        rows = self._conn.execute(select(users.c.id, users.c.pseudonym)
                                  .where(users.c.id.in_(ids)))
        return {r.id: r.pseudonym for r in rows}


    def by_pseudonym(self, pseudonym: str) -> User | None:
        row = self._conn.execute(select(users).where(users.c.pseudonym == pseudonym)).first()
        return to_user(row) if row else None

    def countries(self, user_ids: Iterable[int]) -> dict[int, str | None]:
        ids = list(set(user_ids))
        if not ids:
            return {}
        rows = self._conn.execute(select(users.c.id, users.c.country)
                                  .where(users.c.id.in_(ids)))
        return {r.id: r.country for r in rows}

    def with_role(self, role: Role) -> list[User]:
        """Every user of one role, by e-mail address."""
        rows = self._conn.execute(select(users).where(users.c.role == role.value)
                                  .order_by(users.c.email))
        return [to_user(r) for r in rows]


class SettingsRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, key: str) -> str | None:
        return self._conn.execute(
            select(instance_settings.c.value).where(instance_settings.c.key == key)
        ).scalar_one_or_none()

    def add(self, key: str, value: str) -> None:
        self._conn.execute(insert(instance_settings).values(key=key, value=value))


@dataclass
class ProjectCache:
    """Per process (one per ``SqlDatabase``): what never changes about existing projects."""

    facts: dict[int, ProjectFacts] = field(default_factory=dict)
    fixed: dict[int, FixedProject] = field(default_factory=dict)


class ProjectRepository:
    def __init__(self, conn: Connection, cache: ProjectCache | None = None) -> None:
        self._conn = conn
        cache = cache if cache is not None else ProjectCache()
        self._facts = cache.facts
        self._fixed = cache.fixed

    def facts(self, project_id: int) -> ProjectFacts:
        """What never changes about an existing project (its schema and currency), cached per
        process."""
        found = self._facts.get(project_id)
        if found is None:
            row = self._conn.execute(sql.project_facts, {"project_id": project_id}).one()
            found = ProjectFacts(parse_schema(row.label_schema), row.pay_currency,
                                 row.redundancy, to_quality(row))
            self._facts[project_id] = found
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

    def get(self, project_id: int, *, for_update: bool = False) -> Project | None:
        fixed = self._fixed.get(project_id)
        if fixed is not None:  # read only what can change
            query = sql.project_state_for_update if for_update else sql.project_state
            row = self._conn.execute(query, {"project_id": project_id}).first()
            return with_state(fixed, row) if row else None
        query = sql.project_by_id_for_update if for_update else sql.project_by_id
        row = self._conn.execute(query, {"project_id": project_id}).first()
        if row is None:
            return None
        fixed = self._fixed[project_id] = fixed_project(row)
        return with_state(fixed, row)

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

    def save_fingerprint(self, project_id: int, fingerprint: bytes, *, now: datetime) -> None:
        self._conn.execute(project_fingerprints.delete()
                           .where(project_fingerprints.c.project_id == project_id))
        self._conn.execute(insert(project_fingerprints).values(
            project_id=project_id, fingerprint=fingerprint, taken_at=now))

    def guard_candidates(self, *, requester_id: int, since: datetime,
                         exclude: int) -> list[tuple[int, bytes]]:
        """The requester's projects that ended, are ending or paused, or had a price cut
        announced since ``since``, with their fingerprints."""
        cut = select(price_changes.c.id).where(price_changes.c.project_id == projects.c.id,
                                               price_changes.c.kind == "cut",
                                               price_changes.c.announced_at >= since).exists()
        rows = self._conn.execute(
            select(projects.c.id, project_fingerprints.c.fingerprint)
            .join(project_fingerprints, project_fingerprints.c.project_id == projects.c.id)
            .where(projects.c.requester_id == requester_id, projects.c.id != exclude,
                   or_(projects.c.ended_at >= since, projects.c.ending_at.is_not(None),
                       projects.c.status == ProjectStatus.PAUSED.value, cut))
            .order_by(projects.c.id))
        return [(r.id, bytes(r.fingerprint)) for r in rows]

    def set_continuation(self, project_id: int, *, continuation_of: int,
                         first_access_until: datetime) -> None:
        self._conn.execute(update(projects).where(projects.c.id == project_id).values(
            continuation_of=continuation_of, first_access_until=first_access_until))

    def set_notice_liability(self, project_id: int, amount_minor: int) -> None:
        self._conn.execute(update(projects).where(projects.c.id == project_id)
                           .values(notice_liability_minor=amount_minor))

    def due_endings(self, *, now: datetime) -> list[int]:
        """Projects whose notice has run out, or whose pause has outlasted it."""
        return list(self._conn.execute(
            select(projects.c.id).where(projects.c.ended_at.is_(None),
                                        or_(projects.c.ending_at <= now,
                                            projects.c.paused_at.is_not(None)))
            .order_by(projects.c.id)).scalars())

    def serving(self) -> list[int]:
        return list(self._conn.execute(
            select(projects.c.id).where(projects.c.status == ProjectStatus.OPEN.value)
            .order_by(projects.c.id)).scalars())

    def set_price(self, project_id: int, amount_minor: int) -> None:
        self._conn.execute(update(projects).where(projects.c.id == project_id)
                           .values(pay_amount_minor=amount_minor))

    def set_measurement(self, project_id: int, *, median_ms: int, answers: int) -> None:
        self._conn.execute(update(projects).where(projects.c.id == project_id)
                           .values(measured_median_ms=median_ms, measured_answers=answers))

    def with_answers(self) -> list[int]:
        """Projects with at least one submitted answer (what the pay sweep looks at)."""
        return list(self._conn.execute(
            select(projects.c.id).where(select(assignments.c.id).where(
                assignments.c.project_id == projects.c.id,
                assignments.c.status == AssignmentStatus.SUBMITTED.value).exists())
            .order_by(projects.c.id)).scalars())

    def counts(self, project_ids: Sequence[int]) -> dict[int, ProjectCounts]:
        if not project_ids:
            return {}
        rows = self._conn.execute(
            select(tasks.c.project_id, func.count(),
                   func.coalesce(func.sum(tasks.c.max_answers), 0),
                   func.coalesce(func.sum(tasks.c.answered), 0))
            .where(tasks.c.project_id.in_(project_ids), tasks.c.is_gold == false())
            .group_by(tasks.c.project_id)
        )
        found = {r[0]: ProjectCounts(int(r[1]), int(r[2]), int(r[3])) for r in rows}
        return {pid: found.get(pid, ProjectCounts(0, 0, 0)) for pid in project_ids}


class TaskRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_many(self, *, project_id: int, new_tasks: Sequence[NewTask], max_answers: int,
                 now: datetime) -> int:
        # The rows of one batch at a time: a large import holds its tasks once, not twice.
        for start in range(0, len(new_tasks), 5000):
            self._conn.execute(insert(tasks), [
                {"project_id": project_id, "data": t.data, "is_gold": t.is_gold,
                 "gold_answer": t.gold_answer,
                 "max_answers": GOLD_MAX_ANSWERS if t.is_gold else max_answers,
                 "taken": 0, "answered": 0, "created_at": now}
                for t in new_tasks[start:start + 5000]])
        return len(new_tasks)

    def claim_next(self, *, project_id: int, worker_id: int) -> ClaimedTask | None:
        """Take one slot of the first task this worker has not seen that still has room.

        On PostgreSQL the row is locked with SKIP LOCKED, so concurrent claimers pass each
        other instead of queueing; on SQLite the caller's BEGIN IMMEDIATE serialises writers.
        The CHECK constraint on ``taken`` backs the redundancy cap in both.
        """
        # Start after the last task this worker was served: the tasks before it are mostly
        # ones they did, and scanning past them made each claim slower than the last. Open
        # slots left behind (skips, expiries) are found by the second pass.
        params = {"claim_project": project_id, "claim_worker": worker_id}
        row = self._conn.execute(sql.claim_after_cursor, params).first()
        if row is None:
            row = self._conn.execute(sql.claim_any, params).first()
        if row is None:
            return None
        return ClaimedTask(row.id, row.data)

    def claim(self, task_id: int) -> ClaimedTask:
        """Take one slot of a given task (a gold task chosen by the caller)."""
        self._conn.execute(sql.take_slot, {"task_id": task_id})
        return ClaimedTask(task_id, self.data(task_id))

    def sample_data(self, project_id: int, limit: int) -> list[dict[str, Any]]:
        return [r.data for r in self._conn.execute(
            select(tasks.c.data).where(tasks.c.project_id == project_id)
            .order_by(tasks.c.id).limit(limit))]

    def data(self, task_id: int) -> dict[str, Any]:
        data: dict[str, Any] = self._conn.execute(sql.task_data,
                                                  {"task_id": task_id}).scalar_one()
        return data

    def free_slots(self, task_counts: Counter[int]) -> None:
        for task_id in sorted(task_counts):  # a fixed order: no deadlock between sweepers
            self._conn.execute(sql.free_slots,
                               {"task_id": task_id, "freed": task_counts[task_id]})

    def record_answer(self, task_id: int, update: ConsensusUpdate | None = None) -> None:
        if update is None:
            self._conn.execute(sql.count_answer, {"task_id": task_id})
        else:
            self._conn.execute(sql.count_answer_with_consensus, {
                "task_id": task_id, "consensus": update.consensus,
                "confidence": update.confidence, "settled_at": update.settled_at})

    def export_rows(self, project_id: int, *, batch: int = 2000) -> Iterator[ExportRow]:
        """Every task of a project in id order, with its submitted answers."""
        last_id = 0
        while True:
            chunk = self._conn.execute(
                select(tasks.c.id, tasks.c.data, tasks.c.is_gold, tasks.c.gold_answer,
                       tasks.c.consensus, tasks.c.confidence, tasks.c.settled_at)
                .where(tasks.c.project_id == project_id, tasks.c.id > last_id)
                .order_by(tasks.c.id).limit(batch)).all()
            if not chunk:
                return
            first, last_id = chunk[0].id, chunk[-1].id
            answers: dict[int, list[tuple[int, Any]]] = {}
            for a in self._conn.execute(
                select(assignments.c.task_id, assignments.c.worker_id, assignments.c.answer)
                .where(assignments.c.project_id == project_id,
                       assignments.c.status == AssignmentStatus.SUBMITTED.value,
                       assignments.c.task_id.between(first, last_id))
                .order_by(assignments.c.task_id, assignments.c.submitted_at, assignments.c.id)
            ):
                answers.setdefault(a.task_id, []).append((a.worker_id, a.answer))
            for t in chunk:
                yield ExportRow(t.id, t.data, answers.get(t.id, []), t.gold_answer,
                                bool(t.is_gold), t.consensus, t.confidence,
                                t.settled_at is not None)


class AssignmentRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, *, task_id: int, project_id: int, worker_id: int, now: datetime,
            expires: datetime, price_minor: int, allowance_minor: int,
            purpose: str = "work", attempt_id: int | None = None) -> int:
        try:
            new_id: int = self._conn.execute(sql.new_lease, {
                "task_id": task_id, "project_id": project_id, "worker_id": worker_id,
                "status": AssignmentStatus.LEASED.value, "leased_at": now,
                "lease_expires_at": expires, "price_minor": price_minor,
                "allowance_minor": allowance_minor, "purpose": purpose,
                "attempt_id": attempt_id}).scalar_one()
        except IntegrityError:
            raise Conflict("another request of yours took this task at the same moment; "
                           "ask again", code="concurrent_request") from None
        return new_id

    def get(self, assignment_id: int, *, for_update: bool = False) -> Assignment | None:
        query = sql.assignment_by_id_for_update if for_update else sql.assignment_by_id
        row = self._conn.execute(query, {"assignment_id": assignment_id}).first()
        return to_assignment(row) if row else None

    def mark_submitted(self, assignment_id: int, *, answer: Any, idempotency_key: str | None,
                       now: datetime, correct: bool | None = None) -> None:
        self._conn.execute(sql.submit, {"assignment_id": assignment_id, "answer": answer,
                                        "idempotency_key": idempotency_key,
                                        "submitted_at": now, "correct": correct})

    def mark_released(self, assignment_id: int, *, now: datetime) -> None:
        self._conn.execute(update(assignments).where(assignments.c.id == assignment_id).values(
            status=AssignmentStatus.RELEASED.value, released_at=now))

    def expire_due(self, *, now: datetime,
                   project_id: int | None = None) -> list[Assignment]:
        """Mark every lease past its expiry as expired; return those leases.

        Rows another sweeper holds are skipped (SKIP LOCKED on PostgreSQL), so sweeps on
        several nodes at once never expire a lease twice.
        """
        if project_id is None:
            rows = self._conn.execute(sql.due_leases, {"now": now}).all()
        else:
            rows = self._conn.execute(sql.due_leases_of_project,
                                      {"now": now, "project_id": project_id}).all()
        if not rows:
            return []
        due = [to_assignment(r) for r in rows]
        self._conn.execute(
            update(assignments).where(and_(assignments.c.id.in_([a.id for a in due]),
                                           assignments.c.status == AssignmentStatus.LEASED.value))
            .values(status=AssignmentStatus.EXPIRED.value, released_at=now))
        return due

    def add_topup(self, assignment_id: int, amount_minor: int) -> None:
        self._conn.execute(update(assignments).where(assignments.c.id == assignment_id)
                           .values(topped_up_minor=assignments.c.topped_up_minor + amount_minor))

    def mark_approved(self, assignment_id: int, *, now: datetime, review: str) -> None:
        self._conn.execute(update(assignments).where(assignments.c.id == assignment_id)
                           .values(approved_at=now, review=review))

    def mark_reviewed(self, assignment_id: int, *, review: str) -> None:
        self._conn.execute(update(assignments).where(assignments.c.id == assignment_id)
                           .values(review=review))

    def of_worker(self, worker_id: int) -> list[Assignment]:
        return [to_assignment(r) for r in self._conn.execute(
            select(assignments).where(assignments.c.worker_id == worker_id)
            .order_by(assignments.c.id))]

    def recent_durations(self, project_id: int, *, since: datetime) -> dict[int, list[int]]:
        """Per worker, the working times of their answers on the project since ``since``."""
        found: dict[int, list[int]] = {}
        for r in self._conn.execute(
                select(assignments.c.worker_id, assignments.c.leased_at,
                       assignments.c.submitted_at)
                .where(assignments.c.project_id == project_id,
                       assignments.c.status == AssignmentStatus.SUBMITTED.value,
                       assignments.c.submitted_at >= since)
                .order_by(assignments.c.id)):
            found.setdefault(r.worker_id, []).append(_worked_ms(r))
        return found

    def durations_ms(self, project_id: int, *, worker_id: int | None = None) -> list[int]:
        """Measured working time (lease issued → submitted) of each submitted answer."""
        query = select(assignments.c.leased_at, assignments.c.submitted_at).where(
            assignments.c.project_id == project_id,
            assignments.c.status == AssignmentStatus.SUBMITTED.value)
        if worker_id is not None:
            query = query.where(assignments.c.worker_id == worker_id)
        return [_worked_ms(r) for r in self._conn.execute(query)]

    def due_for_approval(self, *, submitted_before: datetime, limit: int) -> list[Assignment]:
        """Unreviewed answers whose review window has closed, locked (SKIP LOCKED)."""
        rows = self._conn.execute(
            select(assignments).where(assignments.c.status == AssignmentStatus.SUBMITTED.value,
                                      assignments.c.approved_at.is_(None),
                                      assignments.c.review.is_(None),
                                      assignments.c.submitted_at <= submitted_before)
            .order_by(assignments.c.id).limit(limit).with_for_update(skip_locked=True))
        return [to_assignment(r) for r in rows]

    def below_price(self, project_id: int, *, fair_minor: int,
                    limit: int | None) -> list[Assignment]:
        """Answers paid less than ``fair_minor`` so far, locked (SKIP LOCKED)."""
        rows = self._conn.execute(
            select(assignments).where(
                assignments.c.project_id == project_id,
                assignments.c.status == AssignmentStatus.SUBMITTED.value, _PAID,
                assignments.c.price_minor + assignments.c.topped_up_minor < fair_minor)
            .order_by(assignments.c.id).limit(limit).with_for_update(skip_locked=True))
        return [to_assignment(r) for r in rows]

    def active_workers(self, project_id: int, *, since: datetime) -> list[int]:
        """Workers who took a task of the project since ``since``."""
        return list(self._conn.execute(
            select(assignments.c.worker_id).where(assignments.c.project_id == project_id,
                                                  assignments.c.leased_at >= since)
            .distinct().order_by(assignments.c.worker_id)).scalars())

    def worked_on(self, *, worker_id: int, project_id: int) -> bool:
        return self._conn.execute(
            select(assignments.c.id).where(
                assignments.c.worker_id == worker_id, assignments.c.project_id == project_id,
                assignments.c.status == AssignmentStatus.SUBMITTED.value).limit(1)
        ).first() is not None

    def earnings_since(self, project_id: int, *, since: datetime) -> dict[int, int]:
        """Per worker, what they earned on the project (price and top-ups) since ``since``."""
        rows = self._conn.execute(
            select(assignments.c.worker_id,
                   func.sum(assignments.c.price_minor + assignments.c.topped_up_minor))
            .where(assignments.c.project_id == project_id,
                   assignments.c.status == AssignmentStatus.SUBMITTED.value, _PAID,
                   assignments.c.submitted_at >= since)
            .group_by(assignments.c.worker_id))
        return {int(r[0]): int(r[1] or 0) for r in rows}

    def worker_totals(self, *, worker_id: int, project_id: int) -> tuple[int, int, int]:
        """(answers, pay received in minor units, measured milliseconds) of a worker."""
        rows = self._conn.execute(
            select(assignments.c.price_minor, assignments.c.topped_up_minor,
                   assignments.c.leased_at, assignments.c.submitted_at)
            .where(assignments.c.worker_id == worker_id,
                   assignments.c.project_id == project_id,
                   assignments.c.status == AssignmentStatus.SUBMITTED.value, _PAID)).all()
        paid = sum(r.price_minor + r.topped_up_minor for r in rows)
        total = sum(_worked_ms(r) for r in rows)
        return len(rows), paid, total

    def worker_projects(self, worker_id: int) -> list[int]:
        return list(self._conn.execute(
            select(assignments.c.project_id).where(assignments.c.worker_id == worker_id)
            .distinct().order_by(assignments.c.project_id)).scalars())

    def count_submitted(self, *, worker_id: int, project_id: int) -> int:
        return int(self._conn.execute(
            select(func.count()).select_from(assignments).where(
                assignments.c.worker_id == worker_id, assignments.c.project_id == project_id,
                assignments.c.status == AssignmentStatus.SUBMITTED.value)).scalar_one())

    def recent_answers(self, project_id: int, *, limit: int) -> list[Any]:
        return list(self._conn.execute(
            select(assignments.c.id, assignments.c.task_id, assignments.c.worker_id,
                   assignments.c.answer, assignments.c.submitted_at, assignments.c.leased_at,
                   assignments.c.review, assignments.c.approved_at)
            .where(assignments.c.project_id == project_id,
                   assignments.c.status == AssignmentStatus.SUBMITTED.value)
            .order_by(assignments.c.submitted_at.desc(), assignments.c.id.desc()).limit(limit)
        ))

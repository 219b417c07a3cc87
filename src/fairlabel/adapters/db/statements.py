"""Statements of the hot path (next task, submit, token check), built once.

Building a SQLAlchemy expression costs more than running it on SQLite; these are built at
import with bound parameters and only executed per request. Parameters are named after the
columns they compare with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    Table,
    bindparam,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from fairlabel.adapters.db.tables import (
    access_blocks,
    api_tokens,
    assignments,
    ledger_balances,
    ledger_entries,
    project_holds,
    projects,
    sessions,
    tasks,
    users,
)
from fairlabel.domain.assignment import AssignmentStatus, Purpose, Review

LEASED = AssignmentStatus.LEASED.value
# Answers whose pay stands: all but those a rejection withheld on evidence.
PAID = or_(assignments.c.review.is_(None), assignments.c.review != Review.WITHHELD.value)
# Written into the statement, not bound: SQLite prepares again, at every execution, a
# statement that binds a value a partial index's condition names (`status`, in
# ix_assignments_awaiting), which made the lease's gate 8 times slower.
_LEASED: Any = literal_column(f"'{LEASED}'")

user_by_token = (select(users, api_tokens.c.id.label("token_id"),
                        api_tokens.c.name.label("token_name"),
                        api_tokens.c.created_at.label("token_created_at"),
                        api_tokens.c.expires_at.label("token_expires_at"),
                        api_tokens.c.last_used_at.label("token_last_used_at"),
                        api_tokens.c.revoked_at.label("token_revoked_at"))
                 .join(api_tokens, api_tokens.c.user_id == users.c.id)
                 .where(api_tokens.c.token_hash == bindparam("token_hash")))
touch_token = (update(api_tokens).where(api_tokens.c.id == bindparam("token_id"))
               .values(last_used_at=bindparam("last_used_at")))
# A page's signed-in user: one indexed read, as the user's row alone was before sessions.
user_by_session = (select(users).join(sessions, sessions.c.user_id == users.c.id)
                   .where(sessions.c.token_hash == bindparam("token_hash"),
                          sessions.c.revoked_at.is_(None),
                          sessions.c.expires_at > bindparam("now")))

project_by_id = select(projects).where(projects.c.id == bindparam("project_id"))
project_by_id_for_update = project_by_id.with_for_update()
# What can change about a project once created (the rest is cached per process: rows.py).
project_state = select(
    projects.c.id, projects.c.status, projects.c.launched_at, projects.c.pay_amount_minor,
    projects.c.measured_median_ms, projects.c.measured_answers, projects.c.ending_at,
    projects.c.end_mode, projects.c.end_reason, projects.c.ended_at, projects.c.paused_at,
    projects.c.notice_liability_minor, projects.c.continuation_of,
    projects.c.first_access_until,
).where(projects.c.id == bindparam("project_id"))
project_state_for_update = project_state.with_for_update()
# The escrow's lock (``EscrowRepository.lock``) taken by reading the project's state.
project_state_for_spending = project_state.with_for_update(key_share=True)
project_facts = select(
    projects.c.label_schema, projects.c.pay_currency, projects.c.redundancy,
    projects.c.gold_rate, projects.c.gold_min_accuracy, projects.c.gold_min_items,
    projects.c.qualification_size, projects.c.qualification_pass_mark,
    projects.c.qualification_retry_hours, projects.c.consensus_method,
    projects.c.confidence_target, projects.c.min_answers, projects.c.floor_hourly_minor,
    projects.c.lease_seconds,
).where(projects.c.id == bindparam("project_id"))

task_data = select(tasks.c.data).where(tasks.c.id == bindparam("task_id"))

# Every `next` asks whether a moderator's decision keeps the worker from the project.
blocking_decision = select(access_blocks.c.decision_id).where(
    access_blocks.c.project_id == bindparam("project_id"),
    access_blocks.c.worker_id == bindparam("worker_id"))

# Claiming in one statement: take a slot of the first task with room left that this worker
# has not seen, and return it. SKIP LOCKED lets concurrent claimers on PostgreSQL pass rows
# another transaction is taking; the candidate comes from an alias of the table, so that it
# is not correlated with the row being updated (UPDATE ... WHERE id = (SELECT ... FOR UPDATE
# SKIP LOCKED), the usual queue pattern).
_candidate = tasks.alias("candidate")
_open = (
    select(_candidate.c.id)
    .where(_candidate.c.project_id == bindparam("claim_project"),
           _candidate.c.taken < _candidate.c.max_answers,
           _candidate.c.is_gold == false(),
           _candidate.c.settled_at.is_(None))
    .order_by(_candidate.c.id).limit(1)
    .with_for_update(skip_locked=True, of=_candidate)
)
_candidates = _open.where(
    # Whether this worker has this task: a probe of the (worker, project, task) index per
    # candidate, written as a scalar subquery so that the planner keeps it one. As NOT
    # EXISTS, PostgreSQL turned it into a merge anti join over the whole (task, worker)
    # index of every project's answers: 16x slower at 10,000,000 answers
    # (benchmarks/growth.py).
    select(assignments.c.id).where(assignments.c.worker_id == bindparam("claim_worker"),
                                   assignments.c.project_id == bindparam("claim_project"),
                                   assignments.c.task_id == _candidate.c.id)
    .limit(1).scalar_subquery().is_(None))

def _claim(candidates: Any) -> Any:
    return (update(tasks).where(tasks.c.id == candidates.scalar_subquery())
            .values(taken=tasks.c.taken + 1).returning(tasks.c.id, tasks.c.data))


# Where this worker stands in the project: the highest task id they were ever served. (An
# UPDATE reserves its table's column names for bind parameters: hence claim_*.)
_claim_cursor = select(func.max(assignments.c.task_id)).where(
    assignments.c.worker_id == bindparam("claim_worker"),
    assignments.c.project_id == bindparam("claim_project"))
# Past the cursor the probe has nothing to find (every task this worker was served is at or
# before it), so the hot claim has none: no read of the worker's answers per candidate. On a
# new PostgreSQL database, whose statistics were taken when the table was nearly empty, the
# probe's cached plan scanned the project's answers by ``(project_id, status)`` instead:
# 0.16 ms of a 0.34 ms claim at 1,600 answers, growing with each answer.
_after_cursor = _open.where(
    _candidate.c.id > func.coalesce(_claim_cursor.scalar_subquery(), 0))
claim_after_cursor = _claim(_after_cursor)
claim_any = _claim(_candidates)


def _claim_and_lease(candidates: Any) -> Any:
    """The claim and the worker's lease of the claimed task in one statement (PostgreSQL:
    SQLite has no data-modifying WITH): the lease's id, the task's id and data."""
    claimed = _claim(candidates).cte("claimed")
    lease = (insert(assignments).from_select(
        ["task_id", "project_id", "worker_id", "status", "leased_at", "lease_expires_at",
         "price_minor", "allowance_minor", "purpose"],
        select(claimed.c.id, bindparam("claim_project", type_=Integer),
               bindparam("claim_worker", type_=Integer), _LEASED,
               bindparam("leased_at", type_=assignments.c.leased_at.type),
               bindparam("lease_expires_at", type_=assignments.c.leased_at.type),
               bindparam("price_minor", type_=BigInteger),
               bindparam("allowance_minor", type_=BigInteger),
               literal_column(f"'{Purpose.WORK.value}'")))
        .returning(assignments.c.id, assignments.c.task_id).cte("lease"))
    return (select(lease.c.id.label("assignment_id"), claimed.c.id, claimed.c.data)
            .join_from(lease, claimed, claimed.c.id == lease.c.task_id))


lease_after_cursor = _claim_and_lease(_after_cursor)
lease_any = _claim_and_lease(_candidates)
take_slot = (update(tasks).where(tasks.c.id == bindparam("task_id"))
             .values(taken=tasks.c.taken + 1))
free_slots = (update(tasks).where(tasks.c.id == bindparam("task_id"))
              .values(taken=tasks.c.taken - bindparam("freed")))
# An answer counted on its task; what the project's quality tally needs of the task
# (``quality_totals.py``: only a settled task's answers count there). The column itself, not
# whether it is null: SQLite 3.40 returns ``settled_at IS NOT NULL`` as 1 for a null there.
_counted = (tasks.c.project_id, tasks.c.is_gold, tasks.c.settled_at)
count_answer = (update(tasks).where(tasks.c.id == bindparam("task_id"))
                .values(answered=tasks.c.answered + 1).returning(*_counted))
# With its consensus: the task as it is after, and (``prior``) as it was before — on
# PostgreSQL locked and read in the same statement, on SQLite read just before it.
_prior = tasks.alias("prior")
task_prior = select(_prior.c.id, _prior.c.consensus.is_not(None).label("had_consensus"),
                    _prior.c.confidence.label("had_confidence"),
                    _prior.c.settled_at.is_not(None).label("was_settled")
                    ).where(_prior.c.id == bindparam("task_id"))
_after = (tasks.c.project_id, tasks.c.is_gold, tasks.c.answered, tasks.c.max_answers,
          tasks.c.settled_at)
_with_consensus = {"answered": tasks.c.answered + 1, "consensus": bindparam("consensus"),
                   "confidence": bindparam("confidence"),
                   "settled_at": func.coalesce(tasks.c.settled_at,
                                               bindparam("settled_at",
                                                         type_=tasks.c.settled_at.type))}
count_answer_with_consensus = (update(tasks).where(tasks.c.id == bindparam("task_id"))
                               .values(**_with_consensus).returning(*_after))
# FOR NO KEY UPDATE: the lock the UPDATE takes itself (consensus_writes.py).
_locked_prior = task_prior.with_for_update(key_share=True).subquery("locked")
count_answer_with_consensus_locked = (
    update(tasks).where(tasks.c.id == _locked_prior.c.id).values(**_with_consensus)
    .returning(*_after, _locked_prior.c.had_consensus, _locked_prior.c.had_confidence,
               _locked_prior.c.was_settled))

new_lease = insert(assignments).returning(assignments.c.id)
new_entries = insert(ledger_entries)

account_balance = select(ledger_balances.c.balance_minor).where(
    ledger_balances.c.account == bindparam("account"),
    ledger_balances.c.currency == bindparam("currency"))
# Escrow: what live leases hold in a project's escrow, and the escrow's balance less that.
held_by_leases = (
    select(func.coalesce(func.sum(assignments.c.price_minor + assignments.c.allowance_minor), 0))
    .where(assignments.c.project_id == bindparam("project_id"),
           assignments.c.status == _LEASED))
free_escrow = select(func.coalesce(account_balance.scalar_subquery(), 0)
                     - held_by_leases.scalar_subquery())
assignment_by_id = select(assignments).where(assignments.c.id == bindparam("assignment_id"))
assignment_by_id_for_update = assignment_by_id.with_for_update()
active_lease_id = (
    select(assignments.c.id)
    .where(assignments.c.worker_id == bindparam("worker_id"),
           assignments.c.project_id == bindparam("project_id"),
           assignments.c.status == _LEASED,
           assignments.c.lease_expires_at > bindparam("now", type_=assignments.c.leased_at.type))
    .order_by(assignments.c.id).limit(1)
)
_due = (select(assignments)
        .where(assignments.c.status == _LEASED,
               assignments.c.lease_expires_at <= bindparam("now",
                                                           type_=assignments.c.leased_at.type)))
due_leases = _due.order_by(assignments.c.id).with_for_update(skip_locked=True)
due_leases_of_project = (_due.where(assignments.c.project_id == bindparam("project_id"))
                         .order_by(assignments.c.id).with_for_update(skip_locked=True))
# Before a lease, in one statement: the live lease the worker already holds on the project
# (a reload gets it back), the decision that blocks them from it, and the free escrow.
_holds_of_project = project_holds.c.project_id == bindparam("project_id")
_lowest_paid = (select(project_holds.c.lowest_paid_minor).where(_holds_of_project)
                .scalar_subquery().label("lowest_paid"))
_pivot = select(project_holds.c.pivot_ms).where(_holds_of_project).scalar_subquery().label("pivot")
# What a lease must know first; with the project's state in the same statement where
# writers go one at a time (SQLite), in a statement of its own after the project's lock on
# PostgreSQL (a statement that waited for a lock reads with the snapshot it began with).
_gate = (active_lease_id.scalar_subquery().label("held_id"),
         blocking_decision.limit(1).scalar_subquery().label("blocking"),
         free_escrow.scalar_subquery().label("free"), _lowest_paid, _pivot)
project_for_lease = project_state.add_columns(*_gate)
lease_gate = select(*_gate)
submit = (update(assignments).where(assignments.c.id == bindparam("assignment_id"))
          .values(status=AssignmentStatus.SUBMITTED.value, answer=bindparam("answer"),
                  idempotency_key=bindparam("idempotency_key"),
                  submitted_at=bindparam("submitted_at"), correct=bindparam("correct"),
                  worked_ms=bindparam("worked_ms")))
# The submission and its count on the task in one statement (PostgreSQL: SQLite has no
# data-modifying WITH), when no consensus update goes with the count.
_submitted = submit.returning(assignments.c.task_id).cte("submitted")
submit_and_count = (update(tasks)
                    .where(tasks.c.id == select(_submitted.c.task_id).scalar_subquery())
                    .values(answered=tasks.c.answered + 1).returning(*_counted))

# A lease without the exclusive lock (PostgreSQL, ``EscrowRepository.lock_and_gate``): the
# worker's turn on the project (their racing requests go one at a time), one of the
# project's lease slots if one is free (at most ``slots`` such leases in flight), and the
# project's state shared (nothing that spends the escrow or changes the project meanwhile).
# Advisory keys: (project, worker) in the two-key space; slots as negative one-key values.
worker_turn = text("SELECT pg_advisory_xact_lock(CAST(:project_id AS integer), "
                   "CAST(:worker_id AS integer)) IS NULL AS waited")
lease_slot = text("SELECT s AS slot FROM generate_series(0, :slots - 1) AS s "
                  "WHERE pg_try_advisory_xact_lock(-(CAST(:project_id AS bigint) * 64 + s)) "
                  "LIMIT 1")
project_state_shared = project_state.with_for_update(read=True)


def adding_to(table: Table, keys: Sequence[str], sums: Sequence[str]) -> dict[str, Any]:
    """``INSERT … ON CONFLICT (keys) DO UPDATE`` that adds its ``sums`` to the row's (or
    inserts them), with every column a bound parameter of its name: one statement per
    dialect, built once (the derived totals each transaction adds to as it commits)."""

    def built(insert: Any) -> Any:
        statement = insert(table).values({name: bindparam(name) for name in (*keys, *sums)})
        return statement.on_conflict_do_update(
            index_elements=[table.c[name] for name in keys],
            set_={name: table.c[name] + statement.excluded[name] for name in sums})

    return {"postgresql": built(postgres_insert), "sqlite": built(sqlite_insert)}

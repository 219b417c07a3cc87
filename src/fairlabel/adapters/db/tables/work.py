"""Tables of the work: projects, their holds and fingerprints, tasks and assignments."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from fairlabel.adapters.db.tables.base import metadata
from fairlabel.adapters.db.types import BigId, UTCDateTime

projects = Table(
    "projects",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("requester_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("instructions", Text, nullable=False),
    Column("label_schema", JSON, nullable=False),
    Column("redundancy", Integer, nullable=False),
    Column("pay_amount_minor", BigInteger, nullable=False),
    Column("pay_currency", String(3), nullable=False),
    Column("lease_seconds", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("launched_at", UTCDateTime, nullable=True),
    Column("floor_hourly_minor", BigInteger, nullable=True),
    # The last measurement of working time (median over submitted answers), by the sweep.
    Column("measured_median_ms", BigInteger, nullable=True),
    Column("measured_answers", Integer, nullable=False, server_default=text("0")),
    # Commitment and ending (charter rule 4).
    Column("notice_days", Integer, nullable=False, server_default=text("7")),
    Column("ends_on", Date, nullable=True),
    Column("ending_at", UTCDateTime, nullable=True),
    Column("end_mode", String(20), nullable=True),
    Column("end_reason", Text, nullable=True),
    Column("ended_at", UTCDateTime, nullable=True),
    Column("paused_at", UTCDateTime, nullable=True),
    # What ending now would owe in notice pay, kept up to date by the sweep (escrow first).
    Column("notice_liability_minor", BigInteger, nullable=False, server_default=text("0")),
    # The continuation guard (charter rule 5).
    Column("continuation_of", Integer, ForeignKey("projects.id"), nullable=True),
    Column("first_access_until", UTCDateTime, nullable=True),
    # Quality control (fixed at creation): gold tasks, qualification, consensus.
    Column("gold_rate", Float, nullable=False, server_default=text("0")),
    Column("gold_min_accuracy", Float, nullable=True),
    Column("gold_min_items", Integer, nullable=False, server_default=text("5")),
    Column("qualification_size", Integer, nullable=True),
    Column("qualification_pass_mark", Float, nullable=True),
    Column("qualification_retry_hours", Integer, nullable=True),
    Column("consensus_method", String(10), nullable=False, server_default=text("'ds'")),
    Column("confidence_target", Float, nullable=True),
    Column("min_answers", Integer, nullable=False, server_default=text("2")),
    # The last answer taken into the consensus by the periodic refit.
    Column("consensus_until", UTCDateTime, nullable=True),
    # What each periodic job last saw (services/jobs.py), so that a sweep visits only the
    # projects where something changed: the count of submitted answers (project_holds.answers)
    # when it ran, or when it must look again though no answer came. NULL: look at the next run.
    Column("notice_answers", BigInteger, nullable=True),
    Column("notice_due_at", UTCDateTime, nullable=True),
    # Measure and top up again though no answer came (top-ups left owed, an overturned
    # withholding, a price change taking effect).
    Column("pay_recheck", Boolean, nullable=False, server_default=text("false")),
    Column("proposals_answers", BigInteger, nullable=True),
    Column("proposals_due_at", UTCDateTime, nullable=True),
    Column("consensus_answers", BigInteger, nullable=True),
    # The count of submitted answers at the last refit of the whole consensus (between refits
    # the consensus is updated task by task: domain/consensus_upkeep.py).
    Column("consensus_fit_answers", BigInteger, nullable=True),
)

# What the answers' hold needs to know of a project's submitted answers (domain/holds.py),
# kept up to date by each submission; and when the project was settled after it ended. With
# them, the project's progress (``ProjectCounts``) over its ordinary tasks (not gold): how
# many, their answers wanted (the sum of max_answers) and given (the sum of answered), kept
# by each import and each submission, so that no page sums a project's tasks to show them.
project_holds = Table(
    "project_holds",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), primary_key=True),
    Column("answers", BigInteger, nullable=False, server_default=text("0")),
    Column("bound_ms", BigInteger, nullable=False, server_default=text("0")),
    Column("lowest_paid_minor", BigInteger, nullable=False),
    Column("pivot_ms", BigInteger, nullable=False, server_default=text("0")),
    Column("settled_at", UTCDateTime, nullable=True),
    Column("work_tasks", BigInteger, nullable=False, server_default=text("0")),
    Column("work_capacity", BigInteger, nullable=False, server_default=text("0")),
    Column("work_answered", BigInteger, nullable=False, server_default=text("0")),
    Column("deficit_minor", BigInteger, nullable=False, server_default=text("0")),
)

# What the continuation guard compares: MinHash signatures and shingles, taken at launch.
project_fingerprints = Table(
    "project_fingerprints",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), primary_key=True),
    Column("fingerprint", LargeBinary, nullable=False),
    Column("taken_at", UTCDateTime, nullable=False),
)

# The LSH band keys of each fingerprint (continuation.band_keys): a new project's candidates
# among thousands are the projects sharing a key with it, found through the primary key.
fingerprint_bands = Table(
    "fingerprint_bands",
    metadata,
    Column("band_key", BigInteger, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), primary_key=True),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("data", JSON, nullable=False),
    # How many distinct workers may answer; `taken` counts live leases plus answers, and the
    # CHECK below makes over-assignment impossible whatever the application does.
    Column("max_answers", Integer, nullable=False),
    Column("taken", Integer, nullable=False, server_default=text("0")),
    Column("answered", Integer, nullable=False, server_default=text("0")),
    Column("created_at", UTCDateTime, nullable=False),
    # A gold (control) task carries its expected answer; it is served apart from the rest.
    Column("is_gold", Boolean, nullable=False, server_default=text("false")),
    Column("gold_answer", JSON(none_as_null=True), nullable=True),
    # The consensus and its posterior probability; settled_at once adaptive redundancy
    # stopped serving the task.
    Column("consensus", JSON(none_as_null=True), nullable=True),
    Column("confidence", Float, nullable=True),
    Column("settled_at", UTCDateTime, nullable=True),
    CheckConstraint("taken >= 0 AND taken <= max_answers", name="taken_within_redundancy"),
    CheckConstraint("answered >= 0 AND answered <= taken", name="answered_within_taken"),
)
# SQLite stores booleans as 0/1 and SQLAlchemy compares them so: each dialect's predicate is
# written the way its queries render, so that the planner can use the partial index.
OPEN_TASK = "taken < max_answers AND is_gold = {false} AND settled_at IS NULL"
Index(
    "ix_tasks_open",
    tasks.c.project_id,
    tasks.c.id,
    sqlite_where=text(OPEN_TASK.format(false=0)),
    postgresql_where=text(OPEN_TASK.format(false="false")),
)
GOLD_TASK = "is_gold = {true}"
Index(
    "ix_tasks_gold",
    tasks.c.project_id,
    tasks.c.id,
    sqlite_where=text(GOLD_TASK.format(true=1)),
    postgresql_where=text(GOLD_TASK.format(true="true")),
)
Index("ix_tasks_project", tasks.c.project_id, tasks.c.id)

assignments = Table(
    "assignments",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("task_id", BigInteger, ForeignKey("tasks.id"), nullable=False),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("worker_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("leased_at", UTCDateTime, nullable=False),
    Column("lease_expires_at", UTCDateTime, nullable=False),
    Column("submitted_at", UTCDateTime, nullable=True),
    Column("released_at", UTCDateTime, nullable=True),
    Column("answer", JSON, nullable=True),
    Column("idempotency_key", String(200), nullable=True),
    # Pay: the price agreed when the task was served, what the lease reserved beside it for
    # possible top-ups, top-ups paid so far, and when the answer was approved.
    Column("price_minor", BigInteger, nullable=False, server_default=text("0")),
    Column("allowance_minor", BigInteger, nullable=False, server_default=text("0")),
    Column("topped_up_minor", BigInteger, nullable=False, server_default=text("0")),
    Column("approved_at", UTCDateTime, nullable=True),
    # work | gold | qualification; for gold and qualification, whether the answer was right.
    Column("purpose", String(14), nullable=False, server_default=text("'work'")),
    Column("attempt_id", Integer, nullable=True),
    Column("correct", Boolean, nullable=True),
    # The review: approved, auto_approved, rejected (paid), withheld, overturned (on appeal).
    Column("review", String(20), nullable=True),
    # The measured working time (lease issued → submitted, whole ms), kept at submission.
    Column("worked_ms", BigInteger, nullable=True),
    UniqueConstraint("task_id", "worker_id", name="uq_assignments_task_worker"),
)
Index("ix_assignments_worker", assignments.c.worker_id, assignments.c.project_id,
      assignments.c.status)
Index("ix_assignments_worker_task", assignments.c.worker_id, assignments.c.project_id,
      assignments.c.task_id)
Index("ix_assignments_lease", assignments.c.status, assignments.c.lease_expires_at)
# A project's answers by status, and the submitted ones by submission time: what the consensus
# upkeep counts and reads since its last watermark (domain/consensus_upkeep.py).
Index("ix_assignments_project", assignments.c.project_id, assignments.c.status,
      assignments.c.submitted_at)
# Answers awaiting approval, by submission time: the approval job reads only those due. The
# query writes the predicate as it is here (a literal, not a parameter), so that both planners
# can use the partial index; it leads with `status` so that SQLite, without statistics,
# prefers it to ix_assignments_lease (which has `status` first too).
AWAITING_APPROVAL = "status = 'submitted' AND approved_at IS NULL AND review IS NULL"
Index("ix_assignments_awaiting", assignments.c.status, assignments.c.submitted_at,
      assignments.c.id,
      sqlite_where=text(AWAITING_APPROVAL), postgresql_where=text(AWAITING_APPROVAL))
# A project's answers by working time: its median is read at two offsets of this index, not
# by loading every answer's times (the query writes the predicate as a literal, as above).
MEASURED = "status = 'submitted'"
Index("ix_assignments_worked", assignments.c.project_id, assignments.c.worked_ms,
      sqlite_where=text(MEASURED), postgresql_where=text(MEASURED))
# A project's graded (gold) answers by worker, with what its gold scores count: read from
# the index alone, not by scanning every answer of the project for the few graded ones.
GRADED = "correct IS NOT NULL"
Index("ix_assignments_graded", assignments.c.project_id, assignments.c.worker_id,
      assignments.c.status, assignments.c.correct,
      sqlite_where=text(GRADED), postgresql_where=text(GRADED))

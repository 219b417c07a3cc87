"""Charter rule 6: every decision that affects a worker is recorded, explained and appealable.

A decision names who or what made it (a rule ``name@version``, or a person), the inputs it
used, its outcome and a plain explanation. Decisions never change once recorded: what happens
afterwards (a moderator confirming a proposal, an appeal) is recorded beside them.

Automated rules may only *propose* restricting a worker's access (status ``proposed``); a
moderator confirms or declines, and that is a decision of its own which follows the proposal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from fairlabel.domain.errors import Conflict, InvalidInput
from fairlabel.domain.messages import Msg

MAX_TEXT = 4000


class DecisionKind(StrEnum):
    ANSWER_APPROVED = "answer_approved"
    ANSWER_REJECTED = "answer_rejected"
    QUALITY_BLOCK = "quality_block"
    QUALIFICATION_FAILED = "qualification_failed"
    QUALIFICATION_REVOKED = "qualification_revoked"
    REMOVAL = "removal"
    TOPUP = "topup"
    PAUSE = "pause"
    PROJECT_ENDED = "project_ended"
    BACK_PAY = "back_pay"  # a confirmed continuation paid its earlier answers the earlier price


# Kinds that restrict, suspend or end a worker's access: a rule may only propose them.
RESTRICTING = frozenset({DecisionKind.QUALITY_BLOCK, DecisionKind.REMOVAL,
                         DecisionKind.QUALIFICATION_REVOKED})


class DecisionStatus(StrEnum):
    FINAL = "final"  # in force
    PROPOSED = "proposed"  # a rule's proposal, waiting for a moderator
    DECLINED = "declined"  # a moderator declined a proposal


class AppealStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    OVERTURNED = "overturned"


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    worker_id: int
    project_id: int | None
    assignment_id: int | None
    kind: DecisionKind
    rule: str | None  # "name@version" of the automated rule, or None
    decided_by: int | None  # the person (user id), or None when a rule decided alone
    inputs: dict[str, Any]
    outcome: str
    explanation: Msg  # said in the reader's language; str() is the English text that is kept
    status: DecisionStatus
    follows_id: int | None  # the proposal a moderator's decision confirms or declines
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Appeal:
    id: int
    decision_id: int
    worker_id: int
    message: str
    created_at: datetime
    deadline_at: datetime
    status: AppealStatus
    resolved_by: int | None  # None with a resolution: the deadline overturned it
    reason: str | None
    resolved_at: datetime | None

    def is_overdue(self, now: datetime) -> bool:
        return self.status is AppealStatus.OPEN and now >= self.deadline_at


class AccessBlocked(Conflict):
    """A moderator's decision keeps the worker from a project's work."""

    code = "access_blocked"


class NotAppealable(Conflict):
    code = "not_appealable"


class AlreadyAppealed(Conflict):
    code = "already_appealed"


class AlreadyResolved(Conflict):
    code = "already_resolved"


def check_text(text: str, what: str, *, required: bool = True) -> str:
    """Trimmed text of a message, reason or explanation; refused when empty or too long."""
    cleaned = (text or "").strip()
    if required and not cleaned:
        raise InvalidInput("{what} is required: write it in a sentence or two", what=Msg(what))
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput("{what} is longer than {limit} characters", what=Msg(what),
                           limit=MAX_TEXT)
    return cleaned


def check_restricting(kind: DecisionKind, *, rule: str | None, decided_by: int | None,
                      status: DecisionStatus) -> None:
    """A rule alone may propose restricting access, never decide it (EU 2024/2831, art. 10)."""
    if kind in RESTRICTING and decided_by is None and status is not DecisionStatus.PROPOSED:
        raise InvalidInput("{kind} restricts a worker's access: rule {rule} may only propose "
                           "it; a moderator decides", code="human_decides", kind=kind.value,
                           rule=rule)


# Kinds that are in the worker's favour: nothing in them to appeal.
IN_FAVOUR = frozenset({DecisionKind.ANSWER_APPROVED, DecisionKind.TOPUP, DecisionKind.BACK_PAY})


def is_appealable(decision: Decision) -> bool:
    """Whether the worker may appeal it: a decision in force that goes against them. A
    proposal has no effect yet, a declined proposal and an approval or top-up are in the
    worker's favour."""
    return decision.status is DecisionStatus.FINAL and decision.kind not in IN_FAVOUR


def check_appealable(decision: Decision, *, already: bool) -> None:
    if decision.status is DecisionStatus.PROPOSED:
        raise NotAppealable("this is a proposal: a moderator reviews it before it has any "
                            "effect. You can appeal the moderator's decision.")
    if not is_appealable(decision):
        raise NotAppealable("this decision is in your favour: there is nothing to appeal. "
                            "Appeal a decision that goes against you, such as a rejection.")
    if already:
        raise AlreadyAppealed("this decision was already appealed; each decision can be "
                              "appealed once")


def appeal_deadline(now: datetime, within: timedelta) -> datetime:
    """When an appeal not decided by a moderator is overturned in the worker's favour."""
    return now + within


def check_resolvable(appeal: Appeal) -> None:
    if appeal.status is not AppealStatus.OPEN:
        raise AlreadyResolved("this appeal was already resolved: {status}",
                              status=appeal.status.value)


def parse_appeal_outcome(value: str) -> AppealStatus:
    if value not in (AppealStatus.UPHELD.value, AppealStatus.OVERTURNED.value):
        raise InvalidInput('the outcome is "upheld" or "overturned"')
    return AppealStatus(value)

"""Use cases for charter rule 4: ending a project with notice or notice pay, pausing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.domain.algorithms import OVERLONG_PAUSE_RULE
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.commitments import (
    NOTICE_PAY_WINDOW,
    EndMode,
    check_can_end,
    check_reason,
    notice_end,
    notice_pay,
    pause_counts_as_ending,
)
from fairlabel.domain.decisions import DecisionKind
from fairlabel.domain.errors import Conflict, InvalidInput
from fairlabel.domain.money import Money
from fairlabel.domain.projects import Project, ProjectStatus
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.decisions import HasDecisions
from fairlabel.services.ports.money import HasEscrow, HasHolds, HasLedger
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.voice import HasInbox
from fairlabel.services.ports.work import HasAssignments, HasProjects
from fairlabel.services.steps.access import own_project
from fairlabel.services.steps.decisions import record_decision
from fairlabel.services.steps.holds import SettlementShort, settle
from fairlabel.services.steps.ledger import post


class EndNowTx(HasUsers, HasProjects, HasAssignments, HasLedger, HasEscrow, HasHolds, HasDecisions,
               HasInbox, Protocol):
    """The transaction of ``_end_now``."""


class EndProjectTx(HasUsers, HasProjects, HasAssignments, HasLedger, HasEscrow, HasHolds,
                   HasDecisions, HasInbox, Commits, Protocol):
    """The transaction of ``end_project``, ``close_due``."""


class PauseProjectTx(HasProjects, HasAssignments, HasDecisions, HasInbox, Commits, Protocol):
    """The transaction of ``pause_project``."""


class RecordTx(HasDecisions, Protocol):
    """The transaction of ``_record``."""


class RefreshNoticeLiabilityTx(HasProjects, HasAssignments, Protocol):
    """The transaction of ``refresh_notice_liability``."""


class SettleDueTx(HasUsers, HasProjects, HasAssignments, HasLedger, HasEscrow, HasHolds,
                  HasDecisions, Commits, Protocol):
    """The transaction of ``settle_due``."""


class TellWorkersTx(HasAssignments, HasInbox, Protocol):
    """The transaction of ``_tell_workers``."""


class NoticePayNotCovered(Conflict):
    code = "notice_pay_not_covered"


@dataclass(frozen=True, slots=True)
class Ending:
    project_id: int
    mode: EndMode
    reason: str
    ends_at: datetime
    notice_pay: dict[int, Money]  # worker id → paid now (immediate mode)


def parse_mode(value: str) -> EndMode:
    try:
        return EndMode(value)
    except ValueError:
        raise InvalidInput('mode must be "notice" or "immediate"') from None


def end_project(db: Database[EndProjectTx], requester: User, project_id: int, *, reason: str,
                mode: EndMode,
                policy: CharterPolicy, now: datetime) -> Ending:
    """End a project: with notice (it serves on the same terms until the notice ends) or at
    once with notice pay to every worker active in the last 14 days. Ending at once also
    settles the project when no lease is live (every top-up at the final median paid, the
    answers' hold released), so that the notice pay can come from all the money that is no
    longer owed."""
    require_role(requester, Role.REQUESTER, Role.ADMIN)
    reason = check_reason(reason)
    with db.write() as tx:
        project = own_project(tx, requester, project_id, for_update=True)
        check_can_end(ended=project.ended_at is not None, ending_at=project.ending_at)
        if mode is EndMode.NOTICE and project.status is ProjectStatus.OPEN:
            ends_at = notice_end(now, project.terms.commitment.notice_days)
            tx.projects.set_ending(project_id, ending_at=ends_at, end_mode=mode.value,
                                   end_reason=reason)
            body = (f"The project ends on {ends_at:%Y-%m-%d %H:%M} UTC. Until then work stays "
                    f"available on the same terms. Reason: {reason}")
            told = _tell_workers(tx, project, now=now, body=body,
                                 subject=f"Ending with notice: {project.terms.name}")
            _record(tx, project, told, kind=DecisionKind.PROJECT_ENDED, decided_by=requester.id,
                    outcome="ending with notice", explanation=body, now=now,
                    inputs={"mode": mode.value, "reason": reason, "ends_at": ends_at.isoformat(),
                            "notice_days": project.terms.commitment.notice_days})
            tx.commit()
            return Ending(project_id, mode, reason, ends_at, {})
        paid = _end_now(tx, project, policy, reason=reason, now=now, decided_by=requester.id)
        tx.commit()
    return Ending(project_id, EndMode.IMMEDIATE, reason, now, paid)


def _end_now(tx: EndNowTx, project: Project, policy: CharterPolicy, *, reason: str,
             now: datetime, decided_by: int | None) -> dict[int, Money]:
    """Close the project and pay notice pay from escrow (charter rule 4); settle it first
    when no lease is live. The caller's transaction rolls back if the money is short."""
    currency = project.terms.pay_per_task.currency
    tx.escrow.lock(project.id)
    live = tx.holds.live_leases(project.id)
    try:
        topped = 0 if live else settle(tx, project, policy, now=now)
    except SettlementShort as short:
        raise NoticePayNotCovered(f"{short}: fund the project, or end it with notice") from None
    owed = notice_pay(tx.assignments.earnings_since(project.id, since=now - NOTICE_PAY_WINDOW),
                      project.terms.commitment.notice_days)
    escrow = tx.escrow.free(project.id, currency)  # what live leases hold stays theirs
    if sum(owed.values()) > escrow:
        waiting = (f" ({live} live lease{'s' if live != 1 else ''} hold their money until "
                   "they end: ending once they have ends with less held)" if live else "")
        raise NoticePayNotCovered(
            f"ending now owes {Money(sum(owed.values()), currency)} of notice pay"
            + (f" after {Money(topped, currency)} of final top-ups" if topped else "")
            + f", but the escrow has {Money(escrow, currency)} free{waiting}: add "
            f"{Money(sum(owed.values()) - escrow, currency)} to the project, or end it with "
            "notice")
    for worker_id, amount in owed.items():
        post(tx, ledger.notice_pay(project.id, worker_id, Money(amount, currency), {
            "project_id": project.id, "notice_days": project.terms.commitment.notice_days,
            "reason": reason}), now=now)
    tx.projects.set_ending(project.id, status=ProjectStatus.ENDED.value, ended_at=now,
                           end_mode=EndMode.IMMEDIATE.value, end_reason=reason)
    pay_note = " Notice pay has been added to your available balance." if owed else ""
    body = f"The project has ended. Reason: {reason.rstrip('.')}.{pay_note}"
    told = _tell_workers(tx, project, now=now, subject=f"Ended: {project.terms.name}", body=body)
    _record(tx, project, told, kind=DecisionKind.PROJECT_ENDED, decided_by=decided_by,
            outcome="ended now, with notice pay", explanation=body, now=now,
            inputs={"mode": EndMode.IMMEDIATE.value, "reason": reason,
                    "notice_days": project.terms.commitment.notice_days},
            per_worker={w: {"notice_pay_minor": a, "currency": currency}
                        for w, a in owed.items()})
    return {w: Money(a, currency) for w, a in owed.items()}


def _tell_workers(tx: TellWorkersTx, project: Project, *, now: datetime, subject: str,
                  body: str) -> list[int]:
    workers = tx.assignments.active_workers(project.id, since=now - NOTICE_PAY_WINDOW)
    tx.inbox.add(user_ids=workers, project_id=project.id, subject=subject, body=body, now=now)
    return workers


def _record(tx: RecordTx, project: Project, workers: list[int], *, kind: DecisionKind,
            outcome: str, explanation: str, decided_by: int | None, now: datetime,
            inputs: dict[str, Any], per_worker: dict[int, dict[str, Any]] | None = None) -> None:
    """A pause or an ending is a decision about each worker active on the project."""
    for worker_id in workers:
        record_decision(tx, worker_id=worker_id, kind=kind, project_id=project.id,
                        decided_by=decided_by,
                        rule=None if decided_by is not None else OVERLONG_PAUSE_RULE,
                        inputs={**inputs, **(per_worker or {}).get(worker_id, {})},
                        outcome=outcome, explanation=explanation, now=now)


def pause_project(db: Database[PauseProjectTx], requester: User, project_id: int, *,
                  now: datetime) -> None:
    """Stop serving work for now. A pause longer than the notice period is an ending."""
    require_role(requester, Role.REQUESTER, Role.ADMIN)
    with db.write() as tx:
        project = own_project(tx, requester, project_id, for_update=True)
        if project.status is not ProjectStatus.OPEN or project.ended_at is not None:
            raise Conflict("only an open project can be paused", code="not_open")
        tx.projects.set_ending(project_id, status=ProjectStatus.PAUSED.value, paused_at=now)
        body = ("The project is paused. If it stays paused longer than its notice period "
                f"({project.terms.commitment.notice_days} days), it counts as ended and you are "
                "paid notice pay.")
        told = _tell_workers(tx, project, now=now, subject=f"Paused: {project.terms.name}",
                             body=body)
        _record(tx, project, told, kind=DecisionKind.PAUSE, decided_by=requester.id,
                outcome="project paused", explanation=body, now=now,
                inputs={"paused_at": now.isoformat(),
                        "notice_days": project.terms.commitment.notice_days})
        tx.commit()


def close_due(db: Database[EndProjectTx], policy: CharterPolicy, *, now: datetime) -> int:
    """Close projects whose notice has run out; end (with notice pay) overlong pauses."""
    closed = 0
    with db.read() as tx:
        due = tx.projects.due_endings(now=now)
    for project_id in due:
        with db.write() as tx:
            project = tx.projects.get(project_id, for_update=True)
            if project is None or project.ended_at is not None:
                continue
            if project.ending_at is not None and project.ending_at <= now:
                tx.projects.set_ending(project_id, status=ProjectStatus.ENDED.value,
                                       ended_at=project.ending_at)
            elif project.paused_at is not None and pause_counts_as_ending(
                    project.paused_at, project.terms.commitment.notice_days, now):
                try:
                    _end_now(tx, project, policy, now=now, decided_by=None,
                             reason="paused longer than its notice period")
                except NoticePayNotCovered:
                    continue  # stays paused and owed; the requester is asked to fund it
            else:
                continue
            tx.commit()
            closed += 1
    return closed


def settle_due(db: Database[SettleDueTx], policy: CharterPolicy, *, now: datetime) -> int:
    """Settle every ended project whose last lease has ended: pay the top-ups its final
    median owes and release its answers' hold, so that what is left can be withdrawn."""
    settled = 0
    with db.read() as tx:
        due = tx.holds.unsettled_ended()
    for project_id in due:
        with db.write() as tx:
            tx.escrow.lock(project_id)
            project = tx.projects.get(project_id)
            if (project is None or tx.holds.settled_at(project_id) is not None
                    or tx.holds.live_leases(project_id)):
                continue
            try:
                settle(tx, project, policy, now=now)
            except SettlementShort:
                continue  # owed: settled once the requester adds funds
            tx.commit()
            settled += 1
    return settled


def refresh_notice_liability(tx: RefreshNoticeLiabilityTx, project: Project, *,
                             now: datetime) -> None:
    """Bring a serving project's 'notice pay owed if it ended now' up to date, so that escrow
    first holds it back (see request_next); inside the caller's transaction (the periodic
    jobs run it over each serving project)."""
    owed = notice_pay(tx.assignments.earnings_since(project.id, since=now - NOTICE_PAY_WINDOW),
                      project.terms.commitment.notice_days)
    tx.projects.set_notice_liability(project.id, sum(owed.values()))

"""Use cases for charter rule 4: ending a project with notice or notice pay, pausing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn, Protocol

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
from fairlabel.domain.messages import N_, Msg, Value
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


class RefreshNoticeLiabilityTx(HasProjects, HasAssignments, HasHolds, Protocol):
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
            body = Msg("The project “{project}” ends on {ends_at}, after {notice_days} days of "
                       "notice. Until then its work stays available on the same terms, at "
                       "{price} per task. Reason: {reason}",
                       {"project": project.terms.name, "ends_at": ends_at,
                        "notice_days": project.terms.commitment.notice_days,
                        "price": project.terms.pay_per_task, "reason": reason})
            subject = Msg("Ending on {ends_at}: {project}",
                          {"ends_at": ends_at, "project": project.terms.name})
            told = _active_workers(tx, project, now=now)
            _tell(tx, project, told, subject=subject, body=body, now=now)
            _record(tx, project, told, kind=DecisionKind.PROJECT_ENDED, decided_by=requester.id,
                    outcome="ending with notice", explanation=lambda _: body, now=now,
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
    when no lease is live. The caller's transaction rolls back if the money is short.

    Each worker is told what they are paid, and how it is worked out: their average daily
    earnings on the project over the last 14 days, times the notice period's days."""
    currency = project.terms.pay_per_task.currency
    notice_days = project.terms.commitment.notice_days
    tx.escrow.lock(project.id)
    live = tx.holds.live_leases(project.id)
    try:
        topped = 0 if live else settle(tx, project, policy, now=now)
    except SettlementShort as short:
        raise NoticePayNotCovered("{reason}: fund the project, or end it with notice",
                                  reason=short.msg) from None
    # The window ends when work stopped: at the pause, for a paused project (a pause that
    # outlasts its notice would otherwise find the days before it empty).
    stopped = project.paused_at if project.paused_at is not None else now
    earned = tx.assignments.earnings_since(project.id, since=stopped - NOTICE_PAY_WINDOW)
    owed = notice_pay(earned, notice_days)
    escrow = tx.escrow.free(project.id, currency)  # what live leases hold stays theirs
    if sum(owed.values()) > escrow:
        _refuse_uncovered(Money(sum(owed.values()), currency), topped=Money(topped, currency),
                          free=Money(escrow, currency), live=live)
    for worker_id, amount in owed.items():
        post(tx, ledger.notice_pay(project.id, worker_id, Money(amount, currency), {
            "project_id": project.id, "notice_days": project.terms.commitment.notice_days,
            "reason": reason}), now=now)
    tx.projects.set_ending(project.id, status=ProjectStatus.ENDED.value, ended_at=now,
                           end_mode=EndMode.IMMEDIATE.value, end_reason=reason)
    # A rule's reason is said in the reader's language; a person's, as typed (the sentence
    # after it brings its own full stop).
    said_reason: Value = Msg(reason) if decided_by is None else reason.rstrip(".")
    subject = Msg("Ended: {project}", {"project": project.terms.name})
    told = _active_workers(tx, project, now=stopped)
    bodies = {worker_id: _ended_now(project, reason=said_reason, now=now,
                                    owed=Money(owed.get(worker_id, 0), currency),
                                    earned=Money(earned.get(worker_id, 0), currency))
              for worker_id in told}
    for worker_id in told:
        _tell(tx, project, [worker_id], subject=subject, body=bodies[worker_id], now=now)
    _record(tx, project, told, kind=DecisionKind.PROJECT_ENDED, decided_by=decided_by,
            outcome="ended now, with notice pay", explanation=bodies.__getitem__, now=now,
            inputs={"mode": EndMode.IMMEDIATE.value, "reason": reason,
                    "notice_days": notice_days},
            per_worker={w: {"notice_pay_minor": a, "currency": currency}
                        for w, a in owed.items()})
    return {w: Money(a, currency) for w, a in owed.items()}


def _refuse_uncovered(owed: Money, *, topped: Money, free: Money, live: int) -> NoReturn:
    """The requester is told what ending now owes, what the escrow has, and what to add."""
    raise NoticePayNotCovered(
        "ending now owes {owed} of notice pay{after}, but the escrow has {free} free{waiting}: "
        "add {missing} to the project, or end it with notice", owed=owed,
        after=Msg(" after {topped} of final top-ups", {"topped": topped})
        if topped.amount_minor else "",
        free=free, missing=owed - free,
        waiting=_waiting(live))


def _waiting(live: int) -> Value:
    if live == 1:
        return Msg(" (a live lease holds its money until it ends: ending once it has ends with "
                   "less held)")
    if live:
        return Msg(" ({count} live leases hold their money until they end: ending once they "
                   "have ends with less held)", {"count": live})
    return ""


def _ended_now(project: Project, *, reason: Value, now: datetime, owed: Money,
               earned: Money) -> Msg:
    """What one worker is told when a project ends at once: the date, the reason, and their
    notice pay with how it was worked out (or why there is none)."""
    notice_days = project.terms.commitment.notice_days
    if owed.amount_minor:
        return Msg("The project “{project}” ended on {ended_at}, without notice. Reason: "
                   "{reason}. You are paid {notice_pay} of notice pay, added to your available "
                   "balance now: you earned {earned} on this project in the last {window} days, "
                   "and notice pay is your daily average over those days times its "
                   "{notice_days} days of notice.",
                   {"project": project.terms.name, "ended_at": now, "reason": reason,
                    "notice_pay": owed, "earned": earned, "window": NOTICE_PAY_WINDOW.days,
                    "notice_days": notice_days})
    return Msg("The project “{project}” ended on {ended_at}, without notice. Reason: {reason}. "
               "You earned nothing on it in the last {window} days, so no notice pay is owed "
               "to you: notice pay is your daily average over those days times its "
               "{notice_days} days of notice.",
               {"project": project.terms.name, "ended_at": now, "reason": reason,
                "window": NOTICE_PAY_WINDOW.days, "notice_days": notice_days})


def _active_workers(tx: TellWorkersTx, project: Project, *, now: datetime) -> list[int]:
    return tx.assignments.active_workers(project.id, since=now - NOTICE_PAY_WINDOW)


def _tell(tx: TellWorkersTx, project: Project, workers: list[int], *, subject: Msg, body: Msg,
          now: datetime) -> None:
    tx.inbox.add(user_ids=workers, project_id=project.id, subject=subject, body=body, now=now)


def _record(tx: RecordTx, project: Project, workers: list[int], *, kind: DecisionKind,
            outcome: str, explanation: Callable[[int], Msg], decided_by: int | None,
            now: datetime, inputs: dict[str, Any],
            per_worker: dict[int, dict[str, Any]] | None = None) -> None:
    """A pause or an ending is a decision about each worker active on the project; its
    explanation is what that worker was told."""
    for worker_id in workers:
        record_decision(tx, worker_id=worker_id, kind=kind, project_id=project.id,
                        decided_by=decided_by,
                        rule=None if decided_by is not None else OVERLONG_PAUSE_RULE,
                        inputs={**inputs, **(per_worker or {}).get(worker_id, {})},
                        outcome=outcome, explanation=explanation(worker_id), now=now)


def pause_project(db: Database[PauseProjectTx], requester: User, project_id: int, *,
                  now: datetime) -> None:
    """Stop serving work for now. A pause longer than the notice period is an ending."""
    require_role(requester, Role.REQUESTER, Role.ADMIN)
    with db.write() as tx:
        project = own_project(tx, requester, project_id, for_update=True)
        if project.status is not ProjectStatus.OPEN or project.ended_at is not None:
            raise Conflict("only an open project can be paused", code="not_open")
        tx.projects.set_ending(project_id, status=ProjectStatus.PAUSED.value, paused_at=now)
        notice_days = project.terms.commitment.notice_days
        earned = tx.assignments.earnings_since(project_id, since=now - NOTICE_PAY_WINDOW)
        owed = notice_pay(earned, notice_days)
        currency = project.terms.pay_per_task.currency
        told = _active_workers(tx, project, now=now)
        subject = Msg("Paused: {project}", {"project": project.terms.name})
        bodies = {w: _paused(project, now=now, owed=Money(owed.get(w, 0), currency))
                  for w in told}
        for worker_id in told:
            _tell(tx, project, [worker_id], subject=subject, body=bodies[worker_id], now=now)
        _record(tx, project, told, kind=DecisionKind.PAUSE, decided_by=requester.id,
                outcome="project paused", explanation=bodies.__getitem__, now=now,
                inputs={"paused_at": now.isoformat(), "notice_days": notice_days})
        tx.commit()


def _paused(project: Project, *, now: datetime, owed: Money) -> Msg:
    """What one worker is told of a pause: when it counts as an ending, and the notice pay
    they would then be owed at today's figures."""
    notice_days = project.terms.commitment.notice_days
    ends_at = notice_end(now, notice_days)
    if owed.amount_minor:
        return Msg("The project “{project}” was paused on {paused_at}. If it is still paused on "
                   "{ends_at} (its notice period of {notice_days} days), it counts as ended and "
                   "you are paid notice pay: {notice_pay} at today's figures, your daily "
                   "average over the last {window} days times {notice_days} days.",
                   {"project": project.terms.name, "paused_at": now, "ends_at": ends_at,
                    "notice_days": notice_days, "notice_pay": owed,
                    "window": NOTICE_PAY_WINDOW.days})
    return Msg("The project “{project}” was paused on {paused_at}. If it is still paused on "
               "{ends_at} (its notice period of {notice_days} days), it counts as ended. Notice "
               "pay is then your daily average over the last {window} days times "
               "{notice_days} days; at today's figures you earned nothing on it in those days, "
               "so none would be owed to you.",
               {"project": project.terms.name, "paused_at": now, "ends_at": ends_at,
                "notice_days": notice_days, "window": NOTICE_PAY_WINDOW.days})


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
                             reason=N_("paused longer than its notice period"))
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
    answers = tx.holds.totals(project.id).answers  # first: at most what is read next
    since = now - NOTICE_PAY_WINDOW
    owed = notice_pay(tx.assignments.earnings_since(project.id, since=since),
                      project.terms.commitment.notice_days)
    # With no new answer and no change of pay, it changes once the oldest answer counted
    # leaves the window (the periodic jobs look again then, not before).
    oldest = tx.assignments.first_submitted_since(project.id, since=since, paid=True)
    tx.projects.set_notice_liability(
        project.id, sum(owed.values()), answers=answers,
        due_at=oldest + NOTICE_PAY_WINDOW if oldest is not None else None)

"""Continuation cases (charter rule 5 across requester accounts): the moderators' list, and
confirming or dismissing a case.

The guard opens a case when a project launched under one requester account looks like an
earlier project of another (``steps/guard.py``). Confirming applies rule 5 as if the same
requester had launched it: the link is recorded and published, the earlier workers are
invited and served first, a lower price is raised to the earlier one at once, and the answers
already given at the lower price are paid the difference from the project's escrow. What the
escrow cannot cover stays owed on the case and the project stops serving (it is paused, as
with an exhausted escrow) until the requester funds it and resumes it, which pays the rest
first (``services/projects.launch_project``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from fairlabel.domain.accounts import User, require_role
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.continuation import (
    CaseStatus,
    ContinuationCase,
    check_case_open,
    pays_less,
)
from fairlabel.domain.decisions import check_text
from fairlabel.domain.errors import NotFound
from fairlabel.domain.messages import N_, Msg, Value
from fairlabel.domain.money import Money
from fairlabel.domain.pay import PriceChangeKind
from fairlabel.domain.projects import Project, ProjectStatus
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.decisions import HasContinuationCases, HasDecisions
from fairlabel.services.ports.money import HasEscrow, HasHolds, HasLedger, HasPrices
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.voice import HasInbox
from fairlabel.services.ports.work import HasAssignments, HasProjects
from fairlabel.services.steps.back_pay import pay_back_pay
from fairlabel.services.steps.decisions import MODERATORS
from fairlabel.services.steps.guard import link_continuation

CASES_SHOWN = 200
"""The open cases a moderator's list shows at most (oldest first)."""


class CasesTx(HasUsers, HasProjects, HasContinuationCases, Protocol):
    """The transaction of ``continuation_cases``."""


class ConfirmTx(HasUsers, HasProjects, HasAssignments, HasLedger, HasEscrow, HasHolds,
                HasPrices, HasDecisions, HasInbox, HasContinuationCases, Commits, Protocol):
    """The transaction of ``confirm_continuation``."""


class DismissTx(HasContinuationCases, Commits, Protocol):
    """The transaction of ``dismiss_continuation``."""


@dataclass(frozen=True, slots=True)
class CaseProject:
    """One side of a case as it stands now: the project, its requester, its price and its
    measured median time per task."""

    id: int
    name: str
    status: str
    requester_id: int
    requester: str  # the requester's pseudonym
    price: Money
    measured_median_ms: int | None


@dataclass(frozen=True, slots=True)
class CaseView:
    """An open case and its evidence: the scores and prices found at launch (``case``), and
    both projects as they stand now."""

    case: ContinuationCase
    project: CaseProject
    earlier: CaseProject


@dataclass(frozen=True, slots=True)
class ConfirmedContinuation:
    """What confirming a case did."""

    case: ContinuationCase
    raised_from: Money | None  # the price before the raise; None when none was needed
    price: Money  # the project's price per task now
    back_paid: Money
    answers_back_paid: int
    back_pay_owed: Money  # what the escrow could not cover: the project is paused until paid
    invited: int  # workers of the earlier project invited and served first
    paused: bool


def _side(tx: CasesTx, project_id: int) -> CaseProject:
    project = tx.projects.get(project_id)
    assert project is not None  # cases reference projects, which are never deleted
    person = tx.users.get(project.requester_id)
    return CaseProject(project.id, project.terms.name, project.status.value,
                       project.requester_id, person.pseudonym if person else "",
                       project.terms.pay_per_task, project.measured_median_ms)


def continuation_cases(db: Database[CasesTx], moderator: User, *,
                       now: datetime) -> list[CaseView]:
    """The open continuation cases, oldest first, with their evidence (moderators, admins).
    ``now`` is the time of the request (kept for the callers' symmetry; nothing expires)."""
    require_role(moderator, *MODERATORS)
    with db.read() as tx:
        return [CaseView(case, _side(tx, case.project_id), _side(tx, case.earlier_id))
                for case in tx.continuation_cases.open(limit=CASES_SHOWN)]


def _open_case(tx: HasContinuationCases, case_id: int) -> ContinuationCase:
    case = tx.continuation_cases.get(case_id, for_update=True)
    if case is None:
        raise NotFound("no continuation case {case_id}", case_id=str(case_id))
    check_case_open(case)
    return case


def confirm_continuation(db: Database[ConfirmTx], moderator: User, case_id: int, *,
                         now: datetime, policy: CharterPolicy) -> ConfirmedContinuation:
    """Confirm that the case's project continues the earlier one and apply charter rule 5:
    link, first access and invitations, a raise to the earlier price when it pays less, and
    back pay of the answers already given at the lower price (see the module docstring)."""
    require_role(moderator, *MODERATORS)
    with db.write() as tx:
        case = _open_case(tx, case_id)
        project = tx.projects.get(case.project_id, for_update=True)
        old = tx.projects.get(case.earlier_id)
        assert project is not None and old is not None
        tx.escrow.lock(project.id)
        earlier_price = old.terms.pay_per_task
        raised_from = None
        if pays_less(old_price=earlier_price, new_price=project.terms.pay_per_task):
            raised_from = project.terms.pay_per_task
            project = _raise(tx, project, old, policy, now=now)
        workers = link_continuation(tx, project, old, now=now)
        paid = pay_back_pay(tx, project, case, policy, decided_by=moderator.id, now=now)
        paused = bool(paid.owed_minor) and project.status is ProjectStatus.OPEN
        if paused:
            tx.projects.set_ending(project.id, status=ProjectStatus.PAUSED.value, paused_at=now)
        tx.continuation_cases.decide(case.id, status=CaseStatus.CONFIRMED,
                                     decided_by=moderator.id, reason="", now=now)
        tx.continuation_cases.set_back_pay(case.id, paid_minor=paid.paid_minor,
                                           owed_minor=paid.owed_minor)
        currency = project.terms.pay_per_task.currency
        _tell_requester(tx, project, old, raised_from=raised_from,
                        back_paid=Money(paid.paid_minor, currency),
                        owed=Money(paid.owed_minor, currency), now=now)
        confirmed = tx.continuation_cases.get(case.id)
        assert confirmed is not None
        tx.commit()
    return ConfirmedContinuation(confirmed, raised_from, project.terms.pay_per_task,
                                 Money(paid.paid_minor, currency), paid.answers,
                                 Money(paid.owed_minor, currency), len(workers), paused)


def _raise(tx: ConfirmTx, project: Project, old: Project, policy: CharterPolicy, *,
           now: datetime) -> Project:
    """Raise the project's price to the earlier project's at once (a raise needs no notice);
    its workers are told."""
    before, after = project.terms.pay_per_task, old.terms.pay_per_task
    tx.prices.add(project_id=project.id, kind=PriceChangeKind.RAISE,
                  old_minor=before.amount_minor, new_minor=after.amount_minor,
                  currency=after.currency, reason=f"continues project {old.id}",
                  announced_at=now, effective_at=now, applied_at=now)
    tx.projects.set_price(project.id, after.amount_minor)
    raised = replace(project, terms=replace(project.terms, pay_per_task=after))
    workers = tx.assignments.active_workers(project.id, since=now - policy.active_window)
    tx.inbox.add(user_ids=workers, project_id=project.id,
                 subject=Msg("Pay raise: {project}", {"project": project.terms.name}),
                 body=Msg("A moderator confirmed that “{project}” continues “{earlier}”, which "
                          "paid {new} per task. A continuation may not pay less, so its price "
                          "rose from {old} to {new} on {effective_at}, and your answers already "
                          "given at the lower price are paid the difference.",
                          {"project": project.terms.name, "earlier": old.terms.name,
                           "old": before, "new": after, "effective_at": now}),
                 now=now)
    return raised


def _tell_requester(tx: ConfirmTx, project: Project, old: Project, *,
                    raised_from: Money | None, back_paid: Money, owed: Money,
                    now: datetime) -> None:
    """The requester of the project is told what the confirmation did, and what to do."""
    facts: dict[str, Value] = {"project": project.terms.name, "earlier": old.terms.name,
                               "price": project.terms.pay_per_task, "decided_at": now,
                               "old": raised_from or project.terms.pay_per_task,
                               "back_paid": back_paid, "owed": owed}
    said = [Msg("On {decided_at} a moderator confirmed that “{project}” continues “{earlier}” "
                "(charter rule 5): the link is published and the workers of “{earlier}” are "
                "invited and served first.", facts)]
    if raised_from is not None:
        said.append(Msg("A continuation may not pay less per hour: its price was raised from "
                        "{old} to {price} per task, and the answers already given were paid "
                        "{back_paid} of back pay from its escrow.", facts))
    elif back_paid.amount_minor:
        said.append(Msg("The answers it took below the price of “{earlier}” were paid "
                        "{back_paid} of back pay from its escrow.", facts))
    if owed.amount_minor:
        said.append(Msg("Its escrow could not cover {owed} more of back pay: the project is "
                        "paused until you add that to it and resume it.", facts))
    body = said[0]
    for more in said[1:]:
        body = Msg("{message} {more}", {"message": body, "more": more})
    tx.inbox.add(user_ids=[project.requester_id], project_id=project.id,
                 subject=Msg("Continuation confirmed: {project}", facts), body=body, now=now)


def dismiss_continuation(db: Database[DismissTx], moderator: User, case_id: int, *, reason: str,
                         now: datetime) -> ContinuationCase:
    """Close a case with the reason the two projects are not one work (moderators, admins)."""
    require_role(moderator, *MODERATORS)
    reason = check_text(reason, N_("the reason"))
    with db.write() as tx:
        _open_case(tx, case_id)
        tx.continuation_cases.decide(case_id, status=CaseStatus.DISMISSED,
                                     decided_by=moderator.id, reason=reason, now=now)
        dismissed = tx.continuation_cases.get(case_id)
        assert dismissed is not None
        tx.commit()
    return dismissed

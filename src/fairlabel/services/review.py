"""Reviewing answers (charter rule 6): approve, reject and pay, or reject and withhold pay
only on evidence the platform checks itself."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.domain.assignment import Assignment, AssignmentStatus, Purpose, Review
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.decisions import Decision, DecisionKind, check_text
from fairlabel.domain.errors import Conflict, InvalidInput, NotFound
from fairlabel.domain.messages import N_, Msg
from fairlabel.domain.money import Money
from fairlabel.domain.projects import Project
from fairlabel.domain.review import (
    AnswerCheck,
    GoldRecord,
    TimeRecord,
    check_answer,
    withhold_evidence,
)
from fairlabel.services.ports.decisions import HasDecisions
from fairlabel.services.ports.money import HasLedger
from fairlabel.services.ports.quality import HasConsensus, HasGold
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.work import HasAssignments, HasProjects
from fairlabel.services.steps.access import own_project
from fairlabel.services.steps.decisions import record_decision
from fairlabel.services.steps.ledger import post, settle_approval, settlement_accounts


class ApproveTx(HasProjects, HasAssignments, HasLedger, HasDecisions, Protocol):
    """The transaction of ``_approve``, ``_reject_and_pay``."""


class GoldRecordTx(HasGold, Protocol):
    """The transaction of ``gold_record``."""


class AnswerCheckTx(HasGold, HasConsensus, Protocol):
    """The transaction of ``answer_check``."""


class ReviewAnswerTx(HasProjects, HasAssignments, HasLedger, HasGold, HasConsensus,
                     HasDecisions, Commits, Protocol):
    """The transaction of ``review_answer``, ``approve_answer``."""


class ReviewableTx(HasProjects, HasAssignments, Protocol):
    """The transaction of ``_reviewable``."""


class WithholdTx(HasProjects, HasAssignments, HasLedger, HasGold, HasConsensus, HasDecisions,
                 Protocol):
    """The transaction of ``_withhold``."""


class AlreadyReviewed(Conflict):
    code = "already_reviewed"


def review_answer(db: Database[ReviewAnswerTx], requester: User, assignment_id: int, *,
                  approve: bool,
                  reason: str, withhold_pay: bool, policy: CharterPolicy,
                  now: datetime) -> Decision:
    """The project's requester approves or rejects an answer within the review window.

    A rejection needs a reason and still pays, unless ``withhold_pay`` and the evidence of
    rule withhold_evidence@2 holds; the evidence is stored in the decision's inputs.
    """
    require_role(requester, Role.REQUESTER, Role.ADMIN)
    reason = check_text(reason, N_("a rejection's reason"), required=not approve)
    if approve and withhold_pay:
        raise InvalidInput("withhold_pay goes with a rejection only")
    with db.write() as tx:
        assignment = _reviewable(tx, requester, assignment_id)
        project = own_project(tx, requester, assignment.project_id)
        tx.ledger.lock(settlement_accounts(assignment))
        if approve:
            decision = _approve(tx, requester, project, assignment, reason=reason, now=now)
        elif withhold_pay:
            decision = _withhold(tx, requester, project, assignment, reason=reason,
                                 policy=policy, now=now)
        else:
            decision = _reject_and_pay(tx, requester, project, assignment, reason=reason,
                                       now=now)
        tx.commit()
    return decision


def approve_answer(db: Database[ReviewAnswerTx], requester: User, assignment_id: int, *,
                   policy: CharterPolicy,
                   now: datetime) -> Decision | None:
    """Approve an answer; approving one already approved changes nothing (None)."""
    with db.read() as tx:
        found = tx.assignments.get(assignment_id)
        if found is not None and found.review in (Review.APPROVED, Review.AUTO_APPROVED):
            own_project(tx, requester, found.project_id)
            return None
    return review_answer(db, requester, assignment_id, approve=True, reason="",
                         withhold_pay=False, policy=policy, now=now)


def _reviewable(tx: ReviewableTx, requester: User, assignment_id: int) -> Assignment:
    assignment = tx.assignments.get(assignment_id, for_update=True)
    if assignment is None:
        raise NotFound("no answer {assignment_id}", assignment_id=str(assignment_id))
    own_project(tx, requester, assignment.project_id)
    if assignment.status is not AssignmentStatus.SUBMITTED:
        raise Conflict("only a submitted answer can be reviewed", code="not_submitted")
    if assignment.review is not None or assignment.approved_at is not None:
        what = assignment.review.value if assignment.review else "approved"
        raise AlreadyReviewed("this answer was already reviewed ({review}); a review is final "
                              "except on the worker's appeal", review=what)
    return assignment


def _facts(assignment: Assignment) -> dict[str, object]:
    return {"assignment_id": assignment.id, "task_id": assignment.task_id,
            "worked_ms": assignment.worked_ms}


def _pay_of(project: Project, assignment: Assignment) -> Money:
    return Money(assignment.price_minor + assignment.topped_up_minor,
                 project.terms.pay_per_task.currency)


def _approve(tx: ApproveTx, requester: User, project: Project, assignment: Assignment, *,
             reason: str, now: datetime) -> Decision:
    settle_approval(tx, assignment, now=now, reason="approved by the requester",
                    review=Review.APPROVED)
    return record_decision(
        tx, worker_id=assignment.worker_id, kind=DecisionKind.ANSWER_APPROVED,
        decided_by=requester.id, project_id=assignment.project_id,
        assignment_id=assignment.id, inputs={**_facts(assignment), "reason": reason or None},
        outcome="approved: pay available", now=now,
        explanation=Msg("The requester approved your answer on {decided_at}; its pay, {pay}, "
                        "is now available to you.",
                        {"decided_at": now, "pay": _pay_of(project, assignment)}))


def _reject_and_pay(tx: ApproveTx, requester: User, project: Project, assignment: Assignment,
                    *, reason: str, now: datetime) -> Decision:
    settle_approval(tx, assignment, now=now, reason="rejected, paid", review=Review.REJECTED)
    return record_decision(
        tx, worker_id=assignment.worker_id, kind=DecisionKind.ANSWER_REJECTED,
        decided_by=requester.id, project_id=assignment.project_id,
        assignment_id=assignment.id, inputs={**_facts(assignment), "reason": reason,
                                             "withhold_pay": False},
        outcome="rejected: paid", now=now,
        explanation=Msg("The requester rejected your answer on {decided_at}: “{reason}”. You "
                        "are paid for it all the same ({pay}, now available to you): without "
                        "evidence of bad faith a rejection never withholds pay (charter rule "
                        "6). You can appeal.",
                        {"decided_at": now, "reason": reason,
                         "pay": _pay_of(project, assignment)}))


def _withhold(tx: WithholdTx, requester: User, project: Project, assignment: Assignment, *,
              reason: str, policy: CharterPolicy, now: datetime) -> Decision:
    time = TimeRecord(worked_ms=assignment.worked_ms or 0,
                      median_ms=project.measured_median_ms,
                      answers_measured=project.measured_answers,
                      min_answers=policy.min_answers_for_rate)
    check = answer_check(tx, project, assignment)
    evidence = withhold_evidence(time, gold_record(tx, project, assignment.worker_id), check)
    currency = project.terms.pay_per_task.currency
    amount = assignment.price_minor + assignment.topped_up_minor
    memo = {"assignment_id": assignment.id, "project_id": project.id, "reason": reason}
    if amount:
        post(tx, ledger.withhold(project.id, assignment.worker_id, Money(amount, currency),
                                 {**memo, "evidence": evidence["evidence"]}), now=now)
    tx.assignments.mark_reviewed(assignment.id, review=Review.WITHHELD.value)
    tx.projects.recheck_pay(project.id, measure=False)  # the notice liability counts it no more
    found = _evidence_found(evidence["evidence"], check)
    return record_decision(
        tx, worker_id=assignment.worker_id, kind=DecisionKind.ANSWER_REJECTED,
        rule=evidence["rule"], decided_by=requester.id, project_id=project.id,
        assignment_id=assignment.id,
        inputs={**_facts(assignment), **evidence, "reason": reason, "withhold_pay": True,
                "withheld": {"amount_minor": amount, "currency": currency}},
        outcome="rejected: pay withheld", now=now,
        explanation=Msg("The requester rejected your answer on {decided_at}: “{reason}”. Its "
                        "pay ({pay}) is withheld because {found} — the evidence is stored with "
                        "this decision. If you appeal and the appeal is overturned, or no "
                        "moderator decides in time, you are paid.",
                        {"decided_at": now, "reason": reason, "pay": Money(amount, currency),
                         "found": found}))


def _evidence_found(evidence: list[str], answer: AnswerCheck) -> Msg:
    """The evidence of bad faith that let a rejection withhold pay, in words."""
    if answer.compared_with == "gold":
        wrong = Msg("this answer does not meet the gold answer of this control task")
    else:
        wrong = Msg("this answer differs from the task's consensus, which other workers "
                    "reached (confidence {confidence})",
                    {"confidence": round(answer.confidence or 0.0, 2)})
    if "gold_accuracy" in evidence and "working_time" in evidence:
        return Msg("your gold accuracy is below the project's threshold and {wrong}, and the "
                   "answer took under a tenth of the project's median working time",
                   {"wrong": wrong})
    if "gold_accuracy" in evidence:
        return Msg("your gold accuracy is below the project's threshold and {wrong}",
                   {"wrong": wrong})
    return Msg("the answer took under a tenth of the project's median working time")


def answer_check(tx: AnswerCheckTx, project: Project, assignment: Assignment) -> AnswerCheck:
    """The answer beside the gold answer of a gold task, or beside the task's stored consensus
    and the other workers' answers to it (rule withhold_evidence@2)."""
    schema, quality = project.terms.schema, project.terms.quality
    if assignment.purpose is not Purpose.WORK:
        return check_answer(schema, assignment.answer,
                            gold_answer=tx.gold.expected(assignment.task_id))
    stored = tx.consensus.of_tasks([assignment.task_id]).get(assignment.task_id)
    others = [a.answer for a in tx.consensus.task_answers(assignment.task_id)
              if a.worker_id != assignment.worker_id]
    return check_answer(schema, assignment.answer,
                        consensus=stored.consensus if stored is not None else None,
                        confidence=stored.confidence if stored is not None else None,
                        other_answers=others, confidence_target=quality.confidence_target)


def gold_record(tx: GoldRecordTx, project: Project, worker_id: int) -> GoldRecord | None:
    """The worker's gold score beside the project's stated threshold, when it states one."""
    quality = project.terms.quality
    if quality.gold_min_accuracy is None:
        return None
    score = tx.gold.score(worker_id=worker_id, project_id=project.id)
    return GoldRecord(score.correct, score.total, quality.gold_min_accuracy,
                      quality.gold_min_items)

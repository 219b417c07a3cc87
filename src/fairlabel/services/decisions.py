"""Use cases for decisions (charter rule 6): record, list, propose, confirm or decline.

``record_decision`` runs inside another use case's transaction, so that a decision and what
it does (a ledger entry, a block, a pause) commit or roll back together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fairlabel.domain.accounts import Role, User
from fairlabel.domain.decisions import (
    RESTRICTING,
    AlreadyResolved,
    Appeal,
    Decision,
    DecisionKind,
    DecisionStatus,
    check_restricting,
    check_text,
)
from fairlabel.domain.errors import NotFound
from fairlabel.domain.pay import PayPolicy
from fairlabel.domain.projects import Project
from fairlabel.domain.review import (
    GoldRecord,
    Proposal,
    propose_for_fast_answers,
    propose_for_gold,
)
from fairlabel.services.ports import Database, Transaction
from fairlabel.services.projects import require_role

# How far back the fast-answers rule looks, and how long before a rule may propose again.
PROPOSAL_WINDOW = timedelta(days=7)
MODERATORS = (Role.MODERATOR, Role.ADMIN)


def record_decision(tx: Transaction, *, worker_id: int, kind: DecisionKind, outcome: str,
                    explanation: str, now: datetime, inputs: dict[str, Any] | None = None,
                    rule: str | None = None, decided_by: int | None = None,
                    project_id: int | None = None, assignment_id: int | None = None,
                    status: DecisionStatus = DecisionStatus.FINAL,
                    follows_id: int | None = None) -> Decision:
    """Record a decision about a worker inside the caller's transaction.

    A rule alone cannot restrict a worker's access: such a decision must be a proposal
    (``status=PROPOSED``) or name the person who decided.
    """
    check_restricting(kind, rule=rule, decided_by=decided_by, status=status)
    return tx.decisions.add(worker_id=worker_id, kind=kind, outcome=outcome,
                            explanation=explanation, inputs=inputs or {}, rule=rule,
                            decided_by=decided_by, project_id=project_id,
                            assignment_id=assignment_id, status=status, follows_id=follows_id,
                            now=now)


@dataclass(frozen=True, slots=True)
class DecisionView:
    decision: Decision
    appeal: Appeal | None
    decided_by_role: str  # "rule", or the role of the person: requester, moderator, admin
    project_name: str | None


def views(tx: Transaction, decisions: list[Decision]) -> list[DecisionView]:
    appeals = tx.appeals.of_decisions([d.id for d in decisions])
    roles: dict[int, str] = {}
    names: dict[int, str] = {}
    for d in decisions:
        if d.decided_by is not None and d.decided_by not in roles:
            person = tx.users.get(d.decided_by)
            roles[d.decided_by] = person.role.value if person else "person"
        if d.project_id is not None and d.project_id not in names:
            project = tx.projects.get(d.project_id)
            names[d.project_id] = project.terms.name if project else ""
    return [DecisionView(d, appeals.get(d.id),
                         roles[d.decided_by] if d.decided_by is not None else "rule",
                         names.get(d.project_id) if d.project_id is not None else None)
            for d in decisions]


def my_decisions(db: Database, user: User) -> list[DecisionView]:
    """Every decision about the caller, newest first, each with its appeal."""
    with db.read() as tx:
        return views(tx, tx.decisions.for_worker(user.id))


def propose(tx: Transaction, *, worker_id: int, project_id: int, kind: DecisionKind,
            proposal: Proposal, now: datetime) -> Decision:
    """A rule proposes restricting a worker's access; nothing changes until a moderator
    confirms. The worker sees the proposal among their decisions."""
    return record_decision(tx, worker_id=worker_id, kind=kind, rule=proposal.rule,
                           status=DecisionStatus.PROPOSED, project_id=project_id,
                           inputs=proposal.inputs, outcome=f"proposed: {kind.value}",
                           explanation=proposal.explanation, now=now)


def open_proposals(db: Database, moderator: User, *, limit: int = 200) -> list[DecisionView]:
    require_role(moderator, *MODERATORS)
    with db.read() as tx:
        return views(tx, tx.decisions.open_proposals(limit=limit))


def resolve_proposal(db: Database, moderator: User, decision_id: int, *, confirm: bool,
                     reason: str, now: datetime) -> Decision:
    """A moderator confirms or declines a rule's proposal; either is a decision of its own."""
    require_role(moderator, *MODERATORS)
    reason = check_text(reason, "the reason")
    with db.write() as tx:
        proposal = tx.decisions.get(decision_id)
        if proposal is None or proposal.status is not DecisionStatus.PROPOSED:
            raise NotFound(f"no proposal {decision_id}")
        if tx.decisions.follow_up(proposal.id) is not None:
            raise AlreadyResolved("a moderator already decided on this proposal")
        inputs = {**proposal.inputs, "proposal_id": proposal.id, "moderator_reason": reason}
        if confirm:
            decision = record_decision(
                tx, worker_id=proposal.worker_id, kind=proposal.kind, rule=proposal.rule,
                decided_by=moderator.id, project_id=proposal.project_id, inputs=inputs,
                follows_id=proposal.id, now=now, outcome=_confirmed_outcome(proposal.kind),
                explanation=f"A moderator confirmed the proposal of rule {proposal.rule} "
                            f"(decision {proposal.id}): {reason}. You can no longer take this "
                            "project's tasks. You can appeal this decision.")
            if proposal.kind in RESTRICTING and proposal.project_id is not None:
                tx.blocks.add(project_id=proposal.project_id, worker_id=proposal.worker_id,
                              decision_id=decision.id, now=now)
        else:
            decision = record_decision(
                tx, worker_id=proposal.worker_id, kind=proposal.kind, rule=proposal.rule,
                decided_by=moderator.id, project_id=proposal.project_id, inputs=inputs,
                follows_id=proposal.id, status=DecisionStatus.DECLINED, now=now,
                outcome="proposal declined: nothing changes",
                explanation=f"A moderator declined the proposal of rule {proposal.rule}: "
                            f"{reason}. Your access is unchanged.")
        tx.inbox.add(user_ids=[proposal.worker_id], project_id=proposal.project_id,
                     subject=f"Decision: {decision.outcome}", body=decision.explanation, now=now)
        tx.commit()
    return decision


def _confirmed_outcome(kind: DecisionKind) -> str:
    if kind is DecisionKind.QUALITY_BLOCK:
        return "blocked from the project's work"
    return f"confirmed: {kind.value}"


def propose_blocks(db: Database, policy: PayPolicy, *, now: datetime) -> int:
    """Run the rules that propose blocks (fast answers, gold accuracy) over every serving
    project; returns how many proposals were made."""
    made = 0
    with db.read() as tx:
        serving = tx.projects.serving()
    for project_id in serving:
        with db.write() as tx:
            project = tx.projects.get(project_id)
            if project is None:
                continue
            found = [*_fast_answer_proposals(tx, project, policy, now=now),
                     *_gold_proposals(tx, project)]
            for worker_id, proposal in found:
                if (_proposed_lately(tx, worker_id, project_id, proposal.rule, now=now)
                        or tx.blocks.blocking(worker_id=worker_id,
                                              project_id=project_id) is not None):
                    continue
                propose(tx, worker_id=worker_id, project_id=project_id,
                        kind=DecisionKind.QUALITY_BLOCK, proposal=proposal, now=now)
                made += 1
            tx.commit()
    return made


def _fast_answer_proposals(tx: Transaction, project: Project, policy: PayPolicy, *,
                           now: datetime) -> list[tuple[int, Proposal]]:
    if project.measured_median_ms is None:
        return []
    recent = tx.assignments.recent_durations(project.id, since=now - PROPOSAL_WINDOW)
    found = []
    for worker_id, worked in sorted(recent.items()):
        proposal = propose_for_fast_answers(
            worked, median_ms=project.measured_median_ms,
            answers_measured=project.measured_answers, min_answers=policy.min_answers_for_rate)
        if proposal is not None:
            found.append((worker_id, proposal))
    return found


def _gold_proposals(tx: Transaction, project: Project) -> list[tuple[int, Proposal]]:
    quality = project.terms.quality
    if quality.gold_min_accuracy is None:
        return []
    found = []
    for worker_id, score in sorted(tx.gold.scores(project.id).items()):
        proposal = propose_for_gold(GoldRecord(score.correct, score.total,
                                               quality.gold_min_accuracy,
                                               quality.gold_min_items))
        if proposal is not None:
            found.append((worker_id, proposal))
    return found


def _proposed_lately(tx: Transaction, worker_id: int, project_id: int, rule: str, *,
                     now: datetime) -> bool:
    """A rule proposes about a worker and project at most once per window."""
    last = tx.decisions.latest_proposal(worker_id=worker_id, project_id=project_id, rule=rule)
    return last is not None and last > now - PROPOSAL_WINDOW

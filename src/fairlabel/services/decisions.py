"""Use cases for decisions (charter rule 6): record, list, propose, confirm or decline.

``record_decision`` runs inside another use case's transaction, so that a decision and what
it does (a ledger entry, a block, a pause) commit or roll back together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from fairlabel.domain.accounts import User, require_role
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.decisions import (
    RESTRICTING,
    AlreadyResolved,
    Decision,
    DecisionKind,
    DecisionStatus,
    check_text,
)
from fairlabel.domain.errors import NotFound
from fairlabel.domain.messages import N_, Msg
from fairlabel.domain.projects import Project
from fairlabel.domain.review import (
    GoldRecord,
    Proposal,
    propose_for_fast_answers,
    propose_for_gold,
)
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.decisions import HasAppeals, HasBlocks, HasDecisions
from fairlabel.services.ports.quality import HasGold
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.voice import HasInbox
from fairlabel.services.ports.work import HasAssignments, HasProjects
from fairlabel.services.steps.decisions import (
    MODERATORS,
    DecisionView,
    propose,
    record_decision,
    views,
)


class FastAnswerProposalsTx(HasAssignments, Protocol):
    """The transaction of ``_fast_answer_proposals``."""


class GoldProposalsTx(HasGold, Protocol):
    """The transaction of ``_gold_proposals``."""


class MyDecisionsTx(HasUsers, HasProjects, HasDecisions, HasAppeals, Protocol):
    """The transaction of ``my_decisions``, ``open_proposals``."""


class ProposeBlocksTx(HasAssignments, HasGold, HasDecisions, HasBlocks, Protocol):
    """The transaction of ``look_for_blocks``."""


class ResolveProposalTx(HasDecisions, HasBlocks, HasInbox, Commits, Protocol):
    """The transaction of ``resolve_proposal``."""


# How far back the fast-answers rule looks, and how long before a rule may propose again.
PROPOSAL_WINDOW = timedelta(days=7)


def my_decisions(db: Database[MyDecisionsTx], user: User) -> list[DecisionView]:
    """Every decision about the caller, newest first, each with its appeal."""
    with db.read() as tx:
        return views(tx, tx.decisions.for_worker(user.id))


def open_proposals(db: Database[MyDecisionsTx], moderator: User, *,
                   limit: int = 200) -> list[DecisionView]:
    require_role(moderator, *MODERATORS)
    with db.read() as tx:
        return views(tx, tx.decisions.open_proposals(limit=limit))


def resolve_proposal(db: Database[ResolveProposalTx], moderator: User, decision_id: int, *,
                     confirm: bool,
                     reason: str, now: datetime) -> Decision:
    """A moderator confirms or declines a rule's proposal; either is a decision of its own."""
    require_role(moderator, *MODERATORS)
    reason = check_text(reason, N_("the reason"))
    with db.write() as tx:
        proposal = tx.decisions.get(decision_id)
        if proposal is None or proposal.status is not DecisionStatus.PROPOSED:
            raise NotFound("no proposal {decision_id}", decision_id=str(decision_id))
        if tx.decisions.follow_up(proposal.id) is not None:
            raise AlreadyResolved("a moderator already decided on this proposal")
        inputs = {**proposal.inputs, "proposal_id": proposal.id, "moderator_reason": reason}
        if confirm:
            decision = record_decision(
                tx, worker_id=proposal.worker_id, kind=proposal.kind, rule=proposal.rule,
                decided_by=moderator.id, project_id=proposal.project_id, inputs=inputs,
                follows_id=proposal.id, now=now, outcome=_confirmed_outcome(proposal.kind),
                explanation=Msg("A moderator confirmed the proposal of rule {rule} (decision "
                                "{proposal_id}, of {proposed_at}) on {decided_at}: {reason}. "
                                "You can no longer take this project's tasks. You can appeal "
                                "this decision.",
                                {"rule": proposal.rule, "proposal_id": str(proposal.id),
                                 "proposed_at": proposal.created_at, "decided_at": now,
                                 "reason": reason}))
            if proposal.kind in RESTRICTING and proposal.project_id is not None:
                tx.blocks.add(project_id=proposal.project_id, worker_id=proposal.worker_id,
                              decision_id=decision.id, now=now)
        else:
            decision = record_decision(
                tx, worker_id=proposal.worker_id, kind=proposal.kind, rule=proposal.rule,
                decided_by=moderator.id, project_id=proposal.project_id, inputs=inputs,
                follows_id=proposal.id, status=DecisionStatus.DECLINED, now=now,
                outcome="proposal declined: nothing changes",
                explanation=Msg("A moderator declined the proposal of rule {rule} (decision "
                                "{proposal_id}, of {proposed_at}) on {decided_at}: {reason}. "
                                "Your access is unchanged.",
                                {"rule": proposal.rule, "proposal_id": str(proposal.id),
                                 "proposed_at": proposal.created_at, "decided_at": now,
                                 "reason": reason}))
        tx.inbox.add(user_ids=[proposal.worker_id], project_id=proposal.project_id,
                     subject=Msg("Decision: {outcome}", {"outcome": Msg(decision.outcome)}),
                     body=decision.explanation, now=now)
        tx.commit()
    return decision


def _confirmed_outcome(kind: DecisionKind) -> str:
    if kind is DecisionKind.QUALITY_BLOCK:
        return "blocked from the project's work"
    return f"confirmed: {kind.value}"


@dataclass(frozen=True, slots=True)
class BlockRules:
    """What the rules that propose blocks did over a project: how many proposals they made,
    and when their findings may change with no new answer (``None``: not before one)."""

    made: int
    again_at: datetime | None


def look_for_blocks(tx: ProposeBlocksTx, project: Project, policy: CharterPolicy, *,
                    now: datetime) -> BlockRules:
    """Run the rules that propose blocks (fast answers, gold accuracy) over a serving project,
    inside the caller's transaction (the periodic jobs run it where due); say how many
    proposals were made, and when to look again without new answers: once the oldest answer
    the fast-answers rule read leaves its window, or once a proposal held back because the
    rule proposed lately may be made."""
    made = 0
    again: list[datetime] = []
    fast = _fast_answer_proposals(tx, project, policy, now=now)
    if project.measured_median_ms is not None:
        oldest = tx.assignments.first_submitted_since(project.id, since=now - PROPOSAL_WINDOW)
        if oldest is not None:
            again.append(oldest + PROPOSAL_WINDOW)
    for worker_id, proposal in [*fast, *_gold_proposals(tx, project)]:
        if tx.blocks.blocking(worker_id=worker_id, project_id=project.id) is not None:
            continue
        last = tx.decisions.latest_proposal(worker_id=worker_id, project_id=project.id,
                                            rule=proposal.rule)
        if last is not None and last > now - PROPOSAL_WINDOW:
            again.append(last + PROPOSAL_WINDOW)
            continue
        propose(tx, worker_id=worker_id, project_id=project.id,
                kind=DecisionKind.QUALITY_BLOCK, proposal=proposal, now=now)
        made += 1
    return BlockRules(made, min(again, default=None))


def _fast_answer_proposals(tx: FastAnswerProposalsTx, project: Project, policy: CharterPolicy, *,
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


def _gold_proposals(tx: GoldProposalsTx, project: Project) -> list[tuple[int, Proposal]]:
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



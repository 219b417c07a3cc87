"""Transaction-level steps for decisions (charter rule 6): a decision and what it does (a ledger
entry, a block, a pause) commit or roll back together, in the calling use case's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from fairlabel.domain.accounts import Role
from fairlabel.domain.decisions import (
    Appeal,
    Decision,
    DecisionKind,
    DecisionStatus,
    check_restricting,
    is_appealable,
)
from fairlabel.domain.messages import Msg
from fairlabel.domain.review import (
    Proposal,
)
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.decisions import HasAppeals, HasDecisions
from fairlabel.services.ports.work import HasProjects

# How far back the fast-answers rule looks, and how long before a rule may propose again.


class RecordDecisionTx(HasDecisions, Protocol):
    """The transaction of ``record_decision``, ``propose``."""


class ViewsTx(HasUsers, HasProjects, HasAppeals, Protocol):
    """The transaction of ``views``."""


MODERATORS = (Role.MODERATOR, Role.ADMIN)


def record_decision(tx: RecordDecisionTx, *, worker_id: int, kind: DecisionKind, outcome: str,
                    explanation: Msg, now: datetime, inputs: dict[str, Any] | None = None,
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

    @property
    def appealable(self) -> bool:
        """Whether the worker may still appeal it: against them, in force, not yet appealed."""
        return self.appeal is None and is_appealable(self.decision)


def views(tx: ViewsTx, decisions: list[Decision]) -> list[DecisionView]:
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


def propose(tx: RecordDecisionTx, *, worker_id: int, project_id: int, kind: DecisionKind,
            proposal: Proposal, now: datetime) -> Decision:
    """A rule proposes restricting a worker's access; nothing changes until a moderator
    confirms. The worker sees the proposal among their decisions."""
    return record_decision(tx, worker_id=worker_id, kind=kind, rule=proposal.rule,
                           status=DecisionStatus.PROPOSED, project_id=project_id,
                           inputs=proposal.inputs, outcome=f"proposed: {kind.value}",
                           explanation=proposal.explanation, now=now)

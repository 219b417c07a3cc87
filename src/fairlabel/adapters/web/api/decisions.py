"""/api/v1 decisions: your decisions, appeals, the moderators' queue and proposals."""

from __future__ import annotations

from fastapi import APIRouter, status

from fairlabel.adapters.web.api.decision_schemas import (
    AppealBody,
    AppealPublic,
    DecisionPublic,
    ProposalBody,
    QueuedAppealPublic,
    ResolveBody,
    RestrictBody,
)
from fairlabel.adapters.web.deps import ContainerDep, CurrentUser, NowDep
from fairlabel.adapters.web.paths import BigRowId, Id
from fairlabel.services import appeals, decisions, moderation
from fairlabel.services.steps.decisions import DecisionView

router = APIRouter(tags=["decisions"])


@router.get("/me/decisions", response_model=list[DecisionPublic])
def my_decisions(user: CurrentUser, container: ContainerDep) -> list[DecisionPublic]:
    """Every decision about you, newest first: who or what decided, the inputs, the outcome,
    a plain explanation, and your appeal if you made one."""
    return [DecisionPublic.of(v) for v in decisions.my_decisions(container.db, user)]


@router.post("/decisions/{decision_id}/appeal", status_code=status.HTTP_201_CREATED,
             response_model=AppealPublic)
def appeal(decision_id: BigRowId, body: AppealBody, user: CurrentUser, container: ContainerDep,
           now: NowDep) -> AppealPublic:
    """Appeal a decision about you, once, to a human moderator."""
    filed = appeals.appeal(container.db, user, decision_id, message=body.message,
                           policy=container.charter, now=now)
    return AppealPublic.of(filed)


@router.get("/moderation/appeals", response_model=list[QueuedAppealPublic])
def appeal_queue(user: CurrentUser, container: ContainerDep,
                 now: NowDep) -> list[QueuedAppealPublic]:
    """Moderators: open appeals, oldest first, with the decision, its inputs, the worker's
    message and the deadline."""
    return [QueuedAppealPublic.of(q) for q in appeals.queue(container.db, user, now=now)]


@router.post("/appeals/{appeal_id}/resolve", response_model=AppealPublic)
def resolve_appeal(appeal_id: Id, body: ResolveBody, user: CurrentUser,
                   container: ContainerDep, now: NowDep) -> AppealPublic:
    """Moderators: uphold or overturn an appeal with a written reason."""
    return AppealPublic.of(appeals.resolve_appeal(container.db, user, appeal_id,
                                                  outcome=body.outcome, reason=body.reason,
                                                  now=now))


@router.get("/moderation/proposals", response_model=list[DecisionPublic])
def proposals(user: CurrentUser, container: ContainerDep) -> list[DecisionPublic]:
    """Moderators: what automated rules propose (blocks), oldest first. Nothing takes
    effect until a moderator confirms."""
    return [DecisionPublic.of(v) for v in decisions.open_proposals(container.db, user)]


@router.post("/proposals/{decision_id}/resolve", response_model=DecisionPublic)
def resolve_proposal(decision_id: BigRowId, body: ProposalBody, user: CurrentUser,
                     container: ContainerDep, now: NowDep) -> DecisionPublic:
    """Moderators: confirm or decline a rule's proposal, with a reason; the result is a
    decision of its own, which the worker can appeal."""
    made = decisions.resolve_proposal(container.db, user, decision_id,
                                      confirm=body.outcome == "confirmed", reason=body.reason,
                                      now=now)
    return DecisionPublic.of(DecisionView(made, None, user.role.value, None))


@router.post("/moderation/removals", status_code=status.HTTP_201_CREATED,
             response_model=DecisionPublic)
def remove_worker(body: RestrictBody, user: CurrentUser, container: ContainerDep,
                  now: NowDep) -> DecisionPublic:
    """Moderators: remove a worker from a project's work, with a reason. The worker reads
    the decision and can appeal it; overturning lifts the removal."""
    made = moderation.remove_worker(container.db, user, worker=body.worker,
                                    project_id=body.project_id, reason=body.reason, now=now)
    return DecisionPublic.of(DecisionView(made, None, user.role.value, None))


@router.post("/moderation/revocations", status_code=status.HTTP_201_CREATED,
             response_model=DecisionPublic)
def revoke_qualification(body: RestrictBody, user: CurrentUser, container: ContainerDep,
                         now: NowDep) -> DecisionPublic:
    """Moderators: revoke a worker's passed qualification test on a project; they may take
    it again after the project's retry delay. Overturning on appeal restores the pass."""
    made = moderation.revoke_qualification(container.db, user, worker=body.worker,
                                           project_id=body.project_id, reason=body.reason,
                                           now=now)
    return DecisionPublic.of(DecisionView(made, None, user.role.value, None))

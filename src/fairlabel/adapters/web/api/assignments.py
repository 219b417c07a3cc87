"""/api/v1/assignments: submit an answer, skip a task, review an answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from fairlabel.adapters.web.api.decision_schemas import DecisionPublic, ReviewBody
from fairlabel.adapters.web.api.schemas import Released, SubmissionPublic, SubmitBody
from fairlabel.adapters.web.deps import (
    ContainerDep,
    CurrentUser,
    LoopCallDep,
    NowDep,
    json_response,
)
from fairlabel.adapters.web.paths import BigRowId
from fairlabel.services import assignment, review
from fairlabel.services.steps.decisions import DecisionView

router = APIRouter(prefix="/assignments", tags=["assignments"])


@router.post("/{assignment_id}/submit", status_code=status.HTTP_201_CREATED,
             response_model=SubmissionPublic,
             responses={200: {"description": "A retry of a submission already recorded."}})
async def submit(assignment_id: BigRowId, body: SubmitBody, call: LoopCallDep,
                 idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
                 ) -> Response:
    """Submit the answer to a leased task. Retries with the same `Idempotency-Key` are safe."""
    result = await call.run(assignment.submit_answer, call.user, assignment_id, body.answer,
                            idempotency_key=idempotency_key, now=call.now,
                            policy=call.container.charter)
    return json_response(
        SubmissionPublic(assignment_id=result.assignment_id, task_id=result.task_id,
                         answer=result.answer, submitted_at=result.submitted_at,
                         replayed=result.replayed),
        status_code=status.HTTP_200_OK if result.replayed else status.HTTP_201_CREATED)


@router.post("/{assignment_id}/release", response_model=Released)
def release(assignment_id: BigRowId, user: CurrentUser, container: ContainerDep,
            now: NowDep) -> Released:
    """Skip a leased task: it returns to the pool, and you will not be offered it again."""
    assignment.release(container.db, user, assignment_id, now=now)
    return Released(assignment_id=assignment_id)


@router.post("/{assignment_id}/review", response_model=DecisionPublic)
def review_answer(assignment_id: BigRowId, body: ReviewBody, user: CurrentUser,
                  container: ContainerDep, now: NowDep) -> DecisionPublic:
    """The project's requester approves or rejects an answer; returns the recorded decision.
    A rejection needs a reason (422) and still pays unless `withhold_pay` and the evidence of
    rule withhold_evidence@2 holds (409 naming the rule otherwise)."""
    made = review.review_answer(container.db, user, assignment_id,
                                approve=body.decision == "approve", reason=body.reason,
                                withhold_pay=body.withhold_pay, policy=container.charter, now=now)
    return DecisionPublic.of(DecisionView(made, None, user.role.value, None))

"""/api/v1 money routes: deposits (admin), funding, prices, approval."""

from __future__ import annotations

from fastapi import APIRouter, status

from fairlabel.adapters.web.api.schemas import (
    Approved,
    DepositCreate,
    DepositPublic,
    EscrowPublic,
    FundBody,
    MoneyModel,
    PriceBody,
    PriceChangePublic,
    price_change_public,
)
from fairlabel.adapters.web.deps import ContainerDep, CurrentUser, NowDep
from fairlabel.adapters.web.paths import BigRowId, Id
from fairlabel.services import pay, review

router = APIRouter(tags=["money"])


@router.post("/admin/deposits", status_code=status.HTTP_201_CREATED,
             response_model=DepositPublic)
def record_deposit(body: DepositCreate, user: CurrentUser, container: ContainerDep,
                   now: NowDep) -> DepositPublic:
    """Record money a requester paid in (admins). Returns the requester's funds."""
    funds = pay.deposit(container.db, user, requester_email=body.requester,
                        amount=body.amount.to_money(), policy=container.charter, now=now)
    return DepositPublic(requester=body.requester, funds=MoneyModel.of(funds))


@router.post("/projects/{project_id}/fund", response_model=EscrowPublic)
def fund_project(project_id: Id, body: FundBody, user: CurrentUser, container: ContainerDep,
                 now: NowDep) -> EscrowPublic:
    """Move funds into the project's escrow (requesters). Work is served only while escrow
    covers it."""
    escrow = pay.fund_project(container.db, user, project_id, body.amount.to_money(), now=now)
    return EscrowPublic(escrow=MoneyModel.of(escrow))


@router.post("/projects/{project_id}/price", response_model=PriceChangePublic)
def change_price(project_id: Id, body: PriceBody, user: CurrentUser, container: ContainerDep,
                 now: NowDep) -> PriceChangePublic:
    """Change the price per task: a raise applies at once; a cut after the notice period
    (`effective_at`). Active workers are told in their inbox."""
    change = pay.change_price(container.db, user, project_id, body.pay_per_task.to_money(),
                              reason=body.reason, policy=container.charter, now=now)
    return price_change_public(change)


@router.post("/assignments/{assignment_id}/approve", response_model=Approved)
def approve(assignment_id: BigRowId, user: CurrentUser, container: ContainerDep,
            now: NowDep) -> Approved:
    """Approve an answer before the review window ends (the project's requester); the same as
    a review with `{"decision": "approve"}`."""
    review.approve_answer(container.db, user, assignment_id, policy=container.charter, now=now)
    return Approved(assignment_id=assignment_id)

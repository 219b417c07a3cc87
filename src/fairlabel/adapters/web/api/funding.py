"""/api/v1 routes for a project's money as its requester sees it: what it holds and needs,
and withdrawing what it no longer needs."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from fairlabel.adapters.web.api.schemas import MoneyModel
from fairlabel.adapters.web.deps import ContainerDep, CurrentUser, NowDep
from fairlabel.adapters.web.paths import Id
from fairlabel.services import funding

router = APIRouter(prefix="/projects", tags=["money"])


class FundingPublic(BaseModel):
    free_escrow: MoneyModel = Field(description="The escrow less what live leases hold.")
    held: MoneyModel = Field(description="What live leases hold, and what submitted answers "
                                         "hold for top-ups they can still be owed.")
    notice_liability: MoneyModel = Field(description="Notice pay that ending now would owe.")
    withdrawable: MoneyModel = Field(description="What can be withdrawn now.")
    needed_to_finish: MoneyModel = Field(description="What to add so that every remaining "
                                                     "task can be served.")
    remaining_answers: int
    settled: bool = Field(description="Ended, every top-up paid and every hold released.")
    explanation: str


class WithdrawBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: MoneyModel


class WithdrawalPublic(BaseModel):
    withdrawn: MoneyModel
    free_escrow: MoneyModel
    funds: MoneyModel = Field(description="Your funds outside any project.")


@router.get("/{project_id}/funding", response_model=FundingPublic)
def project_funding(project_id: Id, user: CurrentUser, container: ContainerDep,
                    now: NowDep) -> FundingPublic:
    """What the project's escrow holds and why, what can be withdrawn, and what finishing
    the remaining tasks needs (the project's requester)."""
    found = funding.project_funding(container.db, user, project_id, policy=container.charter,
                                    now=now)
    return FundingPublic(
        free_escrow=MoneyModel.of(found.free_escrow), held=MoneyModel.of(found.held),
        notice_liability=MoneyModel.of(found.notice_liability),
        withdrawable=MoneyModel.of(found.withdrawable),
        needed_to_finish=MoneyModel.of(found.needed_to_finish),
        remaining_answers=found.remaining_answers, settled=found.settled,
        explanation=str(found.explanation))


@router.post("/{project_id}/withdraw", response_model=WithdrawalPublic)
def withdraw(project_id: Id, body: WithdrawBody, user: CurrentUser, container: ContainerDep,
             now: NowDep) -> WithdrawalPublic:
    """Take free escrow back to your funds: any time from a draft, from an open or paused
    project down to what live leases and notice pay need, everything once an ended project
    is settled. More than that is 409 `not_withdrawable`, naming what can be withdrawn."""
    done = funding.withdraw(container.db, user, project_id, body.amount.to_money(),
                            policy=container.charter, now=now)
    return WithdrawalPublic(withdrawn=MoneyModel.of(done.amount),
                            free_escrow=MoneyModel.of(done.free_escrow),
                            funds=MoneyModel.of(done.funds))

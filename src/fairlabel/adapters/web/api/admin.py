"""/api/v1/admin: payouts for operators (deposits are in money.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from fairlabel.adapters.io.payout_files import payouts_csv, sepa_export
from fairlabel.adapters.web.api.schemas import MoneyModel
from fairlabel.adapters.web.deps import ContainerDep, CurrentUser, NowDep
from fairlabel.adapters.web.paths import Id
from fairlabel.domain.payouts import PayoutStatus
from fairlabel.services import payouts

router = APIRouter(prefix="/admin", tags=["admin"])


class PayoutPublic(BaseModel):
    id: int
    worker: str
    amount: MoneyModel
    iban: str | None
    status: str


@router.get("/payouts", response_model=list[PayoutPublic],
            responses={200: {"content": {"text/csv": {}, "application/xml": {}}}})
def list_payouts(user: CurrentUser, container: ContainerDep, now: NowDep,
                 format: Annotated[Literal["json", "csv", "sepa"], Query()] = "json",
                 status: Annotated[Literal["batched", "sent", "returned"], Query()] = "batched",
                 ) -> list[PayoutPublic] | Response:
    """Payouts (admins): JSON, CSV, or a SEPA credit transfer (pain.001) of the EUR ones."""
    lines = payouts.payout_lines(container.db, user, status=PayoutStatus(status))
    if format == "csv":
        return Response(payouts_csv(lines), media_type="text/csv")
    if format == "sepa":
        settings = container.settings
        xml, _others = sepa_export(lines, debtor_name=settings.sepa_debtor_name,
                                   debtor_iban=settings.sepa_debtor_iban,
                                   debtor_bic=settings.sepa_debtor_bic, now=now)
        return Response(xml, media_type="application/xml")
    return [PayoutPublic(id=line.payout_id, worker=line.worker_pseudonym,
                         amount=MoneyModel.of(line.amount), iban=line.iban, status=status)
            for line in lines]


@router.post("/payouts/{payout_id}/sent", response_model=PayoutPublic)
def mark_sent(payout_id: Id, user: CurrentUser, container: ContainerDep,
              now: NowDep) -> PayoutPublic:
    """Mark a payout as sent: the ledger moves it from the worker's payout to paid."""
    record = payouts.mark(container.db, user, payout_id, status=PayoutStatus.SENT, now=now)
    return PayoutPublic(id=record.id, worker=str(record.worker_id),
                        amount=MoneyModel(amount_minor=record.amount_minor,
                                          currency=record.currency),
                        iban=None, status=record.status)

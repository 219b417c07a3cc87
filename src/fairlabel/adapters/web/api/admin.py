"""/api/v1/admin: payouts for operators (deposits are in money.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from fairlabel.adapters.io.payout_files import Debtor, payouts_csv, sepa_credit_transfer
from fairlabel.adapters.web.api.schemas import MoneyModel
from fairlabel.adapters.web.deps import ContainerDep, CurrentUser, NowDep
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.payouts import split_sepa
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
    lines = payouts.payout_lines(container.db, user, status=status)
    if format == "csv":
        return Response(payouts_csv(lines), media_type="text/csv")
    if format == "sepa":
        settings = container.settings
        if not (settings.sepa_debtor_name and settings.sepa_debtor_iban):
            raise InvalidInput("set FAIRLABEL_SEPA_DEBTOR_NAME and FAIRLABEL_SEPA_DEBTOR_IBAN "
                               "(and _BIC) to export SEPA files")
        sepa, _others = split_sepa(lines)
        xml = sepa_credit_transfer(
            sepa, Debtor(settings.sepa_debtor_name, settings.sepa_debtor_iban,
                         settings.sepa_debtor_bic),
            execution_date=date(now.year, now.month, now.day),
            message_id=f"FAIRLABEL-{now:%Y%m%d%H%M%S}")
        return Response(xml, media_type="application/xml")
    return [PayoutPublic(id=line.payout_id, worker=line.worker_pseudonym,
                         amount=MoneyModel.of(line.amount), iban=line.iban, status=status)
            for line in lines]


@router.post("/payouts/{payout_id}/sent", response_model=PayoutPublic)
def mark_sent(payout_id: int, user: CurrentUser, container: ContainerDep,
              now: NowDep) -> PayoutPublic:
    """Mark a payout as sent: the ledger moves it from the worker's payout to paid."""
    record = payouts.mark(container.db, user, payout_id, status="sent", now=now)
    return PayoutPublic(id=record.id, worker=str(record.worker_id),
                        amount=MoneyModel(amount_minor=record.amount_minor,
                                          currency=record.currency),
                        iban=None, status=record.status)

"""/api/v1/me: the caller's earnings, verifiable statement, inbox and payout details."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from fairlabel.adapters.web.api.schemas import (
    BalancesPublic,
    EarningsPublic,
    EntryPublic,
    InboxMessagePublic,
    MoneyModel,
    PayoutDetailsBody,
    ProjectEarningsPublic,
)
from fairlabel.adapters.web.deps import ContainerDep, CurrentUser, NowDep
from fairlabel.domain.ledger import entry_to_json
from fairlabel.services import pay, payouts

router = APIRouter(prefix="/me", tags=["me"])


@router.get("/earnings", response_model=EarningsPublic)
def my_earnings(user: CurrentUser, container: ContainerDep) -> EarningsPublic:
    """Pending, available, in-payout and paid balances; per project your measured hourly rate
    beside the project's; every ledger entry of yours."""
    found = pay.earnings(container.db, user)
    balances = BalancesPublic(**{bucket: [MoneyModel.of(m) for m in by_cur.values()]
                                 for bucket, by_cur in found.balances.items()})
    return EarningsPublic(
        balances=balances,
        projects=[ProjectEarningsPublic(
            project_id=p.project_id, name=p.name, answers=p.answers,
            own_hourly=MoneyModel.of(p.own_hourly) if p.own_hourly else None,
            project_hourly=MoneyModel.of(p.project_hourly) if p.project_hourly else None)
            for p in found.projects],
        entries=[EntryPublic(account=e.account, seq=e.seq, tx_id=e.tx_id, kind=e.kind,
                             amount=MoneyModel.of(e.amount), memo=dict(e.memo),
                             created_at=e.created_at, hash=e.hash) for e in found.entries])


@router.get("/statement", response_class=Response,
            responses={200: {"content": {"application/x-ndjson": {}}}})
def my_statement(user: CurrentUser, container: ContainerDep) -> Response:
    """Every entry of your accounts as JSON Lines, with the hash chain: check it offline with
    `fairlabel ledger verify STATEMENT.jsonl`."""
    lines = "".join(entry_to_json(e) + "\n" for e in pay.statement(container.db, user))
    return Response(lines, media_type="application/x-ndjson", headers={
        "Content-Disposition": f'attachment; filename="statement-{user.pseudonym}.jsonl"'})


@router.get("/inbox", response_model=list[InboxMessagePublic])
def my_inbox(user: CurrentUser, container: ContainerDep) -> list[InboxMessagePublic]:
    """Announcements to you: pay changes on projects you worked on, and more."""
    return [InboxMessagePublic(id=m.id, project_id=m.project_id, subject=m.subject,
                               body=m.body, created_at=m.created_at,
                               read=m.read_at is not None)
            for m in pay.inbox(container.db, user)]


@router.put("/payout-details", response_model=PayoutDetailsBody)
def set_payout_details(body: PayoutDetailsBody, user: CurrentUser, container: ContainerDep,
                       now: NowDep) -> PayoutDetailsBody:
    """Where your payouts go: account holder, IBAN (checked), BIC, country."""
    saved = payouts.set_details(container.db, user, name=body.name, iban=body.iban,
                                bic=body.bic, country=body.country)
    return PayoutDetailsBody(name=saved.name or "", iban=saved.iban or "", bic=saved.bic,
                             country=saved.country)

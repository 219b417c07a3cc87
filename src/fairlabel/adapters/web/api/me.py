"""/api/v1/me: the caller's earnings, verifiable statement, inbox, payout details and data."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel

from fairlabel.adapters.web.api.decision_schemas import AppealPublic, DecisionPublic
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
from fairlabel.services import my_data, pay, payouts

router = APIRouter(prefix="/me", tags=["me"])


@router.get("/earnings", response_model=EarningsPublic)
def my_earnings(user: CurrentUser, container: ContainerDep) -> EarningsPublic:
    """Pending, available, in-payout and paid balances; per project your measured hourly rate
    beside the project's; every ledger entry of yours."""
    found = pay.earnings(container.db, user, container.charter)
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
    return [InboxMessagePublic(id=m.id, project_id=m.project_id, subject=str(m.subject),
                               body=str(m.body), created_at=m.created_at,
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


class MyDataPublic(BaseModel):
    """Everything the platform holds about you."""

    account: dict[str, Any]
    payout_details: dict[str, Any] | None
    answers: list[dict[str, Any]]
    decisions: list[DecisionPublic]
    appeals: list[AppealPublic]
    ledger_entries: list[EntryPublic]
    ratings: list[dict[str, Any]]
    testimonies: list[dict[str, Any]]
    inbox: list[InboxMessagePublic]
    projects: list[dict[str, Any]]


@router.get("/export", response_model=MyDataPublic)
def my_export(user: CurrentUser, container: ContainerDep) -> MyDataPublic:
    """Everything held about you, as JSON: account, answers and their measured times,
    decisions, appeals, ledger entries, the ratings and testimonies you wrote, your inbox."""
    data = my_data.my_data(container.db, user)
    details = data.payout_details
    return MyDataPublic(
        account={"id": user.id, "email": user.email, "role": user.role.value,
                 "pseudonym": user.pseudonym, "created_at": user.created_at,
                 "country": user.country},
        payout_details=({"name": details.name, "iban": details.iban, "bic": details.bic,
                         "country": details.country} if details else None),
        answers=[{"assignment_id": a.id, "project_id": a.project_id, "task_id": a.task_id,
                  "status": a.status.value, "leased_at": a.leased_at,
                  "submitted_at": a.submitted_at, "worked_ms": a.worked_ms,
                  "answer": a.answer, "price_minor": a.price_minor,
                  "topped_up_minor": a.topped_up_minor, "approved_at": a.approved_at,
                  "review": a.review.value if a.review else None} for a in data.answers],
        decisions=[DecisionPublic.of(v) for v in data.decisions],
        appeals=[AppealPublic.of(a) for a in data.appeals],
        ledger_entries=[EntryPublic(account=e.account, seq=e.seq, tx_id=e.tx_id, kind=e.kind,
                                    amount=MoneyModel.of(e.amount), memo=dict(e.memo),
                                    created_at=e.created_at, hash=e.hash)
                        for e in data.entries],
        ratings=[{"project_id": r.project_id, "pay": r.scores.pay,
                  "communication": r.scores.communication, "fairness": r.scores.fairness,
                  "promptness": r.scores.promptness, "comment": r.comment,
                  "created_at": r.created_at} for r in data.ratings],
        testimonies=[{"id": t.id, "project_id": t.project_id, "text": t.text,
                      "status": t.status.value, "created_at": t.created_at,
                      "moderation_reason": t.moderation_reason, "reply": t.reply}
                     for t in data.testimonies],
        inbox=[InboxMessagePublic(id=m.id, project_id=m.project_id, subject=str(m.subject),
                                  body=str(m.body), created_at=m.created_at,
                                  read=m.read_at is not None) for m in data.inbox],
        projects=[{"id": p.id, "name": p.terms.name, "status": p.status.value,
                   "created_at": p.created_at, "launched_at": p.launched_at}
                  for p in data.projects])

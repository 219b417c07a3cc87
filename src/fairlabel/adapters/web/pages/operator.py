"""The operator's pages (admins): every requester's money, deposits, payouts and their files.

They call the same use cases as ``fairlabel funds deposit``, ``fairlabel payouts export``
and ``fairlabel payouts mark-sent`` (and ``/api/v1/admin``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from fairlabel.adapters.container import Container
from fairlabel.adapters.io.payout_files import payouts_csv, sepa_export
from fairlabel.adapters.web.deps import ContainerDep, NowDep
from fairlabel.adapters.web.pages.common import (
    act_on_form,
    check_form,
    flash,
    page_user,
    redirect,
    take_flashes,
)
from fairlabel.adapters.web.paths import Id
from fairlabel.adapters.web.rendering import render
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.errors import DomainError, InvalidInput, NotFound
from fairlabel.domain.money import Money, parse_amount
from fairlabel.domain.payouts import PayoutStatus
from fairlabel.services import operator, pay, payouts

router = APIRouter(prefix="/operator")

# Digits with at most one decimal point or comma; no thousands separators, which read
# differently in different countries ("1.250" is 1.25 here and 1250 there).
_AMOUNT = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
_CURRENCY = re.compile(r"[A-Z]{3}")


def typed_amount(text: str, currency: str) -> Money:
    """An amount as people type it: "12.50", "12,50", "12", " 1 250,5 " (spaces ignored).

    More decimals than the currency has are refused even when they are zeros: "12.500" EUR
    is more likely twelve thousand five hundred than twelve and a half.
    """
    places = len(str(Money(0, currency)).split(" ")[0].partition(".")[2])
    cleaned = "".join(text.split())
    if not cleaned:
        raise InvalidInput("type the amount, for example 12.50")
    if not _AMOUNT.fullmatch(cleaned):
        raise InvalidInput(f"“{text.strip()}” is not an amount: type digits with one decimal "
                           "point or comma, like 12.50 or 12,50, without thousands separators")
    decimals = len(cleaned.replace(",", ".").partition(".")[2])
    if decimals > places:
        example = "whole units only" if places == 0 else f"at most {places} decimals"
        raise InvalidInput(f"“{text.strip()}” has {decimals} decimals; {currency} amounts take "
                           f"{example}. Type thousands without a separator, like 12500.")
    return parse_amount(cleaned.replace(",", "."), currency)


def _totals(amounts: Iterable[Money]) -> list[Money]:
    by_currency: dict[str, int] = defaultdict(int)
    for money in amounts:
        by_currency[money.currency] += money.amount_minor
    return [Money(v, c) for c, v in sorted(by_currency.items())]


def _currencies(container: Container) -> list[str]:
    """The currencies money can be deposited in: those the platform has a pay floor for."""
    return sorted(c for c, floor in container.charter.floors.by_currency.items() if floor > 0)


def _home(request: Request, container: Container, user: User, form: dict[str, str],
          *, error: str | None = None, error_field: str | None = None,
          status_code: int = 200) -> Response:
    people = operator.requesters_money(container.db, user)
    return render(request, "operator.html", {
        "user": user, "people": people, "form": form, "error": error,
        "error_field": error_field, "currencies": _currencies(container),
        "total_funds": _totals(m for r in people for m in r.funds),
        "total_in_projects": _totals(m for r in people for m in r.in_projects),
        "flashes": take_flashes(request)}, status_code=status_code)


@router.get("")
def home(request: Request, container: ContainerDep, requester: str = "") -> Response:
    user = page_user(request, Role.ADMIN)
    return _home(request, container, user, {"requester": requester.strip()})


@router.post("/deposits")
def record_deposit(request: Request, container: ContainerDep, now: NowDep,
                   csrf_token: Annotated[str, Form()] = "",
                   requester: Annotated[str, Form()] = "",
                   amount: Annotated[str, Form()] = "",
                   currency: Annotated[str, Form()] = "") -> Response:
    user = page_user(request, Role.ADMIN)
    check_form(request, csrf_token)
    form = {"requester": requester.strip(), "amount": amount.strip(),
            "currency": currency.strip().upper()}
    field = "amount"
    try:
        if not form["requester"]:
            field = "requester"
            raise InvalidInput("type the requester's e-mail address")
        if not _CURRENCY.fullmatch(form["currency"]):
            field = "currency"
            raise InvalidInput("choose the currency the requester paid in, such as EUR")
        money = typed_amount(amount, form["currency"])
        funds = pay.deposit(container.db, user, requester_email=form["requester"],
                            amount=money, policy=container.charter, now=now)
    except DomainError as error:
        if isinstance(error, NotFound):
            field = "requester"
        return _home(request, container, user, form, error=f"Not recorded: {error.message}",
                     error_field=field, status_code=400)
    flash(request, f"Recorded a deposit of {money} for {form['requester'].lower()}. "
                   f"Their funds now hold {funds}.")
    return redirect("/operator")


@router.get("/payouts")
def payouts_page(request: Request, container: ContainerDep) -> Response:
    user = page_user(request, Role.ADMIN)
    overview = operator.payouts_overview(container.db, user)
    settings = container.settings
    return render(request, "operator_payouts.html", {
        "user": user, "overview": overview,
        "sepa_ready": bool(settings.sepa_debtor_name and settings.sepa_debtor_iban),
        "sepa_count": sum(1 for p in overview.waiting if p.sepa_problem is None),
        "flashes": take_flashes(request)})


def _download(content: str | bytes, media_type: str, filename: str) -> Response:
    # The files name people and their bank accounts: no cache keeps a copy.
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


@router.get("/payouts/batched.csv")
def payouts_file_csv(request: Request, container: ContainerDep, now: NowDep) -> Response:
    """Every payout waiting to be sent, as `GET /api/v1/admin/payouts?format=csv` gives it."""
    user = page_user(request, Role.ADMIN)
    lines = payouts.payout_lines(container.db, user, status=PayoutStatus.BATCHED)
    return _download(payouts_csv(lines), "text/csv", f"payouts-{now:%Y%m%d-%H%M%S}.csv")


@router.get("/payouts/batched.xml")
def payouts_file_sepa(request: Request, container: ContainerDep, now: NowDep) -> Response:
    """The SEPA credit transfer (pain.001) of the waiting EUR payouts, as the API gives it."""
    user = page_user(request, Role.ADMIN)
    lines = payouts.payout_lines(container.db, user, status=PayoutStatus.BATCHED)
    settings = container.settings
    try:
        xml, _others = sepa_export(lines, debtor_name=settings.sepa_debtor_name,
                                   debtor_iban=settings.sepa_debtor_iban,
                                   debtor_bic=settings.sepa_debtor_bic, now=now)
    except DomainError as error:
        flash(request, f"No SEPA file: {error.message}", "error")
        return redirect("/operator/payouts")
    return _download(xml, "application/xml", f"payouts-sepa-{now:%Y%m%d-%H%M%S}.xml")


@router.post("/payouts/{payout_id}/sent")
def mark_sent(payout_id: Id, request: Request, container: ContainerDep, now: NowDep,
              csrf_token: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        record = payouts.mark(container.db, user, payout_id, status=PayoutStatus.SENT, now=now)
        return (f"Payout {payout_id} of {Money(record.amount_minor, record.currency)} "
                "marked sent: the worker's statement shows it as paid.")
    return act_on_form(request, "/operator/payouts", csrf_token,
                       f"Payout {payout_id} not marked sent", (Role.ADMIN,), action)

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
from fairlabel.adapters.i18n import formats
from fairlabel.adapters.i18n.context import gettext as _
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
from fairlabel.domain.money import Money, minor_units
from fairlabel.domain.payouts import PayoutStatus
from fairlabel.services import operator, pay, payouts

router = APIRouter(prefix="/operator")

_CURRENCY = re.compile(r"[A-Z]{3}")


def typed_amount(text: str, currency: str) -> Money:
    """An amount as the operator types it from the bank statement, read as people type it
    (:func:`~fairlabel.adapters.i18n.formats.parse_money`): "12.50", "12,50", "1 250,50",
    "1.250,50", "€12.50". What could be read two ways, or has more decimals than the currency
    ("12.500" EUR), is refused rather than guessed."""
    if not text.strip():
        raise InvalidInput("type the amount, for example {example}",
                           example=typed_example(currency))
    return formats.parse_money(text, currency)


def typed_example(currency: str) -> str:
    """An amount written as the reader types it ("12.50", "12,50")."""
    try:
        places = minor_units(currency)
    except DomainError:
        places = 2
    return formats.number(12.5 if places else 1250, places)


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
        "amount_example": typed_example(form.get("currency") or "EUR"),
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
        return _home(request, container, user, form,
                     error=_("Not recorded: {reason}").format(reason=formats.say(error.msg)),
                     error_field=field, status_code=400)
    flash(request, _("Recorded a deposit of {amount} for {email}. Their funds now hold "
                     "{funds}.").format(amount=formats.money(money),
                                        email=form["requester"].lower(),
                                        funds=formats.money(funds)))
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
        flash(request, _("No SEPA file: {reason}").format(reason=formats.say(error.msg)),
              "error")
        return redirect("/operator/payouts")
    return _download(xml, "application/xml", f"payouts-sepa-{now:%Y%m%d-%H%M%S}.xml")


@router.post("/payouts/{payout_id}/sent")
def mark_sent(payout_id: Id, request: Request, container: ContainerDep, now: NowDep,
              csrf_token: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        record = payouts.mark(container.db, user, payout_id, status=PayoutStatus.SENT, now=now)
        return _("Payout {payout} of {amount} marked sent: the worker's statement shows it "
                 "as paid.").format(payout=payout_id, amount=formats.money(
                     Money(record.amount_minor, record.currency)))
    return act_on_form(request, "/operator/payouts", csrf_token,
                       _("Payout {payout} not marked sent").format(payout=payout_id),
                       (Role.ADMIN,), action)

"""Requester pages: projects with progress, create a project, upload tasks, launch, answers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Annotated, Any, Literal

from babel.numbers import format_decimal
from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from fairlabel.adapters.container import Container
from fairlabel.adapters.i18n import formats
from fairlabel.adapters.i18n.context import current
from fairlabel.adapters.i18n.context import gettext as _
from fairlabel.adapters.io.exports import formats_for
from fairlabel.adapters.io.label_studio.importer import read_label_studio
from fairlabel.adapters.io.task_files import format_for_filename, stream_tasks
from fairlabel.adapters.web.deps import ContainerDep, NowDep
from fairlabel.adapters.web.errors import status_for
from fairlabel.adapters.web.pages import project_form
from fairlabel.adapters.web.pages.common import (
    act_on_form,
    check_form,
    flash,
    page_user,
    redirect,
    take_flashes,
)
from fairlabel.adapters.web.paths import BigRowId, Id
from fairlabel.adapters.web.rendering import render
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.errors import DomainError, TooLarge
from fairlabel.domain.messages import N_
from fairlabel.domain.money import Money, minor_units
from fairlabel.services import ending, funding, media, pay, projects, quality, review

router = APIRouter(prefix="/requester")
MEDIA_SHOWN = 100
"""The latest images listed on a project's page."""
REQUESTERS = (Role.REQUESTER, Role.ADMIN)
REVIEW_OUTCOMES = (N_("approved: pay available"), N_("rejected: paid"),
                   N_("rejected: pay withheld"))
"""What a review can come to (``services.review``), for the catalogs: said in the flash."""
EXPORT_NAMES = {"label-studio": N_("Label Studio tasks"),
                "label-studio-config": N_("Label Studio labeling config"),
                "spans-jsonl": N_("Spans JSONL (spaCy, Prodigy)"), "conll": N_("CoNLL (BIO)")}
"""The export formats whose names have words to translate."""


@router.get("")
def dashboard(request: Request, container: ContainerDep) -> Response:
    user = page_user(request, *REQUESTERS)
    views = projects.list_projects(container.db, user, container.charter)
    return render(request, "requester.html",
                  {"user": user, "views": views, "flashes": take_flashes(request),
                   "names": {v.project.id: v.project.terms.name for v in views},
                   "funds": pay.requester_funds(container.db, user)})


def _form_page(request: Request, user: User, policy: CharterPolicy, *, today: date,
               form: project_form.ProjectForm | None = None) -> Response:
    """The new-project form: as typed, with each field's problem beside it (400), or empty."""
    typed = form.typed if form is not None else {}
    return render(request, "project_new.html", {
        "user": user, "form": {**project_form.defaults(policy), **typed},
        "errors": form.errors if form is not None else {},
        "types": project_form.TYPES, "method_groups": project_form.METHOD_GROUPS,
        "currencies": project_form.currencies_of(policy), "today": today.isoformat(),
        "min_notice_days": policy.min_notice_days,
        "pay_example": project_form.example_amount(typed.get("currency") or "USD")},
        status_code=400 if form is not None else 200)


@router.get("/projects/new")
def new_project_form(request: Request, container: ContainerDep, now: NowDep) -> Response:
    user = page_user(request, *REQUESTERS)
    return _form_page(request, user, container.charter, today=now.date())


@router.post("/projects/new")
async def create_project(request: Request, container: ContainerDep, now: NowDep) -> Response:
    user = page_user(request, *REQUESTERS)
    typed = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    check_form(request, typed.get("csrf_token"))
    terms, form = project_form.read(typed, container.charter, today=now.date())
    if terms is None:
        return _form_page(request, user, container.charter, today=now.date(), form=form)
    try:
        project = projects.create_project(container.db, user, terms,
                                          policy=container.charter, now=now)
    except DomainError as error:
        form.refuse("", formats.say(error.msg))
        return _form_page(request, user, container.charter, today=now.date(), form=form)
    flash(request, _("Project “{name}” created as a draft. Upload tasks, then launch.").format(
        name=project.terms.name))
    return redirect(f"/requester/projects/{project.id}")


@router.get("/projects/{project_id}")
def project_page(project_id: Id, request: Request, container: ContainerDep) -> Response:
    return _project_page(request, container, page_user(request, *REQUESTERS), project_id)


def _project_page(request: Request, container: Container, user: User, project_id: int, *,
                  review_draft: dict[str, Any] | None = None,
                  status_code: int = 200) -> Response:
    """The project's page; ``review_draft``: a refused review's form, as typed, and why."""
    view = projects.get_project(container.db, user, project_id, container.charter)
    answers = projects.recent_answers(container.db, user, project_id, limit=100)
    checks = quality.project_quality(container.db, user, project_id, now=container.clock(),
                                     refit=container.consensus_refit)
    money = funding.project_funding(container.db, user, project_id, policy=container.charter,
                                    now=container.clock())
    images = media.list_media(container.db, user, project_id, limit=MEDIA_SHOWN)
    earlier = view.project.continuation_of
    names = projects.project_names(container.db, user, [earlier]) if earlier else {}
    continues = (projects.ProjectRef(earlier, names[earlier])
                 if earlier is not None and earlier in names else None)
    price = view.project.terms.pay_per_task
    return render(request, "project.html", {
        "user": user, "view": view, "answers": answers, "quality": checks, "money": money,
        "media": images, "limits": container.media_limits,
        "export_formats": _more_formats(view), "review_draft": review_draft,
        "continues": continues, "project_base": "/requester/projects/",
        "typed": {"fund": _typed(money.needed_to_finish) if money.needed_to_finish.amount_minor
                  else _typed(Money(100 * 10 ** minor_units(price.currency), price.currency)),
                  "withdraw": _typed(money.withdrawable), "price": _typed(price)},
        "flashes": take_flashes(request)}, status_code=status_code)


def _typed(money: Money) -> str:
    """An amount as the reader types it in a field: digits and their decimal mark, no
    currency ("12.50" in English, "12,50" in French); the fields read it back exactly."""
    places = minor_units(money.currency)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(Decimal(money.amount_minor).scaleb(-places), format=pattern,
                          locale=current().locale)


def _more_formats(view: projects.ProjectView) -> list[tuple[str, str]]:
    """The export formats beside JSON Lines and CSV that fit the project's task type."""
    return [(f.name, _(EXPORT_NAMES.get(f.name, f.label)))
            for f in formats_for(view.project.terms.schema.type)
            if f.name not in ("jsonl", "csv")]


@router.post("/projects/{project_id}/upload")
async def upload(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
                 file: UploadFile, csrf_token: Annotated[str, Form()],
                 file_format: Annotated[Literal["auto", "label-studio"], Form()] = "auto",
                 gold: Annotated[bool, Form()] = False) -> Response:
    user = page_user(request, *REQUESTERS)
    check_form(request, csrf_token)
    limit = container.settings.import_max_bytes
    try:
        if file.size is not None and file.size > limit:
            raise TooLarge("the file is over the import limit of {limit} bytes; split it",
                           limit=limit)
        # Parsing and storing a large file take a while: off the event loop, as the API does.
        if file_format == "label-studio":
            schema = projects.get_project(container.db, user, project_id).project.terms.schema
            content = await file.read(limit + 1)
            if len(content) > limit:
                raise TooLarge("the file is over the import limit of {limit} bytes; split it",
                               limit=limit)
            rows: Iterable[Any] = await run_in_threadpool(partial(
                read_label_studio, content, schema, gold=gold, own_host=request.url.netloc))
            del content
        else:  # read from the uploaded file, checked and stored a batch at a time
            rows = await run_in_threadpool(stream_tasks, file.file,
                                           format_for_filename(file.filename or ""))
        count = await run_in_threadpool(
            lambda: projects.import_tasks(container.db, user, project_id, rows,
                                          max_rows=container.settings.import_max_rows, now=now,
                                          image_hosts=container.settings.image_hosts))
        flash(request, _("Imported {count} tasks from {file}.").format(
            count=formats.number(count), file=file.filename))
    except DomainError as error:
        flash(request, _("Nothing imported from {file}: {reason}").format(
            file=file.filename, reason=formats.say(error.msg)), "error")
    return redirect(f"/requester/projects/{project_id}")


def _amount(container: Container, user: User, project_id: int, typed: str) -> Money:
    """An amount typed on a project's page as people type it ("0,10", "0.10", "1 234,50",
    "$0.10"), in the project's currency."""
    project = projects.get_project(container.db, user, project_id).project
    return formats.parse_money(typed, project.terms.pay_per_task.currency)


@router.post("/projects/{project_id}/fund")
def fund(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
         csrf_token: Annotated[str, Form()], amount: Annotated[str, Form()]) -> Response:
    def action(user: User) -> str:
        escrow = pay.fund_project(container.db, user, project_id,
                                  _amount(container, user, project_id, amount), now=now)
        return _("Escrow now holds {amount}.").format(amount=formats.money(escrow))
    return act_on_form(request, f"/requester/projects/{project_id}", csrf_token, _("Not funded"),
                       REQUESTERS, action)


@router.post("/projects/{project_id}/withdraw")
def withdraw(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
             csrf_token: Annotated[str, Form()], amount: Annotated[str, Form()]) -> Response:
    def action(user: User) -> str:
        done = funding.withdraw(container.db, user, project_id,
                                _amount(container, user, project_id, amount),
                                policy=container.charter, now=now)
        return _("Withdrew {amount}: your funds hold {funds}.").format(
            amount=formats.money(done.amount), funds=formats.money(done.funds))
    return act_on_form(request, f"/requester/projects/{project_id}", csrf_token,
                       _("Not withdrawn"),
                       REQUESTERS, action)


@router.post("/projects/{project_id}/price")
def price(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
          csrf_token: Annotated[str, Form()], amount: Annotated[str, Form()],
          reason: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        change = pay.change_price(container.db, user, project_id,
                                  _amount(container, user, project_id, amount), reason=reason,
                                  policy=container.charter, now=now)
        if change.applied_at:
            return _("New price takes effect now; active workers were told.")
        return _("New price takes effect on {date}, after the notice period; active workers "
                 "were told.").format(date=formats.when(change.effective_at))
    return act_on_form(request, f"/requester/projects/{project_id}", csrf_token,
                       _("Price not changed"), REQUESTERS, action)


@router.post("/projects/{project_id}/end")
def end(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
        csrf_token: Annotated[str, Form()], reason: Annotated[str, Form()],
        mode: Annotated[str, Form()]) -> Response:
    def action(user: User) -> str:
        done = ending.end_project(container.db, user, project_id, reason=reason,
                                  policy=container.charter,
                                  mode=ending.parse_mode(mode), now=now)
        if done.mode.value == "immediate":
            return _("The project ends now; workers were told.")
        return _("The project ends on {date}; workers were told.").format(
            date=formats.when(done.ends_at))
    return act_on_form(request, f"/requester/projects/{project_id}", csrf_token, _("Not ended"),
                       REQUESTERS, action)


@router.post("/projects/{project_id}/pause")
def pause(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
          csrf_token: Annotated[str, Form()]) -> Response:
    def action(user: User) -> str:
        ending.pause_project(container.db, user, project_id, now=now)
        return _("Paused. Launch to resume before the notice period runs out.")
    return act_on_form(request, f"/requester/projects/{project_id}", csrf_token, _("Not paused"),
                       REQUESTERS, action)


@router.post("/projects/{project_id}/launch")
def launch(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
           csrf_token: Annotated[str, Form()]) -> Response:
    def action(user: User) -> str:
        projects.launch_project(container.db, user, project_id, now=now,
                                policy=container.charter)
        return _("Launched: workers can now see the project and its terms.")
    return act_on_form(request, f"/requester/projects/{project_id}", csrf_token,
                       _("Not launched"),
                       REQUESTERS, action)


@router.post("/answers/{assignment_id}/review")
def review_answer(assignment_id: BigRowId, request: Request, container: ContainerDep, now: NowDep,
                  csrf_token: Annotated[str, Form()], project_id: Annotated[int, Form()],
                  decision: Annotated[str, Form()], reason: Annotated[str, Form()] = "",
                  withhold_pay: Annotated[str, Form()] = "") -> Response:
    user = page_user(request, *REQUESTERS)
    check_form(request, csrf_token)
    try:
        made = review.review_answer(container.db, user, assignment_id,
                                    approve=decision == "approve", reason=reason,
                                    withhold_pay=bool(withhold_pay), policy=container.charter,
                                    now=now)
    except DomainError as error:  # the form comes back as typed, with why
        draft = {"assignment_id": assignment_id, "reason": reason,
                 "withhold_pay": bool(withhold_pay),
                 "message": _("Not reviewed: {reason}").format(reason=formats.say(error.msg))}
        return _project_page(request, container, user, project_id, review_draft=draft,
                             status_code=status_for(error))
    flash(request, _("Answer {answer}: {outcome}. The worker can read why and appeal.").format(
        answer=assignment_id, outcome=formats.say(made.outcome)))
    return redirect(f"/requester/projects/{project_id}")

"""Requester pages: projects with progress, create a project, upload tasks, launch, answers."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from fairlabel.adapters.container import Container
from fairlabel.adapters.io.exports import formats_for
from fairlabel.adapters.io.label_studio.importer import read_label_studio
from fairlabel.adapters.io.task_files import format_for_filename, parse_tasks
from fairlabel.adapters.web.deps import ContainerDep, NowDep
from fairlabel.adapters.web.errors import status_for
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
from fairlabel.domain.errors import DomainError, TooLarge
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money, parse_amount
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import Qualification, QualityTerms
from fairlabel.services import ending, funding, media, pay, projects, quality, review

router = APIRouter(prefix="/requester")
MEDIA_SHOWN = 100
"""The latest images listed on a project's page."""
REQUESTERS = (Role.REQUESTER, Role.ADMIN)


@router.get("")
def dashboard(request: Request, container: ContainerDep) -> Response:
    user = page_user(request, *REQUESTERS)
    views = projects.list_projects(container.db, user, container.charter)
    return render(request, "requester.html",
                  {"user": user, "views": views, "flashes": take_flashes(request),
                   "funds": pay.requester_funds(container.db, user)})


@router.get("/projects/new")
def new_project_form(request: Request) -> Response:
    user = page_user(request, *REQUESTERS)
    return render(request, "project_new.html", {"user": user, "form": {}})


GOLD_THRESHOLDS = {"bounding_boxes": "gold_iou", "spans": "gold_f1", "ranking": "gold_tau"}
"""The gold threshold field of each structured task type (the same name in the form)."""


def _lines(form: dict[str, str], name: str) -> list[str]:
    return [c.strip() for c in form.get(name, "").splitlines() if c.strip()]


def _schema_from_form(form: dict[str, str]) -> dict[str, Any]:
    kind = form.get("type", "")
    if kind in ("single_choice", "multi_choice"):
        return {"type": kind, "choices": _lines(form, "choices")}
    if kind in GOLD_THRESHOLDS:
        schema: dict[str, Any] = {"type": kind}
        if kind != "ranking":
            schema["labels"] = _lines(form, "labels")
        threshold = (form.get(GOLD_THRESHOLDS[kind]) or "").strip()
        if threshold:
            schema[GOLD_THRESHOLDS[kind]] = float(threshold)
        return schema
    if kind == "rating":
        return {"type": kind, "min": int(form.get("rating_min") or 1),
                "max": int(form.get("rating_max") or 5)}
    if kind == "free_text":
        return {"type": kind, "max_length": int(form.get("max_length") or 2000)}
    return {"type": kind}


def _percent(form: dict[str, str], name: str) -> float | None:
    value = (form.get(name) or "").strip()
    return float(value) / 100 if value else None


def _quality_from_form(form: dict[str, str]) -> QualityTerms:
    size = int(form.get("qual_size") or 0)
    qualification = (Qualification(size, _percent(form, "qual_pass_percent") or 0.8,
                                   int(form.get("qual_retry_hours") or 24)) if size else None)
    return QualityTerms(
        gold_rate=_percent(form, "gold_percent") or 0.0,
        gold_min_accuracy=_percent(form, "gold_min_percent"),
        qualification=qualification,
        consensus_method=form.get("consensus_method") or "",  # "": the type's default
        confidence_target=_percent(form, "confidence_target"),
        min_answers=int(form.get("min_answers") or 2))


@router.post("/projects/new")
async def create_project(request: Request, container: ContainerDep, now: NowDep) -> Response:
    user = page_user(request, *REQUESTERS)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    check_form(request, form.get("csrf_token"))
    try:
        terms = ProjectTerms(
            name=form.get("name", ""), instructions=form.get("instructions", ""),
            schema=parse_schema(_schema_from_form(form)),
            redundancy=int(form.get("redundancy") or 3),
            pay_per_task=parse_amount(form.get("pay", ""),  # "0.10" or "0,10"
                                      (form.get("currency") or "USD").strip().upper()),
            lease_seconds=int(float(form.get("lease_minutes") or 15) * 60),
            quality=_quality_from_form(form),
        )
        project = projects.create_project(container.db, user, terms,
                                          policy=container.charter, now=now)
    except (DomainError, ValueError) as error:
        message = error.message if isinstance(error, DomainError) else f"a number is wrong: {error}"
        return render(request, "project_new.html",
                      {"user": user, "form": form, "error": message}, status_code=400)
    flash(request, f"Project “{project.terms.name}” created as a draft. Upload tasks, then launch.")
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
                                     fit=container.consensus_fit)
    money = funding.project_funding(container.db, user, project_id, policy=container.charter,
                                    now=container.clock())
    images = media.list_media(container.db, user, project_id, limit=MEDIA_SHOWN)
    return render(request, "project.html", {"user": user, "view": view, "answers": answers,
                                            "quality": checks, "money": money,
                                            "media": images, "limits": container.media_limits,
                                            "export_formats": _more_formats(view),
                                            "review_draft": review_draft,
                                            "flashes": take_flashes(request)},
                  status_code=status_code)


def _more_formats(view: projects.ProjectView) -> list[tuple[str, str]]:
    """The export formats beside JSON Lines and CSV that fit the project's task type."""
    return [(f.name, f.label) for f in formats_for(view.project.terms.schema.type)
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
        content = await file.read(limit + 1)
        if len(content) > limit:
            raise TooLarge(f"the file is over the import limit of {limit} bytes; split it")
        # Parsing and storing a large file take a while: off the event loop, as the API does.
        if file_format == "label-studio":
            schema = projects.get_project(container.db, user, project_id).project.terms.schema
            rows = await run_in_threadpool(partial(read_label_studio, content, schema,
                                                   gold=gold, own_host=request.url.netloc))
        else:
            rows = await run_in_threadpool(parse_tasks, content,
                                           format_for_filename(file.filename or ""))
        del content
        count = await run_in_threadpool(
            lambda: projects.import_tasks(container.db, user, project_id, rows,
                                          max_rows=container.settings.import_max_rows, now=now,
                                          image_hosts=container.settings.image_hosts))
        flash(request, f"Imported {count} tasks from {file.filename}.")
    except DomainError as error:
        flash(request, f"Nothing imported from {file.filename}: {error.message}", "error")
    return redirect(f"/requester/projects/{project_id}")


def _amount(container: Container, user: User, project_id: int, typed: str) -> Money:
    """An amount typed on a project's page ("0.10" or "0,10"), in the project's currency."""
    project = projects.get_project(container.db, user, project_id).project
    return parse_amount(typed, project.terms.pay_per_task.currency)


@router.post("/projects/{project_id}/fund")
def fund(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
         csrf_token: Annotated[str, Form()], amount: Annotated[str, Form()]) -> Response:
    def action(user: User) -> str:
        escrow = pay.fund_project(container.db, user, project_id,
                                  _amount(container, user, project_id, amount), now=now)
        return f"Escrow now holds {escrow}."
    return act_on_form(request, f"/requester/projects/{project_id}", csrf_token, "Not funded",
                       REQUESTERS, action)


@router.post("/projects/{project_id}/withdraw")
def withdraw(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
             csrf_token: Annotated[str, Form()], amount: Annotated[str, Form()]) -> Response:
    def action(user: User) -> str:
        done = funding.withdraw(container.db, user, project_id,
                                _amount(container, user, project_id, amount),
                                policy=container.charter, now=now)
        return f"Withdrew {done.amount}: your funds hold {done.funds}."
    return act_on_form(request, f"/requester/projects/{project_id}", csrf_token, "Not withdrawn",
                       REQUESTERS, action)


@router.post("/projects/{project_id}/price")
def price(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
          csrf_token: Annotated[str, Form()], amount: Annotated[str, Form()],
          reason: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        change = pay.change_price(container.db, user, project_id,
                                  _amount(container, user, project_id, amount), reason=reason,
                                  policy=container.charter, now=now)
        when = ("now" if change.applied_at else
                f"on {change.effective_at:%Y-%m-%d %H:%M} UTC, after the notice period")
        return f"New price takes effect {when}; active workers were told."
    return act_on_form(request, f"/requester/projects/{project_id}", csrf_token,
                       "Price not changed", REQUESTERS, action)


@router.post("/projects/{project_id}/end")
def end(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
        csrf_token: Annotated[str, Form()], reason: Annotated[str, Form()],
        mode: Annotated[str, Form()]) -> Response:
    def action(user: User) -> str:
        done = ending.end_project(container.db, user, project_id, reason=reason,
                                  policy=container.charter,
                                  mode=ending.parse_mode(mode), now=now)
        when = ("now" if done.mode.value == "immediate"
                else f"on {done.ends_at:%Y-%m-%d %H:%M} UTC")
        return f"The project ends {when}; workers were told."
    return act_on_form(request, f"/requester/projects/{project_id}", csrf_token, "Not ended",
                       REQUESTERS, action)


@router.post("/projects/{project_id}/pause")
def pause(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
          csrf_token: Annotated[str, Form()]) -> Response:
    def action(user: User) -> str:
        ending.pause_project(container.db, user, project_id, now=now)
        return "Paused. Launch to resume before the notice period runs out."
    return act_on_form(request, f"/requester/projects/{project_id}", csrf_token, "Not paused",
                       REQUESTERS, action)


@router.post("/projects/{project_id}/launch")
def launch(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
           csrf_token: Annotated[str, Form()]) -> Response:
    def action(user: User) -> str:
        projects.launch_project(container.db, user, project_id, now=now,
                                policy=container.charter)
        return "Launched: workers can now see the project and its terms."
    return act_on_form(request, f"/requester/projects/{project_id}", csrf_token, "Not launched",
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
                 "withhold_pay": bool(withhold_pay), "message": f"Not reviewed: {error.message}"}
        return _project_page(request, container, user, project_id, review_draft=draft,
                             status_code=status_for(error))
    flash(request, f"Answer {assignment_id}: {made.outcome}. The worker can read why and appeal.")
    return redirect(f"/requester/projects/{project_id}")

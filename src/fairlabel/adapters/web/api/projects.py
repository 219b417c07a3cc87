"""/api/v1/projects: create, launch, list, import tasks, next task, end, pause (the export
is in ``exports.py``)."""

from __future__ import annotations

from tempfile import SpooledTemporaryFile
from typing import IO, Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from fairlabel.adapters.container import Container
from fairlabel.adapters.io.label_studio.importer import rows_from_label_studio
from fairlabel.adapters.io.task_files import (
    TaskFile,
    TaskStream,
    data_columns,
    format_for_content_type,
    read_tasks,
    stream_tasks,
)
from fairlabel.adapters.web.api.schemas import (
    EndBody,
    EndingPublic,
    ImportResult,
    LeasePublic,
    MoneyModel,
    ProjectCreate,
    ProjectPublic,
    TaskPublic,
)
from fairlabel.adapters.web.deps import (
    ContainerDep,
    CurrentUser,
    LoopCallDep,
    NowDep,
    json_response,
)
from fairlabel.adapters.web.paths import Id
from fairlabel.domain.accounts import User
from fairlabel.domain.commitments import Commitment
from fairlabel.domain.errors import InvalidInput, TooLarge
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import assignment, ending, projects

router = APIRouter(prefix="/projects", tags=["projects"])

_TEXT = {"schema": {"type": "string"}}
IMPORT_BODY: dict[str, object] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"oneOf": [
        {"type": "array", "items": {"type": "object"}}, {"type": "object"}]}},
    "application/x-ndjson": _TEXT,
    "text/csv": _TEXT,
}}}
"""The import's body, which the route reads itself (streamed, counted): JSON, JSON Lines or
CSV, by Content-Type."""

@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProjectPublic)
def create_project(body: ProjectCreate, user: CurrentUser, container: ContainerDep,
                   now: NowDep) -> ProjectPublic:
    """Create a project (requesters). It starts as a draft, invisible to workers."""
    terms = ProjectTerms(
        name=body.name, instructions=body.instructions, schema=parse_schema(body.label_schema),
        redundancy=body.redundancy, pay_per_task=body.pay_per_task.to_money(),
        lease_seconds=body.lease_seconds or container.settings.default_lease_seconds,
        own_floor_hourly=_own_floor(body),
        commitment=Commitment(notice_days=body.commitment.notice_days,
                              ends_on=body.commitment.ends_on),
        quality=body.quality.to_terms(),
    )
    project = projects.create_project(container.db, user, terms, policy=container.charter,
                                      now=now)
    return ProjectPublic.of(projects.get_project(container.db, user, project.id, container.charter))


def _own_floor(body: ProjectCreate) -> int | None:
    if body.floor_hourly is None:
        return None
    floor, price = body.floor_hourly.to_money(), body.pay_per_task.to_money()
    if floor.currency != price.currency:
        raise InvalidInput("the floor must be in the project's currency, {currency}",
                           currency=price.currency)
    return floor.amount_minor


@router.get("", response_model=list[ProjectPublic])
def list_projects(user: CurrentUser, container: ContainerDep) -> list[ProjectPublic]:
    """Projects visible to the caller: open ones for workers, their own for requesters."""
    views = projects.list_projects(container.db, user, container.charter)
    return [ProjectPublic.of(v) for v in views]


@router.get("/{project_id}", response_model=ProjectPublic)
def read_project(project_id: Id, user: CurrentUser, container: ContainerDep) -> ProjectPublic:
    """One project with its terms and progress."""
    return ProjectPublic.of(projects.get_project(container.db, user, project_id, container.charter))


@router.post("/{project_id}/launch", response_model=ProjectPublic)
def launch_project(project_id: Id, user: CurrentUser, container: ContainerDep,
                   now: NowDep) -> ProjectPublic:
    """Open a project to workers. It needs at least one task."""
    projects.launch_project(container.db, user, project_id, now=now, policy=container.charter)
    return ProjectPublic.of(projects.get_project(container.db, user, project_id, container.charter))


SPOOL_IN_MEMORY = 1024 * 1024
"""Bytes of an import's body kept in memory; the rest goes to a temporary file, which the
import reads back a row at a time."""


async def _spool_limited(request: Request, limit: int, spool: IO[bytes]) -> None:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge("the body is {size} bytes; the import limit is {limit} bytes. Split the "
                       "file.", size=int(declared), limit=limit)
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge("the body is over the import limit of {limit} bytes. Split the file.",
                           limit=limit)
        spool.write(chunk)
    spool.seek(0)


@router.post("/{project_id}/tasks", status_code=status.HTTP_201_CREATED,
             response_model=ImportResult, openapi_extra=IMPORT_BODY)
async def import_tasks(project_id: Id, request: Request, user: CurrentUser,
                       container: ContainerDep, now: NowDep,
                       format: Annotated[Literal["label-studio"] | None, Query()] = None,
                       gold: bool = False) -> ImportResult:
    """Import tasks: a JSON array of `{"data": {...}}`, JSON Lines, or CSV (by Content-Type;
    comma, semicolon or tab separated, detected). With `format=label-studio`, a JSON array of
    Label Studio tasks (docs/formats.md); `gold=true` then makes annotations gold answers
    (the ground-truth ones when the file marks any, else each task's first).

    All or nothing: one bad row rejects the whole body with its row number. The answer says
    how many rows were read and which data fields (columns) they hold.
    """
    fmt = format_for_content_type(request.headers.get("content-type"))
    if format == "label-studio" and fmt != "json":
        raise InvalidInput("a Label Studio import is a JSON array of tasks: send it as "
                           "application/json")
    def store(spool: IO[bytes]) -> ImportResult:
        rows: TaskFile | TaskStream
        if format == "label-studio":
            rows = _from_label_studio(container, user, project_id,
                                      read_tasks(spool.read(), "json").rows, gold,
                                      request.url.netloc)
        else:  # read, checked and stored a batch at a time
            rows = stream_tasks(spool, fmt)
        count = projects.import_tasks(
            container.db, user, project_id, rows.rows if isinstance(rows, TaskFile) else rows,
            max_rows=container.settings.import_max_rows, now=now,
            image_hosts=container.settings.image_hosts)
        read = len(rows.rows) if isinstance(rows, TaskFile) else rows.rows_read
        return ImportResult(imported=count, rows_read=read, columns=rows.columns,
                            delimiter=rows.delimiter)

    with SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        await _spool_limited(request, container.settings.import_max_bytes, spool)
        return await run_in_threadpool(store, spool)


def _from_label_studio(container: Container, user: User, project_id: int, tasks: list[Any],
                       gold: bool, host: str) -> TaskFile:
    """Label Studio tasks as the project's task rows (its schema says how answers read)."""
    schema = projects.get_project(container.db, user, project_id).project.terms.schema
    rows = rows_from_label_studio(schema, tasks, gold=gold, own_host=host)
    return TaskFile(rows, data_columns(rows))


@router.get("/{project_id}/next", response_model=LeasePublic,
            responses={204: {"description": "Nothing is left for you in this project."},
                       409: {"description": "The project does not serve work now."}})
async def next_task(project_id: Id, call: LoopCallDep) -> LeasePublic | Response:
    """Lease the next task to the calling worker (or 204 when nothing is left for them)."""
    container = call.container
    lease = await call.run(assignment.request_next, call.user, project_id, now=call.now,
                           policy=container.charter, rng=container.rng)
    if lease is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return json_response(LeasePublic(assignment_id=lease.assignment_id,
                                     task=TaskPublic(id=lease.task_id, data=lease.data),
                                     lease_expires_at=lease.lease_expires_at,
                                     qualification=lease.qualification or None),
                         exclude_none=True)


@router.post("/{project_id}/end", response_model=EndingPublic)
def end_project(project_id: Id, body: EndBody, user: CurrentUser, container: ContainerDep,
                now: NowDep) -> EndingPublic:
    """End a project, with a reason the workers read. `notice`: work stays available on the
    same terms until the notice period ends. `immediate`: every worker active in the last 14
    days is paid notice pay now (average daily earnings × notice days)."""
    done = ending.end_project(container.db, user, project_id, reason=body.reason,
                              mode=ending.parse_mode(body.mode), policy=container.charter,
                              now=now)
    return EndingPublic(project_id=done.project_id, mode=done.mode.value, reason=done.reason,
                        ends_at=done.ends_at,
                        notice_pay=[{"worker": w, "amount": MoneyModel.of(m).model_dump()}
                                    for w, m in done.notice_pay.items()])


@router.post("/{project_id}/pause", response_model=ProjectPublic)
def pause_project(project_id: Id, user: CurrentUser, container: ContainerDep,
                  now: NowDep) -> ProjectPublic:
    """Stop serving work for now (launch resumes it). A pause longer than the notice period
    counts as ending the project, with notice pay."""
    ending.pause_project(container.db, user, project_id, now=now)
    return ProjectPublic.of(projects.get_project(container.db, user, project_id, container.charter))

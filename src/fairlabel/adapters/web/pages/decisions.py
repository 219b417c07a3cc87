"""Decision pages: a worker's decisions (each about an answer shows the task as they saw it and
their answer) with the appeal form and their voice (ratings, testimonies); the moderators'
queue of appeals (with the same view of the task), proposals, testimonies and requesters'
display names."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from fairlabel.adapters.i18n import formats
from fairlabel.adapters.i18n.context import gettext as _
from fairlabel.adapters.web.deps import ContainerDep, NowDep
from fairlabel.adapters.web.pages.case_view import present_all
from fairlabel.adapters.web.pages.common import act_on_form, page_user, take_flashes
from fairlabel.adapters.web.pages.evidence import evidence, kind_name, role_name
from fairlabel.adapters.web.pages.evidence import outcome as outcome_of
from fairlabel.adapters.web.paths import BigRowId, Id
from fairlabel.adapters.web.rendering import render
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.messages import N_
from fairlabel.domain.voice import DIMENSIONS, MIN_ANSWERS_TO_RATE, Scores
from fairlabel.services import (
    appeals,
    cases,
    continuation,
    decisions,
    moderation,
    pay,
    preferences,
    voice,
)

router = APIRouter()
MODERATORS = (Role.MODERATOR, Role.ADMIN)

# Each scale of a rating, and what its two ends mean.
SCALES = (
    ("pay", N_("Pay"), N_("far below a fair hourly rate"), N_("generous for the work")),
    ("communication", N_("Communication"), N_("unclear instructions, questions unanswered"),
     N_("clear instructions, questions answered")),
    ("fairness", N_("Fairness"), N_("arbitrary reviews and decisions"),
     N_("fair, explained reviews and decisions")),
    ("promptness", N_("Promptness"), N_("reviews and pay very late"),
     N_("reviews and pays quickly")),
)


def _helpers() -> dict[str, Any]:
    """What _decision.html calls to say a decision in the reader's words."""
    return {"kind_name": kind_name, "role_name": role_name, "outcome": outcome_of,
            "evidence": evidence}


@router.get("/worker/decisions")
def decisions_page(request: Request, container: ContainerDep) -> Response:
    user = page_user(request, Role.WORKER)
    worked = [p for p in pay.earnings(container.db, user, container.charter).projects
              if p.answers >= MIN_ANSWERS_TO_RATE]
    views = decisions.my_decisions(container.db, user)
    found = cases.cases(container.db, user, [v.decision.id for v in views])
    return render(request, "decisions.html", {
        "user": user, "views": views, "cases": present_all(found), "worked": worked,
        "scales": SCALES, "flashes": take_flashes(request), **_helpers()})


@router.post("/worker/decisions/{decision_id}/appeal")
def appeal(decision_id: BigRowId, request: Request, container: ContainerDep, now: NowDep,
           csrf_token: Annotated[str, Form()], message: Annotated[str, Form()]) -> Response:
    def action(user: User) -> str:
        filed = appeals.appeal(container.db, user, decision_id, message=message,
                               policy=container.charter, now=now)
        return _("Appeal sent. A moderator decides by {deadline}; if no one does, it is "
                 "overturned in your favour.").format(deadline=formats.when(filed.deadline_at))
    return act_on_form(request, "/worker/decisions", csrf_token, N_("Not appealed"),
                       (Role.WORKER,), action)


def _scores(given: dict[str, str]) -> Scores:
    """The four scores as chosen on the page; none has a default, so each must be chosen."""
    names = {key: name for key, name, _low, _high in SCALES}
    missing = [_(names[d]) for d in DIMENSIONS if not given.get(d, "").strip().isdigit()]
    if missing:
        raise InvalidInput("choose a score from 1 to 5 for: {scales}", code="score_missing",
                           scales=", ".join(missing))
    return Scores(*(int(given[d]) for d in DIMENSIONS))


@router.post("/worker/projects/{project_id}/rate")
def rate(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
         csrf_token: Annotated[str, Form()], pay_score: Annotated[str, Form(alias="pay")] = "",
         communication: Annotated[str, Form()] = "", fairness: Annotated[str, Form()] = "",
         promptness: Annotated[str, Form()] = "",
         comment: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        scores = _scores({"pay": pay_score, "communication": communication,
                          "fairness": fairness, "promptness": promptness})
        voice.rate(container.db, user, project_id, scores, comment=comment, now=now)
        return _("Thank you: your rating counts in the requester's averages, without your "
                 "name.")
    return act_on_form(request, "/worker/decisions", csrf_token, N_("Not rated"),
                       (Role.WORKER,), action)


@router.post("/worker/projects/{project_id}/testify")
def testify(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
            csrf_token: Annotated[str, Form()], text: Annotated[str, Form()]) -> Response:
    def action(user: User) -> str:
        voice.testify(container.db, user, project_id, text=text, now=now)
        return _("Testimony received. After moderation it is published without your name, "
                 "once enough workers have testified about the project.")
    return act_on_form(request, "/worker/decisions", csrf_token, N_("Not sent"),
                       (Role.WORKER,), action)


@router.get("/moderation")
def moderation_page(request: Request, container: ContainerDep, now: NowDep) -> Response:
    user = page_user(request, *MODERATORS)
    queue = appeals.queue(container.db, user, now=now)
    proposals = decisions.open_proposals(container.db, user)
    found = cases.cases(container.db, user, [q.appeal.decision_id for q in queue]
                        + [v.decision.id for v in proposals])
    return render(request, "moderation.html", {
        "user": user, "queue": queue, "proposals": proposals, "cases": present_all(found),
        "testimonies": voice.pending_testimonies(container.db, user),
        "continuations": continuation.continuation_cases(container.db, user, now=now),
        "named": preferences.display_names(container.db, user),
        "flashes": take_flashes(request), **_helpers()})


@router.post("/moderation/appeals/{appeal_id}")
def resolve_appeal(appeal_id: Id, request: Request, container: ContainerDep, now: NowDep,
                   csrf_token: Annotated[str, Form()], outcome: Annotated[str, Form()],
                   reason: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        done = appeals.resolve_appeal(container.db, user, appeal_id, outcome=outcome,
                                      reason=reason, now=now)
        if done.status.value == "overturned":
            return _("Appeal {id} overturned; the worker was told why.").format(id=appeal_id)
        return _("Appeal {id} upheld; the worker was told why.").format(id=appeal_id)
    return act_on_form(request, "/moderation", csrf_token, N_("Not resolved"), MODERATORS,
                       action)


@router.post("/moderation/proposals/{decision_id}")
def resolve_proposal(decision_id: BigRowId, request: Request, container: ContainerDep, now: NowDep,
                     csrf_token: Annotated[str, Form()], outcome: Annotated[str, Form()],
                     reason: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        made = decisions.resolve_proposal(container.db, user, decision_id,
                                          confirm=outcome == "confirmed", reason=reason,
                                          now=now)
        return _("Proposal {id}: {outcome}.").format(
            id=decision_id, outcome=outcome_of(made.kind.value, made.outcome, made.inputs))
    return act_on_form(request, "/moderation", csrf_token, N_("Not decided"), MODERATORS,
                       action)


@router.post("/moderation/continuations/{case_id}")
def decide_continuation(case_id: Id, request: Request, container: ContainerDep, now: NowDep,
                        csrf_token: Annotated[str, Form()], outcome: Annotated[str, Form()],
                        reason: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        if outcome == "confirmed":
            done = continuation.confirm_continuation(container.db, user, case_id, now=now,
                                                     policy=container.charter)
            if done.paused:
                return _("Case {id} confirmed; its escrow could not cover all the back pay, so "
                         "the project is paused until it is funded.").format(id=case_id)
            return _("Case {id} confirmed: the projects are linked and the workers were "
                     "told.").format(id=case_id)
        continuation.dismiss_continuation(container.db, user, case_id, reason=reason, now=now)
        return _("Case {id} dismissed.").format(id=case_id)
    return act_on_form(request, "/moderation#continuations", csrf_token, N_("Not decided"),
                       MODERATORS, action)


@router.post("/moderation/testimonies/{testimony_id}")
def moderate(testimony_id: Id, request: Request, container: ContainerDep, now: NowDep,
             csrf_token: Annotated[str, Form()], outcome: Annotated[str, Form()],
             reason: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        done = voice.moderate(container.db, user, testimony_id, approve=outcome == "approved",
                              reason=reason, now=now)
        if done.status.value == "approved":
            return _("Testimony {id} approved.").format(id=testimony_id)
        return _("Testimony {id} rejected.").format(id=testimony_id)
    return act_on_form(request, "/moderation", csrf_token, N_("Not moderated"), MODERATORS,
                       action)


@router.post("/moderation/restrict")
def restrict(request: Request, container: ContainerDep, now: NowDep,
             csrf_token: Annotated[str, Form()], action_kind: Annotated[str, Form()],
             worker: Annotated[str, Form()], project_id: Annotated[int, Form()],
             reason: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        use_case = (moderation.revoke_qualification if action_kind == "revoke"
                    else moderation.remove_worker)
        made = use_case(container.db, user, worker=worker, project_id=project_id,
                        reason=reason, now=now)
        return _("{worker}: {outcome} (decision {id}); they were told why.").format(
            worker=worker, outcome=outcome_of(made.kind.value, made.outcome, made.inputs),
            id=made.id)
    return act_on_form(request, "/moderation", csrf_token, N_("Not done"), MODERATORS, action)


@router.post("/moderation/display-names/{requester_id}/reset")
def reset_display_name(requester_id: Id, request: Request, container: ContainerDep,
                       now: NowDep, csrf_token: Annotated[str, Form()],
                       reason: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        preferences.reset_display_name(container.db, user, requester_id, reason=reason,
                                       now=now)
        return _("Display name reset; the requester was told why and sees their pseudonym "
                 "shown again until they choose another name.")
    return act_on_form(request, "/moderation#display-names", csrf_token,
                       N_("Display name not reset"), MODERATORS, action)

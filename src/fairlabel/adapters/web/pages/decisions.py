"""Decision pages: a worker's decisions with the appeal form and their voice (ratings,
testimonies); the moderators' queue of appeals, proposals and testimonies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from fairlabel.adapters.web.deps import ContainerDep, NowDep
from fairlabel.adapters.web.pages.common import act_on_form, page_user, take_flashes
from fairlabel.adapters.web.paths import BigRowId, Id
from fairlabel.adapters.web.rendering import render
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.voice import MIN_ANSWERS_TO_RATE, Scores
from fairlabel.services import appeals, decisions, moderation, pay, voice

router = APIRouter()
MODERATORS = (Role.MODERATOR, Role.ADMIN)


@router.get("/worker/decisions")
def decisions_page(request: Request, container: ContainerDep) -> Response:
    user = page_user(request, Role.WORKER)
    worked = [p for p in pay.earnings(container.db, user, container.charter).projects
              if p.answers >= MIN_ANSWERS_TO_RATE]
    return render(request, "decisions.html", {
        "user": user, "views": decisions.my_decisions(container.db, user),
        "worked": worked, "flashes": take_flashes(request)})


@router.post("/worker/decisions/{decision_id}/appeal")
def appeal(decision_id: BigRowId, request: Request, container: ContainerDep, now: NowDep,
           csrf_token: Annotated[str, Form()], message: Annotated[str, Form()]) -> Response:
    def action(user: User) -> str:
        filed = appeals.appeal(container.db, user, decision_id, message=message,
                               policy=container.charter, now=now)
        return (f"Appeal sent. A moderator decides by {filed.deadline_at:%Y-%m-%d %H:%M} UTC; "
                "if no one does, it is overturned in your favour.")
    return act_on_form(request, "/worker/decisions", csrf_token, "Not appealed", (Role.WORKER,),
                       action)


@router.post("/worker/projects/{project_id}/rate")
def rate(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
         csrf_token: Annotated[str, Form()], pay_score: Annotated[int, Form(alias="pay")],
         communication: Annotated[int, Form()], fairness: Annotated[int, Form()],
         promptness: Annotated[int, Form()], comment: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        voice.rate(container.db, user, project_id,
                   Scores(pay_score, communication, fairness, promptness), comment=comment,
                   now=now)
        return "Thank you: your rating counts in the requester's averages, without your name."
    return act_on_form(request, "/worker/decisions", csrf_token, "Not rated", (Role.WORKER,),
                       action)


@router.post("/worker/projects/{project_id}/testify")
def testify(project_id: Id, request: Request, container: ContainerDep, now: NowDep,
            csrf_token: Annotated[str, Form()], text: Annotated[str, Form()]) -> Response:
    def action(user: User) -> str:
        voice.testify(container.db, user, project_id, text=text, now=now)
        return ("Testimony received. After moderation it is published without your name, once "
                "enough workers have testified about the project.")
    return act_on_form(request, "/worker/decisions", csrf_token, "Not sent", (Role.WORKER,),
                       action)


@router.get("/moderation")
def moderation_page(request: Request, container: ContainerDep, now: NowDep) -> Response:
    user = page_user(request, *MODERATORS)
    return render(request, "moderation.html", {
        "user": user, "queue": appeals.queue(container.db, user, now=now),
        "proposals": decisions.open_proposals(container.db, user),
        "testimonies": voice.pending_testimonies(container.db, user),
        "flashes": take_flashes(request)})


@router.post("/moderation/appeals/{appeal_id}")
def resolve_appeal(appeal_id: Id, request: Request, container: ContainerDep, now: NowDep,
                   csrf_token: Annotated[str, Form()], outcome: Annotated[str, Form()],
                   reason: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        done = appeals.resolve_appeal(container.db, user, appeal_id, outcome=outcome,
                                      reason=reason, now=now)
        return f"Appeal {appeal_id} {done.status.value}; the worker was told why."
    return act_on_form(request, "/moderation", csrf_token, "Not resolved", MODERATORS, action)


@router.post("/moderation/proposals/{decision_id}")
def resolve_proposal(decision_id: BigRowId, request: Request, container: ContainerDep, now: NowDep,
                     csrf_token: Annotated[str, Form()], outcome: Annotated[str, Form()],
                     reason: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        made = decisions.resolve_proposal(container.db, user, decision_id,
                                          confirm=outcome == "confirmed", reason=reason,
                                          now=now)
        return f"Proposal {decision_id}: {made.outcome}."
    return act_on_form(request, "/moderation", csrf_token, "Not decided", MODERATORS, action)


@router.post("/moderation/testimonies/{testimony_id}")
def moderate(testimony_id: Id, request: Request, container: ContainerDep, now: NowDep,
             csrf_token: Annotated[str, Form()], outcome: Annotated[str, Form()],
             reason: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        done = voice.moderate(container.db, user, testimony_id, approve=outcome == "approved",
                              reason=reason, now=now)
        return f"Testimony {testimony_id} {done.status.value}."
    return act_on_form(request, "/moderation", csrf_token, "Not moderated", MODERATORS, action)


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
        return f"{worker}: {made.outcome} (decision {made.id}); they were told why."
    return act_on_form(request, "/moderation", csrf_token, "Not done", MODERATORS, action)

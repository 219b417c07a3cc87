"""/api/v1 worker voice: ratings, testimonies, their moderation and requesters' replies."""

from __future__ import annotations

from fastapi import APIRouter, status

from fairlabel.adapters.web.api.decision_schemas import (
    Created,
    ModerateBody,
    RatingBody,
    ReplyBody,
    TestimonyBody,
    TestimonyPublic,
)
from fairlabel.adapters.web.deps import ContainerDep, CurrentUser, NowDep
from fairlabel.adapters.web.paths import Id
from fairlabel.domain.voice import Scores
from fairlabel.services import voice

router = APIRouter(tags=["voice"])


@router.post("/projects/{project_id}/ratings", status_code=status.HTTP_201_CREATED,
             response_model=Created)
def rate(project_id: Id, body: RatingBody, user: CurrentUser, container: ContainerDep,
         now: NowDep) -> Created:
    """Workers who answered at least 3 of the project's tasks: rate its requester once, 1–5
    on pay, communication, fairness of review and promptness. Only aggregates are shown."""
    scores = Scores(body.pay, body.communication, body.fairness, body.promptness)
    return Created(id=voice.rate(container.db, user, project_id, scores, comment=body.comment,
                                 now=now))


@router.post("/projects/{project_id}/testimonies", status_code=status.HTTP_201_CREATED,
             response_model=Created)
def testify(project_id: Id, body: TestimonyBody, user: CurrentUser, container: ContainerDep,
            now: NowDep) -> Created:
    """Workers who worked on the project: write a testimony. It is published, moderated and
    without any identifier, once at least 3 workers have testified about the project."""
    return Created(id=voice.testify(container.db, user, project_id, text=body.text, now=now))


@router.get("/moderation/testimonies", response_model=list[TestimonyPublic])
def pending(user: CurrentUser, container: ContainerDep) -> list[TestimonyPublic]:
    """Moderators: testimonies waiting for moderation, oldest first."""
    return [TestimonyPublic.of(t) for t in voice.pending_testimonies(container.db, user)]


@router.post("/testimonies/{testimony_id}/moderate", response_model=TestimonyPublic)
def moderate(testimony_id: Id, body: ModerateBody, user: CurrentUser, container: ContainerDep,
             now: NowDep) -> TestimonyPublic:
    """Moderators: approve a testimony for publication, or reject it with a reason."""
    return TestimonyPublic.of(voice.moderate(container.db, user, testimony_id,
                                             approve=body.outcome == "approved",
                                             reason=body.reason, now=now))


@router.post("/testimonies/{testimony_id}/reply", response_model=TestimonyPublic)
def reply(testimony_id: Id, body: ReplyBody, user: CurrentUser, container: ContainerDep,
          now: NowDep) -> TestimonyPublic:
    """The requester: reply publicly, once, to a published testimony about your project."""
    return TestimonyPublic.of(voice.reply(container.db, user, testimony_id, text=body.text,
                                          now=now))

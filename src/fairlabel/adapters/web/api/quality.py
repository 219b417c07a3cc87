"""/api/v1/projects/{id}/quality and /my-quality: gold, qualification and consensus views."""

from __future__ import annotations

from fastapi import APIRouter

from fairlabel.adapters.web.api.quality_schemas import MyQualityPublic, ProjectQualityPublic
from fairlabel.adapters.web.deps import ContainerDep, CurrentUser, NowDep
from fairlabel.adapters.web.paths import Id
from fairlabel.services import quality

router = APIRouter(prefix="/projects", tags=["quality"])


@router.get("/{project_id}/quality", response_model=ProjectQualityPublic)
def project_quality(project_id: Id, user: CurrentUser, container: ContainerDep,
                    now: NowDep) -> ProjectQualityPublic:
    """The project's requester: consensus coverage and mean confidence, answers saved by
    adaptive redundancy, and each worker's gold accuracy and agreement (under pseudonyms).
    The consensus is brought up to date first if answers arrived since the last refit (a
    refit, or an update of the tasks answered since on a project of 50,000 answers or more)."""
    return ProjectQualityPublic.of(quality.project_quality(
        container.db, user, project_id, now=now, refit=container.consensus_refit))


@router.get("/{project_id}/my-quality", response_model=MyQualityPublic)
def my_quality(project_id: Id, user: CurrentUser, container: ContainerDep,
               now: NowDep) -> MyQualityPublic:
    """The calling worker's gold accuracy on the project (with a Beta(3, 1) prior), every gold
    task they missed with the expected answer, and their qualification status."""
    return MyQualityPublic.of(quality.my_quality(container.db, user, project_id, now=now))

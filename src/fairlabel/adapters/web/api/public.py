"""/api/v1/public: the transparency record, without login (charter rule 9)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fairlabel.adapters.web.api.public_schemas import (
    AlgorithmPublic,
    RequesterListed,
    RequesterRecordPublic,
)
from fairlabel.adapters.web.deps import ContainerDep
from fairlabel.adapters.web.paths import Id
from fairlabel.services import record

router = APIRouter(prefix="/public", tags=["public"])


@router.get("/requesters", response_model=list[RequesterListed])
def requesters(container: ContainerDep, after: Annotated[int, Query(ge=0)] = 0,
               limit: Annotated[int, Query(ge=1, le=1000)] = record.PAGE,
               ) -> list[RequesterListed]:
    """Requesters with a launched project, with their ids, by id: at most ``limit`` after
    the requester ``after`` (the next page: ``after`` the last id of this one; no login)."""
    return [RequesterListed.of(r) for r in record.requesters(container.db, after=after,
                                                             limit=limit)]


@router.get("/requesters/{requester_id}", response_model=RequesterRecordPublic)
def requester_record(requester_id: Id, container: ContainerDep) -> RequesterRecordPublic:
    """A requester's record, from the platform's own data: measured pay against the floor,
    price changes and notice, endings and notice pay, continuations, reviews and appeals,
    ratings (once 3 workers rated) and published testimonies (no login)."""
    return RequesterRecordPublic.of(record.requester_record(container.db, requester_id,
                                                            container.charter))


@router.get("/algorithms", response_model=list[AlgorithmPublic])
def algorithms(container: ContainerDep) -> list[AlgorithmPublic]:
    """The registry of every automated system that decides about workers: what it decides,
    what it reads, its main parameters and their weight, how to contest it (no login)."""
    return [AlgorithmPublic.of(s) for s in record.algorithms(
        container.charter)]

"""Transaction-level steps of the voice: the testimonies published about a requester."""

from __future__ import annotations

from typing import Protocol

from fairlabel.domain.voice import (
    publishable,
)
from fairlabel.services.ports.voice import HasVoice, TestimonyRecord


class PublishedTx(HasVoice, Protocol):
    """The transaction of ``published``."""


def published(tx: PublishedTx, requester_id: int) -> list[TestimonyRecord]:
    """Approved testimonies of the projects where enough distinct workers testified."""
    approved = tx.voice.approved_testimonies(requester_id)
    by_project: dict[int, dict[int, int]] = {}
    for t in approved:
        workers = by_project.setdefault(t.project_id, {})
        workers[t.worker_id] = workers.get(t.worker_id, 0) + 1
    return [t for t in approved if publishable(by_project[t.project_id])]

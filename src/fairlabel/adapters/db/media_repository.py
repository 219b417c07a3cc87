"""The media repository: a project's images, and whether a task someone may see shows one. It
works over one open transaction and never commits: the unit of work does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, insert, or_, select

from fairlabel.adapters.db.tables import appeals, assignments, decisions, media, tasks
from fairlabel.domain.assignment import AssignmentStatus
from fairlabel.domain.decisions import IN_FAVOUR, AppealStatus, DecisionStatus
from fairlabel.domain.media import IMAGE_FIELD, MediaItem
from fairlabel.services.ports.media import NewMedia


def _item(row: Any) -> MediaItem:
    return MediaItem(row.id, row.project_id, row.name, row.sha256, row.width, row.height,
                     row.content_type, row.bytes, row.created_at)


def _shows(ref: str) -> ColumnElement[bool]:
    """The task's data shows the media item (as its image)."""
    shown: ColumnElement[bool] = tasks.c.data[IMAGE_FIELD].as_string() == ref
    return shown


class MediaRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add_many(self, *, project_id: int, items: Sequence[NewMedia],
                 now: datetime) -> list[MediaItem]:
        if not items:
            return []
        rows = self._conn.execute(
            insert(media).returning(*media.c, sort_by_parameter_order=True),
            [{"project_id": project_id, "name": m.name, "sha256": m.sha256, "width": m.width,
              "height": m.height, "content_type": m.content_type, "bytes": m.bytes,
              "created_at": now} for m in items])
        return [_item(r) for r in rows]

    def get(self, media_id: int) -> MediaItem | None:
        row = self._conn.execute(select(media).where(media.c.id == media_id)).first()
        return _item(row) if row is not None else None

    def by_names(self, project_id: int, names: Iterable[str]) -> dict[str, MediaItem]:
        wanted = list(names)
        if not wanted:
            return {}
        return {r.name: _item(r) for r in self._conn.execute(
            select(media).where(media.c.project_id == project_id, media.c.name.in_(wanted)))}

    def existing(self, project_id: int, ids: Iterable[int]) -> set[int]:
        wanted = list(ids)
        if not wanted:
            return set()
        return set(self._conn.execute(select(media.c.id).where(
            media.c.project_id == project_id, media.c.id.in_(wanted))).scalars())

    def by_ids(self, project_id: int, ids: Iterable[int]) -> dict[int, MediaItem]:
        wanted = list(ids)
        if not wanted:
            return {}
        return {r.id: _item(r) for r in self._conn.execute(
            select(media).where(media.c.project_id == project_id, media.c.id.in_(wanted)))}

    def of_project(self, project_id: int, *, limit: int) -> list[MediaItem]:
        return [_item(r) for r in self._conn.execute(
            select(media).where(media.c.project_id == project_id)
            .order_by(media.c.id.desc()).limit(limit))]

    def count(self, project_id: int) -> int:
        found: int = self._conn.execute(select(func.count()).select_from(media).where(
            media.c.project_id == project_id)).scalar_one()
        return found

    def leased_with(self, *, worker_id: int, project_id: int, ref: str,
                    now: datetime) -> bool:
        return self._conn.execute(
            select(assignments.c.id)
            .join(tasks, tasks.c.id == assignments.c.task_id)
            .where(assignments.c.worker_id == worker_id,
                   assignments.c.project_id == project_id,
                   assignments.c.status == AssignmentStatus.LEASED.value,
                   assignments.c.lease_expires_at > now, _shows(ref))
            .limit(1)).first() is not None

    def contested_with(self, *, worker_id: int, project_id: int, ref: str) -> bool:
        """A decision against the worker's answer to a task showing ``ref`` is open to appeal
        (in force, against them, not appealed yet) or under an open appeal."""
        return self._conn.execute(
            select(decisions.c.id)
            .join(assignments, assignments.c.id == decisions.c.assignment_id)
            .join(tasks, tasks.c.id == assignments.c.task_id)
            .outerjoin(appeals, appeals.c.decision_id == decisions.c.id)
            .where(decisions.c.worker_id == worker_id,
                   assignments.c.worker_id == worker_id,
                   assignments.c.project_id == project_id,
                   decisions.c.status == DecisionStatus.FINAL.value,
                   decisions.c.kind.not_in([k.value for k in IN_FAVOUR]),
                   or_(appeals.c.id.is_(None), appeals.c.status == AppealStatus.OPEN.value),
                   _shows(ref))
            .limit(1)).first() is not None

    def appealed_with(self, *, project_id: int, ref: str) -> bool:
        return self._conn.execute(
            select(appeals.c.id)
            .join(decisions, decisions.c.id == appeals.c.decision_id)
            .join(assignments, assignments.c.id == decisions.c.assignment_id)
            .join(tasks, tasks.c.id == assignments.c.task_id)
            .where(appeals.c.status == AppealStatus.OPEN.value,
                   assignments.c.project_id == project_id, _shows(ref))
            .limit(1)).first() is not None

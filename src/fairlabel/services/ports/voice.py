"""The voice capability: ratings and testimonies, the public record, the inbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from fairlabel.domain.messages import Msg
from fairlabel.domain.voice import Scores, TestimonyStatus


@dataclass(frozen=True, slots=True)
class InboxMessage:
    id: int
    project_id: int | None
    subject: Msg  # said in the reader's language; str() is the English text that is kept
    body: Msg
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True, slots=True)
class RatingRecord:
    id: int
    project_id: int
    worker_id: int
    scores: Scores
    comment: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TestimonyRecord:
    id: int
    project_id: int
    requester_id: int
    worker_id: int
    text: str
    status: TestimonyStatus
    created_at: datetime
    moderation_reason: str | None
    reply: str | None
    replied_at: datetime | None


@dataclass(frozen=True, slots=True)
class RequesterEntry:
    id: int
    name: str
    projects: int  # launched projects


class Inbox(Protocol):
    def add(self, *, user_ids: list[int], project_id: int | None, subject: Msg, body: Msg,
            now: datetime) -> None: ...
    def latest(self, user_id: int, *, limit: int = 100) -> list[InboxMessage]: ...
    def unread_count(self, user_id: int) -> int: ...
    def mark_read(self, user_id: int, *, up_to_id: int, now: datetime) -> None: ...


class Voice(Protocol):
    def add_rating(self, *, project_id: int, requester_id: int, worker_id: int,
                   scores: Scores, comment: str | None, now: datetime) -> int: ...
    def has_rated(self, *, worker_id: int, project_id: int) -> bool: ...
    def ratings_of_requester(self, requester_id: int) -> list[RatingRecord]: ...
    def ratings_by(self, worker_id: int) -> list[RatingRecord]: ...
    def add_testimony(self, *, project_id: int, requester_id: int, worker_id: int, text: str,
                      now: datetime) -> int: ...
    def testimony(self, testimony_id: int, *, for_update: bool = False
                  ) -> TestimonyRecord | None: ...
    def pending_testimonies(self, *, limit: int) -> list[TestimonyRecord]: ...
    def moderate(self, testimony_id: int, *, status: TestimonyStatus, by: int, reason: str,
                 now: datetime) -> None: ...
    def approved_testimonies(self, requester_id: int) -> list[TestimonyRecord]: ...
    def testimonies_by(self, worker_id: int) -> list[TestimonyRecord]: ...
    def reply(self, testimony_id: int, *, text: str, now: datetime) -> None: ...


class Record(Protocol):
    """Read-side figures for the public record."""

    def requesters(self, *, after: int = 0,
                   limit: int | None = None) -> list[RequesterEntry]: ...
    def requester(self, requester_id: int) -> RequesterEntry | None: ...
    def reviews(self, project_ids: Sequence[int]) -> dict[str, int]: ...
    def kind_total(self, account: str, kind: str) -> int: ...


class HasInbox(Protocol):
    """A transaction that reaches ``inbox``."""

    @property
    def inbox(self) -> Inbox: ...


class HasVoice(Protocol):
    """A transaction that reaches ``voice``."""

    @property
    def voice(self) -> Voice: ...


class HasRecord(Protocol):
    """A transaction that reaches ``record``."""

    @property
    def record(self) -> Record: ...

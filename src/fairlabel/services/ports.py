"""What the use cases need from the outside world, as protocols.

The database adapter (``fairlabel.adapters.db``) implements them; use cases depend only on
these names. A transaction is opened with ``db.write()`` or ``db.read()`` and is rolled back
unless the use case calls ``commit()``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from fairlabel.domain.accounts import Role, User
from fairlabel.domain.assignment import Assignment
from fairlabel.domain.projects import Project, ProjectStatus, ProjectTerms


@dataclass(frozen=True, slots=True)
class ClaimedTask:
    id: int
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ExportRow:
    task_id: int
    data: dict[str, Any]
    answers: list[tuple[int, Any]]  # (worker id, answer), in submission order


@dataclass(frozen=True, slots=True)
class ProjectCounts:
    tasks: int
    answers_wanted: int
    answers: int


class Users(Protocol):
    def add(self, *, email: str, password_hash: str, role: Role, pseudonym: str,
            now: datetime) -> User: ...
    def get(self, user_id: int) -> User | None: ...
    def with_password_hash(self, email: str) -> tuple[User, str] | None: ...
    def set_password_hash(self, user_id: int, password_hash: str) -> None: ...
    def by_token_hash(self, token_hash: str) -> User | None: ...
    def add_token(self, *, user_id: int, token_hash: str, name: str, now: datetime) -> None: ...
    def pseudonyms(self, user_ids: Iterable[int]) -> dict[int, str]: ...


class Settings(Protocol):
    def get(self, key: str) -> str | None: ...
    def add(self, key: str, value: str) -> None: ...


class Projects(Protocol):
    def add(self, *, requester_id: int, terms: ProjectTerms, now: datetime) -> Project: ...
    def get(self, project_id: int, *, for_update: bool = False) -> Project | None: ...
    def list(self, *, requester_id: int | None = None,
             status: ProjectStatus | None = None) -> list[Project]: ...
    def set_status(self, project_id: int, status: ProjectStatus,
                   *, launched_at: datetime | None = None) -> None: ...
    def counts(self, project_ids: Sequence[int]) -> dict[int, ProjectCounts]: ...


class Tasks(Protocol):
    def add_many(self, *, project_id: int, datas: Sequence[dict[str, Any]], max_answers: int,
                 now: datetime) -> int: ...
    def claim_next(self, *, project_id: int, worker_id: int) -> ClaimedTask | None: ...
    def data(self, task_id: int) -> dict[str, Any]: ...
    def free_slots(self, task_counts: Counter[int]) -> None: ...
    def record_answer(self, task_id: int) -> None: ...
    def export_rows(self, project_id: int, *, batch: int = 2000) -> Iterator[ExportRow]: ...


class Assignments(Protocol):
    def add(self, *, task_id: int, project_id: int, worker_id: int, now: datetime,
            expires: datetime) -> int: ...
    def get(self, assignment_id: int, *, for_update: bool = False) -> Assignment | None: ...
    def active_lease(self, *, worker_id: int, project_id: int,
                     now: datetime) -> Assignment | None: ...
    def mark_submitted(self, assignment_id: int, *, answer: Any, idempotency_key: str | None,
                       now: datetime) -> None: ...
    def mark_released(self, assignment_id: int, *, now: datetime) -> None: ...
    def expire_due(self, *, now: datetime, project_id: int | None = None) -> Counter[int]: ...
    def count_submitted(self, *, worker_id: int, project_id: int) -> int: ...
    def recent_answers(self, project_id: int, *, limit: int) -> list[Any]: ...


class Transaction(Protocol):
    users: Users
    settings: Settings
    projects: Projects
    tasks: Tasks
    assignments: Assignments

    def commit(self) -> None: ...


class Database(Protocol):
    def write(self) -> AbstractContextManager[Transaction]: ...
    def read(self) -> AbstractContextManager[Transaction]: ...

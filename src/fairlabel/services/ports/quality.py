"""The quality capability: gold tasks and qualification attempts, the consensus of answers."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from fairlabel.domain.consensus_upkeep import Covered, Marks
from fairlabel.domain.quality import Attempt, GoldScore

if TYPE_CHECKING:  # numpy loads only where a consensus is computed
    import numpy as np
    from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class ConsensusUpdate:
    """The consensus of one task after an answer, written with the answer's count."""

    consensus: Any
    confidence: float
    settled_at: datetime | None  # set when the task has reached its confidence target


class TaskConsensus(NamedTuple):
    """A task's consensus and its confidence, as a refit computes and writes them."""

    task_id: int
    consensus: Any
    confidence: float


class StoredConsensus(NamedTuple):
    """A task's stored consensus and confidence (``None`` before any is computed), and
    whether adaptive redundancy settled it."""

    consensus: Any
    confidence: float | None
    settled: bool = False


@dataclass(frozen=True, slots=True)
class TaskAnswer:
    task_id: int
    worker_id: int
    answer: Any
    accuracy: float | None = None  # the worker's estimated accuracy, when known
    text: str | None = None  # the task's text, when the consensus method reads it


@dataclass(frozen=True, slots=True, eq=False)
class AnswerColumns:
    """A project's submitted answers as columns (in the order they were saved): each
    answer's task, worker and key (what consensus compares, as a code into ``keys``) — a
    categorical refit reads these instead of one object per answer."""

    task_ids: NDArray[np.int64]
    worker_ids: NDArray[np.int32]  # users' ids are 32-bit integers
    key_codes: NDArray[np.int32]
    keys: list[Hashable]  # the distinct keys answered, each once

    def __len__(self) -> int:
        return int(self.task_ids.size)


@dataclass(frozen=True, slots=True, eq=False)
class ConsensusColumns:
    """The consensus of many tasks as columns: each task's consensus as a code into
    ``values`` (a choice project's thousands of tasks share its few answers) and its
    confidence. What a refit computes, or what is stored (then tasks ascending)."""

    task_ids: NDArray[np.int64]
    codes: NDArray[np.int32]
    values: list[Any]
    confidences: NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.task_ids.size)

    def rows(self, index: NDArray[np.intp]) -> list[TaskConsensus]:
        """The tasks at these positions, as rows to write."""
        return [TaskConsensus(task, self.values[code], confidence)
                for task, code, confidence in zip(self.task_ids[index].tolist(),
                                                  self.codes[index].tolist(),
                                                  self.confidences[index].tolist(),
                                                  strict=True)]


@dataclass(frozen=True, slots=True)
class MissedGold:
    task_id: int
    data: dict[str, Any]
    answer: Any
    expected: Any
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class WorkerSkill:
    worker_id: int
    accuracy: float
    agreed: int
    answers: int


@dataclass(frozen=True, slots=True)
class ConsensusSummary:
    tasks: int  # ordinary tasks
    with_consensus: int
    settled: int  # stopped early by adaptive redundancy
    answers: int  # answers collected on ordinary tasks
    answers_saved: int  # redundancy slots never served because tasks settled early
    mean_confidence: float | None


class Gold(Protocol):
    """Gold tasks and qualification attempts."""

    def count(self, project_id: int) -> int: ...
    def unseen(self, *, project_id: int, worker_id: int, limit: int) -> list[int]: ...
    def expected(self, task_id: int) -> Any: ...
    def score(self, *, worker_id: int, project_id: int) -> GoldScore: ...
    def scores(self, project_id: int) -> dict[int, GoldScore]: ...
    def missed(self, *, worker_id: int, project_id: int) -> list[MissedGold]: ...
    def attempts(self, *, project_id: int, worker_id: int) -> list[Attempt]: ...
    def start_attempt(self, *, project_id: int, worker_id: int, now: datetime) -> int: ...
    def count_attempt_answer(self, attempt_id: int, *, correct: bool) -> Attempt: ...
    def finish_attempt(self, attempt_id: int, *, passed: bool, now: datetime) -> None: ...
    def revoke_pass(self, *, project_id: int, worker_id: int, now: datetime) -> bool: ...
    def restore_pass(self, *, project_id: int, worker_id: int,
                     revoked_at: datetime) -> None: ...


class Consensus(Protocol):
    """Per-task consensus, per-worker skill, and what the periodic refit reads and writes."""

    def task_answers(self, task_id: int) -> list[TaskAnswer]: ...
    def project_answers(self, project_id: int) -> list[TaskAnswer]: ...
    def answer_columns(self, project_id: int,
                       key: Callable[[Any], Hashable]) -> AnswerColumns: ...
    def task_texts(self, project_id: int) -> dict[int, str]: ...
    def save(self, rows: Sequence[TaskConsensus]) -> None: ...
    def settle(self, task_ids: Sequence[int], *, now: datetime) -> None: ...
    def unsettle(self, task_ids: Sequence[int]) -> None: ...
    def settled_task_ids(self, project_id: int) -> NDArray[np.int64]: ...
    def save_skills(self, project_id: int, skills: Sequence[WorkerSkill],
                    *, now: datetime) -> None: ...
    def skills(self, project_id: int) -> list[WorkerSkill]: ...
    def answer_count(self, project_id: int) -> int: ...
    def stale_projects(self, project_id: int | None = None, *,
                       covered_before: datetime | None = None) -> list[int]: ...
    def stored_consensus(self, project_id: int) -> ConsensusColumns: ...
    def summary(self, project_id: int) -> ConsensusSummary: ...
    def of_tasks(self, task_ids: Sequence[int]) -> dict[int, StoredConsensus]: ...


class ConsensusUpkeep(Protocol):
    """What decides between a refit and an update of a project's consensus, and what an
    update reads (``domain/consensus_upkeep.py``)."""

    def covered(self, project_id: int) -> Covered: ...
    def marks(self, project_id: int, *, since: datetime | None,
              cutoff: datetime) -> Marks: ...
    def answers_since(self, project_id: int, since: datetime) -> list[TaskAnswer]: ...
    def mark_covered(self, project_id: int, *, until: datetime | None, answers: int,
                     fitted: int | None, seen: Covered) -> bool: ...


class HasGold(Protocol):
    """A transaction that reaches ``gold``."""

    @property
    def gold(self) -> Gold: ...


class HasConsensus(Protocol):
    """A transaction that reaches ``consensus``."""

    @property
    def consensus(self) -> Consensus: ...


class HasConsensusUpkeep(Protocol):
    """A transaction that reaches ``upkeep``."""

    @property
    def upkeep(self) -> ConsensusUpkeep: ...

"""The decisions capability: decisions about workers, their appeals, blocks, and the
continuation cases moderators decide."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from fairlabel.domain.continuation import CaseScores, CaseStatus, ContinuationCase
from fairlabel.domain.decisions import (
    Appeal,
    AppealStatus,
    Decision,
    DecisionKind,
    DecisionStatus,
)
from fairlabel.domain.messages import Msg


class Decisions(Protocol):
    def add(self, *, worker_id: int, kind: DecisionKind, outcome: str, explanation: Msg,
            inputs: dict[str, Any], rule: str | None, decided_by: int | None,
            project_id: int | None, assignment_id: int | None, status: DecisionStatus,
            follows_id: int | None, now: datetime) -> Decision: ...
    def get(self, decision_id: int) -> Decision | None: ...
    def for_worker(self, worker_id: int) -> list[Decision]: ...
    def open_proposals(self, *, limit: int) -> list[Decision]: ...
    def follow_up(self, proposal_id: int) -> Decision | None: ...
    def latest_proposal(self, *, worker_id: int, project_id: int,
                        rule: str) -> datetime | None: ...


class Appeals(Protocol):
    def add(self, *, decision_id: int, worker_id: int, message: str, now: datetime,
            deadline: datetime) -> Appeal: ...
    def get(self, appeal_id: int, *, for_update: bool = False) -> Appeal | None: ...
    def of_decisions(self, decision_ids: Sequence[int]) -> dict[int, Appeal]: ...
    def open(self, *, limit: int) -> list[Appeal]: ...
    def overdue(self, *, now: datetime, limit: int) -> list[Appeal]: ...
    def resolve(self, appeal_id: int, *, status: AppealStatus, resolved_by: int | None,
                reason: str, now: datetime) -> None: ...
    def for_worker(self, worker_id: int) -> list[Appeal]: ...
    def outcomes(self, project_ids: Sequence[int]) -> dict[str, int]: ...


class Blocks(Protocol):
    def add(self, *, project_id: int, worker_id: int, decision_id: int,
            now: datetime) -> None: ...
    def remove(self, *, project_id: int, worker_id: int) -> None: ...
    def blocking(self, *, worker_id: int, project_id: int) -> int | None: ...


class ContinuationCases(Protocol):
    def add(self, *, project_id: int, earlier_id: int, requester_id: int,
            earlier_requester_id: int, price_minor: int, earlier_price_minor: int,
            currency: str, earlier_median_ms: int | None, scores: CaseScores,
            now: datetime) -> ContinuationCase: ...
    def get(self, case_id: int, *, for_update: bool = False) -> ContinuationCase | None: ...
    def open(self, *, limit: int) -> list[ContinuationCase]: ...
    def decide(self, case_id: int, *, status: CaseStatus, decided_by: int, reason: str,
               now: datetime) -> None: ...
    def set_back_pay(self, case_id: int, *, paid_minor: int, owed_minor: int) -> None: ...
    def owing(self, project_id: int) -> list[ContinuationCase]: ...


class HasDecisions(Protocol):
    """A transaction that reaches ``decisions``."""

    @property
    def decisions(self) -> Decisions: ...


class HasAppeals(Protocol):
    """A transaction that reaches ``appeals``."""

    @property
    def appeals(self) -> Appeals: ...


class HasBlocks(Protocol):
    """A transaction that reaches ``blocks``."""

    @property
    def blocks(self) -> Blocks: ...


class HasContinuationCases(Protocol):
    """A transaction that reaches ``continuation_cases``."""

    @property
    def continuation_cases(self) -> ContinuationCases: ...

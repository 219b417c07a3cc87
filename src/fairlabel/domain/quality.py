"""Quality rules: gold (control) tasks, qualification tests, consensus and adaptive redundancy.

All rules are pure; randomness comes in as a ``random.Random`` and time as a parameter.

- Gold tasks carry a known answer. A share of what a project serves (``gold_rate``) is drawn
  from them, looking exactly like other tasks. A worker's gold accuracy is the mean of a Beta
  posterior: a prior worth ``GOLD_PRIOR`` answers (3 right, 1 wrong — a new worker is assumed
  fairly good, and a single miss does not sink them) updated by their gold answers.
- A qualification test is a short run of gold tasks served before real work, paid like any
  task. Passing needs a share of right answers at least the pass mark; after a failure the
  worker may try again once ``retry_after_hours`` have passed, on gold items they have not
  seen.
- Adaptive redundancy: a task stops being served once the posterior of its consensus reaches
  the project's confidence target after at least ``min_answers`` answers; otherwise it goes on
  up to the project's redundancy.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.label_schema import (
    FreeText,
    LabelSchema,
    MultiChoice,
    Pairwise,
    Rating,
    SingleChoice,
)

GOLD_PRIOR = (3.0, 1.0)
"""Beta prior of a worker's gold accuracy: pseudo-counts of right and wrong answers."""

MAX_GOLD_RATE = 0.5
MAX_QUALIFICATION_SIZE = 50
MAX_RETRY_HOURS = 24 * 90
CONSENSUS_METHODS = ("mv", "wmv", "ds", "ods", "glad", "mace")
DEFAULT_METHOD = "ds"


class QualificationState(StrEnum):
    NOT_REQUIRED = "not_required"
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    PASSED = "passed"
    FAILED = "failed"  # may retry at ``retry_at``


@dataclass(frozen=True, slots=True)
class Qualification:
    """A test of ``size`` gold items; passing needs a share of ``pass_mark`` right."""

    size: int
    pass_mark: float
    retry_after_hours: int = 24

    def __post_init__(self) -> None:
        if not 1 <= self.size <= MAX_QUALIFICATION_SIZE:
            raise InvalidInput(
                f"a qualification test has between 1 and {MAX_QUALIFICATION_SIZE} items")
        if not 0 < self.pass_mark <= 1:
            raise InvalidInput("the pass mark is a share of right answers, above 0 and at most 1")
        if not 0 <= self.retry_after_hours <= MAX_RETRY_HOURS:
            raise InvalidInput(f"the retry delay is between 0 and {MAX_RETRY_HOURS} hours")

    def passed(self, correct: int, answered: int) -> bool:
        return answered >= self.size and correct >= self.pass_mark * self.size - 1e-9


@dataclass(frozen=True, slots=True)
class QualityTerms:
    """What a requester states about quality control when creating a project."""

    gold_rate: float = 0.0  # share of served tasks drawn from the gold tasks
    gold_min_accuracy: float | None = None  # the stated threshold (evidence of bad faith)
    gold_min_items: int = 5  # gold answers needed before the threshold applies
    qualification: Qualification | None = None
    consensus_method: str = DEFAULT_METHOD
    confidence_target: float | None = None  # adaptive redundancy when set
    min_answers: int = 2

    def __post_init__(self) -> None:
        if not 0 <= self.gold_rate <= MAX_GOLD_RATE:
            raise InvalidInput(f"the gold rate is a share between 0 and {MAX_GOLD_RATE}")
        if self.gold_min_accuracy is not None and not 0 < self.gold_min_accuracy <= 1:
            raise InvalidInput("the gold accuracy threshold is a share above 0 and at most 1")
        if not 1 <= self.gold_min_items <= 1000:
            raise InvalidInput("the minimum number of gold items is between 1 and 1000")
        if self.consensus_method not in CONSENSUS_METHODS:
            raise InvalidInput(f"unknown consensus method {self.consensus_method!r}; choose "
                               f"one of {', '.join(CONSENSUS_METHODS)}")
        if self.confidence_target is not None and not 0.5 <= self.confidence_target < 1:
            raise InvalidInput("the confidence target is a probability from 0.5 up to (not "
                               "including) 1")
        if self.min_answers < 1:
            raise InvalidInput("the minimum number of answers is at least 1")

    def check_against(self, redundancy: int) -> None:
        if self.confidence_target is not None and self.min_answers > redundancy:
            raise InvalidInput(f"the minimum number of answers ({self.min_answers}) cannot "
                               f"exceed the redundancy ({redundancy})")


@dataclass(frozen=True, slots=True)
class GoldScore:
    """A worker's gold answers on a project: how many, how many right."""

    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        """Posterior mean of the accuracy under the ``GOLD_PRIOR`` Beta prior."""
        right, wrong = GOLD_PRIOR
        return (self.correct + right) / (self.total + right + wrong)

    @property
    def raw_accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class Attempt:
    """One qualification attempt of a worker."""

    id: int
    started_at: datetime
    answered: int
    correct: int
    finished_at: datetime | None
    passed: bool | None
    revoked_at: datetime | None = None  # a moderator revoked this pass

    @property
    def valid_pass(self) -> bool:
        return bool(self.passed) and self.revoked_at is None


@dataclass(frozen=True, slots=True)
class QualificationStatus:
    state: QualificationState
    attempt: Attempt | None = None  # the latest attempt
    retry_at: datetime | None = None

    def may_work(self) -> bool:
        return self.state in (QualificationState.NOT_REQUIRED, QualificationState.PASSED)


def qualification_status(rule: Qualification | None, attempts: Sequence[Attempt],
                         *, now: datetime) -> QualificationStatus:
    """Where a worker stands with a project's qualification test (attempts oldest first)."""
    if rule is None:
        return QualificationStatus(QualificationState.NOT_REQUIRED)
    if not attempts:
        return QualificationStatus(QualificationState.NOT_STARTED)
    last = attempts[-1]
    if any(a.valid_pass for a in attempts):
        return QualificationStatus(QualificationState.PASSED, last)
    if last.finished_at is None:
        return QualificationStatus(QualificationState.IN_PROGRESS, last)
    # After a failure, or after a moderator revoked a pass, the wait runs from then.
    retry_at = (last.revoked_at or last.finished_at) + timedelta(hours=rule.retry_after_hours)
    if now >= retry_at:
        return QualificationStatus(QualificationState.NOT_STARTED, last, retry_at)
    return QualificationStatus(QualificationState.FAILED, last, retry_at)


def serve_gold(rng: random.Random, gold_rate: float) -> bool:
    """Whether this request draws a gold task (before falling back to ordinary work)."""
    return gold_rate > 0 and rng.random() < gold_rate


def answer_key(schema: LabelSchema, answer: Any) -> Any:
    """The part of an answer that gold and consensus compare (hashable).

    Pairwise answers compare by the preferred response only (the rationale is free text);
    multiple choices by the set chosen; free text after trimming and case folding.
    """
    if isinstance(schema, Pairwise):
        return answer["choice"]
    if isinstance(schema, MultiChoice):
        return json.dumps(list(answer))
    if isinstance(schema, FreeText):
        return " ".join(str(answer).split()).casefold()
    return answer


def answer_from_text(schema: LabelSchema, text: str) -> Any:
    """An answer written as text (a CSV cell): a rating as a number, a pairwise answer as
    ``a`` or ``b``, several choices separated by ``|``, JSON where the text is JSON."""
    text = text.strip()
    if isinstance(schema, Rating):
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(schema, Pairwise) and text in ("a", "b"):
        return {"choice": text}
    if isinstance(schema, MultiChoice) and not text.startswith("["):
        return [part.strip() for part in text.split("|") if part.strip()]
    if text.startswith(("{", "[")):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def is_correct(schema: LabelSchema, answer: Any, expected: Any) -> bool:
    return bool(answer_key(schema, answer) == answer_key(schema, expected))


def classes(schema: LabelSchema) -> list[Any] | None:
    """Every possible answer key, when the schema fixes them (None for free text and
    multiple choice, whose classes are the answers seen)."""
    if isinstance(schema, SingleChoice):
        return list(schema.choices)
    if isinstance(schema, Rating):
        return list(range(schema.min, schema.max + 1))
    if isinstance(schema, Pairwise):
        return ["a", "b"]
    return None


def key_to_answer(schema: LabelSchema, key: Any) -> Any:
    """The stored form of a consensus key (inverse of ``answer_key`` where it matters)."""
    if isinstance(schema, Pairwise):
        return {"choice": key}
    if isinstance(schema, MultiChoice):
        return json.loads(key)
    return key


def smoothed_agreement(agree: int, total: int) -> float:
    """A worker's accuracy estimated from agreement with the consensus, with the same prior
    as gold accuracy (so one answer never makes a worker perfect or useless)."""
    return GoldScore(agree, total).accuracy

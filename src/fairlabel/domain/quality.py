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

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.label_schema import LabelSchema

GOLD_PRIOR = (3.0, 1.0)
"""Beta prior of a worker's gold accuracy: pseudo-counts of right and wrong answers."""

MAX_GOLD_RATE = 0.5
MAX_QUALIFICATION_SIZE = 50
MAX_RETRY_HOURS = 24 * 90
CONSENSUS_METHODS = ("mv", "wmv", "ds", "ods", "glad", "mace")
"""The categorical methods: choice, rating, free-text and pairwise answers."""
DEFAULT_METHOD = "ds"
STRUCTURED_METHODS: dict[str, tuple[str, ...]] = {
    "bounding_boxes": ("iou",),  # boxes matched by label and IoU, median coordinates
    "spans": ("span", "token"),  # majority per span, or per token (BIO)
    "ranking": ("borda", "pl"),  # Borda count, or Plackett-Luce
}
"""The methods of each structured task type, its default first."""
ALL_METHODS = CONSENSUS_METHODS + tuple(m for ms in STRUCTURED_METHODS.values() for m in ms)


def consensus_methods(schema: LabelSchema) -> tuple[str, ...]:
    """The consensus methods that apply to a schema's answers."""
    return STRUCTURED_METHODS.get(schema.type, CONSENSUS_METHODS)


def default_method(schema: LabelSchema) -> str:
    """The consensus method of a project that names none."""
    structured = STRUCTURED_METHODS.get(schema.type)
    return structured[0] if structured else DEFAULT_METHOD


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
            raise InvalidInput("a qualification test has between 1 and {limit} items",
                               limit=MAX_QUALIFICATION_SIZE)
        if not 0 < self.pass_mark <= 1:
            raise InvalidInput("the pass mark is a share of right answers, above 0 and at most 1")
        if not 0 <= self.retry_after_hours <= MAX_RETRY_HOURS:
            raise InvalidInput("the retry delay is between 0 and {limit} hours",
                               limit=MAX_RETRY_HOURS)

    def passed(self, correct: int, answered: int) -> bool:
        return answered >= self.size and correct >= self.pass_mark * self.size - 1e-9


@dataclass(frozen=True, slots=True)
class QualityTerms:
    """What a requester states about quality control when creating a project."""

    gold_rate: float = 0.0  # share of served tasks drawn from the gold tasks
    gold_min_accuracy: float | None = None  # the stated threshold (evidence of bad faith)
    gold_min_items: int = 5  # gold answers needed before the threshold applies
    qualification: Qualification | None = None
    consensus_method: str = ""  # "": the task type's default, which ProjectTerms sets
    confidence_target: float | None = None  # adaptive redundancy when set
    min_answers: int = 2

    def __post_init__(self) -> None:
        if not 0 <= self.gold_rate <= MAX_GOLD_RATE:
            raise InvalidInput("the gold rate is between 0 % and {limit} % of the tasks",
                               limit=round(MAX_GOLD_RATE * 100))
        if self.gold_min_accuracy is not None and not 0 < self.gold_min_accuracy <= 1:
            raise InvalidInput("the gold accuracy threshold is a share above 0 and at most 1")
        if not 1 <= self.gold_min_items <= 1000:
            raise InvalidInput("the minimum number of gold items is between 1 and 1000")
        if self.consensus_method and self.consensus_method not in ALL_METHODS:
            raise InvalidInput("unknown consensus method “{method}”; choose one of {methods}",
                               method=self.consensus_method, methods=", ".join(ALL_METHODS))
        if self.confidence_target is not None and not 0.5 <= self.confidence_target < 1:
            raise InvalidInput("the confidence target is a probability from 0.5 up to (not "
                               "including) 1")
        if self.min_answers < 1:
            raise InvalidInput("the minimum number of answers is at least 1")

    def check_against(self, redundancy: int) -> None:
        if self.confidence_target is not None and self.min_answers > redundancy:
            raise InvalidInput("the minimum number of answers ({min_answers}) cannot exceed "
                               "the redundancy ({redundancy})", min_answers=self.min_answers,
                               redundancy=redundancy)

    def check_schema(self, schema: LabelSchema) -> None:
        """The consensus method suits the task type; adaptive redundancy only where a
        posterior over categorical answers exists."""
        allowed = consensus_methods(schema)
        if self.consensus_method and self.consensus_method not in allowed:
            if schema.structured:
                raise InvalidInput(
                    "{kind} answers take the consensus method {allowed}, not “{method}”: the "
                    "categorical methods (mv, wmv, ds, ods, glad, mace) are for choice, rating, "
                    "free-text and pairwise projects. Leave the method out to use “{default}”",
                    kind=schema.type, allowed=" / ".join(allowed), method=self.consensus_method,
                    default=default_method(schema))
            raise InvalidInput(
                "the consensus method “{method}” is for boxes, spans or rankings; {kind} "
                "projects take one of {allowed}", method=self.consensus_method,
                kind=schema.type, allowed=", ".join(allowed))
        if schema.structured and self.confidence_target is not None:
            raise InvalidInput(
                "adaptive redundancy (a confidence target) does not apply to {kind} projects: "
                "every task gets the answers of its full redundancy. Leave the confidence "
                "target out", kind=schema.type)


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
    multiple choices by the set chosen; free text after trimming and case folding; boxes,
    spans and rankings by their canonical JSON (a ranking by its order only).
    """
    return schema.answer_key(answer)


def answer_from_text(schema: LabelSchema, text: str) -> Any:
    """An answer written as text (a CSV cell): a rating as a number, a pairwise answer as
    ``a`` or ``b``, several choices separated by ``|``, JSON where the text is JSON (boxes,
    spans and rankings always)."""
    return schema.answer_from_text(text)


def is_correct(schema: LabelSchema, answer: Any, expected: Any) -> bool:
    """Whether an answer meets the gold answer: the same key for categorical types; boxes by
    IoU, spans by F1 and rankings by Kendall's tau against the schema's threshold."""
    return schema.grade(answer, expected)


def classes(schema: LabelSchema) -> list[Any] | None:
    """Every possible answer key, when the schema fixes them (None for free text, multiple
    choice — whose classes are the answers seen — and the structured types)."""
    return schema.classes()


def key_to_answer(schema: LabelSchema, key: Any) -> Any:
    """The stored form of a consensus key (inverse of ``answer_key`` where it matters)."""
    return schema.key_to_answer(key)


def smoothed_agreement(agree: float, total: int) -> float:
    """A worker's accuracy estimated from agreement with the consensus, with the same prior
    as gold accuracy (so one answer never makes a worker perfect or useless). ``agree`` may
    be fractional: the summed agreement (IoU, F1, tau) of structured answers."""
    right, wrong = GOLD_PRIOR
    return (agree + right) / (total + right + wrong)

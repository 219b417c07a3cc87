"""Consensus over structured answers (boxes, spans, rankings): the shared result and input rules.

A structured answer is a whole value — a list of boxes, a list of spans, an ordering — not one
label out of a few, so the categorical estimators do not apply. Each structured method is a
dataclass of hyperparameters with the same interface as the others::

    model = BoxConsensus(iou_threshold=0.5).fit(tasks, workers, answers)
    model.result_.consensus          # {task: consensus answer, in the canonical form}
    model.result_.agreement          # {task: agreement in [0, 1]}
    model.result_.worker_agreement   # {worker: mean agreement of their answers with it}

Input is long format: three parallel sequences of task ids, worker ids (strings or ints) and
answers in the canonical form the task type stores. As for the categorical methods, only the
last answer of a repeated ``(worker, task)`` pair counts (``n_repeats_dropped_`` counts the
others), and nothing depends on row order: tasks are taken in sorted order, the answers of a
task in sorted worker order.

``worker_agreement`` averages, over every answer of a worker, how well that answer agrees
with its task's consensus (each method says how; a task answered once agrees with itself).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any, Generic, Self, TypeVar

from fairlabel.aggregation._encoding import Key

AnswerT = TypeVar("AnswerT")
ParsedT = TypeVar("ParsedT")


@dataclass(frozen=True, eq=False)
class StructuredResult(Generic[AnswerT]):
    """The consensus of every task, with agreement per task and per worker.

    Attributes:
        consensus: ``{task: consensus answer}`` in the task type's canonical form.
        agreement: ``{task: agreement}`` in ``[0, 1]`` (1 = every answer equals the consensus).
        worker_agreement: ``{worker: mean agreement of their answers with the consensus}``,
            in ``[0, 1]``, for every worker who answered.
    """

    consensus: dict[Key, AnswerT]
    agreement: dict[Key, float]
    worker_agreement: dict[Key, float]


@dataclass(frozen=True, eq=False)
class TaskAnswers(Generic[ParsedT]):
    """The answers of one task: one per worker, in sorted worker order."""

    task: Key
    workers: tuple[Key, ...]
    answers: tuple[ParsedT, ...]


@dataclass(frozen=True, eq=False)
class TaskFit(Generic[AnswerT]):
    """What a method decides for one task: the consensus, its agreement, and how well each
    answer (aligned with ``TaskAnswers.workers``) agrees with it, each in ``[0, 1]``."""

    consensus: AnswerT
    agreement: float
    answer_scores: tuple[float, ...]


def sort_key(key: Hashable) -> tuple[int, Any]:
    """Sort ints before strings, each in natural order (a mixed column must still sort)."""
    if isinstance(key, Integral) and not isinstance(key, bool):
        return (0, int(key))
    return (1, str(key))


def group_by_task(
    tasks: Sequence[Key], workers: Sequence[Key], answers: Sequence[Any]
) -> tuple[list[TaskAnswers[Any]], int]:
    """Group long-format answers by task, keeping the last answer of each ``(worker, task)``.

    Returns:
        The tasks in sorted order, each with its answers in sorted worker order, and the
        number of earlier answers dropped for a repeated pair.

    Raises:
        ValueError: On unequal lengths, no answers, or a missing task or worker id.
    """
    lengths = {len(tasks), len(workers), len(answers)}
    if len(lengths) != 1:
        raise ValueError(f"tasks, workers and answers differ in length: {sorted(lengths)}")
    if lengths == {0}:
        raise ValueError("no answers: tasks, workers and answers are empty")
    last: dict[tuple[Key, Key], Any] = {}
    for task, worker, answer in zip(tasks, workers, answers, strict=True):
        if task is None or worker is None:
            raise ValueError("tasks and workers must not contain missing values (None)")
        last[(task, worker)] = answer
    per_task: defaultdict[Key, list[tuple[Key, Any]]] = defaultdict(list)
    for (task, worker), answer in last.items():
        per_task[task].append((worker, answer))
    groups = []
    for task in sorted(per_task, key=sort_key):
        pairs = sorted(per_task[task], key=lambda pair: sort_key(pair[0]))
        groups.append(TaskAnswers(task, tuple(w for w, _ in pairs), tuple(a for _, a in pairs)))
    return groups, len(tasks) - len(last)


def mean_per_worker(
    groups: Sequence[TaskAnswers[Any]], fits: Sequence[TaskFit[Any]]
) -> dict[Key, float]:
    """``{worker: mean of their answers' scores}``, workers in sorted order."""
    totals: defaultdict[Key, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for group, fit in zip(groups, fits, strict=True):
        for worker, score in zip(group.workers, fit.answer_scores, strict=True):
            totals[worker][0] += score
            totals[worker][1] += 1.0
    return {w: totals[w][0] / totals[w][1] for w in sorted(totals, key=sort_key)}


class StructuredConsensus(ABC, Generic[AnswerT, ParsedT]):
    """Base class of the structured consensus methods.

    Subclasses parse each answer (raising ``ValueError`` that names the task and worker on a
    malformed one) and decide every task; this class groups the input, applies the
    repeated-pair rule and averages the agreement per worker.
    """

    result_: StructuredResult[AnswerT]
    n_repeats_dropped_: int

    def fit(self, tasks: Sequence[Key], workers: Sequence[Key], answers: Sequence[Any]) -> Self:
        """Fit on parallel sequences of task ids, worker ids and canonical answers.

        Raises:
            ValueError: On unequal lengths, no answers or a malformed answer.
        """
        raw, self.n_repeats_dropped_ = group_by_task(tasks, workers, answers)
        groups = [TaskAnswers(g.task, g.workers, self._parse_all(g)) for g in raw]
        fits = self._fit_tasks(groups)
        self.result_ = StructuredResult(
            {g.task: f.consensus for g, f in zip(groups, fits, strict=True)},
            {g.task: f.agreement for g, f in zip(groups, fits, strict=True)},
            mean_per_worker(groups, fits),
        )
        return self

    def fit_predict(
        self, tasks: Sequence[Key], workers: Sequence[Key], answers: Sequence[Any]
    ) -> dict[Key, AnswerT]:
        """Fit and return ``{task: consensus answer}``; arguments as in ``fit``."""
        return self.fit(tasks, workers, answers).result_.consensus

    def _parse_all(self, group: TaskAnswers[Any]) -> tuple[ParsedT, ...]:
        parsed = []
        for worker, answer in zip(group.workers, group.answers, strict=True):
            try:
                parsed.append(self._parse(answer))
            except (TypeError, ValueError, KeyError) as error:
                raise ValueError(f"task {group.task!r}, worker {worker!r}: {error}") from None
        return tuple(parsed)

    @abstractmethod
    def _parse(self, answer: Any) -> ParsedT:
        """Check one canonical answer and turn it into the method's working form."""

    @abstractmethod
    def _fit_tasks(self, groups: list[TaskAnswers[ParsedT]]) -> list[TaskFit[AnswerT]]:
        """Decide every task (groups in sorted task order)."""

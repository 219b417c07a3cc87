"""Shared estimator interface, result type and the tie rule.

Tie rule (all methods): when several classes share the best score for a task, the
class with the larger class prior wins (the share of all answers for majority votes,
the estimated prior for EM methods); if the priors are equal too, a uniform random
choice drawn from ``numpy.random.default_rng(seed)`` decides. Ties are never broken
by row order, so shuffling the input rows does not change any result.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from fairlabel.aggregation._encoding import Answers, Codes, Column, FloatArray, Key

TIE_RTOL = 1e-9
"""Scores within this relative distance of a task's best score count as tied."""


@dataclass(frozen=True, eq=False)
class Result:
    """Aggregated labels and class probabilities, one row per task.

    Attributes:
        tasks: Task ids (sorted vocabulary), shape ``(n_tasks,)``.
        classes: Class labels (sorted vocabulary), shape ``(n_classes,)``.
        label_codes: Index into ``classes`` of the chosen label of each task.
        probas: Class probabilities, shape ``(n_tasks, n_classes)``; rows sum to 1.
    """

    tasks: NDArray[Any]
    classes: NDArray[Any]
    label_codes: Codes
    probas: FloatArray

    @property
    def labels(self) -> NDArray[Any]:
        """The chosen label of each task, aligned with ``tasks``."""
        return self.classes[self.label_codes]

    @property
    def confidences(self) -> FloatArray:
        """The probability of the chosen label of each task."""
        return self.probas[np.arange(self.tasks.size), self.label_codes]

    def to_dict(self) -> dict[Key, Key]:
        """Return ``{task: label}`` with plain Python values."""
        return dict(zip(self.tasks.tolist(), self.labels.tolist(), strict=True))


def decide(scores: FloatArray, priors: FloatArray, rng: np.random.Generator) -> Codes:
    """Pick the best class of each row of non-negative ``scores``, applying the tie rule.

    Args:
        scores: Non-negative scores (votes or probabilities), ``(n_tasks, n_classes)``.
        priors: Class priors; among tied classes the larger prior wins.
        rng: Draws the choice among classes tied on both score and prior.

    Returns:
        The chosen class code of each row.
    """
    codes: Codes = np.argmax(scores, axis=1).astype(np.int32)
    best = scores[np.arange(scores.shape[0]), codes]
    tied = scores >= (best * (1.0 - TIE_RTOL))[:, None]
    rows = np.flatnonzero(tied.sum(axis=1) > 1)
    if rows.size:
        prior_rank = np.unique(priors, return_inverse=True)[1].reshape(-1).astype(np.float64)
        key = np.where(tied[rows], prior_rank + rng.random((rows.size, scores.shape[1])), -1.0)
        codes[rows] = np.argmax(key, axis=1)
    return codes


def normalize_rows(scores: FloatArray, *, overwrite: bool = False) -> FloatArray:
    """Divide each row by its sum (rows summing to zero become uniform); with
    ``overwrite``, in ``scores`` itself (the same values, one array less)."""
    totals = scores.sum(axis=1, keepdims=True)
    if overwrite:
        some = totals > 0
        np.divide(scores, totals, out=scores, where=some)
        scores[~some[:, 0]] = 1.0 / scores.shape[1]
        return scores
    uniform = np.full_like(scores, 1.0 / scores.shape[1])
    shares: FloatArray = np.divide(scores, totals, out=uniform, where=totals > 0)
    return shares


def row_max(values: FloatArray) -> FloatArray:
    """Maximum of each row of a ``(n, k)`` array.

    One vectorised pass per column: numpy's ``max(axis=1)`` over a handful of
    classes spends most of its time on per-row overhead (4-5x slower for k = 2).
    """
    top: FloatArray = values[:, 0].copy()
    for column in range(1, values.shape[1]):
        np.maximum(top, values[:, column], out=top)
    return top


def row_sum(values: FloatArray) -> FloatArray:
    """Sum of each row of a ``(n, k)`` array, one vectorised pass per column."""
    total: FloatArray = values[:, 0].copy()
    for column in range(1, values.shape[1]):
        total += values[:, column]
    return total


def softmax_and_log_norm(
    log_scores: FloatArray, *, overwrite: bool = False
) -> tuple[FloatArray, FloatArray]:
    """Row-wise softmax of log scores and ``log(sum(exp(.)))`` of each row, computed
    stably with one ``exp`` of the array, in place in one new array (with ``overwrite``,
    in ``log_scores`` itself: the same values, without an array of its size more)."""
    top = row_max(log_scores)
    probas: FloatArray = np.subtract(log_scores, top[:, None],
                                     out=log_scores if overwrite else None)
    np.exp(probas, out=probas)
    total = row_sum(probas)
    probas /= total[:, None]
    log_norm: FloatArray = np.log(total, out=total)
    log_norm += top  # top + log(total), in place
    return probas, log_norm


def log_sum_exp_rows(log_scores: FloatArray) -> FloatArray:
    """Row-wise ``log(sum(exp(.)))``, computed stably (faster than scipy's)."""
    top = row_max(log_scores)
    total: FloatArray = top + np.log(row_sum(np.exp(log_scores - top[:, None])))
    return total


def softmax_rows(log_scores: FloatArray) -> FloatArray:
    """Row-wise softmax of log scores, computed stably."""
    return softmax_and_log_norm(log_scores)[0]


class Aggregator(ABC):
    """Base class of truth-inference estimators over long-format answers.

    Subclasses are dataclasses holding hyperparameters; ``fit`` sets the fitted
    attributes, which end with an underscore. ``result_`` holds the per-task labels
    and probabilities; ``workers_`` the worker vocabulary that per-worker arrays such
    as ``skills_`` or ``confusions_`` are aligned with; ``n_repeats_dropped_`` the
    number of earlier answers replaced by a later answer of the same worker to the
    same task (only the last answer of a ``(worker, task)`` pair counts).
    """

    seed: int
    result_: Result
    workers_: NDArray[Any]
    n_repeats_dropped_: int

    def fit(
        self, tasks: Column, workers: Column, labels: Column, *, classes: Column | None = None
    ) -> Self:
        """Fit on parallel columns of task ids, worker ids and labels.

        Args:
            tasks: Task id of each answer (strings or ints).
            workers: Worker id of each answer.
            labels: Label of each answer.
            classes: Optional full label set (labels nobody chose get a column).

        Returns:
            The fitted estimator.
        """
        return self.fit_answers(Answers.from_sequences(tasks, workers, labels, classes=classes))

    def fit_answers(self, answers: Answers) -> Self:
        """Fit on already encoded answers (see ``Answers.from_sequences``)."""
        self.workers_ = answers.workers
        self.n_repeats_dropped_ = answers.n_repeats_dropped
        self.result_ = self._fit(answers, np.random.default_rng(self.seed))
        return self

    def fit_predict(
        self, tasks: Column, workers: Column, labels: Column, *, classes: Column | None = None
    ) -> dict[Key, Key]:
        """Fit and return ``{task: label}``; arguments as in ``fit``."""
        return self.fit(tasks, workers, labels, classes=classes).result_.to_dict()

    def fit_predict_proba(
        self, tasks: Column, workers: Column, labels: Column, *, classes: Column | None = None
    ) -> Result:
        """Fit and return the ``Result`` (tasks, classes, labels, probas)."""
        return self.fit(tasks, workers, labels, classes=classes).result_

    @abstractmethod
    def _fit(self, answers: Answers, rng: np.random.Generator) -> Result:
        """Fit on encoded answers, set method-specific attributes, return the result."""

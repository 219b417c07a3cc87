"""Vectorised EM for the confusion-matrix family (Dawid-Skene, one-coin, MACE).

All three models say: a worker ``w`` who faces a task whose true class is ``k``
answers ``l`` with probability ``pi[w, k, l]``. They differ only in how ``pi`` is
parameterised, i.e. in the M-step. The E-step and the sufficient statistics are the
same and are computed with one ``np.bincount`` per class over the answers, keyed by
task or by ``worker * n_classes + label``; no Python loop runs over answers.

Tasks answered by a single worker do not enter the fit: such an answer has nothing to
agree or disagree with, so it says nothing about that worker's reliability, and letting
it into the M-step lets EM trade the worker's reliability against the class prior
(turning a worker whose lone tasks are unlike the average task into a noise source).
The parameters are fitted on the tasks with two or more answers; the lone tasks then
get their posteriors from those parameters in one final E-step.

Stopping rule: EM (with a MAP M-step) never decreases the penalised log-likelihood
``log p(answers | params) + log p(params)``. Iterations stop when its relative
change falls below ``tol``, or after ``max_iter`` iterations. The estimate is defined
as the fixed point (the MAP), not as "a few steps from majority vote": where an early
stop lands depends on the start and on luck. The objective is monotone, so unlike a
change in the parameters or the posteriors it cannot stop early on a transient small
step, and being relative it does not depend on the data size.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fairlabel.aggregation import scale
from fairlabel.aggregation._encoding import Answers, FloatArray
from fairlabel.aggregation.base import (
    Aggregator,
    Result,
    decide,
    normalize_rows,
    softmax_and_log_norm,
)


def _segments(keys: NDArray[np.int64]) -> tuple[NDArray[np.intp], NDArray[np.intp],
                                                 NDArray[np.int64]]:
    """A stable sort of ``keys``: the order, where each present key starts, and the keys."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if keys.size else (
        np.zeros(0, dtype=np.intp))
    return order, starts, ordered[starts]


@dataclass(frozen=True, eq=False)
class SortedIncidence:
    """Answers as (task, column) pairs, column = ``worker * n_classes + label``.

    Both sums over answers — per task, and per column — are one ``np.add.reduceat`` over
    answers sorted once by that key: the work of a sparse matrix product, with numpy
    alone (a process that fits consensus never loads scipy).
    """

    tasks: NDArray[np.int64]
    columns: NDArray[np.int64]
    n_tasks: int
    n_workers: int
    n_classes: int
    # Answers sorted by task: their columns, and where each task starts.
    _columns_by_task: NDArray[np.int64] = field(repr=False)
    _task_starts: NDArray[np.intp] = field(repr=False)
    _present_tasks: NDArray[np.int64] = field(repr=False)
    # Answers sorted by column: their tasks, and where each column starts.
    _tasks_by_column: NDArray[np.int64] = field(repr=False)
    _column_starts: NDArray[np.intp] = field(repr=False)
    _present_columns: NDArray[np.int64] = field(repr=False)

    @classmethod
    def build(cls, tasks: NDArray[np.int64], columns: NDArray[np.int64], n_tasks: int,
              n_workers: int, n_classes: int) -> SortedIncidence:
        by_task, task_starts, present_tasks = _segments(tasks)
        by_column, column_starts, present_columns = _segments(columns)
        return cls(tasks, columns, n_tasks, n_workers, n_classes, columns[by_task],
                   task_starts, present_tasks, tasks[by_column], column_starts,
                   present_columns)

    @classmethod
    def from_answers(cls, answers: Answers) -> SortedIncidence:
        """Encode the answers (one pair per answer)."""
        k = answers.n_classes
        columns = answers.worker_codes.astype(np.int64) * k + answers.label_codes
        return cls.build(answers.task_codes.astype(np.int64), columns, answers.n_tasks,
                         answers.n_workers, k)

    def log_scores(self, log_confusions: FloatArray) -> FloatArray:
        """Return ``sum over answers of log pi[w, k, label]`` per task and class ``k``."""
        k = self.n_classes
        weights = log_confusions.transpose(0, 2, 1).reshape(self.n_workers * k, k)
        scores = np.zeros((self.n_tasks, k))
        if self._task_starts.size:
            gathered = np.take(weights, self._columns_by_task, axis=0)
            scores[self._present_tasks] = np.add.reduceat(gathered, self._task_starts, axis=0)
        return scores

    def confusion_counts(self, posteriors: FloatArray) -> FloatArray:
        """Expected counts ``[w, true k, answer l]`` under task ``posteriors``."""
        k = self.n_classes
        counts = np.zeros((self.n_workers * k, k))  # row (w, l), column k
        if self._column_starts.size:
            gathered = np.take(posteriors, self._tasks_by_column, axis=0)
            counts[self._present_columns] = np.add.reduceat(gathered, self._column_starts,
                                                            axis=0)
        return counts.reshape(self.n_workers, k, k).transpose(0, 2, 1)

    def answers_per_task(self) -> NDArray[np.intp]:
        """Number of answers of each task (one per worker once repeats are dropped)."""
        return np.bincount(self.tasks, minlength=self.n_tasks)

    def rows(self, keep: NDArray[np.bool_]) -> SortedIncidence:
        """The answers of the tasks selected by the boolean mask ``keep`` (renumbered)."""
        new_code = np.cumsum(keep) - 1
        mask = keep[self.tasks]
        return SortedIncidence.build(new_code[self.tasks[mask]], self.columns[mask],
                               int(keep.sum()), self.n_workers, self.n_classes)

    def worker_totals(self) -> FloatArray:
        """Answers per worker and label, shape ``(n_workers, n_classes)``."""
        totals = np.bincount(self.columns, minlength=self.n_workers * self.n_classes)
        return totals.astype(np.float64).reshape(self.n_workers, self.n_classes)


class SparseIncidence:
    """Answers as a sparse ``(n_tasks, n_workers * n_classes)`` 0/1 matrix (scipy).

    Faster than ``SortedIncidence`` on large fits (one fused pass per product); scipy is
    imported only when a fit is that large.
    """

    def __init__(self, matrix: Any, n_workers: int, n_classes: int) -> None:
        self.matrix = matrix
        self.n_workers = n_workers
        self.n_classes = n_classes

    @classmethod
    def from_answers(cls, answers: Answers) -> SparseIncidence:
        import scipy.sparse as sp

        k = answers.n_classes
        columns = answers.worker_codes.astype(np.int64) * k + answers.label_codes
        matrix = sp.csr_array((np.ones(answers.n_answers), (answers.task_codes, columns)),
                              shape=(answers.n_tasks, answers.n_workers * k))
        return cls(matrix, answers.n_workers, k)

    def log_scores(self, log_confusions: FloatArray) -> FloatArray:
        k = self.n_classes
        weights = log_confusions.transpose(0, 2, 1).reshape(self.n_workers * k, k)
        return np.asarray(self.matrix @ weights)

    def confusion_counts(self, posteriors: FloatArray) -> FloatArray:
        k = self.n_classes
        counts = np.asarray(self.matrix.T @ posteriors)  # row (w, l), column k
        return counts.reshape(self.n_workers, k, k).transpose(0, 2, 1)

    def answers_per_task(self) -> NDArray[np.intp]:
        counts: NDArray[np.intp] = np.diff(self.matrix.indptr)
        return counts

    def rows(self, keep: NDArray[np.bool_]) -> SparseIncidence:
        import scipy.sparse as sp

        return SparseIncidence(sp.csr_array(self.matrix[keep]), self.n_workers, self.n_classes)

    def worker_totals(self) -> FloatArray:
        totals = np.asarray(self.matrix.sum(axis=0), dtype=np.float64).reshape(-1)
        return totals.reshape(self.n_workers, self.n_classes)


Incidence = SortedIncidence | SparseIncidence
"""The answers in the form the E- and M-steps sum over; both give the same sums."""

def make_incidence(answers: Answers) -> Incidence:
    if answers.n_answers >= scale.SPARSE_FROM_ANSWERS:
        return SparseIncidence.from_answers(answers)
    return SortedIncidence.from_answers(answers)


@dataclass(frozen=True, eq=False)
class Params:
    """One M-step's output: log confusions, log class priors and log prior density."""

    log_confusions: FloatArray
    log_priors: FloatArray
    log_penalty: float


MStep = Callable[[FloatArray, FloatArray], Params]
"""Maps ``(confusion counts [w, k, l], task posteriors)`` to new parameters."""


@dataclass(frozen=True, eq=False)
class EMFit:
    """Outcome of an EM run."""

    posteriors: FloatArray
    params: Params
    history: tuple[float, ...]
    n_iter: int
    converged: bool


def check_em_settings(max_iter: int, tol: float, *smoothings: float) -> None:
    """Validate the hyperparameters shared by the EM estimators.

    Raises:
        ValueError: If ``max_iter < 1``, ``tol < 0`` or a smoothing is not positive.
    """
    if max_iter < 1:
        raise ValueError(f"max_iter must be at least 1, got {max_iter}")
    if tol < 0:
        raise ValueError(f"tol must be non-negative, got {tol}")
    if any(s <= 0 for s in smoothings):
        raise ValueError(f"smoothing pseudo-counts must be positive, got {smoothings}")


def check_crowd_prior(pool_strength: float, smoothing: float) -> None:
    """Validate a prior of ``pool_strength`` crowd-like plus ``smoothing`` uniform pseudo-counts.

    Raises:
        ValueError: If either is negative or both are zero (an improper prior, which
            would let a worker's matrix reach 0/1).
    """
    if pool_strength < 0 or smoothing < 0:
        raise ValueError(
            f"pool_strength and smoothing must be non-negative, got {pool_strength}, {smoothing}"
        )
    if pool_strength + smoothing <= 0:
        raise ValueError("pool_strength and smoothing cannot both be zero")


def crowd_accuracy(crowd: FloatArray) -> float:
    """The crowd's accuracy against the start, ``(agreeing + 1) / (answers + 2)``: the mean
    of a Beta(1, 1) posterior, so it is never 0 or 1."""
    return float((np.trace(crowd) + 1.0) / (crowd.sum() + 2.0))


def smoothed_log_priors(posteriors: FloatArray, smoothing: float) -> tuple[FloatArray, float]:
    """MAP class priors under a symmetric Dirichlet(1 + smoothing) prior.

    Returns:
        ``(log_priors, log prior density up to a constant)``.
    """
    counts = posteriors.sum(axis=0) + smoothing
    log_priors = np.log(counts / counts.sum())
    return log_priors, float(smoothing * log_priors.sum())


def e_step(incidence: Incidence, params: Params) -> tuple[FloatArray, float]:
    """Return task posteriors and the observed-data log-likelihood."""
    log_joint = incidence.log_scores(params.log_confusions) + params.log_priors
    posteriors, log_norm = softmax_and_log_norm(log_joint)
    return posteriors, float(log_norm.sum())


def run_em(
    incidence: Incidence,
    initial_posteriors: FloatArray,
    m_step: MStep,
    *,
    max_iter: int,
    tol: float,
) -> EMFit:
    """Alternate M- and E-steps from initial posteriors until the stopping rule holds.

    Args:
        incidence: The answers.
        initial_posteriors: Starting task posteriors (e.g. majority-vote shares).
        m_step: The model's M-step.
        max_iter: Cap on the number of iterations.
        tol: Threshold on the relative change of the penalised log-likelihood.
    """
    history: list[float] = []
    params = m_step(incidence.confusion_counts(initial_posteriors), initial_posteriors)
    converged = False
    for iteration in range(max_iter):
        posteriors, log_likelihood = e_step(incidence, params)
        history.append(log_likelihood + params.log_penalty)
        converged = len(history) > 1 and abs(history[-1] - history[-2]) <= tol * abs(history[-1])
        if converged or iteration == max_iter - 1:
            break
        params = m_step(incidence.confusion_counts(posteriors), posteriors)
    return EMFit(posteriors, params, tuple(history), len(history), converged)


@dataclass
class ConfusionEM(Aggregator):
    """Shared estimator for models defined by per-worker confusion matrices.

    EM starts from the majority-vote shares; subclasses provide the M-step, which
    may use the crowd's pooled confusion against that start as a prior centre. The
    parameters are fitted on the tasks with at least two answers; tasks with a single
    answer are scored with them afterwards (see the module docstring).

    Attributes:
        smoothing: Pseudo-count of the per-worker prior (see each subclass).
        prior_smoothing: Pseudo-count added to every class when estimating priors.
        max_iter: Maximum number of EM iterations.
        tol: Relative tolerance on the change of the penalised log-likelihood.
        seed: Seed of the random choice among fully tied labels.
        confusions_: ``(n_workers, n_classes, n_classes)``; ``[w, k, l]`` is the
            probability that worker ``w`` answers ``l`` when the truth is ``k``.
        priors_: Estimated class priors.
        skills_: One reliability figure per worker (see each subclass).
        history_: Penalised log-likelihood after each iteration (non-decreasing).
        n_iter_: Number of EM iterations run.
        converged_: Whether the tolerance was reached before ``max_iter``.
        n_single_answer_tasks_: Tasks with one answer, left out of the fit and
            scored with the fitted parameters.
    """

    smoothing: float = 1.0
    prior_smoothing: float = 1.0
    max_iter: int = 500
    tol: float = 1e-9
    seed: int = 0
    confusions_: FloatArray = field(init=False, repr=False, compare=False)
    priors_: FloatArray = field(init=False, repr=False, compare=False)
    skills_: FloatArray = field(init=False, repr=False, compare=False)
    history_: tuple[float, ...] = field(init=False, repr=False, compare=False)
    n_iter_: int = field(init=False, repr=False, compare=False)
    converged_: bool = field(init=False, repr=False, compare=False)
    n_single_answer_tasks_: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_em_settings(self.max_iter, self.tol, self.prior_smoothing)
        self._check_prior()

    def _check_prior(self) -> None:
        """Validate the per-worker prior (by default: ``smoothing`` must be positive)."""
        if self.smoothing <= 0:
            raise ValueError(f"smoothing pseudo-count must be positive, got {self.smoothing}")

    @abstractmethod
    def _make_m_step(self, incidence: Incidence, crowd: FloatArray) -> MStep:
        """Return the M-step for one fit (it may keep state between iterations).

        Args:
            incidence: The answers the parameters are fitted on (tasks with two or
                more answers).
            crowd: Confusion counts ``[k, l]`` of the whole crowd against the
                majority-vote start on those tasks, a prior centre for sparse workers.
        """

    def _set_worker_attributes(self) -> None:
        """Set ``skills_`` (accuracy under the priors); subclasses may set more."""
        self.skills_ = np.einsum("wkk,k->w", self.confusions_, self.priors_)

    def _fit(self, answers: Answers, rng: np.random.Generator) -> Result:
        incidence = make_incidence(answers)
        start = normalize_rows(answers.vote_counts())
        shared = incidence.answers_per_task() >= 2
        fitted, fitted_start = incidence, start
        if not shared.all():
            fitted, fitted_start = incidence.rows(shared), start[shared]
        self.n_single_answer_tasks_ = int(shared.size - np.count_nonzero(shared))
        crowd = fitted.confusion_counts(fitted_start).sum(axis=0)
        if not shared.any():  # no two answers anywhere: nothing to agree with
            crowd = incidence.confusion_counts(start).sum(axis=0)
        m_step = self._make_m_step(fitted, crowd)
        em = run_em(fitted, fitted_start, m_step, max_iter=self.max_iter, tol=self.tol)
        posteriors = em.posteriors
        if fitted is not incidence:
            posteriors = e_step(incidence, em.params)[0]
        self.confusions_ = np.exp(em.params.log_confusions)
        self.priors_ = np.exp(em.params.log_priors)
        self._set_worker_attributes()
        self.history_, self.n_iter_, self.converged_ = em.history, em.n_iter, em.converged
        labels = decide(posteriors, self.priors_, rng)
        return Result(answers.tasks, answers.classes, labels, posteriors)

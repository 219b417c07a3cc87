"""Vectorised EM for the confusion-matrix family (Dawid-Skene, one-coin, MACE).

All three models say: a worker ``w`` who faces a task whose true class is ``k``
answers ``l`` with probability ``pi[w, k, l]``. They differ only in how ``pi`` is
parameterised, i.e. in the M-step. The E-step and the sufficient statistics are the
same and are computed with one sparse product each over the answer incidence
matrix (row = task, column = ``worker * n_classes + label``); no Python loop runs
over answers.

Stopping rule: EM (with a MAP M-step) never decreases the penalised log-likelihood
``log p(answers | params) + log p(params)``. Iterations stop when its relative
change falls below ``tol``, or after ``max_iter`` iterations. Unlike a change in the
parameters or the posteriors, this quantity is monotone, so it cannot stop early on
a transient small step, and being relative it does not depend on the data size.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from fairlabel.aggregation._encoding import Answers, FloatArray
from fairlabel.aggregation.base import (
    Aggregator,
    Result,
    decide,
    log_sum_exp_rows,
    normalize_rows,
)


@dataclass(frozen=True, eq=False)
class Incidence:
    """Answers as a sparse ``(n_tasks, n_workers * n_classes)`` 0/1 matrix."""

    matrix: sp.csr_array
    n_workers: int
    n_classes: int

    @classmethod
    def from_answers(cls, answers: Answers) -> Incidence:
        """Build the incidence matrix (one stored entry per answer)."""
        k = answers.n_classes
        columns = answers.worker_codes.astype(np.int64) * k + answers.label_codes
        matrix = sp.csr_array(
            (np.ones(answers.n_answers), (answers.task_codes, columns)),
            shape=(answers.n_tasks, answers.n_workers * k),
        )
        return cls(matrix, answers.n_workers, k)

    def log_scores(self, log_confusions: FloatArray) -> FloatArray:
        """Return ``sum over answers of log pi[w, k, label]`` per task and class ``k``."""
        k = self.n_classes
        weights = log_confusions.transpose(0, 2, 1).reshape(self.n_workers * k, k)
        return np.asarray(self.matrix @ weights)

    def confusion_counts(self, posteriors: FloatArray) -> FloatArray:
        """Expected counts ``[w, true k, answer l]`` under task ``posteriors``."""
        k = self.n_classes
        counts = np.asarray(self.matrix.T @ posteriors)  # row (w, l), column k
        return counts.reshape(self.n_workers, k, k).transpose(0, 2, 1)

    def worker_totals(self) -> FloatArray:
        """Answers per worker and label, shape ``(n_workers, n_classes)``."""
        totals = np.asarray(self.matrix.sum(axis=0), dtype=np.float64).reshape(-1)
        return totals.reshape(self.n_workers, self.n_classes)


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
    log_norm = log_sum_exp_rows(log_joint)
    posteriors = np.exp(log_joint - log_norm[:, None])
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
    may use the crowd's pooled confusion against that start as a prior centre.

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
    """

    smoothing: float = 1.0
    prior_smoothing: float = 1.0
    max_iter: int = 200
    tol: float = 1e-7
    seed: int = 0
    confusions_: FloatArray = field(init=False, repr=False, compare=False)
    priors_: FloatArray = field(init=False, repr=False, compare=False)
    skills_: FloatArray = field(init=False, repr=False, compare=False)
    history_: tuple[float, ...] = field(init=False, repr=False, compare=False)
    n_iter_: int = field(init=False, repr=False, compare=False)
    converged_: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_em_settings(self.max_iter, self.tol, self.smoothing, self.prior_smoothing)

    @abstractmethod
    def _make_m_step(self, incidence: Incidence, crowd: FloatArray) -> MStep:
        """Return the M-step for one fit (it may keep state between iterations).

        Args:
            incidence: The answers.
            crowd: Confusion counts ``[k, l]`` of the whole crowd against the
                majority-vote start, a prior centre for sparse workers.
        """

    def _set_worker_attributes(self) -> None:
        """Set ``skills_`` (accuracy under the priors); subclasses may set more."""
        self.skills_ = np.einsum("wkk,k->w", self.confusions_, self.priors_)

    def _fit(self, answers: Answers, rng: np.random.Generator) -> Result:
        incidence = Incidence.from_answers(answers)
        start = normalize_rows(answers.vote_counts())
        m_step = self._make_m_step(incidence, incidence.confusion_counts(start).sum(axis=0))
        em = run_em(incidence, start, m_step, max_iter=self.max_iter, tol=self.tol)
        self.confusions_ = np.exp(em.params.log_confusions)
        self.priors_ = np.exp(em.params.log_priors)
        self._set_worker_attributes()
        self.history_, self.n_iter_, self.converged_ = em.history, em.n_iter, em.converged
        labels = decide(em.posteriors, self.priors_, rng)
        return Result(answers.tasks, answers.classes, labels, em.posteriors)

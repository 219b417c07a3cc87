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

import numpy as np

from fairlabel.aggregation._encoding import Answers, FloatArray
from fairlabel.aggregation._incidence import Incidence, make_incidence
from fairlabel.aggregation.base import (
    Aggregator,
    Result,
    decide,
    normalize_rows,
    softmax_and_log_norm,
)


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
    log_joint = incidence.log_scores(params.log_confusions)
    log_joint += params.log_priors
    posteriors, log_norm = softmax_and_log_norm(log_joint, overwrite=True)
    return posteriors, float(log_norm.sum())


def run_em(
    incidence: Incidence,
    params: Params,
    m_step: MStep,
    *,
    max_iter: int,
    tol: float,
) -> EMFit:
    """Alternate E- and M-steps from the first parameters until the stopping rule holds.

    Args:
        incidence: The answers.
        params: The first M-step's parameters (from starting task posteriors, e.g.
            majority-vote shares: the caller can let go of those before EM runs).
        m_step: The model's M-step.
        max_iter: Cap on the number of iterations.
        tol: Threshold on the relative change of the penalised log-likelihood.
    """
    posteriors, log_likelihood = e_step(incidence, params)
    history = [log_likelihood + params.log_penalty]
    converged = False
    while len(history) < max_iter and not converged:
        params = m_step(incidence.confusion_counts(posteriors), posteriors)
        del posteriors  # before the E-step makes new ones: one array of them at a time
        posteriors, log_likelihood = e_step(incidence, params)
        history.append(log_likelihood + params.log_penalty)
        converged = abs(history[-1] - history[-2]) <= tol * abs(history[-1])
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
        start = normalize_rows(incidence.vote_counts(), overwrite=True)
        shared = incidence.answers_per_task() >= 2
        fitted, fitted_start = incidence, start
        if not shared.all():
            fitted, fitted_start = incidence.rows(shared), start[shared]
        self.n_single_answer_tasks_ = int(shared.size - np.count_nonzero(shared))
        crowd = fitted.confusion_counts(fitted_start).sum(axis=0)
        if not shared.any():  # no two answers anywhere: nothing to agree with
            crowd = incidence.confusion_counts(start).sum(axis=0)
        m_step = self._make_m_step(fitted, crowd)
        first = m_step(fitted.confusion_counts(fitted_start), fitted_start)
        del start, fitted_start  # EM holds one array of posteriors at a time
        em = run_em(fitted, first, m_step, max_iter=self.max_iter, tol=self.tol)
        posteriors = em.posteriors
        if fitted is not incidence:
            posteriors = e_step(incidence, em.params)[0]
        del incidence, fitted, m_step  # the answers' matrix is not needed to decide
        self.confusions_ = np.exp(em.params.log_confusions)
        self.priors_ = np.exp(em.params.log_priors)
        self._set_worker_attributes()
        self.history_, self.n_iter_, self.converged_ = em.history, em.n_iter, em.converged
        labels = decide(posteriors, self.priors_, rng)
        return Result(answers.tasks, answers.classes, labels, posteriors)

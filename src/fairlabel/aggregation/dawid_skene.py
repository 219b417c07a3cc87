"""Dawid-Skene (``ds``): one full confusion matrix per worker, fitted by EM.

A. P. Dawid and A. M. Skene, "Maximum likelihood estimation of observer
error-rates using the EM algorithm", Applied Statistics 28(1), 1979.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fairlabel.aggregation._em import (
    ConfusionEM,
    MStep,
    Params,
    check_crowd_prior,
    crowd_accuracy,
    smoothed_log_priors,
)
from fairlabel.aggregation._encoding import FloatArray
from fairlabel.aggregation._incidence import Incidence


def crowd_prior(crowd: FloatArray, pool_strength: float, smoothing: float) -> FloatArray:
    """Dirichlet pseudo-counts ``[k, l]``: ``pool_strength`` answers per row at the
    crowd's accuracy (one-coin: errors spread evenly), plus ``smoothing`` per cell.

    With ``smoothing = 0`` (the default of ``DawidSkene``) a worker without answers
    gets exactly the crowd's matrix, which is never 0/1 (see ``crowd_accuracy``).
    """
    k = crowd.shape[0]
    accuracy = crowd_accuracy(crowd)
    centre = np.full((k, k), (1.0 - accuracy) / max(k - 1, 1))
    np.fill_diagonal(centre, accuracy if k > 1 else 1.0)
    return pool_strength * centre + smoothing


@dataclass
class DawidSkene(ConfusionEM):
    """Dawid-Skene with confusion matrices shrunk towards the crowd's (MAP-EM).

    EM starts from the majority-vote shares. Each M-step sets ``pi[w, k, :] ∝
    expected counts[w, k, :] + prior[k, :]``: the prior adds ``pool_strength``
    pseudo-answers per true class, distributed like the whole crowd against the
    majority vote (accuracy on the diagonal, errors spread evenly; computed once, so
    the objective stays fixed), plus ``smoothing`` (Laplace) per cell, 0 by default.
    The prior is thus centred on the average worker: a worker with few answers looks
    like an average worker rather than a random or a perfect one, and no matrix is
    degenerate 0/1. Tasks with one answer are scored but do not enter the fit.
    Stopping: relative change of the penalised log-likelihood below ``tol``, or
    ``max_iter`` iterations. ``skills_`` is each worker's probability of a correct
    answer under ``priors_``. Other hyperparameters and fitted attributes are those
    of ``ConfusionEM``.

    Attributes:
        pool_strength: Pseudo-answers per row drawn towards the crowd's confusion
            (``pool_strength=0, smoothing=1`` gives plain Laplace smoothing).
        smoothing: Uniform pseudo-count added to every cell (default 0: a uniform
            part would pull a newcomer towards a random worker, by ``K`` pseudo-answers
            per row, i.e. more the more classes there are).
    """

    smoothing: float = 0.0
    pool_strength: float = 4.0

    def _check_prior(self) -> None:
        check_crowd_prior(self.pool_strength, self.smoothing)

    def _make_m_step(self, incidence: Incidence, crowd: FloatArray) -> MStep:
        prior = crowd_prior(crowd, self.pool_strength, self.smoothing)

        def m_step(counts: FloatArray, posteriors: FloatArray) -> Params:
            smoothed = counts + prior
            log_confusions = np.log(smoothed / smoothed.sum(axis=2, keepdims=True))
            log_priors, prior_penalty = smoothed_log_priors(posteriors, self.prior_smoothing)
            penalty = float((prior * log_confusions).sum()) + prior_penalty
            return Params(log_confusions, log_priors, penalty)

        return m_step

"""Dawid-Skene (``ds``): one full confusion matrix per worker, fitted by EM.

A. P. Dawid and A. M. Skene, "Maximum likelihood estimation of observer
error-rates using the EM algorithm", Applied Statistics 28(1), 1979.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fairlabel.aggregation._em import ConfusionEM, Incidence, MStep, Params, smoothed_log_priors
from fairlabel.aggregation._encoding import FloatArray


def crowd_prior(crowd: FloatArray, pool_strength: float, smoothing: float) -> FloatArray:
    """Dirichlet pseudo-counts ``[k, l]``: ``pool_strength`` answers per row at the
    crowd's accuracy (one-coin: errors spread evenly), plus ``smoothing`` per cell."""
    k = crowd.shape[0]
    accuracy = (np.trace(crowd) + 1.0) / (crowd.sum() + 2.0)
    centre = np.full((k, k), (1.0 - accuracy) / max(k - 1, 1))
    np.fill_diagonal(centre, accuracy if k > 1 else 1.0)
    return pool_strength * centre + smoothing


@dataclass
class DawidSkene(ConfusionEM):
    """Dawid-Skene with confusion matrices shrunk towards the crowd's (MAP-EM).

    EM starts from the majority-vote shares. Each M-step sets ``pi[w, k, :] ∝
    expected counts[w, k, :] + prior[k, :]``: the prior adds ``pool_strength``
    pseudo-answers per true class, distributed like the whole crowd's confusion
    against the majority vote (computed once, so the objective stays fixed), plus
    ``smoothing`` (Laplace) per cell. A worker with a few answers therefore looks
    like an average worker rather than a random or a perfect one, and no matrix is
    degenerate 0/1. Stopping: relative change of the penalised log-likelihood below
    ``tol``, or ``max_iter`` iterations. ``skills_`` is each worker's probability of
    a correct answer under ``priors_``. Other hyperparameters and fitted attributes
    are those of ``ConfusionEM``.

    Attributes:
        pool_strength: Pseudo-answers per row drawn towards the crowd's confusion
            (0 gives plain Laplace smoothing).
    """

    pool_strength: float = 4.0

    def _make_m_step(self, incidence: Incidence, crowd: FloatArray) -> MStep:
        if self.pool_strength < 0:
            raise ValueError(f"pool_strength must be non-negative, got {self.pool_strength}")
        prior = crowd_prior(crowd, self.pool_strength, self.smoothing)

        def m_step(counts: FloatArray, posteriors: FloatArray) -> Params:
            smoothed = counts + prior
            log_confusions = np.log(smoothed / smoothed.sum(axis=2, keepdims=True))
            log_priors, prior_penalty = smoothed_log_priors(posteriors, self.prior_smoothing)
            penalty = float((prior * log_confusions).sum()) + prior_penalty
            return Params(log_confusions, log_priors, penalty)

        return m_step

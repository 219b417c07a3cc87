"""One-coin Dawid-Skene (``ods``): one accuracy per worker, fitted by EM.

Each worker answers the true class with probability ``s_w`` and otherwise picks one
of the other classes uniformly: ``pi[w] = s_w * I + (1 - s_w) / (K - 1) * (1 - I)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fairlabel.aggregation._em import ConfusionEM, Incidence, MStep, Params, smoothed_log_priors
from fairlabel.aggregation._encoding import FloatArray


def one_coin_log_confusions(skills: FloatArray, n_classes: int) -> FloatArray:
    """Log confusion matrices ``[w, k, l]`` of workers with accuracy ``skills``."""
    wrong = np.log1p(-skills) - np.log(max(n_classes - 1, 1))
    log_confusions = np.repeat(wrong[:, None, None], n_classes, axis=1).repeat(n_classes, axis=2)
    diagonal = np.arange(n_classes)
    log_confusions[:, diagonal, diagonal] = np.log(skills)[:, None]
    return log_confusions


@dataclass
class OneCoinDawidSkene(ConfusionEM):
    """One-coin Dawid-Skene with a Beta prior on each worker's accuracy (MAP-EM).

    The M-step sets ``s_w = (expected correct + a) / (answers + a + b)`` with
    ``a = pool_strength * crowd accuracy + smoothing`` and ``b = pool_strength *
    (1 - crowd accuracy) + smoothing``: a worker with few answers is pulled towards
    the crowd's accuracy against the majority vote, and no worker gets accuracy 0 or
    1. ``skills_`` holds ``s_w``. Stopping rule, other hyperparameters and fitted
    attributes are those of ``ConfusionEM``.

    Attributes:
        pool_strength: Pseudo-answers drawn towards the crowd's accuracy.
    """

    pool_strength: float = 4.0

    def _make_m_step(self, incidence: Incidence, crowd: FloatArray) -> MStep:
        if self.pool_strength < 0:
            raise ValueError(f"pool_strength must be non-negative, got {self.pool_strength}")
        crowd_accuracy = (np.trace(crowd) + 1.0) / (crowd.sum() + 2.0)
        a = self.pool_strength * crowd_accuracy + self.smoothing
        b = self.pool_strength * (1.0 - crowd_accuracy) + self.smoothing

        def m_step(counts: FloatArray, posteriors: FloatArray) -> Params:
            correct = np.trace(counts, axis1=1, axis2=2)
            skills = (correct + a) / (counts.sum(axis=(1, 2)) + a + b)
            log_priors, prior_penalty = smoothed_log_priors(posteriors, self.prior_smoothing)
            penalty = float(a * np.log(skills).sum() + b * np.log1p(-skills).sum())
            log_confusions = one_coin_log_confusions(skills, counts.shape[1])
            return Params(log_confusions, log_priors, penalty + prior_penalty)

        return m_step

    def _set_worker_attributes(self) -> None:
        self.skills_ = self.confusions_[:, 0, 0].copy()

"""One-coin Dawid-Skene (``ods``): one accuracy per worker, fitted by EM.

Each worker answers the true class with probability ``s_w`` and otherwise picks one
of the other classes uniformly: ``pi[w] = s_w * I + (1 - s_w) / (K - 1) * (1 - I)``.
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
    the crowd's accuracy against the majority vote (exactly, with the default
    ``smoothing = 0``), and no worker gets accuracy 0 or 1. Tasks with one answer are
    scored but do not enter the fit. ``skills_`` holds ``s_w``. Stopping rule, other
    hyperparameters and fitted attributes are those of ``ConfusionEM``.

    Class priors are uniform unless ``learn_priors``: a one-coin worker errs evenly,
    so the model has no way to express a worker (or a crowd) that favours one class;
    a learned prior absorbs that tendency instead and EM drifts towards "every task is
    the popular class", with the workers who answer it most taken as the accurate
    ones (on ``zheng_d_duck`` 105 of 108 tasks were called 0, gold has 60; a worker
    who answers the same class every time makes it worse). Dawid-Skene models each
    worker's bias and learns the prior.

    Attributes:
        pool_strength: Pseudo-answers drawn towards the crowd's accuracy.
        smoothing: Pseudo-count added to both right and wrong (default 0).
        learn_priors: Estimate the class priors (MAP under a symmetric Dirichlet with
            ``prior_smoothing`` pseudo-counts) instead of keeping them uniform.
    """

    smoothing: float = 0.0
    pool_strength: float = 4.0
    learn_priors: bool = False

    def _check_prior(self) -> None:
        check_crowd_prior(self.pool_strength, self.smoothing)

    def _make_m_step(self, incidence: Incidence, crowd: FloatArray) -> MStep:
        accuracy = crowd_accuracy(crowd)
        a = self.pool_strength * accuracy + self.smoothing
        b = self.pool_strength * (1.0 - accuracy) + self.smoothing
        uniform_log_priors = np.full(incidence.n_classes, -np.log(incidence.n_classes))

        def m_step(counts: FloatArray, posteriors: FloatArray) -> Params:
            correct = np.trace(counts, axis1=1, axis2=2)
            skills = (correct + a) / (counts.sum(axis=(1, 2)) + a + b)
            if self.learn_priors:
                log_priors, prior_penalty = smoothed_log_priors(posteriors, self.prior_smoothing)
            else:
                log_priors, prior_penalty = uniform_log_priors, 0.0
            penalty = float(a * np.log(skills).sum() + b * np.log1p(-skills).sum())
            log_confusions = one_coin_log_confusions(skills, counts.shape[1])
            return Params(log_confusions, log_priors, penalty + prior_penalty)

        return m_step

    def _set_worker_attributes(self) -> None:
        self.skills_ = self.confusions_[:, 0, 0].copy()

"""MACE (``mace``): workers are either competent or spamming, fitted by EM.

D. Hovy, T. Berg-Kirkpatrick, A. Vaswani and E. Hovy, "Learning Whom to Trust with
MACE", NAACL-HLT 2013. On each answer a worker is competent with probability
``theta_w`` and then gives the true class; otherwise it draws a label from its own
spamming distribution ``xi_w``. This is a confusion-matrix model,
``pi[w, k, l] = theta_w * [k == l] + (1 - theta_w) * xi_w[l]``, so it shares the
E-step of Dawid-Skene; the M-step counts expected competent and spamming answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fairlabel.aggregation._em import ConfusionEM, MStep, Params, smoothed_log_priors
from fairlabel.aggregation._encoding import FloatArray
from fairlabel.aggregation._incidence import Incidence


@dataclass
class _MaceState:
    """Current ``theta`` and ``xi``, needed to split answers into competent/spam."""

    theta: FloatArray
    xi: FloatArray
    totals: FloatArray
    smoothing: float
    spam_smoothing: float
    prior_smoothing: float

    def m_step(self, counts: FloatArray, posteriors: FloatArray) -> Params:
        """Update ``theta`` and ``xi`` from expected counts ``[w, k, l]``."""
        agree = np.diagonal(counts, axis1=1, axis2=2)  # [w, l]: answered l, truth l
        theta = self.theta[:, None]
        competent_share = theta / (theta + (1.0 - theta) * self.xi)
        competent = agree * competent_share
        spam = np.maximum(self.totals - competent, 0.0)
        n_answers = self.totals.sum(axis=1)
        a = self.smoothing
        self.theta = (competent.sum(axis=1) + a) / (n_answers + 2.0 * a)
        self.xi = (spam + self.spam_smoothing) / (
            spam.sum(axis=1, keepdims=True) + self.spam_smoothing * spam.shape[1]
        )
        log_priors, prior_penalty = smoothed_log_priors(posteriors, self.prior_smoothing)
        penalty = a * float(np.log(self.theta).sum() + np.log1p(-self.theta).sum())
        penalty += self.spam_smoothing * float(np.log(self.xi).sum())
        return Params(self.log_confusions(), log_priors, penalty + prior_penalty)

    def log_confusions(self) -> FloatArray:
        """Log confusion matrices implied by the current ``theta`` and ``xi``."""
        k = self.xi.shape[1]
        spam = (1.0 - self.theta)[:, None, None] * self.xi[:, None, :]
        return np.log(spam + self.theta[:, None, None] * np.eye(k)[None])


@dataclass
class MACE(ConfusionEM):
    """MACE by MAP-EM, started from the majority-vote shares (no random restarts).

    ``theta_w`` has a Beta(1 + smoothing, 1 + smoothing) prior and ``xi_w`` a
    Dirichlet(1 + spam_smoothing) prior. Unlike the original MACE, class priors are
    estimated (as in Dawid-Skene). ``skills_`` holds ``theta_w``, the probability
    that an answer of worker ``w`` is competent. Stopping rule, other
    hyperparameters and fitted attributes are those of ``ConfusionEM``.

    Attributes:
        spam_smoothing: Pseudo-count added to each label of the spamming distribution.
        spam_distributions_: ``(n_workers, n_classes)``, each worker's ``xi_w``.
    """

    spam_smoothing: float = 1.0
    spam_distributions_: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.spam_smoothing <= 0:
            raise ValueError(f"spam_smoothing must be positive, got {self.spam_smoothing}")

    def _make_m_step(self, incidence: Incidence, crowd: FloatArray) -> MStep:
        totals = incidence.worker_totals()
        k = incidence.n_classes
        self._state = _MaceState(
            theta=np.full(incidence.n_workers, 0.5),
            xi=np.full((incidence.n_workers, k), 1.0 / k),
            totals=totals,
            smoothing=self.smoothing,
            spam_smoothing=self.spam_smoothing,
            prior_smoothing=self.prior_smoothing,
        )
        return self._state.m_step

    def _set_worker_attributes(self) -> None:
        self.skills_ = self._state.theta
        self.spam_distributions_ = self._state.xi
        del self._state

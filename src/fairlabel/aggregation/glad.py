"""GLAD (``glad``): worker ability times task easiness.

J. Whitehill, P. Ruvolo, T. Wu, J. Bergsma and J. Movellan, "Whose Vote Should
Count More: Optimal Integration of Labels from Labelers of Unknown Expertise",
NIPS 2009. Worker ``w`` answers task ``t`` correctly with probability
``sigmoid(alpha_w * beta_t)`` (``beta_t = exp(b_t) > 0`` is the task's easiness)
and otherwise picks one of the other classes uniformly.

Instead of EM with an inner gradient M-step, the marginal log-posterior is
maximised directly with L-BFGS: by Fisher's identity its gradient is the gradient
of the EM objective at the current posteriors, computed with ``np.bincount`` over
answers. L-BFGS stops when the relative decrease of the objective falls below
``tol`` (the same principle as the EM stopping rule) or after ``max_iter`` steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fairlabel.aggregation._encoding import Answers, FloatArray
from fairlabel.aggregation.base import Aggregator, Result, decide, log_sum_exp_rows


def _sum_by(codes: NDArray[np.integer[Any]], weights: FloatArray, size: int) -> FloatArray:
    """Sum ``weights`` per code (a typed ``np.bincount``)."""
    return np.asarray(np.bincount(codes, weights, size), dtype=np.float64)


def logsumexp(values: FloatArray) -> float:
    """``log(sum(exp(values)))`` of a vector, computed stably."""
    top = float(values.max())
    return top + float(np.log(np.exp(values - top).sum()))


def expit(x: FloatArray) -> FloatArray:
    """The logistic function, computed stably."""
    result: FloatArray = np.exp(-np.logaddexp(0.0, -x))
    return result


@dataclass(frozen=True, eq=False)
class _Objective:
    """Negative log-posterior of GLAD and its gradient over ``[alpha, b, logits]``."""

    answers: Answers
    ability_std: float
    easiness_std: float
    prior_smoothing: float
    learn_priors: bool

    def split(self, theta: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Split the parameter vector into abilities, log-easiness and prior logits."""
        w, t = self.answers.n_workers, self.answers.n_tasks
        return theta[:w], theta[w : w + t], theta[w + t :]

    def posteriors(self, theta: FloatArray) -> tuple[FloatArray, FloatArray, float]:
        """Return task posteriors, per-answer ``alpha * beta`` and the log-likelihood."""
        ans, k = self.answers, self.answers.n_classes
        alpha, log_easiness, logits = self.split(theta)
        x = alpha[ans.worker_codes] * np.exp(log_easiness[ans.task_codes])
        log_right = -np.logaddexp(0.0, -x)
        log_wrong = -np.logaddexp(0.0, x) - np.log(max(k - 1, 1))
        flat = ans.task_codes.astype(np.intp) * k + ans.label_codes
        joint = _sum_by(flat, log_right - log_wrong, ans.n_tasks * k).reshape(-1, k)
        joint += _sum_by(ans.task_codes, log_wrong, ans.n_tasks)[:, None]
        joint += logits - logsumexp(logits)
        norm = log_sum_exp_rows(joint)
        return np.exp(joint - norm[:, None]), x, float(norm.sum())

    def __call__(self, theta: FloatArray) -> tuple[float, FloatArray]:
        """Return the objective and its gradient (for ``scipy.optimize.minimize``)."""
        ans = self.answers
        alpha, log_easiness, logits = self.split(theta)
        post, x, log_likelihood = self.posteriors(theta)
        residual = post[ans.task_codes, ans.label_codes] - expit(x)
        easiness = np.exp(log_easiness)
        grad_alpha = _sum_by(ans.worker_codes, residual * easiness[ans.task_codes], alpha.size)
        grad_b = _sum_by(ans.task_codes, residual * x, log_easiness.size)
        log_priors = logits - logsumexp(logits)
        priors = np.exp(log_priors)
        grad_logits = post.sum(axis=0) - ans.n_tasks * priors
        grad_logits += self.prior_smoothing * (1.0 - priors.size * priors)
        grad_alpha -= (alpha - 1.0) / self.ability_std**2
        grad_b -= log_easiness / self.easiness_std**2
        if not self.learn_priors:
            grad_logits[:] = 0.0
        value = log_likelihood + self.prior_smoothing * float(log_priors.sum())
        value -= 0.5 * float(((alpha - 1.0) ** 2).sum()) / self.ability_std**2
        value -= 0.5 * float((log_easiness**2).sum()) / self.easiness_std**2
        return -value, -np.concatenate([grad_alpha, grad_b, grad_logits])


@dataclass
class GLAD(Aggregator):
    """GLAD with Gaussian priors, fitted by L-BFGS on the marginal log-posterior.

    Attributes:
        ability_std: Standard deviation of the N(1, std²) prior on each ``alpha_w``.
        easiness_std: Standard deviation of the N(0, std²) prior on ``log beta_t``.
        prior_smoothing: Pseudo-count added to every class when estimating priors.
        learn_priors: Estimate the class priors. Off by default, as in the original
            paper: with free per-task easiness, learned priors can collapse onto one
            class (hard tasks explain away the minority votes).
        max_iter: Maximum number of L-BFGS iterations.
        tol: Relative tolerance on the decrease of the objective (L-BFGS ``ftol``).
        seed: Seed of the random choice among fully tied labels.
        skills_: Per-worker ability ``alpha_w`` (negative: adversarial worker).
        easiness_: Per-task easiness ``beta_t``, aligned with ``result_.tasks``.
        priors_: Class priors (uniform unless ``learn_priors``).
        log_likelihood_: Log-likelihood of the answers at the optimum.
        n_iter_: Number of L-BFGS iterations run.
        converged_: Whether L-BFGS reported convergence.
    """

    ability_std: float = 1.0
    easiness_std: float = 1.0
    prior_smoothing: float = 1.0
    max_iter: int = 500
    tol: float = 1e-7
    seed: int = 0
    learn_priors: bool = False
    skills_: FloatArray = field(init=False, repr=False, compare=False)
    easiness_: FloatArray = field(init=False, repr=False, compare=False)
    priors_: FloatArray = field(init=False, repr=False, compare=False)
    log_likelihood_: float = field(init=False, repr=False, compare=False)
    n_iter_: int = field(init=False, repr=False, compare=False)
    converged_: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.ability_std <= 0 or self.easiness_std <= 0:
            raise ValueError("ability_std and easiness_std must be positive")
        if self.prior_smoothing < 0 or self.tol < 0 or self.max_iter < 1:
            raise ValueError("need prior_smoothing >= 0, tol >= 0 and max_iter >= 1")

    def _fit(self, answers: Answers, rng: np.random.Generator) -> Result:
        from scipy.optimize import minimize  # only GLAD needs scipy; import it on use

        objective = _Objective(
            answers, self.ability_std, self.easiness_std, self.prior_smoothing, self.learn_priors
        )
        start = np.concatenate(
            [np.ones(answers.n_workers), np.zeros(answers.n_tasks + answers.n_classes)]
        )
        found = minimize(
            objective,
            start,
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": self.max_iter, "ftol": self.tol, "gtol": 1e-8},
        )
        alpha, log_easiness, logits = objective.split(found.x)
        posteriors, _, self.log_likelihood_ = objective.posteriors(found.x)
        self.skills_, self.easiness_ = alpha.copy(), np.exp(log_easiness)
        self.priors_ = np.exp(logits - logsumexp(logits))
        self.n_iter_, self.converged_ = int(found.nit), bool(found.success)
        labels = decide(posteriors, self.priors_, rng)
        return Result(answers.tasks, answers.classes, labels, posteriors)
